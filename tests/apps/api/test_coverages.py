"""Coverages through the API."""

from __future__ import annotations

from openrcm.patients.models import Coverage
from openrcm.payers.models import Payer
from tests.apps.api.conftest import JsonClient, field_errors
from tests.apps.conftest import PracticeWorld


def _new(world: PracticeWorld, **extra: object) -> dict[str, object]:
    return {
        "patient": world.patient.id,
        "payer": world.payer.id,
        "member_id": "SEC123",
        "priority": 2,
        "effective_from": "2024-01-01",
        **extra,
    }


def test_list_and_filter_by_patient(
    as_member: JsonClient, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    body = as_member.get("coverages").json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == practice_a.coverage.id
    assert body["items"][0]["practice"] == "a"
    assert as_member.get("coverages", patient=practice_a.patient.id).json()["count"] == 1
    # another practice's patient is not found (404), exactly like one that does not exist
    assert as_member.get("coverages", patient=practice_b.patient.id).status_code == 404
    assert as_member.get("coverages", practice="a").json()["count"] == 1


def test_get(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    body = as_member.get(f"coverages/{practice_a.coverage.id}").json()
    assert body["patient"] == practice_a.patient.id
    assert body["member_id"] == "MA0001"
    assert body["priority"] == 1
    assert body["copay"] is None
    assert body["copay_cents"] is None


def test_create_with_copay_as_string_or_cents(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    response = as_member.post("coverages", _new(practice_a, copay="25"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["copay"], body["copay_cents"], body["priority"]) == ("25.00", 2500, 2)
    second = as_member.post("coverages", _new(practice_a, member_id="T1", copay_cents=1050))
    assert second.json()["copay"] == "10.50"
    assert Coverage.objects.filter(patient=practice_a.patient).count() == 3


def test_create_refuses_float_money_and_disagreeing_amounts(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    assert "copay" in field_errors(as_member.post("coverages", _new(practice_a, copay=25.5)))
    assert "copay" in field_errors(as_member.post("coverages", _new(practice_a, copay="2.555")))
    errors = field_errors(
        as_member.post("coverages", _new(practice_a, copay="25.00", copay_cents=2400))
    )
    assert "copay_cents" in errors


def test_update(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    url = f"coverages/{practice_a.coverage.id}"
    response = as_member.patch(url, {"group_number": "G-77", "effective_to": "2030-12-31"})
    assert response.status_code == 200, response.content
    assert response.json()["group_number"] == "G-77"
    assert response.json()["effective_to"] == "2030-12-31"
    cleared = as_member.patch(url, {"effective_to": None}).json()
    assert cleared["effective_to"] is None
    assert cleared["group_number"] == "G-77"


def test_model_rules_name_their_fields(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    errors = field_errors(
        as_member.post(
            "coverages",
            _new(practice_a, relationship="01", effective_to="2023-01-01"),
        )
    )
    assert {"effective_to", "subscriber_first_name", "subscriber_last_name"} <= set(errors)


def test_payer_of_another_organization_is_a_field_error(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    from openrcm.tenancy.services import organization_get_or_create

    other = organization_get_or_create(slug="other-billing", name="Other")
    foreign = Payer.objects.create(organization=other, name="Elsewhere", payer_id="99999")
    for payer in (foreign.id, 987654):
        errors = field_errors(as_member.post("coverages", _new(practice_a, payer=payer)))
        assert errors == {"payer": "No such payer for this practice."}


def test_patient_of_another_practice_is_404(
    as_member: JsonClient, practice_b: PracticeWorld
) -> None:
    response = as_member.post("coverages", _new(practice_b))
    assert response.status_code == 404


def test_read_only_role_gets_403(as_owner: JsonClient, practice_a: PracticeWorld) -> None:
    assert as_owner.get(f"coverages/{practice_a.coverage.id}").status_code == 200
    assert as_owner.post("coverages", _new(practice_a)).status_code == 403
    url = f"coverages/{practice_a.coverage.id}"
    assert as_owner.patch(url, {"member_id": "X"}).status_code == 403
