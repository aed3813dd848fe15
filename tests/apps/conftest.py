"""Fixtures for app tests: real objects in a real database (SQLite or PostgreSQL by DATABASE_URL).

Every suite gets two practices and three users (Healthchecks' alice/bob/charlie pattern):
`member` (biller in practice A), `outsider` (biller in practice B only), `nobody` (no membership).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from openrcm.accounts.services import user_create
from openrcm.core.money import Money
from openrcm.encounters.services import ChargeLineInput, encounter_create
from openrcm.patients.services import coverage_create, patient_create
from openrcm.payers.models import Payer
from openrcm.providers.models import Provider
from openrcm.tenancy.models import Location, Practice
from openrcm.tenancy.services import organization_get_or_create, practice_create

PASSWORD = "correct-horse-battery-staple"


@dataclass
class PracticeWorld:
    """A practice with a provider, location, payer, patient, coverage and encounter with claim."""

    practice: Practice
    provider: Provider
    location: Location
    payer: Payer
    patient: Any
    coverage: Any
    encounter: Any
    claim: Any


def build_practice(slug: str, npi: str, payer: Payer | None = None) -> PracticeWorld:
    org = organization_get_or_create(slug="test-billing", name="Test Billing Co")
    practice = practice_create(
        organization=org,
        slug=slug,
        name=f"Practice {slug.upper()}",
        group_npi=npi,
        tin="123456789",
        address_line1="1 Main St",
        city="Springfield",
        state="IL",
        zip_code="627041234",
        time_zone="America/Chicago",
        taxonomy="207Q00000X",
    )
    location = Location.objects.create(practice=practice, name=f"{slug} office", zip_code="62704")
    provider = Provider.objects.create(
        practice=practice,
        first_name="Ann",
        last_name=f"Lee-{slug}",
        npi="1234567893",
        credential="MD",
    )
    payer = payer or Payer.objects.create(
        organization=org, name="Medicare Part B", payer_id="00435", claim_filing_indicator="MB"
    )
    patient = patient_create(
        practice=practice,
        first_name="Jordan",
        last_name=f"Testpatient{slug.upper()}",
        date_of_birth=dt.date(1958, 3, 4),
        sex="F",
        zip_code="62704",
    )
    coverage = coverage_create(
        patient=patient,
        payer=payer,
        member_id=f"M{slug.upper()}0001",
        effective_from=dt.date(2020, 1, 1),
    )
    encounter = encounter_create(
        patient=patient,
        provider=provider,
        location=location,
        date_of_service=dt.date(2026, 10, 1),
        diagnoses=["E11.9", "I10"],
        lines=[
            ChargeLineInput(
                procedure_code="99213", diagnosis_pointers=[1, 2], charge=Money(Decimal("125.00"))
            ),
            ChargeLineInput(
                procedure_code="36415", diagnosis_pointers=[1], charge=Money(Decimal("15.00"))
            ),
        ],
    )
    return PracticeWorld(
        practice=practice,
        provider=provider,
        location=location,
        payer=payer,
        patient=patient,
        coverage=coverage,
        encounter=encounter,
        claim=encounter.claims.get(),
    )


@pytest.fixture
def practice_a(db: Any) -> PracticeWorld:
    return build_practice("a", "1234567893")


@pytest.fixture
def practice_b(db: Any, practice_a: PracticeWorld) -> PracticeWorld:
    return build_practice("b", "1245319599", payer=practice_a.payer)


@pytest.fixture
def member(practice_a: PracticeWorld) -> Any:
    return user_create(
        username="alice", password=PASSWORD, practice=practice_a.practice, role="biller"
    )


@pytest.fixture
def outsider(practice_b: PracticeWorld) -> Any:
    return user_create(
        username="bob", password=PASSWORD, practice=practice_b.practice, role="biller"
    )


@pytest.fixture
def nobody(db: Any) -> Any:
    return user_create(username="charlie", password=PASSWORD)
