"""Template context for every page: the MFA-off banner, and whether MFA is still to be passed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openrcm.accounts import mfa


def security(request: HttpRequest) -> dict[str, Any]:
    required = mfa.mfa_required()
    user = getattr(request, "user", None)
    pending = bool(
        required and user is not None and user.is_authenticated and not mfa.is_verified(user)
    )
    return {"mfa_switched_off": not required, "mfa_pending": pending}
