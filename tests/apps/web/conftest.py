"""Web UI test helpers: signed-in clients for the member, the outsider and the user with no
practice, and a fee schedule for practice A."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from openrcm.payers.models import FeeSchedule, FeeScheduleEntry
from tests.apps.conftest import PracticeWorld


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def member_client(member: Any) -> Client:
    return signed_in(member)


@pytest.fixture
def outsider_client(outsider: Any) -> Client:
    return signed_in(outsider)


@pytest.fixture
def nobody_client(nobody: Any) -> Client:
    return signed_in(nobody)


@pytest.fixture
def fee_schedule_a(practice_a: PracticeWorld) -> FeeSchedule:
    """Practice A's own charges: 99213 $125.00, 99214 $185.00, 36415 $15.00."""
    schedule = FeeSchedule.objects.create(
        practice=practice_a.practice, name="Standard charges", effective_from=dt.date(2026, 1, 1)
    )
    for code, cents in (("99213", 12500), ("99214", 18500), ("36415", 1500)):
        FeeScheduleEntry.objects.create(
            fee_schedule=schedule, procedure_code=code, amount_cents=cents
        )
    return schedule
