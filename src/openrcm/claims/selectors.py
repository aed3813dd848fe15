"""Reads for claims: scoped to the user's practices, filterable like a billing worklist."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import QuerySet

from openrcm.claims.models import Claim


def claim_list(
    *,
    user: Any,
    practice: Any = None,
    status: str | None = None,
    payer: Any = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    patient: Any = None,
) -> QuerySet[Claim]:
    """Claims the user may see, filtered by practice, status, payer, service dates, patient."""
    qs = Claim.objects.for_user(user).select_related(
        "practice", "encounter", "encounter__patient", "coverage", "coverage__payer"
    )
    if practice is not None:
        qs = qs.filter(practice=practice)
    if status:
        qs = qs.filter(status=status)
    if payer is not None:
        qs = qs.filter(coverage__payer=payer)
    if date_from is not None:
        qs = qs.filter(encounter__date_of_service__gte=date_from)
    if date_to is not None:
        qs = qs.filter(encounter__date_of_service__lte=date_to)
    if patient is not None:
        qs = qs.filter(encounter__patient=patient)
    return qs.order_by("-encounter__date_of_service", "-id")


def claim_get(*, user: Any, pk: Any) -> Claim:
    """One claim the user may see, with its lines and history, or Http404."""
    from openrcm.tenancy.scoping import get_for_user_or_404

    return get_for_user_or_404(
        Claim.objects.select_related(
            "practice",
            "encounter",
            "encounter__patient",
            "encounter__provider",
            "coverage",
            "coverage__payer",
        ).prefetch_related("lines__charge_line", "history__actor", "encounter__diagnoses"),
        user,
        pk=pk,
    )


def claim_status_counts(*, claims: QuerySet[Claim]) -> dict[str, int]:
    """How many claims are in each status."""
    return dict(Counter(claims.values_list("status", flat=True)))
