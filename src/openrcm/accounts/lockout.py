"""Lockout after repeated failed logins (django-axes): what a locked-out client sees, which
address is counted, and the audit event.

Failures are counted per username *and* client IP (AXES_LOCKOUT_PARAMETERS); after
AXES_FAILURE_LIMIT (10) of them the pair is locked for AXES_COOLOFF_TIME (15 minutes), the correct
password included. Unknown usernames are counted the same way, and the locked-out answer does not
depend on whether the user exists: the login page again, status 429, one fixed message.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from openrcm.audit.context import client_ip_from_meta, trusted_proxies
from openrcm.audit.models import AuditAction, AuditOutcome
from openrcm.audit.services import audit_record

LOCKOUT_STATUS = 429
LOCKOUT_MESSAGE = (
    "Too many failed sign-in attempts. Sign-in is paused for 15 minutes for this username "
    "from your address; try again later or ask your administrator."
)
LOGIN_TEMPLATE = "web/login.html"
USERNAME_MAX = 150


def client_ip(request: HttpRequest) -> str:
    """The client address the audit records (trusted proxies honoured), for counting failures."""
    ip = getattr(request, "client_ip", None)
    if ip is None:
        ip = client_ip_from_meta(getattr(request, "META", {}), trusted_proxies())
    return str(ip or "")


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The login page with the lockout message: the same for every username, known or not."""
    target = request.POST.get("next", "") if request.method == "POST" else ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    context = {
        "form": AuthenticationForm(request),
        "next": target,
        "lockout_message": LOCKOUT_MESSAGE,
    }
    return render(request, LOGIN_TEMPLATE, context, status=LOCKOUT_STATUS)


class _RequestWithoutUser:
    """The request's id and address but not its user: nobody is signed in yet."""

    def __init__(self, request: Any) -> None:
        self.request_id = getattr(request, "request_id", "")
        self.META = getattr(request, "META", {})
        self.client_ip = client_ip(request)


def on_locked_out(
    sender: Any, request: Any = None, username: Any = None, ip_address: Any = None, **kwargs: Any
) -> None:
    """Audit a lockout: "start" when the limit is reached, "refused" for each try while locked."""
    started = getattr(request, "axes_failures_since_start", None) is not None
    audit_record(
        action=AuditAction.LOCKOUT,
        outcome=AuditOutcome.DENIED,
        request=_RequestWithoutUser(request) if request is not None else None,
        detail={
            "username": str(username or "")[:USERNAME_MAX],
            "phase": "start" if started else "refused",
        },
    )
