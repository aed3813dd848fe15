"""Lists cost a fixed number of queries, however many rows the page holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from openrcm.core.money import Money
from openrcm.encounters.services import ChargeLineInput, encounter_create
from tests.apps.api.conftest import JsonClient
from tests.apps.conftest import PracticeWorld


def _more_encounters(world: PracticeWorld, n: int) -> None:
    for day in range(n):
        encounter_create(
            patient=world.patient,
            provider=world.provider,
            location=world.location,
            date_of_service=dt.date(2026, 9, 1) + dt.timedelta(days=day),
            diagnoses=["I10"],
            lines=[
                ChargeLineInput(
                    procedure_code="99212", diagnosis_pointers=[1], charge=Money(Decimal("80"))
                )
            ],
            referring_provider=world.provider,
        )


@pytest.mark.parametrize("resource", ["patients", "coverages", "encounters", "claims", "practices"])
def test_list_queries_do_not_grow_with_rows(
    as_member: JsonClient,
    practice_a: PracticeWorld,
    resource: str,
    django_assert_max_num_queries: Any,
) -> None:
    _more_encounters(practice_a, 12)
    # 12 for the page, 5 for its audit event (savepoint, chain head lock, insert, head update)
    with django_assert_max_num_queries(12 + 5):
        response = as_member.get(resource)
    assert response.status_code == 200
