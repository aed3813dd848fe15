"""Error shapes that hold for every route, and the OpenAPI docs served without a CDN."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.apps.api.conftest import JsonClient, field_errors
from tests.apps.conftest import PracticeWorld


@pytest.mark.parametrize(
    "bad", ["abc", "0", "-1", "1.5", "99999999999999999999999", "9223372036854775807"]
)
@pytest.mark.parametrize("resource", ["patients", "coverages", "encounters", "claims"])
def test_bad_ids_are_json_404(
    as_member: JsonClient, practice_a: PracticeWorld, resource: str, bad: str
) -> None:
    response = as_member.get(f"{resource}/{bad}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_bad_id_on_update_is_404_even_with_a_bad_body(
    as_member: JsonClient, practice_a: PracticeWorld
) -> None:
    assert as_member.patch("patients/nope", {"sex": "Q"}).status_code == 404


def test_malformed_json_is_refused(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    response = as_member.client.post(
        "/api/v1/patients", "{not json", content_type="application/json", headers=as_member.headers
    )
    assert response.status_code in (400, 422)
    assert "detail" in response.json()


def test_unknown_fields_are_named(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    errors = field_errors(as_member.patch(f"patients/{practice_a.patient.id}", {"frist_name": "X"}))
    assert list(errors) == ["frist_name"]


def test_wrong_body_type_names_the_body(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    errors = field_errors(as_member.post("patients", ["not", "an", "object"]))
    assert list(errors) == ["body"]


def test_openapi_lists_every_resource(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    for resource in ("patients", "coverages", "encounters"):
        assert {"get", "post"} <= set(paths[f"/api/v1/{resource}"])
        assert {"get", "patch"} <= set(paths[f"/api/v1/{resource}/{{{resource[:-1]}_id}}"])
    assert set(paths["/api/v1/claims"]) == {"get"}
    assert set(paths["/api/v1/claims/{claim_id}"]) == {"get"}
    assert set(schema["components"]["securitySchemes"]) == {"BearerTokenAuth", "SessionCookieAuth"}


def test_swagger_ui_is_served_from_local_static_files(client: Client, db: Any) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    assert "/api/openapi.json" in html
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(asset), asset


def test_swagger_ui_sends_the_csrf_token_for_session_users(client: Client, member: Any) -> None:
    client.force_login(member)
    html = client.get("/api/docs").content.decode()
    assert 'data-api-csrf="true"' in html
    assert 'data-csrf-token=""' not in html
    assert '"validatorUrl": null' in html


@pytest.mark.parametrize(
    "url", ["/api/v2/patients", "/api/v1/nothing", "/api/v1/patients/1/extra", "/api/v1/"]
)
def test_unknown_api_paths_are_json_404(as_member: JsonClient, url: str) -> None:
    for method in ("get", "post", "patch"):
        response = getattr(as_member, method)(url)
        assert response.status_code == 404, (method, url)
        assert response.json() == {"detail": "Not found."}


def test_known_paths_still_win(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    assert as_member.get("patients").status_code == 200
    assert as_member.client.get("/api/openapi.json").status_code == 200
    assert as_member.put(f"patients/{practice_a.patient.id}", {}).status_code == 405


def test_answers_are_never_cached(as_member: JsonClient, practice_a: PracticeWorld) -> None:
    assert as_member.get(f"patients/{practice_a.patient.id}")["Cache-Control"] == "no-store"
    assert as_member.get("patients/0")["Cache-Control"] == "no-store"
    assert as_member.post("patients", {})["Cache-Control"] == "no-store"
