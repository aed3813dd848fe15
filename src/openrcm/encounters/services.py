"""Writes for encounters: diagnoses and charge lines entered together, all-or-nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from openrcm.core.codes.shapes import CodeShapeError, format_icd10cm, validate_icd10cm_shape
from openrcm.core.money import Money
from openrcm.encounters.models import MAX_DIAGNOSES, MAX_MODIFIERS, ChargeLine, Diagnosis, Encounter
from openrcm.patients.models import Patient
from openrcm.payers.selectors import fee_for
from openrcm.providers.models import Provider
from openrcm.tenancy.models import Location
from openrcm.tenancy.services import practice_next_number


@dataclass(slots=True)
class ChargeLineInput:
    """A charge line as entered; charge None means "take it from the practice's fee schedule"."""

    procedure_code: str
    diagnosis_pointers: list[int]
    units: int = 1
    charge: Money | None = None
    modifiers: list[str] = field(default_factory=list)
    ndc_code: str = ""
    ndc_quantity: str = ""
    ndc_unit: str = ""


def _normalized_diagnoses(codes: list[str]) -> list[str]:
    errors: dict[str, str] = {}
    cleaned: list[str] = []
    for i, raw in enumerate(codes):
        try:
            cleaned.append(format_icd10cm(validate_icd10cm_shape(raw.strip())))
        except CodeShapeError as exc:
            errors[f"diagnoses[{i}]"] = str(exc)
    if not cleaned and not errors:
        errors["diagnoses"] = "An encounter needs at least one diagnosis."
    if len(codes) > MAX_DIAGNOSES:
        errors["diagnoses"] = f"At most {MAX_DIAGNOSES} diagnoses on a claim ({len(codes)} given)."
    if len(set(cleaned)) != len(cleaned):
        errors["diagnoses"] = "A diagnosis code appears twice."
    if errors:
        raise ValidationError(errors)
    return cleaned


def _build_lines(
    encounter: Encounter, lines: list[ChargeLineInput], n_diagnoses: int
) -> list[ChargeLine]:
    if not lines:
        raise ValidationError({"lines": "An encounter needs at least one charge line."})
    built: list[ChargeLine] = []
    errors: dict[str, Any] = {}
    for i, item in enumerate(lines):
        prefix = f"lines[{i}]"
        if len(item.modifiers) > MAX_MODIFIERS:
            errors[f"{prefix}.modifiers"] = "At most 4 modifiers."
            continue
        charge_cents: int
        if item.charge is not None:
            charge_cents = item.charge.cents  # the line total as entered
        else:
            fee = fee_for(
                practice=encounter.practice,
                procedure_code=item.procedure_code,
                modifier=item.modifiers[0] if item.modifiers else "",
                on=encounter.date_of_service,
            )
            if fee is None:
                errors[f"{prefix}.charge"] = (
                    f"No fee for {item.procedure_code} in the practice's fee schedule: "
                    "enter the charge."
                )
                continue
            charge_cents = fee.cents * max(item.units, 1)  # the fee schedule is per unit
        mods = [m.strip().upper() for m in item.modifiers] + ["", "", "", ""]
        line = ChargeLine(
            practice_id=encounter.practice_id,
            encounter=encounter,
            line_number=i + 1,
            procedure_code=item.procedure_code.strip().upper(),
            modifier1=mods[0],
            modifier2=mods[1],
            modifier3=mods[2],
            modifier4=mods[3],
            units=item.units,
            charge_cents=charge_cents,
            diagnosis_pointers=",".join(str(p) for p in item.diagnosis_pointers),
            ndc_code=item.ndc_code.replace("-", ""),
            ndc_quantity=item.ndc_quantity,
            ndc_unit=item.ndc_unit,
            line_control_number="pending",
        )
        try:
            line.full_clean(exclude=["encounter", "line_control_number"], validate_unique=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"{prefix}.{name}"] = " ".join(messages)
            continue
        if any(p > n_diagnoses for p in line.pointers):
            errors[f"{prefix}.diagnosis_pointers"] = (
                f"Points past the {n_diagnoses} diagnoses entered."
            )
            continue
        built.append(line)
    if errors:
        raise ValidationError(errors)
    return built


def _check_parties(
    *, patient: Patient, provider: Provider, location: Location, referring: Provider | None
) -> None:
    errors: dict[str, str] = {}
    if provider.practice_id != patient.practice_id:
        errors["provider"] = "The provider belongs to another practice."
    if location.practice_id != patient.practice_id:
        errors["location"] = "The location belongs to another practice."
    if referring is not None and referring.practice_id != patient.practice_id:
        errors["referring_provider"] = "The referring provider belongs to another practice."
    if errors:
        raise ValidationError(errors)


def _save_lines_and_diagnoses(
    encounter: Encounter, diagnoses: list[str], lines: list[ChargeLine]
) -> None:
    Diagnosis.objects.bulk_create(
        Diagnosis(encounter=encounter, position=i + 1, code=code)
        for i, code in enumerate(diagnoses)
    )
    for line in lines:
        line.encounter = encounter
        number = practice_next_number(practice=encounter.practice, name="line_control")
        line.line_control_number = f"{encounter.practice_id}L{number:09d}"
    ChargeLine.objects.bulk_create(lines)


def encounter_create(
    *,
    patient: Patient,
    provider: Provider,
    location: Location,
    date_of_service: dt.date,
    diagnoses: list[str],
    lines: list[ChargeLineInput],
    actor: Any = None,
    place_of_service: str | None = None,
    referring_provider: Provider | None = None,
    prior_authorization: str = "",
    create_claim: bool = True,
) -> Encounter:
    """Record a visit with diagnoses and charge lines; by default also build its primary claim."""
    from openrcm.claims.services import claim_sync_from_encounter

    _check_parties(
        patient=patient, provider=provider, location=location, referring=referring_provider
    )
    encounter = Encounter(
        practice_id=patient.practice_id,
        patient=patient,
        provider=provider,
        location=location,
        referring_provider=referring_provider,
        date_of_service=date_of_service,
        place_of_service=place_of_service or location.default_place_of_service,
        prior_authorization=prior_authorization,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    encounter.full_clean()
    codes = _normalized_diagnoses(diagnoses)
    with transaction.atomic():
        encounter.save()
        built = _build_lines(encounter, lines, len(codes))
        _save_lines_and_diagnoses(encounter, codes, built)
        if create_claim:
            claim_sync_from_encounter(encounter=encounter, actor=actor)
    return encounter


def encounter_update(
    *,
    encounter: Encounter,
    diagnoses: list[str] | None = None,
    lines: list[ChargeLineInput] | None = None,
    actor: Any = None,
    **fields: Any,
) -> Encounter:
    """Change an encounter whose claims are not yet sent; its draft claim follows."""
    from openrcm.claims.services import claim_sync_from_encounter, encounter_is_locked

    if encounter_is_locked(encounter=encounter):
        raise ValidationError(
            {"encounter": "Its claim has been sent: correct it with a replacement claim instead."}
        )
    for name, value in fields.items():
        setattr(encounter, name, value)
    encounter.full_clean()
    with transaction.atomic():
        encounter.save()
        if diagnoses is not None or lines is not None:
            codes = _normalized_diagnoses(
                diagnoses if diagnoses is not None else encounter.diagnosis_codes
            )
            if lines is None:
                raise ValidationError(
                    {"lines": "Give the charge lines together with the diagnoses."}
                )
            built = _build_lines(encounter, lines, len(codes))
            from openrcm.claims.models import ClaimLine

            ClaimLine.objects.filter(charge_line__encounter=encounter).delete()
            encounter.charge_lines.all().delete()
            encounter.diagnoses.all().delete()
            _save_lines_and_diagnoses(encounter, codes, built)
        claim_sync_from_encounter(encounter=encounter, actor=actor)
    return encounter
