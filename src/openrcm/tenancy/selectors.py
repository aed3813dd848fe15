"""Reads for tenancy: the practices a user works in and their locations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openrcm.tenancy.models import Location, Practice
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.scoping import practice_ids_for


def practice_list(*, user: Any, action: Action = Action.VIEW) -> QuerySet[Practice]:
    """Practices where the user holds a role granting `action`, by name."""
    return Practice.objects.filter(pk__in=practice_ids_for(user, action)).order_by("name")


def location_list(
    *, user: Any, practice: Any = None, action: Action = Action.VIEW
) -> QuerySet[Location]:
    """Locations (service facilities) of the user's practices, optionally of one practice."""
    qs = Location.objects.for_user(user, action)
    if practice is not None:
        qs = qs.filter(practice=practice)
    return qs.order_by("name", "id")
