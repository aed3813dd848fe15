"""Template context shared by every page: the current practice, the switcher's choices, and
which practices the user may register patients in or enter charges for (to offer those links)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def practice_context(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from openrcm.tenancy.permissions import Action
    from openrcm.tenancy.scoping import practice_ids_for
    from openrcm.tenancy.selectors import practice_list

    return {
        "current_practice": getattr(request, "practice", None),
        "my_practices": practice_list(user=user),
        "patient_practice_ids": practice_ids_for(user, Action.EDIT_PATIENTS),
        "charge_practice_ids": practice_ids_for(user, Action.ENTER_CHARGES),
    }
