"""Login, logout and failed-login events from Django's authentication signals.

A failed login records the username as it was typed (in `detail`, never a password: Django has
already masked every credential but the username) with no actor, so a guess at someone else's
name is not attributed to them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from openrcm.audit.models import AuditAction, AuditOutcome
from openrcm.audit.services import audit_record

USERNAME_MAX = 150


def on_logged_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGIN, actor=user, request=request)


def on_logged_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is None:  # logging out an anonymous session: nobody to record
        return
    audit_record(action=AuditAction.LOGOUT, actor=user, request=request)


def on_login_failed(
    sender: Any, credentials: dict[str, Any] | None = None, request: Any = None, **kwargs: Any
) -> None:
    field = get_user_model().USERNAME_FIELD
    attempted = (credentials or {}).get(field, (credentials or {}).get("username", ""))
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        outcome=AuditOutcome.FAILURE,
        actor=None,
        request=_without_user(request),
        detail={"username": str(attempted or "")[:USERNAME_MAX]},
    )


class _RequestWithoutUser:
    """The request's id and address, but not its user (a failed login has no actor)."""

    def __init__(self, request: Any) -> None:
        self.request_id = getattr(request, "request_id", "")
        self.META = getattr(request, "META", {})
        client_ip = getattr(request, "client_ip", None)
        if client_ip is not None:
            self.client_ip = client_ip


def _without_user(request: Any) -> Any:
    return None if request is None else _RequestWithoutUser(request)


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="openrcm.audit.login")
    user_logged_out.connect(on_logged_out, dispatch_uid="openrcm.audit.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="openrcm.audit.login_failed")
