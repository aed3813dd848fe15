"""Helpers for the audit tests: a few events, raw SQL as an attacker would write it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from openrcm.audit import triggers
from openrcm.audit.models import AuditAction, AuditEvent
from openrcm.audit.services import audit_record


def raw(sql: str, params: list[Any] | None = None) -> None:
    """Run one statement in its own savepoint (a refused statement leaves the test usable)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def drop_triggers() -> None:
    """What someone holding the database (or the SQLite file) can always do first."""
    triggers.uninstall(connection)


def row(seq: int) -> AuditEvent:
    return AuditEvent.objects.get(seq=seq)


@pytest.fixture
def five_events(db: Any, member: Any, practice_a: Any) -> list[AuditEvent]:
    world = practice_a
    return [
        audit_record(action=AuditAction.LOGIN, actor=member),
        audit_record(
            action=AuditAction.LIST,
            actor=member,
            practice=world.practice,
            object_type="patients.patient",
            detail={"count": 1},
        ),
        audit_record(action=AuditAction.READ, actor=member, target=world.patient),
        audit_record(
            action=AuditAction.UPDATE,
            actor=member,
            target=world.patient,
            detail={"fields": ["phone"]},
        ),
        audit_record(action=AuditAction.READ, actor=member, target=world.claim),
    ]
