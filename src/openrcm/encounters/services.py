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
from openrcm.tenancy.models import Location, Practice
from openrcm.tenancy.services import practice_next_number, practice_next_numbers


@dataclass(slots=True)
class ChargeLineInput:
    """A charge line as entered; charge None means "take it from the practice's fee schedule";
    service_date None means the encounter's date (a line of a series, or of a range, has its
    own: ``service_date`` through ``service_end_date``)."""

    procedure_code: str
    diagnosis_pointers: list[int]
    units: int = 1
    charge: Money | None = None
    modifiers: list[str] = field(default_factory=list)
    ndc_code: str = ""
    ndc_quantity: str = ""
    ndc_unit: str = ""
    service_date: dt.date | None = None
    service_end_date: dt.date | None = None


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
    encounter: Encounter,
    lines: list[ChargeLineInput],
    n_diagnoses: int,
    *,
    relations_checked: bool = False,
) -> list[ChargeLine]:
    """Validated, unsaved charge lines. `relations_checked`: the caller has verified the practice
    exists (bulk writes), so each line's fields are checked in Python without a query each; the
    database constraints still hold them."""
    if not lines:
        raise ValidationError({"lines": "An encounter needs at least one charge line."})
    built: list[ChargeLine] = []
    errors: dict[str, Any] = {}
    for i, item in enumerate(lines):
        prefix = f"lines[{i}]"
        if len(item.modifiers) > MAX_MODIFIERS:
            errors[f"{prefix}.modifiers"] = "At most 4 modifiers."
            continue
        own_date = item.service_date
        if own_date == encounter.date_of_service and item.service_end_date is None:
            own_date = None  # the encounter's date: it follows the encounter if that changes
        charge_cents: int
        if item.charge is not None:
            charge_cents = item.charge.cents  # the line total as entered
        else:
            fee = fee_for(
                practice=encounter.practice,
                procedure_code=item.procedure_code,
                modifier=item.modifiers[0] if item.modifiers else "",
                on=own_date or encounter.date_of_service,
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
            service_date=own_date,
            service_end_date=item.service_end_date,
        )
        try:
            if relations_checked:
                line.full_clean(
                    exclude=["encounter", "line_control_number", "practice"],
                    validate_unique=False,
                    validate_constraints=False,
                )
                if line.units < 1:
                    raise ValidationError({"units": "At least 1 unit."})
                if line.charge_cents < 0:
                    raise ValidationError({"charge": "A charge cannot be negative."})
            else:
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
        line.line_control_number = _line_control_number(encounter.practice_id, number)
    ChargeLine.objects.bulk_create(lines)


def _line_control_number(practice_id: int, number: int) -> str:
    return f"{practice_id}L{number:09d}"


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


@dataclass(slots=True)
class EncounterInput:
    """One visit for `encounter_create_many`: the arguments `encounter_create` takes."""

    patient: Patient
    provider: Provider
    location: Location
    date_of_service: dt.date
    diagnoses: list[str]
    lines: list[ChargeLineInput]
    place_of_service: str | None = None
    referring_provider: Provider | None = None
    prior_authorization: str = ""


_RELATIONS = ["practice", "patient", "provider", "referring_provider", "location", "created_by"]


def encounter_create_many(
    *,
    items: list[EncounterInput],
    actor: Any = None,
    create_claims: bool = True,
    now: dt.datetime | None = None,
) -> list[Encounter]:
    """Record many visits at once (imports, demo data), all or nothing.

    Each item is validated as `encounter_create` validates it (one practice for all parties,
    every field, the diagnosis codes, the charge lines); an error names the item and the field
    (`items[3].lines[0].charge`). The rows are then written in bulk, line control numbers and
    the claims' patient control numbers drawn once per practice, and by default each encounter
    gets its primary claim as `claim_sync_from_encounter` would build it (stamped ``now``,
    default the clock).
    """
    from openrcm.claims.services import claims_create_for_encounters

    errors: dict[str, Any] = {}
    built: list[tuple[Encounter, list[str], list[ChargeLine]]] = []
    by = actor if getattr(actor, "pk", None) else None
    for i, item in enumerate(items):
        encounter = Encounter(
            practice_id=item.patient.practice_id,
            patient=item.patient,
            provider=item.provider,
            location=item.location,
            referring_provider=item.referring_provider,
            date_of_service=item.date_of_service,
            place_of_service=item.place_of_service or item.location.default_place_of_service,
            prior_authorization=item.prior_authorization,
            created_by=by,
        )
        try:
            _check_parties(
                patient=item.patient,
                provider=item.provider,
                location=item.location,
                referring=item.referring_provider,
            )
            encounter.full_clean(exclude=_RELATIONS)
            codes = _normalized_diagnoses(item.diagnoses)
            lines = _build_lines(encounter, item.lines, len(codes), relations_checked=True)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors[f"items[{i}].{name}"] = " ".join(messages)
            continue
        built.append((encounter, codes, lines))
    _check_saved_relations(items, errors)
    if errors:
        raise ValidationError(errors)
    encounters = [encounter for encounter, _, _ in built]
    with transaction.atomic():
        Encounter.objects.bulk_create(encounters)
        Diagnosis.objects.bulk_create(
            Diagnosis(encounter=encounter, position=p + 1, code=code)
            for encounter, codes, _ in built
            for p, code in enumerate(codes)
        )
        per_practice: dict[int, int] = {}
        for encounter, _, lines in built:
            per_practice[encounter.practice_id] = per_practice.get(encounter.practice_id, 0) + len(
                lines
            )
        numbers = {
            practice.pk: iter(
                practice_next_numbers(
                    practice=practice, name="line_control", count=per_practice[practice.pk]
                )
            )
            for practice in Practice.objects.filter(pk__in=per_practice).order_by("pk")
        }
        all_lines: list[ChargeLine] = []
        for encounter, _, lines in built:
            for line in lines:
                line.encounter = encounter
                line.line_control_number = _line_control_number(
                    encounter.practice_id, next(numbers[encounter.practice_id])
                )
                all_lines.append(line)
        ChargeLine.objects.bulk_create(all_lines)
        if create_claims:
            claims_create_for_encounters(encounters=encounters, actor=actor, now=now)
    return encounters


def _check_saved_relations(items: list[EncounterInput], errors: dict[str, Any]) -> None:
    """Every patient, provider and location named exists (one query per kind, not per item)."""
    kinds: list[tuple[str, type[Any], list[Any]]] = [
        ("patient", Patient, [item.patient for item in items]),
        ("provider", Provider, [item.provider for item in items]),
        ("location", Location, [item.location for item in items]),
        (
            "referring_provider",
            Provider,
            [item.referring_provider for item in items if item.referring_provider is not None],
        ),
    ]
    for name, model, objects in kinds:
        ids = {obj.pk for obj in objects if obj.pk is not None}
        found = set(model._base_manager.filter(pk__in=ids).values_list("pk", flat=True))
        for i, item in enumerate(items):
            obj = getattr(item, name)
            if obj is not None and (obj.pk is None or obj.pk not in found):
                errors.setdefault(
                    f"items[{i}].{name}", f"The {name.replace('_', ' ')} does not exist."
                )


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
