"""Reads for patients and coverages, always scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from openrcm.patients.models import Coverage, Patient


def patient_list(*, user: Any, practice: Any = None, search: str = "") -> QuerySet[Patient]:
    """Patients the user may see, optionally in one practice, filtered by name/account/DOB text."""
    qs = Patient.objects.for_user(user).select_related("practice")
    if practice is not None:
        qs = qs.filter(practice=practice)
    search = search.strip()
    if search:
        terms = search.replace(",", " ").split()
        for term in terms:
            qs = qs.filter(
                Q(last_name__icontains=term)
                | Q(first_name__icontains=term)
                | Q(account_number__iexact=term)
                | Q(coverages__member_id__iexact=term)
            )
        qs = qs.distinct()
    return qs.order_by("last_name", "first_name", "id")


def patient_get(*, user: Any, pk: Any) -> Patient:
    """One patient the user may see, or Http404."""
    from openrcm.tenancy.scoping import get_for_user_or_404

    return get_for_user_or_404(Patient.objects.select_related("practice"), user, pk=pk)


def coverage_list(*, user: Any, patient: Any = None) -> QuerySet[Coverage]:
    """Coverages the user may see, optionally of one patient."""
    qs = Coverage.objects.for_user(user).select_related("payer", "patient")
    if patient is not None:
        qs = qs.filter(patient=patient)
    return qs.order_by("patient_id", "priority", "-effective_from")
