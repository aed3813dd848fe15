"""Who may call the API: bearer tokens (revocable) and the web session (with CSRF)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from openrcm.accounts.models import ApiToken
from openrcm.accounts.services import token_create, token_revoke
from openrcm.api.root import api
from tests.apps.api.conftest import API, JsonClient
from tests.apps.conftest import PracticeWorld


def _all_operations() -> list[tuple[str, str]]:
    """Every operation of the API, with any id in the path (unauthenticated: never looked up)."""
    paths = api.get_openapi_schema()["paths"]
    return [(method, re.sub(r"{\w+}", "1", path)) for path, ops in paths.items() for method in ops]


@pytest.mark.parametrize(("method", "url"), _all_operations())
def test_anonymous_gets_401_everywhere(
    as_anonymous: JsonClient, practice_a: PracticeWorld, method: str, url: str
) -> None:
    send = getattr(as_anonymous, method)
    response = send(url) if method in ("get", "delete") else send(url, {})
    assert response.status_code == 401, (url, response.content)
    assert response.json() == {"detail": "Unauthorized"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_bearer_token_works_and_records_use(
    client: Client, member: Any, practice_a: PracticeWorld
) -> None:
    token, key = token_create(user=member)
    response = client.get(f"{API}/patients", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response.json()["count"] == 1
    token.refresh_from_db()
    assert token.last_used_at is not None
    also = client.get(f"{API}/patients", HTTP_AUTHORIZATION=f"bearer {key}")
    assert also.status_code == 200


def test_revoked_token_is_refused(client: Client, member: Any, practice_a: PracticeWorld) -> None:
    token, key = token_create(user=member)
    token_revoke(token=token)
    response = client.get(f"{API}/patients", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked API token."}


@pytest.mark.parametrize("header", ["Bearer orcm_wrong", "Bearer ", "Bearer not-ours", "Token x"])
def test_bad_tokens_are_refused(
    client: Client, member: Any, practice_a: PracticeWorld, header: str
) -> None:
    response = client.get(f"{API}/patients", headers={"Authorization": header})
    assert response.status_code == 401


def test_token_of_inactive_user_is_refused(
    client: Client, member: Any, practice_a: PracticeWorld
) -> None:
    _, key = token_create(user=member)
    member.is_active = False
    member.save()
    response = client.get(f"{API}/patients", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401


def test_tokens_are_stored_hashed(member: Any) -> None:
    _, key = token_create(user=member)
    stored = ApiToken.objects.get(user=member)
    assert key not in (stored.key_hash, stored.prefix)


def test_a_bad_token_does_not_fall_back_to_the_session(
    client: Client, member: Any, practice_a: PracticeWorld
) -> None:
    client.force_login(member)
    assert client.get(f"{API}/patients").status_code == 200
    response = client.get(f"{API}/patients", headers={"Authorization": "Bearer orcm_revoked"})
    assert response.status_code == 401


def test_session_reads_need_no_csrf(member: Any, practice_a: PracticeWorld) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    assert browser.get(f"{API}/patients").json()["count"] == 1


def test_session_writes_need_the_csrf_token(member: Any, practice_a: PracticeWorld) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    url = f"{API}/patients/{practice_a.patient.id}"
    body = '{"city": "Peoria"}'
    refused = browser.patch(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    browser.get("/api/docs")  # a page that hands out the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.patch(
        url, body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["city"] == "Peoria"


def test_bearer_writes_need_no_csrf(member: Any, practice_a: PracticeWorld) -> None:
    _, key = token_create(user=member)
    script = Client(enforce_csrf_checks=True)
    response = script.patch(
        f"{API}/patients/{practice_a.patient.id}",
        '{"city": "Peoria"}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200
