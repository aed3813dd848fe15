"""Claims through the API: the worklist with its filters, and a claim with lines and history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from openrcm.claims.services import claim_transition
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.money import Money
from openrcm.encounters.services import ChargeLineInput, encounter_create
from openrcm.patients.services import coverage_create
from openrcm.payers.models import Payer
from tests.apps.api.conftest import JsonClient, field_errors
from tests.apps.conftest import PracticeWorld


def _second_claim(world: PracticeWorld) -> int:
    """Another claim in practice A: a later date, another payer."""
    payer = Payer.objects.create(
        organization=world.practice.organization, name="Blue Plan", payer_id="00621"
    )
    world.coverage.effective_to = dt.date(2026, 10, 31)
    world.coverage.save()
    coverage_create(
        patient=world.patient, payer=payer, member_id="B1", effective_from=dt.date(2026, 11, 1)
    )
    encounter = encounter_create(
        patient=world.patient,
        provider=world.provider,
        location=world.location,
        date_of_service=dt.date(2026, 11, 10),
        diagnoses=["I10"],
        lines=[
            ChargeLineInput(
                procedure_code="99212", diagnosis_pointers=[1], charge=Money(Decimal("80"))
            )
        ],
    )
    claim = encounter.claims.get()
    claim_transition(claim=claim, to=ClaimStatus.READY)
    return int(claim.id)


def test_list(as_member: JsonClient, practice_a: PracticeWorld, practice_b: PracticeWorld) -> None:
    body = as_member.get("claims").json()
    assert set(body) == {"items", "count"}
    [claim] = body["items"]
    assert claim["id"] == practice_a.claim.id
    assert claim["practice"] == "a"
    assert claim["status"] == "draft"
    assert claim["payer"]["name"] == "Medicare Part B"
    assert claim["patient"]["id"] == practice_a.patient.id
    assert claim["date_of_service"] == "2026-10-01"
    assert (claim["total_charge"], claim["total_charge_cents"]) == ("140.00", 14000)
    assert "lines" not in claim


def test_filters(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    second = _second_claim(practice_a)
    assert as_member.get("claims").json()["count"] == 2

    def ids(**query: object) -> list[int]:
        response = as_member.get("claims", **query)
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["items"]]

    assert ids() == [second, practice_a.claim.id]  # newest date of service first
    assert ids(status="ready") == [second]
    assert ids(status="draft") == [practice_a.claim.id]
    assert ids(payer=practice_a.payer.id) == [practice_a.claim.id]
    assert ids(date_from="2026-11-01") == [second]
    assert ids(date_to="2026-10-31") == [practice_a.claim.id]
    assert ids(date_from="2026-10-01", date_to="2026-10-01") == [practice_a.claim.id]
    assert ids(practice="a", status="paid") == []
    assert ids(practice=practice_a.practice.id) == [second, practice_a.claim.id]
    assert set(field_errors(as_member.get("claims", status="lost", payer="x"))) == {
        "status",
        "payer",
    }


def test_detail_has_lines_diagnoses_and_history(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    claim_transition(claim=practice_a.claim, to=ClaimStatus.READY, note="Scrubbed")
    response = as_member.get(f"claims/{practice_a.claim.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["status_label"] == "Ready to submit"
    assert [
        (line["line_number"], line["procedure_code"], line["charge"]) for line in body["lines"]
    ] == [
        (1, "99213", "125.00"),
        (2, "36415", "15.00"),
    ]
    assert body["lines"][0]["diagnosis_pointers"] == [1, 2]
    assert body["lines"][0]["charge_cents"] == 12500
    assert [(d["position"], d["code"]) for d in body["diagnoses"]] == [(1, "E11.9"), (2, "I10")]
    assert [(h["from_status"], h["to_status"]) for h in body["history"]] == [
        (None, "draft"),
        ("draft", "ready"),
    ]
    assert body["history"][1]["note"] == "Scrubbed"


def test_claims_are_read_only(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    assert as_member.post("claims", {}).status_code == 405
    assert as_member.patch(f"claims/{practice_a.claim.id}", {}).status_code == 405
