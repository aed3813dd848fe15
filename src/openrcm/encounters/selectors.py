"""Reads for encounters."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet, Sum

from openrcm.encounters.models import Encounter


def encounter_list(*, user: Any, practice: Any = None, patient: Any = None) -> QuerySet[Encounter]:
    """Encounters the user may see, newest first."""
    qs = Encounter.objects.for_user(user).select_related(
        "practice", "patient", "provider", "location"
    )
    if practice is not None:
        qs = qs.filter(practice=practice)
    if patient is not None:
        qs = qs.filter(patient=patient)
    return qs.order_by("-date_of_service", "-id")


def encounter_get(*, user: Any, pk: Any) -> Encounter:
    """One encounter the user may see, with diagnoses and lines, or Http404."""
    from openrcm.tenancy.scoping import get_for_user_or_404

    return get_for_user_or_404(
        Encounter.objects.select_related(
            "practice", "patient", "provider", "location"
        ).prefetch_related("diagnoses", "charge_lines", "claims"),
        user,
        pk=pk,
    )


def encounter_list_with_totals(
    *, user: Any, practice: Any = None, patient: Any = None
) -> QuerySet[Encounter]:
    """`encounter_list` with each encounter's `line_count` and `total_cents`, and its claims."""
    return (
        encounter_list(user=user, practice=practice, patient=patient)
        .annotate(line_count=Count("charge_lines"), total_cents=Sum("charge_lines__charge_cents"))
        .prefetch_related("claims")
    )
