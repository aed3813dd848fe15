"""The claim-row reader (`openrcm.claims.rows`) and the two readers built on it: the 837P's
`sendable_claims` and the scrubber's `claim_snapshots`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openrcm.claims.models import Claim
from openrcm.claims.rows import claim_rows
from openrcm.clearinghouse.professional import sendable_claims
from openrcm.core.money import Money
from openrcm.encounters.services import ChargeLineInput, EncounterInput, encounter_create_many
from openrcm.providers.models import Provider
from openrcm.scrubbing.snapshots import claim_snapshot, claim_snapshots
from openrcm.tenancy.models import Location
from tests.apps.conftest import PracticeWorld

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 10, 5)


def _visits(world: PracticeWorld, count: int) -> None:
    """``count`` more claims of the world's patient, with a second provider referring, a
    second location and a line of their own dates on every other one."""
    referring, _ = Provider.objects.get_or_create(
        practice=world.practice,
        npi="1245319599",
        defaults={"first_name": "Rae", "last_name": "Referrer"},
    )
    clinic, _ = Location.objects.get_or_create(
        practice=world.practice,
        name="Annex",
        defaults={
            "address_line1": "9 Side St",
            "city": "Springfield",
            "state": "IL",
            "zip_code": "627019876",
            "npi": "1679576722",
        },
    )
    items = [
        EncounterInput(
            patient=world.patient,
            provider=world.provider,
            location=clinic if i % 2 else world.location,
            date_of_service=DAY,
            diagnoses=["J45.909", "E11.9"],
            lines=[
                ChargeLineInput(
                    procedure_code="94640",
                    diagnosis_pointers=[1],
                    units=2,
                    charge=Money(Decimal("40.00")),
                    modifiers=["59"],
                    service_date=DAY - dt.timedelta(days=2) if i % 2 else None,
                    service_end_date=DAY - dt.timedelta(days=1) if i % 2 else None,
                ),
                ChargeLineInput(
                    procedure_code="99213", diagnosis_pointers=[1, 2], charge=Money(Decimal("90"))
                ),
            ],
            referring_provider=referring if i % 2 else None,
            prior_authorization=f"PA{i}" if i % 2 else "",
        )
        for i in range(count)
    ]
    encounter_create_many(items=items)


def _queries(read: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured.captured_queries)


def test_the_rows_carry_lines_with_their_own_dates_diagnoses_and_parties(
    practice_a: PracticeWorld,
) -> None:
    _visits(practice_a, 2)
    chunks = list(claim_rows(claims=Claim.objects.filter(practice=practice_a.practice)))
    assert len(chunks) == 1
    chunk = chunks[0]
    rows = chunk.claims
    assert [r.pk for r in rows] == sorted(r.pk for r in rows) and len(rows) == 3
    dated = rows[-1]  # the second visit: its own line dates, referring provider, annex
    assert dated.prior_authorization == "PA1"
    assert dated.referring_provider_id is not None
    first, second = chunk.lines[dated.pk]
    assert (first.number, first.procedure_code, first.units) == (1, "94640", 2)
    assert first.modifiers == ("59",)
    assert (first.service_date, first.service_end_date) == (
        DAY - dt.timedelta(2),
        DAY - dt.timedelta(1),
    )
    assert (second.service_date, second.service_end_date) == (None, None)
    assert second.diagnosis_pointers == "1,2"
    assert chunk.diagnoses[dated.encounter_id] == ["J45.909", "E11.9"]
    parties = chunk.parties
    assert parties.providers[dated.referring_provider_id].last_name == "Referrer"
    assert parties.locations[dated.location_id].npi == "1679576722"
    assert parties.payers[dated.payer_id].payer_id == practice_a.payer.payer_id
    assert rows[0].pk == practice_a.claim.pk and rows[0].date_of_service == dt.date(2026, 10, 1)


def test_the_837p_and_the_snapshot_read_the_same_claim_alike(practice_a: PracticeWorld) -> None:
    _visits(practice_a, 2)
    claims = Claim.objects.filter(practice=practice_a.practice)
    dated = claims.order_by("-pk").first()
    assert dated is not None
    (form,) = [
        s for s in sendable_claims(practice=practice_a.practice, claims=claims) if s.pk == dated.pk
    ]
    lines = form.claim.lines
    assert [line.service_date for line in lines] == [DAY - dt.timedelta(2), DAY]
    assert lines[0].service_end_date == DAY - dt.timedelta(1)
    assert form.claim.diagnoses == ["J45909", "E119"]  # the 837P drops the dot
    assert form.claim.prior_authorization == "PA1"
    assert form.claim.referring is not None and form.claim.referring.npi == "1245319599"
    assert form.claim.service_facility is not None
    assert form.claim.service_facility.npi == "1679576722"
    snapshots = {
        r.claim.pk: r.snapshot for r in claim_snapshots(practice=practice_a.practice, claims=claims)
    }
    snapshot = snapshots[dated.pk]
    assert snapshot == claim_snapshot(claim=dated)
    assert [line.service_date for line in snapshot.lines] == [DAY - dt.timedelta(2), DAY]
    assert snapshot.first_date == DAY - dt.timedelta(2)  # the earliest line date, not the visit's
    assert [code.replace(".", "") for code in snapshot.diagnoses] == ["J45909", "E119"]
    assert (snapshot.referring_npi, snapshot.service_facility_npi) == ("1245319599", "1679576722")
    assert snapshot.rendering_npi == practice_a.provider.npi
    assert snapshot.prior_authorization == "PA1"
    assert snapshot.payer.id == practice_a.payer.payer_id


def test_the_number_of_queries_does_not_grow_with_the_number_of_claims(
    practice_a: PracticeWorld,
) -> None:
    practice = practice_a.practice
    claims = Claim.objects.filter(practice=practice)

    def counts() -> tuple[int, int, int]:
        return (
            _queries(lambda: list(claim_rows(claims=claims))),
            _queries(lambda: sendable_claims(practice=practice, claims=claims)),
            _queries(lambda: list(claim_snapshots(practice=practice, claims=claims))),
        )

    _visits(practice_a, 4)
    few = counts()
    _visits(practice_a, 45)
    assert claims.count() == 50
    assert counts() == few
    # in chunks of 10: three queries for each chunk after the first (the parties are known)
    assert _queries(lambda: list(claim_rows(claims=claims, chunk=10))) == few[0] + 4 * 3
