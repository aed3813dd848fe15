"""/api/v1/encounters: visits with ordered diagnoses and charge lines; list, get, create, update.

Creating an encounter also builds its primary claim (when the patient has coverage in force on
the date of service); updating one rebuilds the draft claim, and is refused once it was sent.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Status

from openrcm.api.access import practice_get_or_404, require_action
from openrcm.api.auth import current_user
from openrcm.api.schemas.common import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    DateRange,
    Id,
    Page,
    PageParams,
    PathId,
    cents_from,
    paginate,
)
from openrcm.api.schemas.encounters import (
    ChargeLineIn,
    EncounterCreate,
    EncounterOut,
    EncounterUpdate,
)
from openrcm.core.money import Money
from openrcm.encounters.models import Encounter
from openrcm.encounters.selectors import encounter_get, encounter_list
from openrcm.encounters.services import ChargeLineInput, encounter_create, encounter_update
from openrcm.patients.models import Patient
from openrcm.providers.models import Provider
from openrcm.tenancy.models import Location
from openrcm.tenancy.permissions import Action

router = Router(tags=["encounters"])

_RELATED = ("referring_provider",)
_PREFETCH = ("diagnoses", "charge_lines", "claims")


class EncounterFilters(DateRange):
    practice: str | None = Field(None, description="Slug or id of one of your practices.")
    patient: Id | None = Field(None, description="Only this patient's encounters.")


_PARTY_MODELS: dict[str, Any] = {
    "patient": Patient,
    "provider": Provider,
    "referring_provider": Provider,
    "location": Location,
}


def _parties(user: Any, practice: Any, refs: dict[str, int | None]) -> dict[str, Any]:
    """The patient, providers and location a body names, all of `practice`; 422 names each miss."""
    found: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, pk in refs.items():
        model = _PARTY_MODELS[field]
        found[field] = (
            None
            if pk is None
            else model.objects.for_user(user).filter(practice=practice, pk=pk).first()
        )
        if pk is not None and found[field] is None:
            errors[field] = f"No such {field.replace('_', ' ')} in this practice."
    if errors:
        raise ValidationError(errors)
    return found


def _lines(lines: list[ChargeLineIn]) -> list[ChargeLineInput]:
    built = []
    errors: dict[str, Any] = {}
    for i, line in enumerate(lines):
        try:
            cents = cents_from(
                text=line.charge, cents=line.charge_cents, field=f"lines[{i}].charge"
            )
        except ValidationError as exc:
            errors.update(exc.error_dict)
            continue
        built.append(
            ChargeLineInput(
                procedure_code=line.procedure_code,
                diagnosis_pointers=line.diagnosis_pointers,
                units=line.units,
                charge=None if cents is None else Money.from_cents(cents),
                modifiers=line.modifiers,
                ndc_code=line.ndc_code,
                ndc_quantity=line.ndc_quantity,
                ndc_unit=line.ndc_unit,
            )
        )
    if errors:
        raise ValidationError(errors)
    return built


def _reload(encounter: Encounter) -> Encounter:
    """The encounter as the API shows it, with lines, diagnoses and claims fresh from the db."""
    return (
        Encounter.objects.select_related("practice", "patient", "provider", "location", *_RELATED)
        .prefetch_related(*_PREFETCH)
        .get(pk=encounter.pk)
    )


def _listed(queryset: QuerySet[Encounter]) -> QuerySet[Encounter]:
    return queryset.select_related(*_RELATED).prefetch_related(*_PREFETCH)


@router.get("", response={200: Page[EncounterOut], **LIST_ERRORS})
def list_encounters(
    request: HttpRequest, filters: Query[EncounterFilters], page: Query[PageParams]
) -> Any:
    user = current_user(request)
    practice = practice_get_or_404(user=user, ref=filters.practice) if filters.practice else None
    found = encounter_list(user=user, practice=practice, patient=filters.patient)
    if filters.date_from:
        found = found.filter(date_of_service__gte=filters.date_from)
    if filters.date_to:
        found = found.filter(date_of_service__lte=filters.date_to)
    return paginate(_listed(found), page)


@router.get("/{encounter_id}", response={200: EncounterOut, **READ_ERRORS})
def get_encounter(request: HttpRequest, encounter_id: PathId) -> Any:
    return _reload(encounter_get(user=current_user(request), pk=encounter_id))


@router.post("", response={201: EncounterOut, **WRITE_ERRORS})
def create_encounter(request: HttpRequest, payload: EncounterCreate) -> Any:
    user = current_user(request)
    practice = practice_get_or_404(user=user, ref=payload.practice)
    require_action(user=user, practice_id=practice.pk, action=Action.ENTER_CHARGES)
    refs = payload.model_dump(include={"patient", "provider", "location", "referring_provider"})
    encounter = encounter_create(
        **_parties(user, practice, refs),
        date_of_service=payload.date_of_service,
        place_of_service=payload.place_of_service,
        prior_authorization=payload.prior_authorization,
        diagnoses=payload.diagnoses,
        lines=_lines(payload.lines),
        actor=user,
    )
    return Status(201, _reload(encounter))


@router.patch("/{encounter_id}", response={200: EncounterOut, **WRITE_ERRORS})
def update_encounter(request: HttpRequest, encounter_id: PathId, payload: EncounterUpdate) -> Any:
    user = current_user(request)
    encounter = encounter_get(user=user, pk=encounter_id)
    require_action(user=user, practice_id=encounter.practice_id, action=Action.ENTER_CHARGES)
    fields = payload.model_dump(exclude_unset=True, exclude={"diagnoses", "lines"})
    for name in ("provider", "location"):
        if name in fields and fields[name] is None:
            raise ValidationError({name: "An encounter needs one; it cannot be cleared."})
    refs = {name: fields[name] for name in _PARTY_MODELS if name in fields}
    fields.update(_parties(user, encounter.practice, refs))
    encounter_update(
        encounter=encounter,
        diagnoses=payload.diagnoses,
        lines=None if payload.lines is None else _lines(payload.lines),
        actor=user,
        **fields,
    )
    return _reload(encounter)
