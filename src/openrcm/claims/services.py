"""Writes for claims: built from encounters, moved only through the core state machine."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from openrcm.claims.models import Claim, ClaimLine, ClaimStatusChange
from openrcm.core.claims.state import InvalidTransition, transition
from openrcm.core.claims.status import ClaimStatus
from openrcm.encounters.models import ChargeLine, Encounter
from openrcm.patients.models import Coverage
from openrcm.posting.balance_keys import charge_balances_rekey
from openrcm.posting.rows import among, chunks
from openrcm.reporting.timelines import claim_timelines_deferred, claim_timelines_refresh
from openrcm.tenancy.models import Practice
from openrcm.tenancy.services import practice_next_number, practice_next_numbers

# Statuses in which the claim still mirrors its encounter and may be rebuilt from it.
EDITABLE = frozenset({ClaimStatus.DRAFT, ClaimStatus.READY})
SEQUENCE_BY_PRIORITY = {1: "P", 2: "S", 3: "T"}


def encounter_is_locked(*, encounter: Encounter) -> bool:
    """True once any claim of the encounter has left the editable statuses."""
    return (
        encounter.claims.exclude(status__in=[s.value for s in EDITABLE])
        .exclude(status=ClaimStatus.VOID.value)
        .exists()
    )


def _first_active(candidates: Iterable[Coverage], day: Any) -> Coverage | None:
    """The first of `candidates` (newest first) in force on `day`."""
    for coverage in candidates:
        if coverage.is_active_on(day):
            return coverage
    return None


def coverage_for_encounter(*, encounter: Encounter, priority: int = 1) -> Coverage | None:
    """The patient's coverage at `priority` in force on the date of service."""
    candidates = Coverage.objects.filter(
        patient_id=encounter.patient_id, priority=priority
    ).order_by("-effective_from")
    return _first_active(candidates, encounter.date_of_service)


def _pcn(practice_id: int, number: int) -> str:
    return f"{practice_id}C{number:08d}"


def _next_pcn(encounter: Encounter) -> str:
    number = practice_next_number(practice=encounter.practice, name="patient_control")
    return _pcn(encounter.practice_id, number)


def _record(claim: Claim, from_status: str, to_status: str, actor: Any, note: str) -> None:
    ClaimStatusChange.objects.create(
        practice_id=claim.practice_id,
        claim=claim,
        from_status=from_status,
        to_status=to_status,
        at=claim.status_changed_at,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
    )
    claim_timelines_refresh(claim_ids=[claim.pk])


def claim_sync_from_encounter(*, encounter: Encounter, actor: Any = None) -> Claim | None:
    """Create the primary claim of an encounter, or rebuild its lines while it is editable.

    Returns None when the patient has no primary coverage in force on the date of service
    (self-pay): nothing to bill to a payer.
    """
    # One timeline refresh for the claim's creation and its lines (reports).
    with transaction.atomic(), claim_timelines_deferred():
        claim = (
            encounter.claims.filter(sequence="P", status__in=[s.value for s in EDITABLE])
            .order_by("-id")
            .first()
        )
        lines = list(encounter.charge_lines.order_by("line_number"))
        total = sum(line.charge_cents for line in lines)
        if claim is None:
            if encounter.claims.filter(sequence="P").exists():
                return None  # the primary already left the editable statuses
            coverage = coverage_for_encounter(encounter=encounter)
            if coverage is None:
                return None
            now = timezone.now()
            claim = Claim.objects.create(
                practice_id=encounter.practice_id,
                encounter=encounter,
                coverage=coverage,
                sequence=SEQUENCE_BY_PRIORITY[coverage.priority],
                patient_control_number=_next_pcn(encounter),
                total_charge_cents=total,
                status=ClaimStatus.DRAFT.value,
                status_changed_at=now,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            _record(claim, "", ClaimStatus.DRAFT.value, actor, "Built from the encounter.")
        else:
            claim.lines.all().delete()
            claim.total_charge_cents = total
            claim.save(update_fields=["total_charge_cents"])
        ClaimLine.objects.bulk_create(
            ClaimLine(
                practice_id=encounter.practice_id,
                claim=claim,
                charge_line=line,
                line_number=line.line_number,
                charge_cents=line.charge_cents,
            )
            for line in lines
        )
        # A line's responsible payer (the aging's) is that of the latest claim carrying it.
        charge_balances_rekey(claim_ids=[claim.pk])
        claim_timelines_refresh(claim_ids=[claim.pk])  # its charge or date of service changed
    return claim


def claims_create_for_encounters(
    *, encounters: list[Encounter], actor: Any = None, now: dt.datetime | None = None
) -> list[Claim]:
    """Build the primary claims of newly recorded encounters in bulk, as
    `claim_sync_from_encounter` builds one: the coverage at priority 1 in force on the date of
    service, the charge lines as claim lines, a draft with its first history step. Encounters
    without such a coverage (self-pay) get no claim. For encounters that have no claim yet.
    ``now`` (default: the clock) stamps the drafts and their history (the demo's simulated days).
    """
    if not encounters:
        return []
    ids = [e.pk for e in encounters]
    if Claim.objects.filter(encounter_id__in=ids).exists():
        raise ValueError("claims_create_for_encounters is for encounters without claims")
    coverages: dict[int, list[Coverage]] = defaultdict(list)
    for coverage in Coverage.objects.filter(
        patient_id__in={e.patient_id for e in encounters}, priority=1
    ).order_by("patient_id", "-effective_from", "id"):
        coverages[coverage.patient_id].append(coverage)
    lines: dict[int, list[ChargeLine]] = defaultdict(list)
    for line in ChargeLine.objects.filter(encounter_id__in=ids).order_by(
        "encounter_id", "line_number"
    ):
        lines[line.encounter_id].append(line)
    billable = [
        (e, c)
        for e in encounters
        if (c := _first_active(coverages[e.patient_id], e.date_of_service)) is not None
    ]
    by_practice: dict[int, int] = defaultdict(int)
    for encounter, _ in billable:
        by_practice[encounter.practice_id] += 1
    numbers = {
        practice.pk: iter(
            practice_next_numbers(
                practice=practice, name="patient_control", count=by_practice[practice.pk]
            )
        )
        for practice in Practice.objects.filter(pk__in=by_practice).order_by("pk")
    }
    now = now or timezone.now()
    by = actor if getattr(actor, "pk", None) else None
    claims = [
        Claim(
            practice_id=encounter.practice_id,
            encounter=encounter,
            coverage=coverage,
            sequence=SEQUENCE_BY_PRIORITY[coverage.priority],
            patient_control_number=_pcn(
                encounter.practice_id, next(numbers[encounter.practice_id])
            ),
            total_charge_cents=sum(line.charge_cents for line in lines[encounter.pk]),
            status=ClaimStatus.DRAFT.value,
            status_changed_at=now,
            created_by=by,
        )
        for encounter, coverage in billable
    ]
    with transaction.atomic():
        Claim.objects.bulk_create(claims)
        ClaimStatusChange.objects.bulk_create(
            ClaimStatusChange(
                practice_id=claim.practice_id,
                claim=claim,
                from_status="",
                to_status=ClaimStatus.DRAFT.value,
                at=now,
                actor=by,
                note="Built from the encounter.",
            )
            for claim in claims
        )
        ClaimLine.objects.bulk_create(
            ClaimLine(
                practice_id=claim.practice_id,
                claim=claim,
                charge_line=line,
                line_number=line.line_number,
                charge_cents=line.charge_cents,
            )
            for claim in claims
            for line in lines[claim.encounter_id]
        )
        charge_balances_rekey(claim_ids=[claim.pk for claim in claims])
        claim_timelines_refresh(claim_ids=[claim.pk for claim in claims])
    return claims


def claim_transition(
    *,
    claim: Claim,
    to: ClaimStatus,
    actor: Any = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Claim:
    """Move a claim to `to` if the core state machine allows it; history is written alongside
    (at ``now``, default the clock)."""
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        try:
            new = transition(ClaimStatus(locked.status), to)
        except InvalidTransition as exc:
            raise ValidationError({"status": str(exc)}) from exc
        previous = locked.status
        locked.status = new.value
        locked.status_changed_at = now or timezone.now()
        locked.save(update_fields=["status", "status_changed_at"])
        _record(locked, previous, new.value, actor, note)
        if new == ClaimStatus.VOID:  # its lines' responsible payer falls back on another claim
            charge_balances_rekey(claim_ids=[locked.pk])
    claim.status = locked.status
    claim.status_changed_at = locked.status_changed_at
    return claim


class ClaimLike(Protocol):
    """A claim as a batch holds it: a model instance, or a lighter record with these fields."""

    pk: Any
    practice_id: Any
    status: Any
    status_changed_at: Any


_HISTORY_COLUMNS = ("practice_id", "claim_id", "from_status", "to_status", "at", "actor_id", "note")


def _history_insert(rows: list[tuple[Any, ...]]) -> None:
    """INSERT ClaimStatusChange rows as plain values, 500 to a statement: an 835 moves
    thousands of claims at once, and model instances for their history cost more than the
    move itself."""
    quote = connection.ops.quote_name
    head = (
        f"INSERT INTO {quote(ClaimStatusChange._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(c) for c in _HISTORY_COLUMNS)}) VALUES "
    )
    mark = "(" + ", ".join(["%s"] * len(_HISTORY_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            cursor.execute(head + ", ".join([mark] * len(chunk)), [v for row in chunk for v in row])


def claims_transition_many[C: ClaimLike](
    *,
    claims: Iterable[C],
    to: ClaimStatus,
    actor: Any = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> list[C]:
    """Move many claims to `to` at once (a scrub of a practice's batch), each through the core
    state machine as `claim_transition` moves one: rows locked, every move checked, history
    written alongside. A claim whose move is not allowed refuses the whole batch."""
    claims = list(claims)
    if not claims:
        return []
    now = now or timezone.now()
    by_id = actor.pk if getattr(actor, "pk", None) else None
    with transaction.atomic():
        ids = sorted(claim.pk for claim in claims)  # locked in one order: no deadlock
        current: dict[int, str] = {}
        for chunk in chunks(ids):
            current.update(
                Claim.objects.select_for_update()
                .filter(among("pk", chunk))
                .order_by("pk")
                .values_list("pk", "status")
            )
        for claim in claims:
            try:
                transition(ClaimStatus(current[claim.pk]), to)
            except InvalidTransition as exc:
                raise ValidationError({"status": f"{claim}: {exc}"}) from exc
        for chunk in chunks(ids):
            Claim.objects.filter(among("pk", chunk)).update(status=to.value, status_changed_at=now)
        at = connection.ops.adapt_datetimefield_value(now)
        _history_insert(
            [
                (claim.practice_id, claim.pk, current[claim.pk], to.value, at, by_id, note)
                for claim in claims
            ]
        )
        if to == ClaimStatus.VOID:
            charge_balances_rekey(claim_ids=ids)
        claim_timelines_refresh(claim_ids=ids)
    for claim in claims:
        claim.status = to.value
        claim.status_changed_at = now
    return claims
