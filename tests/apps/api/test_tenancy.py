"""Another practice's objects are 404 on every API route; no membership sees nothing.

The routes are enumerated from the API's own OpenAPI schema, so a new route is covered (or
fails here for want of an object to try) without anyone remembering to add it.
"""

from __future__ import annotations

from typing import Any

import pytest

from openrcm.api.root import api
from tests.apps.api.conftest import JsonClient
from tests.apps.conftest import PracticeWorld

PREFIX = "/api/v1"


def _operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return [(method, path) for path, ops in paths.items() for method in ops]


def object_routes() -> list[tuple[str, str]]:
    return [(m, p) for m, p in _operations() if "{" in p]


def list_routes() -> list[tuple[str, str]]:
    return [(m, p) for m, p in _operations() if "{" not in p and m == "get"]


def _object_url(path: str, world: PracticeWorld) -> str:
    ids = {
        "{patient_id}": world.patient.id,
        "{coverage_id}": world.coverage.id,
        "{encounter_id}": world.encounter.id,
        "{claim_id}": world.claim.id,
    }
    for name, value in ids.items():
        path = path.replace(name, str(value))
    assert "{" not in path, f"no test object for {path}: add it to _object_url"
    return path


def _call(as_user: JsonClient, method: str, url: str) -> Any:
    return (
        getattr(as_user, method)(url)
        if method in ("get", "delete")
        else getattr(as_user, method)(url, {})
    )


def test_every_resource_has_object_routes() -> None:
    paths = {p for _, p in object_routes()}
    for resource in ("patients", "coverages", "encounters", "claims"):
        assert any(p.startswith(f"{PREFIX}/{resource}/{{") for p in paths), resource


@pytest.mark.parametrize(("method", "path"), object_routes())
def test_outsider_gets_404_on_every_object_route_of_practice_a(
    as_outsider: JsonClient, practice_a: PracticeWorld, method: str, path: str
) -> None:
    response = _call(as_outsider, method, _object_url(path, practice_a))
    assert response.status_code == 404, response.content
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(("method", "path"), object_routes())
def test_member_reaches_every_object_route(
    as_member: JsonClient, practice_a: PracticeWorld, method: str, path: str
) -> None:
    response = _call(as_member, method, _object_url(path, practice_a))
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(("method", "path"), object_routes())
def test_nobody_gets_404_on_every_object_route(
    as_nobody: JsonClient, practice_a: PracticeWorld, method: str, path: str
) -> None:
    assert _call(as_nobody, method, _object_url(path, practice_a)).status_code == 404


@pytest.mark.parametrize(("method", "path"), list_routes())
def test_nobody_sees_empty_lists(
    as_nobody: JsonClient, practice_a: PracticeWorld, method: str, path: str
) -> None:
    response = as_nobody.get(path)
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_nobody_finds_no_patient(as_nobody: JsonClient, practice_a: PracticeWorld) -> None:
    found = as_nobody.post("patients/search", {"query": "Testpatient"})
    assert found.json() == {"items": [], "count": 0}


def test_outsider_lists_hold_only_practice_b(
    as_outsider: JsonClient, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    for resource in ("patients", "coverages", "encounters", "claims"):
        items = as_outsider.get(resource).json()["items"]
        assert [item["practice"] for item in items] == ["b"], resource
    found = as_outsider.post("patients/search", {"query": "TestpatientA"}).json()
    assert found["count"] == 0


def test_outsider_cannot_create_in_practice_a(
    as_outsider: JsonClient, practice_a: PracticeWorld
) -> None:
    patient = {
        "practice": "a",
        "first_name": "Eve",
        "last_name": "Intruder",
        "date_of_birth": "1990-01-01",
        "sex": "F",
    }
    assert as_outsider.post("patients", patient).status_code == 404
    coverage = {
        "patient": practice_a.patient.id,
        "payer": practice_a.payer.id,
        "member_id": "X",
        "effective_from": "2024-01-01",
    }
    assert as_outsider.post("coverages", coverage).status_code == 404
    encounter = {
        "practice": "a",
        "patient": practice_a.patient.id,
        "provider": practice_a.provider.id,
        "location": practice_a.location.id,
        "date_of_service": "2026-10-02",
        "diagnoses": ["I10"],
        "lines": [{"procedure_code": "99213", "diagnosis_pointers": [1], "charge": "1.00"}],
    }
    assert as_outsider.post("encounters", encounter).status_code == 404
    for resource in ("patients", "encounters", "claims"):
        assert as_outsider.get(resource, practice="a").status_code == 404


def test_practices_and_payers(
    as_member: JsonClient,
    as_owner: JsonClient,
    practice_a: PracticeWorld,
    practice_b: PracticeWorld,
) -> None:
    [practice] = as_member.get("practices").json()["items"]
    assert (practice["slug"], practice["role"]) == ("a", "biller")
    assert [p["id"] for p in practice["providers"]] == [practice_a.provider.id]
    assert [loc["id"] for loc in practice["locations"]] == [practice_a.location.id]
    assert as_owner.get("practices").json()["items"][0]["role"] == "practice_owner"
    payers = as_member.get("payers").json()
    assert [p["id"] for p in payers["items"]] == [practice_a.payer.id]
