"""Middleware for signed-in requests: no caching, session limits, MFA before anything else.

Order in settings.MIDDLEWARE: NoStoreMiddleware right after AuthenticationMiddleware, then
django-otp's OTPMiddleware, MessageMiddleware, SessionLimitsMiddleware, MfaRequiredMiddleware.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from openrcm.accounts import mfa, sessions
from openrcm.audit.models import AuditAction
from openrcm.audit.services import audit_record

API_PREFIX = "/api/"

Handler = Callable[[HttpRequest], HttpResponseBase]


def _static_prefix() -> str:
    url = str(settings.STATIC_URL or "/static/")
    return url if url.startswith("/") else f"/{url}"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _has_bearer_token(request: HttpRequest) -> bool:
    scheme, _, _ = request.headers.get("Authorization", "").strip().partition(" ")
    return scheme.lower() == "bearer"


class NoStoreMiddleware:
    """`Cache-Control: no-store` (and friends) on every response to a signed-in user and on every
    API response: they may hold PHI, and no browser, back button or proxy may keep a copy."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(_static_prefix()):
            return self.get_response(request)
        signed_in = request.user.is_authenticated  # before a view may log the user out
        response = self.get_response(request)
        private = signed_in or request.path_info.startswith(API_PREFIX)
        if private and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


class SessionLimitsMiddleware:
    """Ends a signed-in session idle for OPENRCM_SESSION_IDLE_MINUTES or older than
    OPENRCM_SESSION_MAX_HOURS since login; the request then goes on as anonymous (a page sends
    the browser to the login page, the API answers 401). Records `session_expired`."""

    MESSAGES = {
        "idle": "You were signed out after {minutes} minutes without activity. Sign in again.",
        "absolute": "Your session reached its {hours}-hour limit. Sign in again.",
        "unstamped": "Your session has ended. Sign in again.",
    }

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated:
            reason = sessions.session_expiry_reason(request)
            if reason is None:
                sessions.session_touch(request)
                sessions.session_track(request, user)
            else:
                audit_record(
                    action=AuditAction.SESSION_EXPIRED,
                    actor=user,
                    request=request,
                    detail={"reason": reason},
                )
                sessions.session_end_current(request)
                minutes = settings.OPENRCM_SESSION_IDLE_MINUTES
                messages.info(
                    request,
                    self.MESSAGES[reason].format(
                        minutes=f"{minutes:g}", hours=settings.OPENRCM_SESSION_MAX_HOURS
                    ),
                )
        return self.get_response(request)


class MfaRequiredMiddleware:
    """While OPENRCM_MFA_REQUIRED is on, a user signed in with a password only reaches the MFA
    enrollment and verification pages and logout; everything else sends them there (an htmx
    request by HX-Redirect). API calls with a bearer token are exempt (the token is its own
    factor); API calls on the session get a JSON 401 until the session is verified."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    @cached_property
    def exempt_paths(self) -> frozenset[str]:
        return frozenset(reverse(name) for name in ("mfa_setup", "mfa_verify", "logout"))

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not mfa.mfa_required():
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated or mfa.is_verified(user):
            return self.get_response(request)
        path = request.path_info
        if path in self.exempt_paths or path.startswith(_static_prefix()):
            return self.get_response(request)
        if path.startswith(API_PREFIX):
            if _has_bearer_token(request):
                return self.get_response(request)
            return JsonResponse(
                {"detail": "Multi-factor verification required: finish signing in first."},
                status=401,
            )
        return self._to_mfa(request)

    @staticmethod
    def _to_mfa(request: HttpRequest) -> HttpResponse:
        name = "mfa_verify" if mfa.is_enrolled(request.user) else "mfa_setup"
        if _is_htmx(request):
            target = reverse(name)
            return HttpResponse(headers={"HX-Redirect": target})
        next_url = request.get_full_path() if request.method == "GET" else ""
        url = reverse(name)
        if next_url and next_url != "/":
            url += "?" + urlencode({"next": next_url})
        return redirect(url)
