"""The hash chain, defined once: canonical content, the row hash, and the walk that verifies it.

Pure Python, no Django: `services.audit_record` hashes through `chain_hash`, and
`selectors.audit_verify` feeds the stored rows (in seq order) to `verify_chain`.

Each row's hash is SHA-256 over its canonical content, and that content includes `prev_hash`
(the previous row's hash, or `GENESIS_HASH` for seq 1). Changing any hashed field of a row, or
its place in the chain, breaks either its own hash or the next row's link.

What the walk tells, at the first row where something is wrong (rows in seq order):
- a seq lower than the one expected (duplicate, or before the start): that row was inserted;
- a row the next row links past, or whose id is newer than the next row's: inserted;
- a row whose content no longer matches its hash: changed (inserted, when the next row links
  past it or it lies past the chain head);
- a gap in seq: those rows were removed;
- a row whose hash is not the one the next row (or the chain head) recorded: rewritten;
- rows past the chain head, or a head past the last row: inserted / removed at the end.
An attacker who rewrites every later row and the head with correct hashes is not detectable
from the database alone; record `last_seq`/`last_hash` elsewhere and check them with `anchor`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

CHAIN_VERSION = 1
GENESIS_HASH = "0" * 64

# The fields of an event that its hash covers (everything but `id` and `hash` itself).
HASHED_FIELDS: tuple[str, ...] = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "practice_id",
    "action",
    "object_type",
    "object_id",
    "patient_id",
    "request_id",
    "client_ip",
    "outcome",
    "detail",
    "prev_hash",
)


def format_at(value: dt.datetime) -> str:
    """An aware datetime as UTC ISO 8601 with microseconds: 2026-01-31T14:05:09.123456Z."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("audit times must be timezone-aware")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no whitespace, ASCII only, no NaN: one text per value."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )


def canonical_content(fields: Mapping[str, Any]) -> bytes:
    """The bytes a row's hash covers: canonical JSON of the hashed fields and the version."""
    doc: dict[str, Any] = {"v": CHAIN_VERSION}
    for name in HASHED_FIELDS:
        value = fields[name]
        doc[name] = format_at(value) if name == "at" else value
    return canonical_json(doc).encode("ascii")


def chain_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the row's canonical content, which includes the previous row's hash."""
    return hashlib.sha256(canonical_content(fields)).hexdigest()


class Problem(StrEnum):
    CHANGED = "changed"  # a row's content or hash was altered
    REMOVED = "removed"  # rows are missing
    INSERTED = "inserted"  # a row that was never appended through the chain
    HEAD = "head"  # the chain head row is missing while events exist


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The single chain-head row: the seq and hash of the last appended event."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The outcome of walking the chain; on failure, the first broken row and what is wrong."""

    ok: bool
    count: int
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    problem: Problem | None = None
    seq: int | None = None
    event_id: int | None = None
    message: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.count} events"
        if self.seq is None:
            return f"audit chain broken: {self.problem}: {self.message}"
        where = f"seq {self.seq}" + (f" (id {self.event_id})" if self.event_id is not None else "")
        return f"audit chain broken at {where}: {self.problem}: {self.message}"


def _name(row: Mapping[str, Any]) -> str:
    return f"seq {row['seq']} (id {row['id']})"


def verify_chain(
    rows: Iterable[Mapping[str, Any]],
    head: ChainHead | None,
    *,
    anchor: ChainHead | None = None,
) -> VerifyResult:
    """Walk `rows` (mappings with `id`, `hash` and the HASHED_FIELDS, in seq order).

    `head` is the chain-head row read in the same snapshot (None when it is missing);
    `anchor` is an optional (seq, hash) recorded earlier outside the database.
    """
    count = 0
    prev: Mapping[str, Any] | None = None
    prevprev: Mapping[str, Any] | None = None
    beyond_head: Mapping[str, Any] | None = None
    anchor_seen = False

    def broken(
        problem: Problem, row: Mapping[str, Any] | None, message: str, **kw: Any
    ) -> VerifyResult:
        return VerifyResult(
            ok=False,
            count=count,
            last_seq=int(prev["seq"]) if prev else 0,
            last_hash=str(prev["hash"]) if prev else GENESIS_HASH,
            problem=problem,
            seq=kw.get("seq", int(row["seq"]) if row is not None else None),
            event_id=kw.get("event_id", int(row["id"]) if row is not None else None),
            message=message,
        )

    iterator = iter(rows)
    upcoming = next(iterator, None)
    while upcoming is not None:
        row, upcoming = upcoming, next(iterator, None)
        count += 1
        seq = int(row["seq"])
        expected_seq = int(prev["seq"]) + 1 if prev else 1
        if seq < expected_seq:
            return broken(
                Problem.INSERTED,
                row,
                f"out of sequence: expected seq {expected_seq} (row inserted)",
            )
        if prev is not None:
            # Signs that the previous row was slipped in: this row links past it, or it was
            # written (its id is newer) after this one. Checked before this row's own hash, as
            # renumbering the rows after an inserted one also breaks their hashes.
            skipped_to = str(prevprev["hash"]) if prevprev else GENESIS_HASH
            if row["prev_hash"] != prev["hash"] and row["prev_hash"] == skipped_to:
                return broken(
                    Problem.INSERTED,
                    prev,
                    f"the next row, {_name(row)}, links past it (row inserted)",
                )
            if int(row["id"]) <= int(prev["id"]):
                return broken(
                    Problem.INSERTED,
                    prev,
                    f"it was written after {_name(row)} yet comes before it (row inserted)",
                )
        if chain_hash(row) != row["hash"]:
            expected_prev = str(prev["hash"]) if prev else GENESIS_HASH
            if upcoming is not None and upcoming["prev_hash"] == expected_prev:
                return broken(
                    Problem.INSERTED,
                    row,
                    f"the next row, {_name(upcoming)}, links past it and its hash does not "
                    "match its content (forged row)",
                )
            if head is not None and seq > head.seq:
                return broken(
                    Problem.INSERTED,
                    row,
                    f"it lies beyond the chain head (seq {head.seq}) and its hash does not match "
                    "its content (forged row)",
                )
            return broken(
                Problem.CHANGED, row, "its content does not match its hash (changed in place)"
            )
        if seq > expected_seq:
            after = f"after {_name(prev)}" if prev else "at the start of the chain"
            missing = f"seq {expected_seq}" + (f"-{seq - 1}" if seq - 1 > expected_seq else "")
            return broken(
                Problem.REMOVED,
                None,
                f"{missing} missing {after}, before {_name(row)} (rows removed)",
                seq=expected_seq,
                event_id=None,
            )
        expected_prev = str(prev["hash"]) if prev else GENESIS_HASH
        if row["prev_hash"] != expected_prev:
            if prev is None:
                return broken(
                    Problem.INSERTED,
                    row,
                    "the first row does not link to the genesis hash (forged row)",
                )
            return broken(
                Problem.CHANGED,
                prev,
                f"its hash is not the one {_name(row)} recorded (row rewritten, hash recomputed)",
            )
        if anchor is not None and seq == anchor.seq:
            anchor_seen = True
            if row["hash"] != anchor.hash:
                return broken(
                    Problem.CHANGED,
                    row,
                    "its hash differs from the anchor recorded earlier (chain rewritten)",
                )
        if head is not None and beyond_head is None and seq > head.seq:
            beyond_head = row
        prevprev, prev = prev, row

    last_seq = int(prev["seq"]) if prev else 0
    last_hash = str(prev["hash"]) if prev else GENESIS_HASH
    if head is None:
        if count:
            return broken(
                Problem.HEAD,
                None,
                f"the chain head row is missing while {count} events exist "
                "(the last rows may have been removed)",
                seq=None,
                event_id=None,
            )
    elif beyond_head is not None:
        return broken(
            Problem.INSERTED,
            beyond_head,
            f"it lies beyond the chain head (seq {head.seq}): row inserted",
        )
    elif head.seq > last_seq:
        missing = f"seq {last_seq + 1}" + (f"-{head.seq}" if head.seq > last_seq + 1 else "")
        return broken(
            Problem.REMOVED,
            None,
            f"{missing} missing at the end: the chain head records seq {head.seq} (rows removed)",
            seq=last_seq + 1,
            event_id=None,
        )
    elif head.hash != last_hash and prev is not None:
        return broken(
            Problem.CHANGED,
            prev,
            "its hash differs from the chain head's (row rewritten, hash recomputed)",
        )
    if anchor is not None and not anchor_seen:
        return broken(
            Problem.REMOVED,
            None,
            f"the anchored row seq {anchor.seq} is not in the chain (rows removed)",
            seq=anchor.seq,
            event_id=None,
        )
    return VerifyResult(ok=True, count=count, last_seq=last_seq, last_hash=last_hash)
