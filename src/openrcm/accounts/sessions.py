"""Session limits and tracking: when a session began, when it was last used, whose it is.

At login the session gets its login time and last-activity time, and a `UserSession` row ties its
key to the user. `SessionLimitsMiddleware` ends a session idle longer than
OPENRCM_SESSION_IDLE_MINUTES or older than OPENRCM_SESSION_MAX_HOURS. Logout, and saving a user
with is_active=False, end every session of that user at once (`sessions_end_all`).
"""

from __future__ import annotations

import time
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone

from openrcm.accounts.models import UserSession

LOGIN_AT_KEY = "openrcm_login_at"  # epoch seconds of the password login
SEEN_AT_KEY = "openrcm_seen_at"  # epoch seconds of the last request
TRACKED_KEY = "openrcm_tracked_key"  # the session key the UserSession row holds


def idle_seconds() -> float:
    return float(settings.OPENRCM_SESSION_IDLE_MINUTES) * 60


def max_seconds() -> float:
    return float(settings.OPENRCM_SESSION_MAX_HOURS) * 3600


def _store(session_key: str | None = None) -> Any:
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key=session_key)


def session_track(request: HttpRequest, user: Any) -> None:
    """Tie the request's current session key to `user` (idempotent)."""
    session = request.session
    key = session.session_key
    if key is None:
        session.save()
        key = session.session_key
    if key is None or session.get(TRACKED_KEY) == key:
        return
    previous = session.get(TRACKED_KEY)
    if previous:
        UserSession.objects.filter(session_key=previous, user=user).delete()
    UserSession.objects.update_or_create(session_key=key, defaults={"user": user})
    session[TRACKED_KEY] = key


def session_started(request: HttpRequest, user: Any) -> None:
    """At login: stamp the session, track it, forget this user's sessions past the limit."""
    now = time.time()
    request.session[LOGIN_AT_KEY] = now
    request.session[SEEN_AT_KEY] = now
    session_track(request, user)
    cutoff = timezone.now() - timedelta(seconds=max_seconds())
    stale = list(
        UserSession.objects.filter(user=user, created_at__lt=cutoff).values_list(
            "session_key", flat=True
        )
    )
    _delete_sessions(stale)


def session_rekey(request: HttpRequest) -> None:
    """A new session key for a raised privilege (after MFA), still tracked to the same user."""
    request.session.cycle_key()
    session_track(request, request.user)


def session_expiry_reason(request: HttpRequest) -> str | None:
    """ "idle", "absolute" or "unstamped" when the signed-in session must end, else None."""
    session = request.session
    login_at = session.get(LOGIN_AT_KEY)
    if not isinstance(login_at, int | float):
        return "unstamped"  # not made by login(): refuse rather than guess its age
    now = time.time()
    if now - login_at > max_seconds():
        return "absolute"
    seen_at = session.get(SEEN_AT_KEY, login_at)
    if not isinstance(seen_at, int | float) or now - seen_at > idle_seconds():
        return "idle"
    return None


def session_touch(request: HttpRequest) -> None:
    request.session[SEEN_AT_KEY] = time.time()


def session_end_current(request: HttpRequest) -> None:
    """End this request's session only (expiry): no logout signal, the user is anonymous after."""
    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()
    request.session.flush()
    request.user = AnonymousUser()


def _delete_sessions(keys: list[str]) -> None:
    for key in keys:
        _store(key).delete()
    if keys:
        UserSession.objects.filter(session_key__in=keys).delete()


def sessions_end_all(user: Any) -> int:
    """End every tracked session of `user`; returns how many there were."""
    keys = list(UserSession.objects.filter(user_id=user.pk).values_list("session_key", flat=True))
    _delete_sessions(keys)
    return len(keys)


# -- signal receivers (connected in AccountsConfig.ready) ------------------------------------------


def on_logged_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if request is not None and getattr(request, "session", None) is not None:
        session_started(request, user)


def on_logged_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is not None:
        sessions_end_all(user)


def on_user_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    if not created and not instance.is_active:
        sessions_end_all(instance)
