"""Reads for the audit trail: filtered event lists, and the verification of the whole chain.

These are not scoped to a viewer: who may read the trail is decided by the caller (the Django
admin requires the audit.view_auditevent permission).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import QuerySet, Subquery

from openrcm.audit.chain import HASHED_FIELDS, ChainHead, VerifyResult, verify_chain
from openrcm.audit.models import AuditChainHead, AuditEvent


def _start(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError("date_from/date_to datetimes must be timezone-aware")
        return value
    return dt.datetime.combine(value, dt.time.min, tzinfo=dt.UTC)


def audit_events(
    *,
    user: Any = None,
    practice: Any = None,
    patient_id: int | None = None,
    date_from: dt.date | dt.datetime | None = None,
    date_to: dt.date | dt.datetime | None = None,
    action: str | None = None,
    outcome: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> QuerySet[AuditEvent]:
    """Events, newest first, filtered by acting `user`, practice, patient id, action, outcome,
    object, and time: `date_from`/`date_to` are inclusive; a date means that whole UTC day."""
    qs = AuditEvent.objects.all()
    if user is not None:
        qs = qs.filter(actor_id=getattr(user, "pk", user))
    if practice is not None:
        qs = qs.filter(practice_id=getattr(practice, "pk", practice))
    if patient_id is not None:
        qs = qs.filter(patient_id=patient_id)
    if date_from is not None:
        qs = qs.filter(at__gte=_start(date_from))
    if date_to is not None:
        if isinstance(date_to, dt.datetime):
            qs = qs.filter(at__lte=_start(date_to))
        else:
            qs = qs.filter(at__lt=_start(date_to + dt.timedelta(days=1)))
    if action:
        qs = qs.filter(action=action)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=str(object_id))
    return qs.order_by("-seq")


def audit_head(*, using: str = DEFAULT_DB_ALIAS) -> ChainHead | None:
    """The chain head (seq and hash of the last event), or None before the first event."""
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    return ChainHead(seq=head.last_seq, hash=head.last_hash) if head else None


def _rows(using: str, chunk_size: int) -> Any:
    # One statement reads the events and the chain head, so both come from the same snapshot
    # even while other connections keep appending.
    head = AuditChainHead.objects.using(using).filter(pk=1)
    return (
        AuditEvent.objects.using(using)
        .annotate(
            head_seq=Subquery(head.values("last_seq")[:1]),
            head_hash=Subquery(head.values("last_hash")[:1]),
        )
        .order_by("seq", "id")
        .values("id", "hash", *HASHED_FIELDS, "head_seq", "head_hash")
        .iterator(chunk_size=chunk_size)
    )


def audit_verify(
    *,
    using: str = DEFAULT_DB_ALIAS,
    anchor: ChainHead | None = None,
    chunk_size: int = 2000,
) -> VerifyResult:
    """Check the whole chain: every row's hash, every link, seq continuity and the chain head.

    `anchor`: a (seq, hash) recorded earlier outside the database (as printed by
    `openrcm audit verify`); the row at that seq must still carry that hash.
    The result names the first broken row and what is wrong with it.
    """
    for _attempt in range(2):
        rows = iter(_rows(using, chunk_size))
        first = next(rows, None)
        if first is None:
            head = audit_head(using=using)
            if head is not None and head.seq > 0 and _attempt == 0:
                continue  # an append may have landed between the two reads: look again
            return verify_chain([], head, anchor=anchor)
        head = (
            ChainHead(seq=int(first["head_seq"]), hash=str(first["head_hash"]))
            if first["head_seq"] is not None
            else None
        )
        return verify_chain(itertools.chain([first], rows), head, anchor=anchor)
    raise AssertionError("unreachable")
