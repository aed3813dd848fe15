"""Encounters with diagnoses and charge lines through the API."""

from __future__ import annotations

from typing import Any

from openrcm.claims.services import claim_transition
from openrcm.core.claims.status import ClaimStatus
from openrcm.encounters.models import Encounter
from tests.apps.api.conftest import JsonClient, field_errors
from tests.apps.conftest import PracticeWorld


def _new(world: PracticeWorld, **extra: Any) -> dict[str, Any]:
    return {
        "practice": world.practice.slug,
        "patient": world.patient.id,
        "provider": world.provider.id,
        "location": world.location.id,
        "date_of_service": "2026-10-05",
        "diagnoses": ["j06.9", "R05.9"],
        "lines": [
            {"procedure_code": "99214", "diagnosis_pointers": [1, 2], "charge": "180.00"},
            {
                "procedure_code": "87880",
                "modifiers": ["qw"],
                "units": 2,
                "charge_cents": 5000,
                "diagnosis_pointers": [1],
            },
        ],
        **extra,
    }


def test_list_shows_lines_diagnoses_and_totals(
    as_member: JsonClient, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    body = as_member.get("encounters").json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["id"] == practice_a.encounter.id
    assert [d["code"] for d in item["diagnoses"]] == ["E11.9", "I10"]
    assert [line["charge"] for line in item["lines"]] == ["125.00", "15.00"]
    assert (item["total_charge"], item["total_charge_cents"]) == ("140.00", 14000)
    assert item["claims"] == [practice_a.claim.id]


def test_list_filters(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    assert as_member.get("encounters", practice="a").json()["count"] == 1
    assert as_member.get("encounters", patient=practice_a.patient.id).json()["count"] == 1
    assert as_member.get("encounters", date_from="2026-10-02").json()["count"] == 0
    assert as_member.get("encounters", date_to="2026-10-01").json()["count"] == 1
    errors = field_errors(as_member.get("encounters", date_from="2026-10-02", date_to="2026-10-01"))
    assert "date_to" in errors


def test_get(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    body = as_member.get(f"encounters/{practice_a.encounter.id}").json()
    assert body["patient"]["id"] == practice_a.patient.id
    assert body["provider"]["npi"] == "1234567893"
    assert body["location"]["id"] == practice_a.location.id
    assert body["referring_provider"] is None
    assert body["lines"][0]["diagnosis_pointers"] == [1, 2]
    assert body["lines"][0]["line_control_number"]


def test_create_builds_the_claim(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    response = as_member.post("encounters", _new(practice_a))
    assert response.status_code == 201, response.content
    body = response.json()
    assert [d["code"] for d in body["diagnoses"]] == ["J06.9", "R05.9"]
    assert [d["position"] for d in body["diagnoses"]] == [1, 2]
    lines = body["lines"]
    assert [(line["procedure_code"], line["charge_cents"]) for line in lines] == [
        ("99214", 18000),
        ("87880", 5000),
    ]
    assert lines[1]["modifiers"] == ["QW"]
    assert lines[1]["units"] == 2
    assert body["total_charge"] == "230.00"
    assert body["place_of_service"] == "11"
    [claim_id] = body["claims"]
    claim = as_member.get(f"claims/{claim_id}").json()
    assert claim["total_charge_cents"] == 23000
    assert Encounter.objects.get(pk=body["id"]).created_by.username == "alice"


def test_update_replaces_lines_and_the_draft_claim_follows(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    url = f"encounters/{practice_a.encounter.id}"
    response = as_member.patch(
        url,
        {
            "prior_authorization": "PA-1",
            "diagnoses": ["E11.9"],
            "lines": [{"procedure_code": "99215", "diagnosis_pointers": [1], "charge": "210"}],
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["prior_authorization"] == "PA-1"
    assert [line["procedure_code"] for line in body["lines"]] == ["99215"]
    claim = as_member.get(f"claims/{practice_a.claim.id}").json()
    assert claim["total_charge"] == "210.00"
    assert [line["procedure_code"] for line in claim["lines"]] == ["99215"]


def test_update_of_single_fields(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    url = f"encounters/{practice_a.encounter.id}"
    body = as_member.patch(url, {"referring_provider": practice_a.provider.id}).json()
    assert body["referring_provider"]["id"] == practice_a.provider.id
    assert len(body["lines"]) == 2
    assert as_member.patch(url, {"referring_provider": None}).json()["referring_provider"] is None
    assert "provider" in field_errors(as_member.patch(url, {"provider": None}))


def test_schema_errors_name_line_fields(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    body = _new(practice_a)
    body["lines"][0]["units"] = 0
    body["lines"][1]["charge"] = "12.345"
    del body["lines"][1]["diagnosis_pointers"]
    errors = field_errors(as_member.post("encounters", body))
    assert set(errors) == {"lines[0].units", "lines[1].charge", "lines[1].diagnosis_pointers"}


def test_service_errors_name_line_and_diagnosis_fields(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    body = _new(practice_a, diagnoses=["J06.9", "not-a-code"])
    errors = field_errors(as_member.post("encounters", body))
    assert set(errors) == {"diagnoses[1]"}
    body = _new(practice_a)
    body["lines"][0]["procedure_code"] = "9921"
    body["lines"][1]["modifiers"] = ["QW", "!!"]
    body["lines"][1]["diagnosis_pointers"] = [3]
    errors = field_errors(as_member.post("encounters", body))
    assert "lines[0].procedure_code" in errors
    assert "lines[1].modifiers[1]" in errors
    assert Encounter.objects.count() == 1


def test_pointer_past_the_diagnoses(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    body = _new(practice_a)
    body["lines"][1]["diagnosis_pointers"] = [3]
    errors = field_errors(as_member.post("encounters", body))
    assert errors == {"lines[1].diagnosis_pointers": "Points past the 2 diagnoses entered."}


def test_no_fee_and_no_charge_names_the_charge(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    body = _new(practice_a)
    del body["lines"][0]["charge"]
    assert "lines[0].charge" in field_errors(as_member.post("encounters", body))


def test_parties_of_another_practice_are_field_errors(
    as_member: JsonClient, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    body = _new(
        practice_a,
        patient=practice_b.patient.id,
        provider=practice_b.provider.id,
        location=practice_b.location.id,
    )
    errors = field_errors(as_member.post("encounters", body))
    assert set(errors) >= {"patient"}
    assert errors["patient"] == "No such patient in this practice."
    url = f"encounters/{practice_a.encounter.id}"
    errors = field_errors(as_member.patch(url, {"location": practice_b.location.id}))
    assert errors == {"location": "No such location in this practice."}


def test_an_encounter_whose_claim_was_sent_is_locked(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    for status in (ClaimStatus.READY, ClaimStatus.BATCHED, ClaimStatus.SUBMITTED):
        claim_transition(claim=practice_a.claim, to=status)
    url = f"encounters/{practice_a.encounter.id}"
    assert "encounter" in field_errors(as_member.patch(url, {"prior_authorization": "X"}))


def test_roles(as_owner: JsonClient, as_coder: JsonClient, practice_a: PracticeWorld) -> None:
    assert as_owner.post("encounters", _new(practice_a)).status_code == 403
    url = f"encounters/{practice_a.encounter.id}"
    assert as_owner.patch(url, {"prior_authorization": "X"}).status_code == 403
    assert as_coder.post("encounters", _new(practice_a)).status_code == 201
    new_patient = {
        "practice": "a",
        "first_name": "A",
        "last_name": "B",
        "date_of_birth": "2000-01-01",
        "sex": "F",
    }
    assert as_coder.post("patients", new_patient).status_code == 403


def test_every_unknown_party_is_named(
    as_member: JsonClient, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    body = _new(
        practice_a,
        patient=practice_b.patient.id,
        provider=practice_b.provider.id,
        location=999999,
        referring_provider=practice_b.provider.id,
    )
    errors = field_errors(as_member.post("encounters", body))
    assert set(errors) == {"patient", "provider", "location", "referring_provider"}


def test_every_disagreeing_charge_is_named(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    body = _new(practice_a)
    body["lines"][0]["charge_cents"] = 1
    body["lines"][1]["charge"] = "49.99"
    errors = field_errors(as_member.post("encounters", body))
    assert set(errors) == {"lines[0].charge_cents", "lines[1].charge_cents"}
