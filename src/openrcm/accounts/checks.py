"""System checks for the security settings (they run with every command, `check --deploy` too).

Settings read from the environment already refuse bad values at startup; these catch the same
mistakes made in a settings file.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

MAX_IDLE_MINUTES = 30
MAX_SESSION_HOURS = 12


def security_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    idle = float(getattr(settings, "OPENRCM_SESSION_IDLE_MINUTES", 0))
    if not 0 < idle <= MAX_IDLE_MINUTES:
        errors.append(
            checks.Error(
                f"OPENRCM_SESSION_IDLE_MINUTES={idle:g}: the idle logoff must be above 0 and at "
                f"most {MAX_IDLE_MINUTES} minutes.",
                id="openrcm.E001",
            )
        )
    if settings.SESSION_COOKIE_AGE > MAX_IDLE_MINUTES * 60:
        errors.append(
            checks.Error(
                f"SESSION_COOKIE_AGE={settings.SESSION_COOKIE_AGE}s outlives the longest idle "
                f"logoff ({MAX_IDLE_MINUTES} minutes).",
                id="openrcm.E002",
            )
        )
    hours = float(getattr(settings, "OPENRCM_SESSION_MAX_HOURS", 0))
    if not 0 < hours <= MAX_SESSION_HOURS:
        errors.append(
            checks.Error(
                f"OPENRCM_SESSION_MAX_HOURS={hours:g}: a session lasts at most "
                f"{MAX_SESSION_HOURS} hours after login.",
                id="openrcm.E003",
            )
        )
    if getattr(settings, "OPENRCM_ENV", "") == "production" and not settings.OPENRCM_MFA_REQUIRED:
        errors.append(
            checks.Error(
                "OPENRCM_MFA_REQUIRED is off in production: every user sees PHI and needs MFA.",
                id="openrcm.E004",
            )
        )
    return errors


def register() -> None:
    checks.register(security_settings, checks.Tags.security)
