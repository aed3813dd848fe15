"""The chain grows and verifies; the ORM and the database refuse changes; verify names the
first row that was changed, removed or inserted behind their back."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from django.db import IntegrityError, connection

from openrcm.audit import triggers
from openrcm.audit.chain import GENESIS_HASH, HASHED_FIELDS, ChainHead, Problem, chain_hash
from openrcm.audit.models import (
    AuditAction,
    AuditChainHead,
    AuditEvent,
    AuditImmutableError,
)
from openrcm.audit.selectors import audit_verify
from openrcm.audit.services import audit_record

from .conftest import drop_triggers, raw, row

pytestmark = pytest.mark.django_db


def test_empty_chain_verifies() -> None:
    result = audit_verify()
    assert result.ok and result.count == 0
    assert str(result) == "audit chain intact: 0 events"


def test_chain_grows_and_verifies(five_events: list[AuditEvent]) -> None:
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4, 5]
    first, *rest = AuditEvent.objects.order_by("seq")
    assert first.prev_hash == GENESIS_HASH
    previous = first
    for event in rest:
        assert event.prev_hash == previous.hash
        previous = event
    result = audit_verify()
    assert result.ok, str(result)
    assert str(result) == "audit chain intact: 5 events"
    assert (result.last_seq, result.last_hash) == (5, previous.hash)
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (5, previous.hash)


def test_hash_is_sha256_of_canonical_content(five_events: list[AuditEvent]) -> None:
    event = row(3)
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    assert event.hash == chain_hash(values)
    assert len(event.hash) == 64
    int(event.hash, 16)
    # The content includes the previous hash: the same row after another row hashes differently.
    assert chain_hash({**values, "prev_hash": GENESIS_HASH}) != event.hash
    assert hashlib.sha256(b"x").hexdigest() != event.hash


def test_event_fields(five_events: list[AuditEvent], member: Any, practice_a: Any) -> None:
    read_patient, read_claim = row(3), row(5)
    assert read_patient.actor_id == member.pk and read_patient.actor_name == "alice"
    assert read_patient.object_type == "patients.patient"
    assert read_patient.object_id == str(practice_a.patient.pk)
    assert read_patient.patient_id == practice_a.patient.pk
    assert read_patient.practice_id == practice_a.practice.pk
    assert read_claim.object_type == "claims.claim"
    assert read_claim.patient_id == practice_a.patient.pk  # through the claim's encounter
    assert read_claim.at.utcoffset().total_seconds() == 0
    assert row(1).at <= row(5).at
    assert row(4).detail == {"fields": ["phone"]}
    assert row(4).outcome == "success"


# -- the ORM refuses -----------------------------------------------------------------------------


def test_orm_refuses_save_of_a_stored_event(five_events: list[AuditEvent]) -> None:
    event = row(2)
    event.action = AuditAction.DELETE
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.save(update_fields=["action"])
    assert row(2).action == "list"


def test_orm_refuses_delete(five_events: list[AuditEvent]) -> None:
    with pytest.raises(AuditImmutableError):
        row(2).delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(seq=2).delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 5


def test_orm_refuses_update_and_bulk_writes(five_events: list[AuditEvent]) -> None:
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(seq=2).update(action="delete")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.bulk_update([row(2)], ["action"])
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.update_or_create(seq=2, defaults={"action": "delete"})
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.bulk_create([AuditEvent(seq=99, action="read")])
    assert audit_verify().ok


def test_orm_refuses_appends_around_the_chain(db: Any) -> None:
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.create(seq=1, action="read", prev_hash="0" * 64, hash="0" * 64)
    with pytest.raises(AuditImmutableError):
        AuditEvent(seq=1, action="read").save()
    assert AuditEvent.objects.count() == 0


# -- the database refuses ------------------------------------------------------------------------


def test_trigger_refuses_raw_update_and_delete(five_events: list[AuditEvent]) -> None:
    assert len(triggers.installed(connection)) == 2
    with pytest.raises(IntegrityError, match="append-only"):
        raw("UPDATE audit_auditevent SET action = 'delete' WHERE seq = 2")
    with pytest.raises(IntegrityError, match="append-only"):
        raw("DELETE FROM audit_auditevent WHERE seq = 2")
    with pytest.raises(IntegrityError, match="append-only"):
        raw("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 5
    assert audit_verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_trigger_refuses_truncate_on_postgresql(five_events: list[AuditEvent]) -> None:
    with pytest.raises(IntegrityError, match="append-only"):
        raw("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 5


# -- verify names what was done behind the triggers' back -----------------------------------------


def test_raw_update_of_content_is_named(five_events: list[AuditEvent]) -> None:
    drop_triggers()
    raw("UPDATE audit_auditevent SET object_id = '999' WHERE seq = 3")
    raw("UPDATE audit_auditevent SET action = 'list' WHERE seq = 4")
    result = audit_verify()
    assert not result.ok
    assert result.problem == Problem.CHANGED
    assert (result.seq, result.event_id) == (3, five_events[2].pk)
    assert str(result).startswith(f"audit chain broken at seq 3 (id {five_events[2].pk}): changed")


def test_raw_update_of_detail_json_is_named(five_events: list[AuditEvent]) -> None:
    drop_triggers()
    raw("UPDATE audit_auditevent SET detail = %s WHERE seq = 4", ['{"fields": ["address"]}'])
    result = audit_verify()
    assert (result.problem, result.seq) == (Problem.CHANGED, 4)


def test_rewritten_row_with_recomputed_hash_is_named(five_events: list[AuditEvent]) -> None:
    """A forger who knows the algorithm recomputes the row's hash: the next row's link breaks."""
    drop_triggers()
    event = row(3)
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    values["object_id"] = "999"
    raw(
        "UPDATE audit_auditevent SET object_id = '999', hash = %s WHERE seq = 3",
        [chain_hash(values)],
    )
    result = audit_verify()
    assert (result.problem, result.seq, result.event_id) == (Problem.CHANGED, 3, event.pk)
    assert "seq 4" in result.message


def test_rewritten_last_row_is_named_by_the_head(five_events: list[AuditEvent]) -> None:
    drop_triggers()
    event = row(5)
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    values["outcome"] = "denied"
    raw(
        "UPDATE audit_auditevent SET outcome = 'denied', hash = %s WHERE seq = 5",
        [chain_hash(values)],
    )
    result = audit_verify()
    assert (result.problem, result.seq) == (Problem.CHANGED, 5)
    assert "chain head" in result.message


def test_raw_delete_of_a_middle_row_names_the_gap(five_events: list[AuditEvent]) -> None:
    drop_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq = 3")
    result = audit_verify()
    assert not result.ok
    assert result.problem == Problem.REMOVED
    assert result.seq == 3 and result.event_id is None
    assert f"seq 3 missing after seq 2 (id {five_events[1].pk})" in result.message
    assert f"before seq 4 (id {five_events[3].pk})" in result.message
    assert str(result).startswith("audit chain broken at seq 3: removed")


def test_raw_delete_of_several_and_of_the_first_rows(five_events: list[AuditEvent]) -> None:
    drop_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq IN (2, 3)")
    assert audit_verify().message.startswith("seq 2-3 missing after seq 1")
    raw("DELETE FROM audit_auditevent WHERE seq = 1")
    result = audit_verify()
    assert (result.problem, result.seq) == (Problem.REMOVED, 1)
    assert "at the start of the chain" in result.message


def test_raw_delete_of_the_last_rows_is_named_by_the_head(five_events: list[AuditEvent]) -> None:
    drop_triggers()
    raw("DELETE FROM audit_auditevent WHERE seq >= 4")
    result = audit_verify()
    assert (result.problem, result.seq) == (Problem.REMOVED, 4)
    assert "seq 4-5 missing at the end" in result.message


def test_deleted_chain_head_is_reported(five_events: list[AuditEvent]) -> None:
    raw("DELETE FROM audit_auditchainhead")
    result = audit_verify()
    assert result.problem == Problem.HEAD and "head row is missing" in result.message


def _insert(values: dict[str, Any], hash_: str, pk: int | None = None) -> None:
    columns = [*HASHED_FIELDS, "hash"]
    params = [values[name] for name in HASHED_FIELDS] + [hash_]
    if pk is not None:
        columns.insert(0, "id")
        params.insert(0, pk)
    detail_at = columns.index("detail")
    params[detail_at] = json.dumps(params[detail_at])
    at = columns.index("at")
    params[at] = connection.ops.adapt_datetimefield_value(params[at])
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO audit_auditevent ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    raw(sql, params)


def test_forged_row_appended_with_a_made_up_hash_is_named(five_events: list[AuditEvent]) -> None:
    last = row(5)
    forged = {name: getattr(last, name) for name in HASHED_FIELDS}
    forged.update(seq=6, prev_hash=last.hash, action="read", object_id="12345")
    _insert(forged, "f" * 64)
    result = audit_verify()
    assert (result.problem, result.seq) == (Problem.INSERTED, 6)
    assert result.event_id == AuditEvent.objects.get(seq=6).pk
    assert "forged row" in result.message


def test_forged_row_appended_with_a_correct_hash_is_named(five_events: list[AuditEvent]) -> None:
    """Even a forger who hashes correctly did not move the chain head."""
    last = row(5)
    forged = {name: getattr(last, name) for name in HASHED_FIELDS}
    forged.update(seq=6, prev_hash=last.hash, action="delete", object_id="12345")
    _insert(forged, chain_hash(forged))
    result = audit_verify()
    assert (result.problem, result.seq) == (Problem.INSERTED, 6)
    assert "beyond the chain head" in result.message


def test_forged_row_slipped_into_the_middle_is_named(five_events: list[AuditEvent]) -> None:
    """Renumber seq 4.. up by one and insert a correctly hashed row at seq 4."""
    drop_triggers()
    raw("UPDATE audit_auditevent SET seq = seq + 100 WHERE seq >= 4")
    raw("UPDATE audit_auditevent SET seq = seq - 99 WHERE seq >= 100")
    third = row(3)
    forged = {name: getattr(third, name) for name in HASHED_FIELDS}
    forged.update(seq=4, prev_hash=third.hash, action="delete")
    _insert(forged, chain_hash(forged))
    forged_pk = AuditEvent.objects.get(seq=4).pk
    result = audit_verify()
    assert (result.problem, result.seq, result.event_id) == (Problem.INSERTED, 4, forged_pk)


def test_forged_first_row_is_named(db: Any) -> None:
    audit_record(action=AuditAction.LOGIN)
    drop_triggers()
    first = row(1)
    values = {name: getattr(first, name) for name in HASHED_FIELDS}
    values["prev_hash"] = "a" * 64
    raw(
        "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = 1",
        ["a" * 64, chain_hash(values)],
    )
    result = audit_verify()
    assert (result.problem, result.seq) == (Problem.INSERTED, 1)
    assert "genesis" in result.message


def test_anchor_catches_a_rewrite_of_the_whole_chain(five_events: list[AuditEvent]) -> None:
    anchor = ChainHead(seq=3, hash=row(3).hash)
    assert audit_verify(anchor=anchor).ok
    result = audit_verify(anchor=ChainHead(seq=3, hash="b" * 64))
    assert (result.problem, result.seq) == (Problem.CHANGED, 3)
    result = audit_verify(anchor=ChainHead(seq=9, hash="b" * 64))
    assert (result.problem, result.seq) == (Problem.REMOVED, 9)


def test_chain_continues_after_verify(five_events: list[AuditEvent]) -> None:
    assert audit_verify().ok
    audit_record(action=AuditAction.LOGOUT)
    result = audit_verify()
    assert result.ok and result.count == 6
