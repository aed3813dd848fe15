"""Patients through the API as a biller of practice A."""

from __future__ import annotations

from openrcm.patients.models import Patient
from tests.apps.api.conftest import JsonClient, field_errors
from tests.apps.conftest import PracticeWorld

NEW_PATIENT = {
    "practice": "a",
    "first_name": "Robin",
    "last_name": "Example",
    "date_of_birth": "1990-05-06",
    "sex": "M",
    "zip_code": "62704-1234",
}


def test_list_is_a_page_of_the_members_patients(
    as_member: JsonClient, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    response = as_member.get("patients")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count"}
    assert body["count"] == 1
    [item] = body["items"]
    assert item["id"] == practice_a.patient.id
    assert item["practice"] == "a"
    assert item["date_of_birth"] == "1958-03-04"


def test_list_filters_by_practice_slug_or_id(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    by_slug = as_member.get("patients", practice="a").json()
    by_id = as_member.get("patients", practice=practice_a.practice.id).json()
    assert by_slug == by_id
    assert by_slug["count"] == 1


def test_list_paginates_with_limit_and_offset(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    for i in range(4):
        as_member.post("patients", {**NEW_PATIENT, "last_name": f"Page{i}"})
    first = as_member.get("patients", limit=2).json()
    rest = as_member.get("patients", limit=2, offset=2).json()
    assert first["count"] == rest["count"] == 5
    assert len(first["items"]) == 2
    assert len(rest["items"]) == 2
    assert not {p["id"] for p in first["items"]} & {p["id"] for p in rest["items"]}
    assert as_member.get("patients", offset=4).json()["items"][0]["id"]


def test_limit_defaults_to_50_and_is_at_most_500(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    for i in range(51):
        Patient.objects.create(
            practice=practice_a.practice,
            account_number=f"X{i}",
            first_name="Bulk",
            last_name=f"P{i:03d}",
            date_of_birth="1980-01-01",
            sex="U",
        )
    body = as_member.get("patients").json()
    assert body["count"] == 52
    assert len(body["items"]) == 50
    assert len(as_member.get("patients", limit=500).json()["items"]) == 52
    assert "limit" in field_errors(as_member.get("patients", limit=501))
    assert "limit" in field_errors(as_member.get("patients", limit=0))
    assert "offset" in field_errors(as_member.get("patients", offset=-1))


def test_get_includes_coverages(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    response = as_member.get(f"patients/{practice_a.patient.id}")
    assert response.status_code == 200
    body = response.json()
    assert body["last_name"] == "TestpatientA"
    [coverage] = body["coverages"]
    assert coverage["id"] == practice_a.coverage.id
    assert coverage["payer"]["payer_id"] == "00435"


def test_create_assigns_an_account_number(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    response = as_member.post("patients", NEW_PATIENT)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["practice"] == "a"
    assert body["account_number"]
    assert body["zip_code"] == "627041234"
    assert body["coverages"] == []
    patient = Patient.objects.get(pk=body["id"])
    assert patient.practice_id == practice_a.practice.id


def test_update_changes_only_the_fields_sent(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    url = f"patients/{practice_a.patient.id}"
    response = as_member.patch(url, {"phone": "2175550100", "city": "Peoria"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["phone"], body["city"], body["first_name"]) == ("2175550100", "Peoria", "Jordan")
    practice_a.patient.refresh_from_db()
    assert practice_a.patient.city == "Peoria"


def test_search_takes_the_name_in_the_body(
    as_member: JsonClient, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    as_member.post("patients", NEW_PATIENT)
    found = as_member.post("patients/search", {"query": "testpatient"}).json()
    assert [p["id"] for p in found["items"]] == [practice_a.patient.id]
    by_dob = as_member.post(
        "patients/search", {"query": "example", "date_of_birth": "1990-05-06"}
    ).json()
    assert by_dob["count"] == 1
    assert as_member.post(
        "patients/search", {"query": "example", "date_of_birth": "1990-05-07"}
    ).json() == {"items": [], "count": 0}
    assert "query" in field_errors(as_member.post("patients/search", {}))


def test_schema_errors_name_each_field(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    errors = field_errors(
        as_member.post(
            "patients",
            {"practice": "a", "first_name": "X", "date_of_birth": "soon", "sex": "Q", "nick": 1},
        )
    )
    assert set(errors) == {"last_name", "date_of_birth", "sex", "nick"}


def test_model_errors_name_each_field(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    errors = field_errors(
        as_member.post(
            "patients",
            {**NEW_PATIENT, "date_of_birth": "2999-01-01", "zip_code": "1234", "state": "Illinois"},
        )
    )
    assert {"date_of_birth", "zip_code", "state"} <= set(errors)
    assert "future" in errors["date_of_birth"]


def test_a_duplicate_account_number_names_the_field(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    taken = practice_a.patient.account_number
    errors = field_errors(as_member.post("patients", {**NEW_PATIENT, "account_number": taken}))
    assert "account_number" in errors


def test_update_refuses_null_for_a_required_field(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    errors = field_errors(as_member.patch(f"patients/{practice_a.patient.id}", {"last_name": None}))
    assert "last_name" in errors


def test_unknown_practice_is_404(as_member: JsonClient, practice_b: PracticeWorld) -> None:
    for slug in ("b", "no-such-practice"):
        response = as_member.post("patients", {**NEW_PATIENT, "practice": slug})
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
        assert as_member.get("patients", practice=slug).status_code == 404


def test_read_only_role_gets_403_on_create_and_update(
    as_owner: JsonClient, practice_a: PracticeWorld
) -> None:
    assert as_owner.get("patients").json()["count"] == 1
    response = as_owner.post("patients", NEW_PATIENT)
    assert response.status_code == 403
    assert "edit patients" in response.json()["detail"]
    assert as_owner.patch(f"patients/{practice_a.patient.id}", {"city": "X"}).status_code == 403
    assert not Patient.objects.filter(last_name="Example").exists()
