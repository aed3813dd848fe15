"""Scrubbing test helpers: claims of practice A with known findings, on fixed dates.

`TODAY` is the scrub date the services are given; the dates of service fall in the fiscal
year of the ICD-10-CM release OpenRCM ships, so a clean claim has no finding at all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from openrcm.claims.models import Claim
from openrcm.core.money import Money
from openrcm.encounters.services import ChargeLineInput, encounter_create
from tests.apps.conftest import PracticeWorld
from tests.apps.web.conftest import signed_in

TODAY = dt.date(2026, 6, 15)
DOS = dt.date(2026, 6, 1)
LATER = dt.date(2026, 11, 26)  # for the fixture claim of 2026-10-01

ERROR_RULE: dict[str, Any] = {
    "id": "PAYER-MCR-001",
    "version": 1,
    "severity": "error",
    "title": "Venipuncture only with a lab order on file",
    "message": "Line {line}: {payer} wants the lab order number for {procedure}.",
    "citation": "Synthetic Medicare contractor bulletin 2026-01",
    "when": {"all": [{"field": "line.procedure", "eq": "36415"}]},
}


def line(code: str, pointers: list[int], dollars: str, **extra: Any) -> ChargeLineInput:
    return ChargeLineInput(
        procedure_code=code, diagnosis_pointers=pointers, charge=Money(Decimal(dollars)), **extra
    )


def make_claim(
    world: PracticeWorld,
    *,
    diagnoses: list[str] | None = None,
    lines: list[ChargeLineInput] | None = None,
    day: dt.date = DOS,
) -> Claim:
    encounter = encounter_create(
        patient=world.patient,
        provider=world.provider,
        location=world.location,
        date_of_service=day,
        diagnoses=diagnoses or ["E11.9", "I10"],
        lines=lines or [line("99213", [1, 2], "125.00"), line("36415", [1], "15.00")],
    )
    return encounter.claims.get()


@pytest.fixture
def clean_claim(practice_a: PracticeWorld) -> Claim:
    """A claim with no finding on TODAY."""
    return make_claim(practice_a)


@pytest.fixture
def error_claim(practice_a: PracticeWorld) -> Claim:
    """A claim whose principal diagnosis is a header code (ICD-003, an error)."""
    return make_claim(practice_a, diagnoses=["E11", "I10"], day=DOS - dt.timedelta(days=1))


@pytest.fixture
def warning_claim(practice_a: PracticeWorld) -> Claim:
    """The fixture's claim, dated 2026-10-01: outside the fiscal year of the shipped ICD-10-CM
    release, so scrubbed on LATER it has one warning (ICD-007) and nothing else."""
    return practice_a.claim


@pytest.fixture
def member_client(member: Any) -> Client:
    return signed_in(member)


@pytest.fixture
def outsider_client(outsider: Any) -> Client:
    return signed_in(outsider)
