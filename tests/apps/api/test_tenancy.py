"""Who may call which API operation, proven over every route of the API's own OpenAPI schema.

The operations are enumerated from the schema and checked against the route policy
(`openrcm.tenancy.route_policy.API`): an operation added without a policy entry, or without a
case here, fails `test_every_operation_has_a_policy_and_a_case`. Then, for every operation:
each of the seven roles gets exactly what the role matrix grants (2xx when granted, 403 when
not); every user of another practice, whatever their role, gets 404 on practice A's objects;
a user with no practice sees nothing; every PHI operation writes its audit event. (Anonymous
callers: 401 everywhere, tests/apps/api/test_auth.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from openrcm.accounts.services import user_create
from openrcm.api.root import api
from openrcm.audit.models import AuditEvent
from openrcm.tenancy.permissions import ROLE_ACTIONS
from openrcm.tenancy.route_policy import (
    API,
    API_FALLBACK_METHODS,
    API_FALLBACK_PATH,
    PHI_MODELS,
    Access,
    Rule,
)
from tests.apps.api.conftest import JsonClient, json_client_for
from tests.apps.conftest import PASSWORD, PracticeWorld

PREFIX = "/api/v1"
ROLES = tuple(ROLE_ACTIONS)


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


# -- the route policy over every operation --------------------------------------------------------


@dataclass
class ApiCase:
    """How to call one operation successfully against practice A's objects."""

    query: Callable[[PracticeWorld], dict[str, Any]] = field(default=lambda w: {})
    body: Callable[[PracticeWorld], Any] = field(default=lambda w: None)
    ok: int = 200


def _patient(w: PracticeWorld) -> dict[str, Any]:
    return {
        "practice": "a",
        "first_name": "Maria",
        "last_name": "Lopez",
        "date_of_birth": "1984-07-02",
        "sex": "F",
    }


def _coverage(w: PracticeWorld) -> dict[str, Any]:
    return {
        "patient": w.patient.id,
        "payer": w.payer.id,
        "member_id": "SEC123",
        "priority": 2,
        "effective_from": "2024-01-01",
    }


def _encounter(w: PracticeWorld) -> dict[str, Any]:
    return {
        "practice": "a",
        "patient": w.patient.id,
        "provider": w.provider.id,
        "location": w.location.id,
        "date_of_service": "2026-10-05",
        "diagnoses": ["J06.9"],
        "lines": [{"procedure_code": "99214", "diagnosis_pointers": [1], "charge": "180.00"}],
    }


def _practice_a(w: PracticeWorld) -> dict[str, Any]:
    return {"practice": "a"}


API_CASES: dict[tuple[str, str], ApiCase] = {
    ("GET", f"{PREFIX}/practices"): ApiCase(),
    ("GET", f"{PREFIX}/payers"): ApiCase(),
    ("GET", f"{PREFIX}/patients"): ApiCase(_practice_a),
    ("POST", f"{PREFIX}/patients/search"): ApiCase(
        body=lambda w: {"query": "Testpatient", "practice": "a"}
    ),
    ("GET", f"{PREFIX}/patients/{{patient_id}}"): ApiCase(),
    ("POST", f"{PREFIX}/patients"): ApiCase(body=_patient, ok=201),
    ("PATCH", f"{PREFIX}/patients/{{patient_id}}"): ApiCase(body=lambda w: {"city": "Peoria"}),
    ("GET", f"{PREFIX}/coverages"): ApiCase(lambda w: {"practice": "a", "patient": w.patient.id}),
    ("GET", f"{PREFIX}/coverages/{{coverage_id}}"): ApiCase(),
    ("POST", f"{PREFIX}/coverages"): ApiCase(body=_coverage, ok=201),
    ("PATCH", f"{PREFIX}/coverages/{{coverage_id}}"): ApiCase(
        body=lambda w: {"group_number": "G1"}
    ),
    ("GET", f"{PREFIX}/encounters"): ApiCase(lambda w: {"practice": "a", "patient": w.patient.id}),
    ("GET", f"{PREFIX}/encounters/{{encounter_id}}"): ApiCase(),
    ("POST", f"{PREFIX}/encounters"): ApiCase(body=_encounter, ok=201),
    ("PATCH", f"{PREFIX}/encounters/{{encounter_id}}"): ApiCase(
        body=lambda w: {"prior_authorization": "PA1"}
    ),
    ("GET", f"{PREFIX}/claims"): ApiCase(_practice_a),
    ("GET", f"{PREFIX}/claims/{{claim_id}}"): ApiCase(),
    ("GET", f"{PREFIX}/claims/{{claim_id}}/findings"): ApiCase(),
    ("POST", f"{PREFIX}/claims/{{claim_id}}/scrub"): ApiCase(),
}


def _key_id(key: tuple[str, str]) -> str:
    return f"{key[0]} {key[1]}"


def schema_operations() -> set[tuple[str, str]]:
    return {(method.upper(), path) for method, path in _operations()}


def call_case(as_user: JsonClient, key: tuple[str, str], world: PracticeWorld) -> Any:
    method, path = key
    case = API_CASES[key]
    url = _object_url(path, world)
    query = case.query(world)
    if method == "GET":
        return as_user.get(url, **query)
    body = case.body(world)
    return getattr(as_user, method.lower())(url, {} if body is None else body)


def rule_of(key: tuple[str, str]) -> Rule:
    return API[key]


def granted(rule: Rule, role: str) -> bool:
    if rule.access in (Access.PUBLIC, Access.AUTHENTICATED):
        return True
    return rule.access in ROLE_ACTIONS[role]


def clients_by_role(client: Client, world: PracticeWorld) -> dict[str, tuple[Any, JsonClient]]:
    """One user (with an API token) per role of the matrix, a member of `world` only."""
    found = {}
    for role in ROLES:
        user = user_create(
            username=f"{role}-{world.practice.slug}",
            password=PASSWORD,
            practice=world.practice,
            role=role,
        )
        found[role] = (user, json_client_for(client, user))
    return found


def test_every_operation_has_a_policy_and_a_case() -> None:
    """An operation added without a policy entry (or without a case here) fails here."""
    operations = schema_operations()
    fallback = {(m, API_FALLBACK_PATH) for m in API_FALLBACK_METHODS}
    missing = operations - set(API)
    assert not missing, f"operations without an entry in route_policy.API: {sorted(missing)}"
    assert set(API) - fallback == operations, sorted(set(API) - fallback - operations)
    assert set(API_CASES) == operations, (
        f"without a case: {sorted(operations - set(API_CASES))}; "
        f"stale cases: {sorted(set(API_CASES) - operations)}"
    )


@pytest.mark.parametrize("key", sorted(API_CASES), ids=_key_id)
def test_each_role_gets_exactly_what_the_matrix_grants(
    client: Client, practice_a: PracticeWorld, key: tuple[str, str]
) -> None:
    rule = rule_of(key)
    got = {}
    for role, (_, as_role) in clients_by_role(client, practice_a).items():
        response = call_case(as_role, key, practice_a)
        got[role] = response.status_code
        if response.status_code == 403:
            assert "does not allow you" in response.json()["detail"]
    expected = {role: API_CASES[key].ok if granted(rule, role) else 403 for role in ROLES}
    assert got == expected


SCOPED_API = sorted(key for key in API_CASES if "{" in key[1] or API[key].refs)


@pytest.mark.parametrize("key", SCOPED_API, ids=_key_id)
def test_every_role_of_another_practice_gets_404(
    client: Client, practice_a: PracticeWorld, practice_b: PracticeWorld, key: tuple[str, str]
) -> None:
    """Practice A's objects (in the path, a filter or the body) are not found from practice B."""
    for role, (_, as_role) in clients_by_role(client, practice_b).items():
        response = call_case(as_role, key, practice_a)
        assert response.status_code == 404, (role, response.content)
        assert response.json() == {"detail": "Not found."}


AUDITED_API = sorted(key for key in API_CASES if API[key].phi)


@pytest.mark.parametrize("key", AUDITED_API, ids=_key_id)
def test_every_phi_operation_writes_its_audit_event(
    client: Client, practice_a: PracticeWorld, key: tuple[str, str]
) -> None:
    """One event per call, naming the token's user, the practice, the object and patient."""
    rule = rule_of(key)
    user = user_create(
        username="adele", password=PASSWORD, practice=practice_a.practice, role="admin"
    )
    as_admin = json_client_for(client, user)
    before = AuditEvent.objects.count()
    response = call_case(as_admin, key, practice_a)
    assert response.status_code == API_CASES[key].ok, response.content
    [event] = AuditEvent.objects.filter(seq__gt=before)
    assert (event.action, event.object_type, event.outcome) == (
        rule.audit,
        rule.object_type,
        "success",
    )
    assert rule.object_type in PHI_MODELS
    assert event.actor_id == user.pk and event.actor_name == "adele"
    assert event.practice_id == practice_a.practice.pk
    assert event.request_id == response["X-Request-ID"]
    assert event.client_ip == "127.0.0.1"
    body = response.json()
    if rule.audit == "list":
        assert event.object_id == ""
        assert event.detail == {"count": body["count"], "shown": len(body["items"])}
    else:
        assert event.object_id == str(body["id"])
        patient = body["id"] if rule.object_type == "patients.patient" else practice_a.patient.id
        assert event.patient_id == patient
    if rule.audit == "update":
        sent = API_CASES[key].body(practice_a)
        assert event.detail == {"fields": sorted(sent)}


def test_refused_operations_are_audited(
    as_owner: JsonClient, practice_owner: Any, practice_a: PracticeWorld
) -> None:
    response = as_owner.patch(f"patients/{practice_a.patient.id}", {"city": "Peoria"})
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="permission_denied")
    assert (event.actor_id, event.outcome, event.object_type, event.object_id) == (
        practice_owner.pk,
        "denied",
        "patients.patient",
        str(practice_a.patient.id),
    )
    assert event.detail == {
        "status": 403,
        "route": "PATCH /api/v1/patients/{patient_id}",
        "needs": "edit_patients",
    }


def test_an_operation_without_policy_is_refused(
    as_member: JsonClient, practice_a: PracticeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openrcm.tenancy import route_policy

    monkeypatch.delitem(route_policy.API, ("GET", f"{PREFIX}/claims/{{claim_id}}"))
    response = as_member.get(f"claims/{practice_a.claim.id}")
    assert response.status_code == 403
    assert response.json() == {"detail": "This operation has no access policy yet."}


def test_a_token_narrowed_to_another_practice_finds_nothing_of_practice_a(
    client: Client, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    from openrcm.accounts.services import token_create
    from openrcm.tenancy.models import Membership

    user = user_create(
        username="dual", password=PASSWORD, practice=practice_a.practice, role="biller"
    )
    Membership.objects.create(user=user, practice=practice_b.practice, role="biller")
    _, key = token_create(user=user, name="b only", practices=[practice_b.practice])
    as_b = JsonClient(client, key)
    assert as_b.get(f"patients/{practice_a.patient.id}").status_code == 404
    assert as_b.get(f"patients/{practice_b.patient.id}").status_code == 200
    assert as_b.post("patients", _patient(practice_a)).status_code == 404
