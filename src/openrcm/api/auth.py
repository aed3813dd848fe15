"""Who is calling: a bearer token (`Authorization: Bearer orcm_...`) or the Django session.

The token is tried first; a request that presents one must present a valid, unrevoked one (it
never falls back to the session). Session requests that change data must carry the CSRF token,
as every form in the web UI does. Anything else is a 401.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from openrcm.accounts.services import token_authenticate


class BearerTokenAuth(HttpBearer):
    """An API token made with `openrcm token create`; only its hash is stored."""

    def __call__(self, request: HttpRequest) -> Any | None:
        header = request.headers.get(self.header, "")
        scheme, _, key = header.strip().partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None
        return self.authenticate(request, key.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = token_authenticate(key=token)
        if user is None:
            raise AuthenticationError(message="Invalid or revoked API token.")
        request.user = user
        return user


class SessionCookieAuth(APIKeyCookie):
    """The logged-in web session; unsafe methods must pass Django's CSRF check."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(
                403, "CSRF check failed: send the csrftoken cookie's value as X-CSRFToken."
            )
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any | None:
        return None  # unused: __call__ reads request.user set by the session middleware


def current_user(request: HttpRequest) -> Any:
    """The authenticated user of an API request (set by one of the auth classes above)."""
    return request.auth  # type: ignore[attr-defined]
