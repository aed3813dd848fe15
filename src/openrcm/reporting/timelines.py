"""Claim timelines (:class:`~openrcm.reporting.models.ClaimTimeline`): each claim's life as the
KPI engine reads it, recomputed from the source tables for the claims a write touched.

The source of truth stays where it is: the claim and its encounter and coverage, its status
history (first submission and the first answer to it), its first scrub, and the 835 claim
payments posted on it with their denials. :func:`claim_facts_read` reduces them to
:class:`~openrcm.core.reporting.ClaimFact` s (the one place those rules are written);
:func:`claim_timelines_refresh` stores them, one row per claim, for the claims given, and
every writer of those tables calls it in its own transaction (or inside
:func:`claim_timelines_deferred`, which refreshes once for a whole import). A void claim's
row is deleted: void claims count in no KPI. :func:`claim_timelines_check` compares every
row with the source tables (``openrcm report check``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Min, Q, Sum

from openrcm.claims.models import Claim, ClaimStatusChange
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.reporting import Adjudication, AdjudicationOutcome, ClaimFact
from openrcm.core.reporting.claim_counts import ClaimMeasure, claim_counts
from openrcm.posting.models import Denial, RemittanceClaim
from openrcm.posting.rows import among, chunks, rows_upsert
from openrcm.reporting.models import ClaimDayCount, ClaimTimeline
from openrcm.tenancy.models import Practice

__all__ = [
    "adjudications_of",
    "claim_facts_read",
    "claim_timelines_check",
    "claim_timelines_deferred",
    "claim_timelines_rebuild",
    "claim_timelines_refresh",
    "fact_of_timeline",
]

# The RemittanceClaim outcomes that are adjudications (reversals, exceptions are not).
_ADJUDICATED = (
    ClaimStatus.PAID.value,
    ClaimStatus.PARTIALLY_PAID.value,
    ClaimStatus.DENIED.value,
)
_SUBMITTED = ClaimStatus.SUBMITTED.value
_ACKNOWLEDGED = ClaimStatus.ACKNOWLEDGED.value
_REJECTED = ClaimStatus.REJECTED.value
# The statuses whose first time a claim fact needs: first submission and its first answer.
_MILESTONES = (_SUBMITTED, _ACKNOWLEDGED, _REJECTED)

# Claim ids touched while refreshes are deferred (None: refresh at once).
_deferred: ContextVar[set[int] | None] = ContextVar("claim_timelines_deferred", default=None)


def claim_facts_read(
    *, practices: Sequence[Practice] | None = None, claim_ids: Sequence[int] | None = None
) -> list[ClaimFact]:
    """One fact per claim (void ones left out) from the source tables: every claim of
    ``practices``, or the claims ``claim_ids`` (any practices), or with neither every claim.

    Dates are the practice's own days, converted here (``openrcm.core.dates`` rules: the
    instant in the practice's time zone), so the reads need no time-zone SQL."""
    if claim_ids is None:
        claims = Claim.objects.all()
        if practices is not None:
            claims = claims.filter(practice__in=practices)
        return _facts(claims, None)
    facts: list[ClaimFact] = []
    for chunk in chunks(sorted(set(claim_ids))):
        facts += _facts(Claim.objects.filter(among("id", chunk)), chunk)
    return facts


class _Days:
    """Each practice's own day of an instant (time zones read once, as practices appear)."""

    def __init__(self) -> None:
        self.zones: dict[int, ZoneInfo] = {}

    def learn(self, practice_ids: Iterable[int]) -> None:
        missing = set(practice_ids) - self.zones.keys()
        for pk, name in Practice.objects.filter(pk__in=sorted(missing)).values_list(
            "pk", "time_zone"
        ):
            self.zones[pk] = ZoneInfo(name)

    def day(self, practice_id: int, moment: dt.datetime | None) -> date | None:
        return None if moment is None else moment.astimezone(self.zones[practice_id]).date()


def _facts(claims: Any, only: Sequence[int] | None) -> list[ClaimFact]:
    """One fact per claim of the ``claims`` query (void ones left out), from four narrow
    reads: the claims with their encounter, coverage and first scrub; per claim its first
    submission and the first answer to it (grouped on the history table alone); its 835
    claim payments posted; their denied amounts. ``only``: the claims' ids, when the query is
    by id (the other reads then take the same ids)."""
    rows = list(
        claims.exclude(status=ClaimStatus.VOID.value)
        .values_list(
            "id",
            "practice_id",
            "encounter__provider_id",
            "coverage__payer_id",
            "sequence",
            "encounter__date_of_service",
            "total_charge_cents",
            "frequency_code",
            "replaces_id",
            "created_at",
            "scrub__first_scrubbed_at",
            "scrub__first_clean",
        )
        .order_by()
    )
    if not rows:
        return []
    days = _Days()
    days.learn({row[1] for row in rows})
    practice_ids = sorted(days.zones)
    history = ClaimStatusChange.objects.filter(
        practice_id__in=practice_ids, to_status__in=_MILESTONES
    )
    posted = RemittanceClaim.objects.filter(
        practice_id__in=practice_ids, claim__isnull=False, outcome__in=_ADJUDICATED
    )
    if only is not None:
        history = history.filter(among("claim_id", only))
        posted = posted.filter(among("claim_id", only))
    sent = _first_submissions(history, days)
    adjudications = _adjudications(posted, days)
    facts = []
    not_sent: tuple[None, None] = (None, None)
    for (
        claim_id,
        practice,
        provider,
        payer,
        sequence,
        dos,
        charge,
        frequency,
        replaces,
        created_at,
        scrubbed_at,
        clean,
    ) in rows:
        submitted, accepted = sent.get(claim_id, not_sent)
        mine = adjudications.get(claim_id)
        if mine is None:
            done: tuple[Adjudication, ...] = ()
            paid_on = None
        else:
            done = tuple(a for a, _paid in mine)
            paid_on = min((a.on for a, paid in mine if paid), default=None)
        created = days.day(practice, created_at)
        assert created is not None
        facts.append(
            ClaimFact(
                claim_id,
                practice,
                provider,
                payer,
                sequence,
                dos,
                charge,
                created,
                submitted,
                accepted,
                days.day(practice, scrubbed_at),
                clean,
                done,
                paid_on,
                frequency in ("7", "8") or replaces is not None,
            )
        )
    return facts


def _first_submissions(history: Any, days: _Days) -> dict[int, tuple[date, bool | None]]:
    """Per claim: the day of its first submission and the first answer to it: the 277CA's
    acceptance (True) or a rejection, 999 or 277CA (False), whichever came first; None while
    neither came."""
    sent: dict[int, tuple[date, bool | None]] = {}
    for claim_id, practice, first_sent, acked, rejected in (
        history.values("claim_id", "practice_id")
        .annotate(
            first_sent=Min("at", filter=Q(to_status=_SUBMITTED)),
            acked=Min("at", filter=Q(to_status=_ACKNOWLEDGED)),
            rejected=Min("at", filter=Q(to_status=_REJECTED)),
        )
        .filter(first_sent__isnull=False)
        .values_list("claim_id", "practice_id", "first_sent", "acked", "rejected")
        .order_by()
    ):
        if acked is not None and (rejected is None or acked < rejected):
            accepted: bool | None = True
        else:
            accepted = False if rejected is not None else None
        submitted = days.day(practice, first_sent)
        assert submitted is not None
        sent[claim_id] = (submitted, accepted)
    return sent


def _adjudications(posted: Any, days: _Days) -> dict[int, list[tuple[Adjudication, bool]]]:
    """Per claim: its adjudications (835 claim payments posted, not reversals nor exceptions),
    each with whether it paid something; effective on the 835's payment date (BPR16), else
    the practice's day it was posted."""
    rows = list(
        posted.values_list(
            "pk",
            "claim_id",
            "practice_id",
            "remittance__payment_date",
            "remittance__posted_at",
            "outcome",
            "paid_cents",
        ).order_by()
    )
    # Denied amounts summed apart (denials are few): grouping every claim payment on a join
    # with its denials cost more than the rest of the read.
    denied_of: dict[int, int] = {}
    for chunk in chunks([row[0] for row in rows]):
        denied_of.update(
            Denial.objects.filter(among("remittance_claim_id", chunk))
            .values_list("remittance_claim_id")
            .annotate(total=Sum("cents"))
            .order_by()
        )
    out: dict[int, list[tuple[Adjudication, bool]]] = defaultdict(list)
    for pk, claim_id, practice, payment_date, posted_at, outcome, paid in rows:
        denied = denied_of.get(pk, 0)
        on = payment_date or days.day(practice, posted_at)
        assert on is not None  # posted_at is required
        out[claim_id].append((Adjudication(on, _outcome(outcome, paid, denied), denied), paid > 0))
    return out


def _outcome(status: str, paid_cents: int, denied_cents: int) -> AdjudicationOutcome:
    """The core's outcome of a posted claim payment (see ``AdjudicationOutcome``)."""
    if status == ClaimStatus.DENIED.value:
        return AdjudicationOutcome.DENIED
    if status == ClaimStatus.PARTIALLY_PAID.value or denied_cents > 0:
        return AdjudicationOutcome.PARTIALLY_PAID if paid_cents > 0 else AdjudicationOutcome.DENIED
    if paid_cents > 0:
        return AdjudicationOutcome.PAID
    return AdjudicationOutcome.PATIENT_RESPONSIBILITY


# The columns a timeline row holds, in ClaimTimeline field order (the claim is the key).
_FIELDS = (
    "practice_id",
    "provider_id",
    "payer_id",
    "sequence",
    "is_replacement",
    "service_date",
    "charge_cents",
    "created_on",
    "charge_lag_days",
    "submitted_on",
    "submission_lag_days",
    "first_submission_accepted",
    "first_scrubbed_on",
    "first_scrub_clean",
    "first_paid_on",
    "payer_lag_days",
    "adjudication_count",
    "adjudicated_on",
    "outcome",
    "denied_cents",
    "adjudications",
)


def _values(fact: ClaimFact) -> dict[str, Any]:
    """A timeline row's values for ``fact`` (lags precomputed, so counts group on columns)."""
    done = sorted(fact.adjudications)
    only = done[0] if len(done) == 1 else None
    submitted = fact.submitted_on
    return {
        "practice_id": fact.practice_id,
        "provider_id": fact.provider_id,
        "payer_id": fact.payer_id,
        "sequence": fact.sequence,
        "is_replacement": fact.is_replacement,
        "service_date": fact.service_date,
        "charge_cents": fact.charge_cents,
        "created_on": fact.created_on,
        "charge_lag_days": (
            (fact.created_on - fact.service_date).days
            if fact.sequence == "P" and not fact.is_replacement
            else None
        ),
        "submitted_on": submitted,
        "submission_lag_days": None if submitted is None else (submitted - fact.created_on).days,
        "first_submission_accepted": fact.first_submission_accepted,
        "first_scrubbed_on": fact.first_scrubbed_on,
        "first_scrub_clean": fact.first_scrub_clean,
        "first_paid_on": fact.first_paid_on,
        "payer_lag_days": (
            (fact.first_paid_on - submitted).days
            if submitted is not None and fact.first_paid_on is not None
            else None
        ),
        "adjudication_count": len(done),
        "adjudicated_on": max((a.on for a in done), default=None),
        "outcome": only.outcome.value if only is not None else "",
        "denied_cents": only.denied_cents if only is not None else 0,
        "adjudications": [[a.on.isoformat(), a.outcome.value, a.denied_cents] for a in done],
    }


def fact_of_timeline(row: Sequence[Any]) -> ClaimFact:
    """The :class:`~openrcm.core.reporting.ClaimFact` of a timeline row read as
    ``("claim_id", *_FIELDS)`` (see :data:`TIMELINE_COLUMNS`)."""
    (
        claim_id,
        practice,
        provider,
        payer,
        sequence,
        is_replacement,
        service_date,
        charge,
        created,
        _charge_lag,
        submitted,
        _submission_lag,
        accepted,
        scrubbed,
        clean,
        paid,
        _payer_lag,
        _count,
        _on,
        _outcome_value,
        _denied,
        adjudications,
    ) = row
    return ClaimFact(
        claim_id,
        practice,
        provider,
        payer,
        sequence,
        service_date,
        charge,
        created,
        submitted,
        accepted,
        scrubbed,
        clean,
        adjudications_of(adjudications),
        paid,
        is_replacement,
    )


def adjudications_of(stored: Sequence[Sequence[Any]]) -> tuple[Adjudication, ...]:
    """A timeline's ``adjudications`` column (``[day, outcome, denied cents]`` each) as the
    core's :class:`~openrcm.core.reporting.Adjudication` s."""
    return tuple(
        Adjudication(date.fromisoformat(on), AdjudicationOutcome(outcome), denied)
        for on, outcome, denied in stored
    )


TIMELINE_COLUMNS = ("claim_id", *_FIELDS)
"""The columns :func:`fact_of_timeline` reads, in its order."""


def _write(facts: Sequence[ClaimFact]) -> None:
    """Insert or update the timeline rows of ``facts`` (one statement per chunk)."""
    rows_upsert(
        ClaimTimeline,
        ("claim_id", *_FIELDS),
        [(fact.claim_id, *_row(fact)) for fact in facts],
        key="claim_id",
    )


def _row(fact: ClaimFact) -> tuple[Any, ...]:
    values = _values(fact)
    values["adjudications"] = json.dumps(values["adjudications"])
    return tuple(values[name] for name in _FIELDS)


def claim_timelines_refresh(*, claim_ids: Iterable[int]) -> None:
    """Recompute the timelines of ``claim_ids`` from the source tables (a void claim's row is
    deleted), in the caller's transaction. Inside :func:`claim_timelines_deferred`, the ids
    are collected and refreshed once when the block ends."""
    wanted = set(claim_ids)
    if not wanted:
        return
    pending = _deferred.get()
    if pending is not None:
        pending |= wanted
        return
    _refresh(wanted)


def _refresh(wanted: set[int]) -> None:
    ids = sorted(wanted)
    with transaction.atomic():
        # The rows are locked before the source tables are read: a concurrent refresh of the
        # same claims waits, then reads what the first one's transaction committed. What they
        # held is taken back from the day counts, what they hold now added.
        old: list[ClaimFact] = []
        for chunk in chunks(ids):
            old += [
                fact_of_timeline(row)
                for row in ClaimTimeline.objects.select_for_update()
                .filter(among("claim_id", chunk))
                .order_by("claim_id")
                .values_list(*TIMELINE_COLUMNS)
            ]
        facts = claim_facts_read(claim_ids=ids)
        _write(facts)
        gone = sorted(wanted - {fact.claim_id for fact in facts})
        for chunk in chunks(gone):
            ClaimTimeline.objects.filter(among("claim_id", chunk)).delete()
        change = _day_counts(facts)
        for key, (claims, charge, denied) in _day_counts(old).items():
            now = change[key]
            change[key] = [now[0] - claims, now[1] - charge, now[2] - denied]
        _day_counts_add({key: value for key, value in change.items() if any(value)})


_CountKey = tuple[int, str, date, int, str, str]


def _day_counts(facts: Iterable[ClaimFact]) -> defaultdict[_CountKey, list[int]]:
    """The :class:`ClaimDayCount` rows ``facts`` add up to: key -> [claims, charge, denied]
    (claims adjudicated more than once left out: they are read whole)."""
    by_practice: defaultdict[int, list[ClaimFact]] = defaultdict(list)
    for fact in facts:
        by_practice[fact.practice_id].append(fact)
    out: defaultdict[_CountKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    again = ClaimMeasure.READJUDICATED.value
    for practice, group in by_practice.items():
        for count in claim_counts(group):
            if count.measure == again:
                continue
            passed = "" if count.passed is None else ("y" if count.passed else "n")
            key = (
                practice,
                count.measure,
                count.day,
                count.lag_days or 0,
                passed,
                count.outcome or "",
            )
            total = out[key]
            total[0] += count.claims
            total[1] += count.charge_cents
            total[2] += count.denied_cents
    return out


_COUNT_KEY = ("practice_id", "measure", "day", "lag_days", "passed", "outcome")
_COUNT_SUMS = ("claims", "charge_cents", "denied_cents")


def _day_counts_add(change: dict[_CountKey, list[int]]) -> None:
    """Add ``change`` to the stored day counts, creating missing rows; keys in sorted order,
    so two writers touching the same days wait for each other instead of deadlocking."""
    rows = [(*key, *change[key]) for key in sorted(change)]
    rows_upsert(ClaimDayCount, (*_COUNT_KEY, *_COUNT_SUMS), rows, key=_COUNT_KEY, add=_COUNT_SUMS)


def _day_counts_stored(practices: Sequence[Practice]) -> dict[_CountKey, list[int]]:
    return {
        tuple(row[:6]): list(row[6:])
        for row in ClaimDayCount.objects.filter(practice__in=practices)
        .exclude(claims=0, charge_cents=0, denied_cents=0)
        .values_list(*_COUNT_KEY, *_COUNT_SUMS)
        .order_by()
    }


@contextmanager
def claim_timelines_deferred() -> Iterator[None]:
    """Collect the refreshes asked for inside the block and run them once at its end (an 835
    of thousands of claims moves each claim several times). Nested blocks join the outer one.
    Use it inside the writer's transaction: the refresh is part of it."""
    if _deferred.get() is not None:
        yield
        return
    pending: set[int] = set()
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    if pending:
        _refresh(pending)


def claim_timelines_rebuild(*, practices: Sequence[Practice] | None = None) -> int:
    """Recompute every timeline of ``practices`` (default: all) from the source tables:
    for a database written other than through the services (a migration, the bench's book,
    the demo's re-dated days). Returns the number of rows written."""
    chosen = list(practices) if practices is not None else list(Practice.objects.all())
    with transaction.atomic():
        facts = claim_facts_read(practices=chosen)
        kept = {fact.claim_id for fact in facts}
        stale = [
            pk
            for pk in ClaimTimeline.objects.filter(practice__in=chosen).values_list(
                "claim_id", flat=True
            )
            if pk not in kept
        ]
        for chunk in chunks(stale):
            ClaimTimeline.objects.filter(among("claim_id", chunk)).delete()
        _write(facts)
        ClaimDayCount.objects.filter(practice__in=chosen).delete()
        _day_counts_add(_day_counts(facts))
    return len(facts)


def claim_timelines_check(*, practices: Sequence[Practice] | None = None) -> list[str]:
    """The differences between the stored timelines and the source tables, one line each
    naming the claim (empty when they agree)."""
    chosen = list(practices) if practices is not None else list(Practice.objects.all())
    facts = claim_facts_read(practices=chosen)
    expected = {fact.claim_id: _values(fact) for fact in facts}
    stored = {
        row[0]: dict(zip(_FIELDS, row[1:], strict=True))
        for row in ClaimTimeline.objects.filter(practice__in=chosen)
        .values_list(*TIMELINE_COLUMNS)
        .order_by("claim_id")
    }
    problems = []
    for claim_id in sorted(expected.keys() | stored.keys()):
        want, have = expected.get(claim_id), stored.get(claim_id)
        if have is None:
            problems.append(f"claim {claim_id}: no timeline row")
        elif want is None:
            problems.append(f"claim {claim_id}: a timeline row for a void or unknown claim")
        else:
            wrong = [name for name in _FIELDS if want[name] != have[name]]
            if wrong:
                shown = ", ".join(f"{n} {have[n]!r} (expected {want[n]!r})" for n in wrong)
                problems.append(f"claim {claim_id}: {shown}")
    counted = {key: value for key, value in _day_counts(facts).items() if any(value)}
    kept = _day_counts_stored(chosen)
    for key in sorted(counted.keys() | kept.keys()):
        want_counts, have_counts = counted.get(key, [0, 0, 0]), kept.get(key, [0, 0, 0])
        if want_counts != have_counts:
            practice, measure, day, lag, passed, outcome = key
            problems.append(
                f"day count of practice {practice}, {measure} on {day.isoformat()} (lag {lag}, "
                f"passed {passed!r}, outcome {outcome!r}): claims, charge, denied "
                f"{have_counts} (expected {want_counts})"
            )
    return problems
