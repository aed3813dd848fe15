"""Template context shared by every page: the current practice and the switcher's choices."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def practice_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from openrcm.tenancy.models import Practice
    from openrcm.tenancy.scoping import practice_ids_for

    return {
        "current_practice": getattr(request, "practice", None),
        "my_practices": Practice.objects.filter(pk__in=practice_ids_for(user)).order_by("name"),
    }
