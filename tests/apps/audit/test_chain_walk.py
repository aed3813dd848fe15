"""The chain walk on its own (no database): any one change, removal or insertion is found,
and the row named is the one tampered with (Hypothesis)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from openrcm.audit.chain import (
    GENESIS_HASH,
    ChainHead,
    Problem,
    canonical_content,
    chain_hash,
    verify_chain,
)

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def build(n: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        row: dict[str, Any] = {
            "id": seq * 3,  # ids grow with seq, with gaps (rolled-back inserts)
            "seq": seq,
            "at": T0 + dt.timedelta(seconds=seq),
            "actor_id": 7,
            "actor_name": "alice",
            "practice_id": 1,
            "action": "read",
            "object_type": "patients.patient",
            "object_id": str(seq),
            "patient_id": seq,
            "request_id": f"req-{seq:08d}",
            "client_ip": "192.0.2.1",
            "outcome": "success",
            "detail": {"n": seq, "fields": ["a"]},
            "prev_hash": prev,
        }
        row["hash"] = chain_hash(row)
        prev = row["hash"]
        rows.append(row)
    return rows


def head_of(rows: list[dict[str, Any]]) -> ChainHead:
    return ChainHead(seq=rows[-1]["seq"], hash=rows[-1]["hash"])


def test_canonical_content_is_sorted_compact_json() -> None:
    row = build(1)[0]
    text = canonical_content(row).decode()
    assert text.startswith('{"action":"read","actor_id":7,')
    assert '"at":"2026-01-01T00:00:01.000000Z"' in text
    assert '"detail":{"fields":["a"],"n":1}' in text
    assert '"v":1' in text and " " not in text


def test_intact_chains_verify() -> None:
    for n in (0, 1, 2, 10):
        rows = build(n)
        result = verify_chain(rows, head_of(rows) if rows else None)
        assert result.ok and result.count == n


@settings(deadline=None)  # SHA-256 of a whole chain per example; no timing claims
@given(n=st.integers(2, 25), data=st.data())
def test_a_changed_field_is_named(n: int, data: st.DataObject) -> None:
    rows = build(n)
    head = head_of(rows)
    k = data.draw(st.integers(1, n))
    field = data.draw(
        st.sampled_from(["action", "object_id", "patient_id", "at", "detail", "actor_id"])
    )
    victim = rows[k - 1]
    victim[field] = {
        "action": "delete",
        "object_id": "x",
        "patient_id": 999_999,
        "at": victim["at"] + dt.timedelta(microseconds=1),
        "detail": {"n": -1},
        "actor_id": None,
    }[field]
    recompute = data.draw(st.booleans())
    if recompute:  # the forger knows the algorithm
        victim["hash"] = chain_hash(victim)
    result = verify_chain(rows, head)
    assert not result.ok
    assert (result.problem, result.seq, result.event_id) == (Problem.CHANGED, k, victim["id"])


@settings(deadline=None)  # SHA-256 of a whole chain per example; no timing claims
@given(n=st.integers(2, 25), data=st.data())
def test_removed_rows_are_named(n: int, data: st.DataObject) -> None:
    rows = build(n)
    head = head_of(rows)
    k = data.draw(st.integers(1, n))
    count = data.draw(st.integers(1, n - k + 1))
    del rows[k - 1 : k - 1 + count]
    result = verify_chain(rows, head)
    assert (result.problem, result.seq, result.event_id) == (Problem.REMOVED, k, None)


@settings(deadline=None)  # SHA-256 of a whole chain per example; no timing claims
@given(n=st.integers(1, 25), data=st.data())
def test_an_inserted_row_is_named(n: int, data: st.DataObject) -> None:
    rows = build(n)
    head = head_of(rows)
    k = data.draw(st.integers(0, n))  # insert after seq k
    prev_hash = rows[k - 1]["hash"] if k else GENESIS_HASH
    forged = {**rows[k - 1 if k else 0], "id": 10_000, "seq": k + 1, "prev_hash": prev_hash}
    forged["action"] = "delete"
    forged["hash"] = chain_hash(forged) if data.draw(st.booleans()) else "f" * 64
    for row in rows[k:]:  # renumber the rows after it (their hashes no longer match)
        row["seq"] += 1
    rows.insert(k, forged)
    result = verify_chain(rows, head)
    assert (result.problem, result.seq, result.event_id) == (Problem.INSERTED, k + 1, 10_000)


def test_anchor_catches_a_consistent_rewrite() -> None:
    rows = build(5)
    anchor = ChainHead(seq=2, hash=rows[1]["hash"])
    # Rewrite everything from seq 2 on, hashes and head included: only the anchor can tell.
    prev = rows[0]["hash"]
    for row in rows[1:]:
        row["object_id"] = "rewritten"
        row["prev_hash"] = prev
        row["hash"] = chain_hash(row)
        prev = row["hash"]
    assert verify_chain(rows, head_of(rows)).ok
    result = verify_chain(rows, head_of(rows), anchor=anchor)
    assert (result.problem, result.seq) == (Problem.CHANGED, 2)
