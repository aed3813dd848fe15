"""Practice lookups and permission checks for the API, on top of `tenancy.scoping`.

Visibility is decided only by `practice_ids_for` and the scoped querysets: a practice or
object the user may not see is a 404; one they may see but not change is a 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from openrcm.tenancy.models import Practice
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.scoping import practice_ids_for

_ACTION_WORDS = {
    Action.EDIT_PATIENTS: "edit patients and coverages",
    Action.ENTER_CHARGES: "enter encounters and charges",
}


def practice_get_or_404(*, user: Any, ref: str | int) -> Practice:
    """A practice the user belongs to, by slug or id; any other is 404, existing or not."""
    ref = str(ref).strip()
    named = Q(slug=ref) | Q(pk=int(ref)) if ref.isdigit() and len(ref) <= 18 else Q(slug=ref)
    practice = Practice.objects.filter(named, pk__in=practice_ids_for(user)).first()
    if practice is None:
        raise Http404("Not found.")
    return practice


def require_action(*, user: Any, practice_id: int, action: Action) -> None:
    """Refuse (403) an action the user's role in this practice does not grant."""
    if practice_id not in practice_ids_for(user, action):
        words = _ACTION_WORDS.get(action, str(action))
        raise PermissionDenied(f"Your role in this practice does not allow you to {words}.")
