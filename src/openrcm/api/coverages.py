"""/api/v1/coverages: a patient's insurance; list, get, create, update."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Status

from openrcm.api.access import practice_get_or_404, require_action
from openrcm.api.auth import current_user
from openrcm.api.schemas.common import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    Page,
    PageParams,
    PathId,
    PracticeFilter,
    cents_from,
    paginate,
)
from openrcm.api.schemas.patients import CoverageCreate, CoverageOut, CoverageUpdate
from openrcm.patients.models import Coverage
from openrcm.patients.selectors import coverage_list, patient_get
from openrcm.patients.services import coverage_create, coverage_update
from openrcm.payers.models import Payer
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.scoping import get_for_user_or_404

router = Router(tags=["coverages"])


class CoverageFilters(PracticeFilter):
    patient: Id | None = Field(None, description="Only this patient's coverages.")


def _fields(user: Any, practice: Any, payload: CoverageCreate | CoverageUpdate) -> dict[str, Any]:
    """The model fields of a coverage body: payer resolved in the practice's organization."""
    partial = isinstance(payload, CoverageUpdate)
    fields = payload.model_dump(exclude_unset=partial, exclude={"patient", "copay", "copay_cents"})
    if "payer" in fields:
        payer = (
            Payer.objects.for_user(user)
            .filter(organization_id=practice.organization_id, pk=fields["payer"])
            .first()
        )
        if payer is None:
            raise ValidationError({"payer": "No such payer for this practice."})
        fields["payer"] = payer
    if not partial or {"copay", "copay_cents"} & payload.model_fields_set:
        fields["copay_cents"] = cents_from(
            text=payload.copay, cents=payload.copay_cents, field="copay"
        )
    return fields


@router.get("", response={200: Page[CoverageOut], **LIST_ERRORS})
def list_coverages(
    request: HttpRequest, filters: Query[CoverageFilters], page: Query[PageParams]
) -> Any:
    user = current_user(request)
    found = coverage_list(user=user, patient=filters.patient).select_related("practice")
    if filters.practice:
        found = found.filter(practice=practice_get_or_404(user=user, ref=filters.practice))
    return paginate(found, page)


@router.get("/{coverage_id}", response={200: CoverageOut, **READ_ERRORS})
def get_coverage(request: HttpRequest, coverage_id: PathId) -> Any:
    queryset = Coverage.objects.select_related("practice", "payer")
    return get_for_user_or_404(queryset, current_user(request), pk=coverage_id)


@router.post("", response={201: CoverageOut, **WRITE_ERRORS})
def create_coverage(request: HttpRequest, payload: CoverageCreate) -> Any:
    user = current_user(request)
    patient = patient_get(user=user, pk=payload.patient)
    require_action(user=user, practice_id=patient.practice_id, action=Action.EDIT_PATIENTS)
    fields = _fields(user, patient.practice, payload)
    return Status(201, coverage_create(patient=patient, **fields))


@router.patch("/{coverage_id}", response={200: CoverageOut, **WRITE_ERRORS})
def update_coverage(request: HttpRequest, coverage_id: PathId, payload: CoverageUpdate) -> Any:
    user = current_user(request)
    queryset = Coverage.objects.select_related("practice", "payer")
    coverage = get_for_user_or_404(queryset, user, pk=coverage_id)
    require_action(user=user, practice_id=coverage.practice_id, action=Action.EDIT_PATIENTS)
    return coverage_update(coverage=coverage, **_fields(user, coverage.practice, payload))
