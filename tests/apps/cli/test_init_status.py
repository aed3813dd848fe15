"""`openrcm init` on a migrated database, and `openrcm status`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management.base import CommandError

from openrcm.core.claims.status import ClaimStatus
from openrcm.operations.database import pending_migrations
from tests.apps.cli.helpers import run

pytestmark = pytest.mark.django_db


def test_init_on_an_up_to_date_database_does_nothing() -> None:
    assert pending_migrations() == []
    out = run("init")
    assert "up to date" in out
    assert "nothing to do" in out
    assert run("init") == out


def test_status_json_has_the_documented_shape(practice_a: Any, practice_b: Any) -> None:
    status = json.loads(run("status", "--json"))
    assert set(status) == {
        "practices",
        "patients",
        "encounters",
        "claims",
        "claims_by_status",
        "balances",
        "patient_responsibility_claims",
    }
    assert status["claims_by_status"] == status["claims"]
    assert status["balances"] == {"insurance": "0.00", "patient": "0.00"}
    assert status["patient_responsibility_claims"] == 0
    assert status["practices"] == 2
    assert status["patients"] == 2
    assert status["encounters"] == 2
    assert list(status["claims"]) == [s.value for s in ClaimStatus]
    assert status["claims"]["draft"] == 2
    assert sum(status["claims"].values()) == 2
    assert all(isinstance(v, int) for v in status["claims"].values())


def test_status_json_on_an_empty_database() -> None:
    status = json.loads(run("status", "--json"))
    assert status["practices"] == status["patients"] == status["encounters"] == 0
    assert set(status["claims"].values()) == {0}


def test_status_table_is_readable(practice_a: Any) -> None:
    out = run("status")
    assert "Practices" in out and "Encounters" in out
    assert "Draft" in out


def test_status_refuses_an_uninitialized_database(monkeypatch: pytest.MonkeyPatch) -> None:
    import openrcm.operations.commanding as commanding
    from openrcm.operations.database import DatabaseNotReady

    def not_ready() -> None:
        raise DatabaseNotReady("The database (x) is not initialized: run `openrcm init` first.")

    monkeypatch.setattr(commanding, "database_require_ready", not_ready)
    with pytest.raises(CommandError, match="openrcm init"):
        run("status", "--json")
