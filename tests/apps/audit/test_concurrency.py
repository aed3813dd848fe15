"""Concurrent writers keep one unbroken chain; `flush` (as Django's test framework uses it
between transactional tests) empties the trail and puts the triggers back."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections

from openrcm.audit import triggers
from openrcm.audit.models import AuditAction, AuditChainHead, AuditEvent
from openrcm.audit.selectors import audit_verify
from openrcm.audit.services import audit_record

WRITERS = 6
EACH = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "threads share SQLite's in-memory test database through its shared cache, whose "
            "table locks fail at once instead of waiting (test_cli_file_database covers SQLite "
            "with concurrent processes on a file)"
        )
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def write(n: int) -> None:
        try:
            barrier.wait()
            for i in range(EACH):
                audit_record(action=AuditAction.READ, object_type="t.t", object_id=f"{n}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    total = WRITERS * EACH
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    result = audit_verify()
    assert result.ok and result.count == total, str(result)


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_trail_and_restores_the_triggers() -> None:
    audit_record(action=AuditAction.LOGIN)
    before = triggers.installed(connection)
    assert before
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0 and AuditChainHead.objects.count() == 0
    assert triggers.installed(connection) == before
    assert audit_verify().ok
    event = audit_record(action=AuditAction.LOGIN)  # the chain starts again
    assert event.seq == 1
    assert audit_verify().ok


def test_sequential_writers_in_autocommit(transactional_db: Any) -> None:
    for _ in range(5):
        audit_record(action=AuditAction.LIST)
    assert audit_verify().count == 5
