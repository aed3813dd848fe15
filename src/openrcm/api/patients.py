"""/api/v1/patients: list, search (by POST, so no PHI in URLs), get, create, update."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from openrcm.api.access import practice_get_or_404, require_action
from openrcm.api.auth import current_user
from openrcm.api.schemas.common import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Page,
    PageParams,
    PathId,
    PracticeFilter,
    paginate,
)
from openrcm.api.schemas.patients import (
    PatientCreate,
    PatientDetail,
    PatientOut,
    PatientSearch,
    PatientUpdate,
)
from openrcm.patients.selectors import patient_get, patient_list
from openrcm.patients.services import patient_create, patient_update
from openrcm.tenancy.permissions import Action

router = Router(tags=["patients"])


def _practice(user: Any, ref: str | None) -> Any:
    return practice_get_or_404(user=user, ref=ref) if ref else None


@router.get("", response={200: Page[PatientOut], **LIST_ERRORS})
def list_patients(
    request: HttpRequest, filters: Query[PracticeFilter], page: Query[PageParams]
) -> Any:
    user = current_user(request)
    return paginate(patient_list(user=user, practice=_practice(user, filters.practice)), page)


@router.post("/search", response={200: Page[PatientOut], **LIST_ERRORS})
def search_patients(request: HttpRequest, payload: PatientSearch, page: Query[PageParams]) -> Any:
    """Find patients by name words, account number or member id (and date of birth)."""
    user = current_user(request)
    found = patient_list(
        user=user, practice=_practice(user, payload.practice), search=payload.query
    )
    if payload.date_of_birth is not None:
        found = found.filter(date_of_birth=payload.date_of_birth)
    return paginate(found, page)


@router.get("/{patient_id}", response={200: PatientDetail, **READ_ERRORS})
def get_patient(request: HttpRequest, patient_id: PathId) -> Any:
    return patient_get(user=current_user(request), pk=patient_id)


@router.post("", response={201: PatientDetail, **WRITE_ERRORS})
def create_patient(request: HttpRequest, payload: PatientCreate) -> Any:
    user = current_user(request)
    practice = practice_get_or_404(user=user, ref=payload.practice)
    require_action(user=user, practice_id=practice.pk, action=Action.EDIT_PATIENTS)
    return Status(
        201, patient_create(practice=practice, **payload.model_dump(exclude={"practice"}))
    )


@router.patch("/{patient_id}", response={200: PatientDetail, **WRITE_ERRORS})
def update_patient(request: HttpRequest, patient_id: PathId, payload: PatientUpdate) -> Any:
    user = current_user(request)
    patient = patient_get(user=user, pk=patient_id)
    require_action(user=user, practice_id=patient.practice_id, action=Action.EDIT_PATIENTS)
    return patient_update(patient=patient, **payload.model_dump(exclude_unset=True))
