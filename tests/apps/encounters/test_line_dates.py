"""A charge line's own date of service: empty means the encounter's (and follows it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from openrcm.core.money import Money
from openrcm.encounters.services import ChargeLineInput, encounter_create, encounter_update
from tests.apps.conftest import PracticeWorld

DAY = dt.date(2026, 6, 1)


def _line(**dates: dt.date) -> ChargeLineInput:
    return ChargeLineInput(
        procedure_code="96372", diagnosis_pointers=[1], charge=Money(Decimal("30.00")), **dates
    )


def test_a_line_keeps_its_own_date_and_the_others_follow_the_encounter(
    practice_a: PracticeWorld,
) -> None:
    encounter = encounter_create(
        patient=practice_a.patient,
        provider=practice_a.provider,
        location=practice_a.location,
        date_of_service=DAY,
        diagnoses=["I10"],
        lines=[
            _line(service_date=DAY),  # the encounter's date: stored as "the encounter's"
            _line(service_date=DAY + dt.timedelta(days=7)),
            _line(service_date=DAY, service_end_date=DAY + dt.timedelta(days=2)),
        ],
    )
    rows = list(encounter.charge_lines.order_by("line_number"))
    assert [(r.service_date, r.service_end_date) for r in rows] == [
        (None, None),
        (DAY + dt.timedelta(days=7), None),
        (DAY, DAY + dt.timedelta(days=2)),
    ]
    later = DAY + dt.timedelta(days=1)
    encounter_update(encounter=encounter, date_of_service=later)
    rows = list(encounter.charge_lines.select_related("encounter").order_by("line_number"))
    assert [r.date_of_service for r in rows] == [later, DAY + dt.timedelta(days=7), DAY]


def test_a_through_date_before_the_date_is_refused_naming_the_line(
    practice_a: PracticeWorld,
) -> None:
    with pytest.raises(ValidationError) as caught:
        encounter_create(
            patient=practice_a.patient,
            provider=practice_a.provider,
            location=practice_a.location,
            date_of_service=DAY,
            diagnoses=["I10"],
            lines=[
                _line(),
                _line(service_date=DAY + dt.timedelta(days=3), service_end_date=DAY),
            ],
        )
    assert "lines[1].service_end_date" in caught.value.message_dict
