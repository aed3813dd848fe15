"""Remember the practice a user is working in (the practice switcher), in the session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from openrcm.tenancy.scoping import practice_ids_for

SESSION_KEY = "openrcm_practice_id"


class CurrentPracticeMiddleware:
    """Sets `request.practice` to the chosen practice the user belongs to, or None."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.practice = self._current(request)  # type: ignore[attr-defined]
        return self.get_response(request)

    @staticmethod
    def _current(request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        from openrcm.tenancy.models import Practice

        allowed = practice_ids_for(user)
        if not allowed:
            return None
        chosen = request.session.get(SESSION_KEY)
        practice_id = chosen if chosen in allowed else None
        if practice_id is None:
            return None
        return Practice.objects.filter(pk=practice_id).first()
