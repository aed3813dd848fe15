"""The lockout check (django-axes) as the first authentication backend."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LockoutBackend(AxesStandaloneBackend):  # type: ignore[misc]  # untyped base
    """Refuses every login, the correct password included, while the username and client IP are
    locked out. It authenticates nobody itself: ModelBackend (next in the list) checks passwords.

    A call without a request (the test client's `login()`, a management command) has no client
    to count failures for: it is let through to the next backend instead of raising.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return
        super().authenticate(request, username=username, password=password, **kwargs)
        return
