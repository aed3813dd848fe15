"""`encounter_create_many`: what `encounter_create` does, for many visits at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from openrcm.claims.models import Claim
from openrcm.core.money import Money
from openrcm.encounters.models import ChargeLine, Encounter
from openrcm.encounters.services import (
    ChargeLineInput,
    EncounterInput,
    encounter_create,
    encounter_create_many,
)
from openrcm.patients.services import patient_create

pytestmark = pytest.mark.django_db


def _lines() -> list[ChargeLineInput]:
    return [
        ChargeLineInput(
            procedure_code="99214",
            diagnosis_pointers=[1, 2],
            modifiers=["25"],
            charge=Money(Decimal("230.00")),
        ),
        ChargeLineInput(
            procedure_code="20610",
            diagnosis_pointers=[1],
            modifiers=["RT"],
            charge=Money(Decimal("185.00")),
        ),
    ]


def _item(world: Any, day: dt.date, **changes: Any) -> EncounterInput:
    fields: dict[str, Any] = {
        "patient": world.patient,
        "provider": world.provider,
        "location": world.location,
        "date_of_service": day,
        "diagnoses": ["m17.11", "I10"],
        "lines": _lines(),
    }
    fields.update(changes)
    return EncounterInput(**fields)


def test_batch_rows_match_the_single_path(practice_a: Any) -> None:
    day = dt.date(2026, 10, 5)
    single = encounter_create(
        patient=practice_a.patient,
        provider=practice_a.provider,
        location=practice_a.location,
        date_of_service=day,
        diagnoses=["m17.11", "I10"],
        lines=_lines(),
    )
    batch = encounter_create_many(items=[_item(practice_a, day), _item(practice_a, day)])
    assert len(batch) == 2
    for encounter in batch:
        assert encounter.pk is not None
        assert encounter.diagnosis_codes == single.diagnosis_codes == ["M17.11", "I10"]
        mine = [
            (ln.procedure_code, ln.modifiers, ln.units, ln.charge_cents, ln.diagnosis_pointers)
            for ln in encounter.charge_lines.all()
        ]
        theirs = [
            (ln.procedure_code, ln.modifiers, ln.units, ln.charge_cents, ln.diagnosis_pointers)
            for ln in single.charge_lines.all()
        ]
        assert mine == theirs
        claim = encounter.claims.get()
        reference = single.claims.get()
        assert (claim.coverage, claim.sequence, claim.status, claim.total_charge_cents) == (
            reference.coverage,
            reference.sequence,
            reference.status,
            reference.total_charge_cents,
        )
        assert claim.lines.count() == 2
        assert claim.history.get().to_status == "draft"
    # Control numbers continue the practice's sequences, unique, whichever path wrote them.
    later = encounter_create(
        patient=practice_a.patient,
        provider=practice_a.provider,
        location=practice_a.location,
        date_of_service=day,
        diagnoses=["I10"],
        lines=[
            ChargeLineInput(
                procedure_code="99213", diagnosis_pointers=[1], charge=Money(Decimal("160.00"))
            )
        ],
    )
    numbers = list(ChargeLine.objects.values_list("line_control_number", flat=True))
    assert len(numbers) == len(set(numbers)) == 2 + 2 * 2 + 2 + 1
    pcns = list(Claim.objects.values_list("patient_control_number", flat=True))
    assert len(pcns) == len(set(pcns))
    assert later.claims.get().patient_control_number > batch[-1].claims.get().patient_control_number


def test_errors_name_the_item_and_field_and_nothing_is_written(practice_a: Any) -> None:
    before = Encounter.objects.count()
    bad_line = ChargeLineInput(
        procedure_code="9921", diagnosis_pointers=[3], charge=Money(Decimal("1"))
    )
    with pytest.raises(ValidationError) as caught:
        encounter_create_many(
            items=[
                _item(practice_a, dt.date(2026, 10, 5)),
                _item(practice_a, dt.date(2026, 10, 5), diagnoses=["not a code"]),
                _item(practice_a, dt.date(2026, 10, 5), lines=[bad_line]),
                _item(practice_a, dt.date(2026, 10, 5), place_of_service="00"),
            ]
        )
    errors = caught.value.message_dict
    assert "items[1].diagnoses[0]" in errors
    assert "items[2].lines[0].procedure_code" in errors
    assert "items[3].place_of_service" in errors
    assert not any(key.startswith("items[0]") for key in errors)
    assert Encounter.objects.count() == before


def test_parties_of_another_practice_are_refused(practice_a: Any, practice_b: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        encounter_create_many(
            items=[_item(practice_a, dt.date(2026, 10, 5), provider=practice_b.provider)]
        )
    assert "items[0].provider" in caught.value.message_dict


def test_self_pay_visits_get_no_claim(practice_a: Any) -> None:
    patient = patient_create(
        practice=practice_a.practice,
        first_name="Sam",
        last_name="Selfpay",
        date_of_birth=dt.date(1990, 1, 1),
        sex="M",
    )
    [encounter] = encounter_create_many(
        items=[_item(practice_a, dt.date(2026, 10, 5), patient=patient)]
    )
    assert not encounter.claims.exists()
    assert encounter.charge_lines.count() == 2
