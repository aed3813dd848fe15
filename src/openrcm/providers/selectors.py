"""Reads for providers, scoped to the user's practices."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openrcm.providers.models import Provider
from openrcm.tenancy.permissions import Action


def provider_list(
    *, user: Any, practice: Any = None, action: Action = Action.VIEW, active_only: bool = True
) -> QuerySet[Provider]:
    """Providers of the user's practices (optionally one practice), by name."""
    qs = Provider.objects.for_user(user, action)
    if practice is not None:
        qs = qs.filter(practice=practice)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("last_name", "first_name", "id")
