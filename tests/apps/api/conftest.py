"""API test helpers: a JSON client that authenticates with a bearer token, and extra users."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from openrcm.accounts.services import token_create, user_create
from tests.apps.conftest import PASSWORD, PracticeWorld

API = "/api/v1"


class JsonClient:
    """Sends JSON to the API as one user (bearer token), or anonymously when key is None."""

    def __init__(self, client: Client, key: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def _send(self, method: str, path: str, body: Any = None, **query: Any) -> Any:
        url = path if path.startswith("/") else f"{API}/{path}"
        send = getattr(self.client, method)
        if method in ("get", "delete"):
            return send(url, query, headers=self.headers)
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        data = json.dumps({} if body is None else body)
        return send(url, data, content_type="application/json", headers=self.headers)

    def get(self, path: str, **query: Any) -> Any:
        return self._send("get", path, **query)

    def post(self, path: str, body: Any = None, **query: Any) -> Any:
        return self._send("post", path, body, **query)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._send("patch", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self._send("put", path, body)

    def delete(self, path: str) -> Any:
        return self._send("delete", path)


def json_client_for(client: Client, user: Any) -> JsonClient:
    _, key = token_create(user=user, name="tests")
    return JsonClient(client, key)


@pytest.fixture
def as_member(client: Client, member: Any) -> JsonClient:
    return json_client_for(client, member)


@pytest.fixture
def as_outsider(client: Client, outsider: Any, member: Any) -> JsonClient:
    return json_client_for(client, outsider)


@pytest.fixture
def as_nobody(client: Client, nobody: Any, member: Any, outsider: Any) -> JsonClient:
    return json_client_for(client, nobody)


@pytest.fixture
def as_anonymous(client: Client, member: Any, outsider: Any) -> JsonClient:
    return JsonClient(client, None)


@pytest.fixture
def practice_owner(practice_a: PracticeWorld) -> Any:
    return user_create(
        username="olivia", password=PASSWORD, practice=practice_a.practice, role="practice_owner"
    )


@pytest.fixture
def as_owner(client: Client, practice_owner: Any) -> JsonClient:
    return json_client_for(client, practice_owner)


@pytest.fixture
def coder(practice_a: PracticeWorld) -> Any:
    return user_create(
        username="cody", password=PASSWORD, practice=practice_a.practice, role="coder"
    )


@pytest.fixture
def as_coder(client: Client, coder: Any) -> JsonClient:
    return json_client_for(client, coder)


def field_errors(response: Any) -> dict[str | None, str]:
    """The 422 body as {field: message}; asserts the shape on the way."""
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == "Validation failed"
    return {error["field"]: error["message"] for error in body["errors"]}
