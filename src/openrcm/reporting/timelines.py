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
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import BooleanField, Case, DateField, F, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate

from openrcm.claims.models import Claim, ClaimStatusChange
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.reporting import Adjudication, AdjudicationOutcome, ClaimFact
from openrcm.posting.models import Denial, RemittanceClaim
from openrcm.reporting.models import ClaimTimeline
from openrcm.tenancy.models import Practice

__all__ = [
    "claim_facts_read",
    "claim_timelines_check",
    "claim_timelines_deferred",
    "claim_timelines_rebuild",
    "claim_timelines_refresh",
    "fact_of_timeline",
    "local_day",
    "practices_by_zone",
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
_CHUNK = 2000  # claim ids per read: a refresh of a 20,000-claim 835 reads in chunks

# Claim ids touched while refreshes are deferred (None: refresh at once).
_deferred: ContextVar[set[int] | None] = ContextVar("claim_timelines_deferred", default=None)


def practices_by_zone(practices: Iterable[Practice]) -> dict[str, list[int]]:
    """Practice ids grouped by time zone: each group's dates are truncated in its own zone."""
    zones: dict[str, list[int]] = defaultdict(list)
    for practice in practices:
        zones[practice.time_zone].append(practice.pk)
    return zones


def local_day(field: Any, zones: dict[str, list[int]]) -> Any:
    """``field`` (an aware datetime, or an expression of one) as the practice's own day: one
    expression whatever the number of practices (a CASE over their time zones when they
    differ), so the reads stay a fixed number of queries."""
    if len(zones) == 1:
        [name] = zones
        return TruncDate(field, tzinfo=ZoneInfo(name))
    return Case(
        *(
            When(practice_id__in=ids, then=TruncDate(field, tzinfo=ZoneInfo(name)))
            for name, ids in zones.items()
        ),
        output_field=DateField(),
    )


def claim_facts_read(
    practices: Sequence[Practice],
    *,
    since: date | None = None,
    claim_ids: Sequence[int] | None = None,
) -> list[ClaimFact]:
    """One fact per claim of ``practices`` (void ones left out), from the source tables.

    With ``claim_ids``, those claims only; with ``since``, only claims with anything on or
    after it (created, submitted, scrubbed or adjudicated; a day early for time zones)."""
    ids = [practice.pk for practice in practices]
    if not ids:
        return []
    zones = practices_by_zone(practices)
    if claim_ids is None:
        return _facts(ids, zones, since, None)
    wanted = sorted(set(claim_ids))
    facts: list[ClaimFact] = []
    for start in range(0, len(wanted), _CHUNK):
        facts += _facts(ids, zones, since, wanted[start : start + _CHUNK])
    return facts


def _claims_since(ids: list[int], since: date | None) -> Any:
    """The claims of ``ids`` (void ones left out) with anything a period from ``since`` on
    counts: created, submitted, scrubbed or adjudicated on or after it (a day early, which
    covers every time zone: a few claims too many change nothing, none is missed)."""
    claims = Claim.objects.filter(practice_id__in=ids).exclude(status=ClaimStatus.VOID.value)
    if since is None:
        return claims
    moment = dt.datetime.combine(since - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    sent = ClaimStatusChange.objects.filter(
        practice_id__in=ids, to_status=_SUBMITTED, at__gte=moment
    ).values("claim_id")
    paid = RemittanceClaim.objects.filter(
        Q(remittance__payment_date__gte=since) | Q(remittance__posted_at__gte=moment),
        practice_id__in=ids,
        claim__isnull=False,
    ).values("claim_id")
    return claims.filter(
        Q(created_at__gte=moment)
        | Q(scrub__first_scrubbed_at__gte=moment)
        | Q(pk__in=sent)
        | Q(pk__in=paid)
    )


def _facts(
    ids: list[int],
    zones: dict[str, list[int]],
    since: date | None,
    only: list[int] | None,
) -> list[ClaimFact]:
    """One fact per claim, from three narrow reads: the claims with their encounter, coverage
    and first scrub (no grouping), per claim its first submission and whether its first answer
    accepted it (grouped on the history table alone, compared in the database), and the
    adjudications. With ``only``, those claims' rows alone."""
    wanted = _claims_since(ids, since)
    history = ClaimStatusChange.objects.filter(practice_id__in=ids, to_status__in=_MILESTONES)
    if only is not None:
        wanted = wanted.filter(pk__in=only)
        history = history.filter(claim_id__in=only)
    adjudications = _adjudications(ids, zones, only)
    sent: dict[int, tuple[date, bool | None]] = {}
    first_sent = Min("at", filter=Q(to_status=_SUBMITTED))
    for claim_id, submitted, accepted in (
        # The practice (one per claim) is grouped on for the time-zone CASE to read it.
        history.values("claim_id", "practice_id")
        .annotate(
            first_sent=first_sent,
            acked=Min("at", filter=Q(to_status=_ACKNOWLEDGED)),
            rejected=Min("at", filter=Q(to_status=_REJECTED)),
        )
        .filter(first_sent__isnull=False)
        .annotate(
            submitted=local_day(first_sent, zones),
            # The first answer to the first submission: the 277CA's acceptance, or a rejection
            # (999 or 277CA), whichever came first; None while neither came.
            accepted=Case(
                When(acked__isnull=False, rejected__isnull=True, then=Value(True)),
                When(acked__lt=F("rejected"), then=Value(True)),
                When(rejected__isnull=False, then=Value(False)),
                default=Value(None),
                output_field=BooleanField(null=True),
            ),
        )
        .values_list("claim_id", "submitted", "accepted")
        .order_by()
    ):
        sent[claim_id] = (submitted, accepted)
    rows = (
        wanted.values_list(
            "id",
            "practice_id",
            "encounter__provider_id",
            "coverage__payer_id",
            "sequence",
            "encounter__date_of_service",
            "total_charge_cents",
            "frequency_code",
            "replaces_id",
        )
        .annotate(
            created=local_day("created_at", zones),
            scrubbed=local_day("scrub__first_scrubbed_at", zones),
            scrub_clean=F("scrub__first_clean"),
        )
        .order_by()
    )
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
        created,
        scrubbed,
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
                scrubbed,
                clean,
                done,
                paid_on,
                frequency in ("7", "8") or replaces is not None,
            )
        )
    return facts


def _adjudications(
    ids: list[int], zones: dict[str, list[int]], only: list[int] | None
) -> dict[int, list[tuple[Adjudication, bool]]]:
    """Per claim: its adjudications (835 claim payments posted, not reversals nor exceptions),
    each with whether it paid something."""
    posted = RemittanceClaim.objects.filter(
        practice_id__in=ids, claim__isnull=False, outcome__in=_ADJUDICATED
    )
    denials = Denial.objects.filter(practice_id__in=ids, remittance_claim__outcome__in=_ADJUDICATED)
    if only is not None:
        posted = posted.filter(claim_id__in=only)
        denials = denials.filter(remittance_claim__claim_id__in=only)
    # Denied amounts summed apart (denials are few): grouping every claim payment on a join
    # with its denials cost more than the rest of the read.
    denied_of = dict(
        denials.values_list("remittance_claim_id").annotate(total=Sum("cents")).order_by()
    )
    rows = (
        posted.annotate(
            on=Coalesce("remittance__payment_date", local_day("remittance__posted_at", zones))
        )
        .values_list("pk", "claim_id", "on", "outcome", "paid_cents")
        .order_by()
    )
    out: dict[int, list[tuple[Adjudication, bool]]] = defaultdict(list)
    for pk, claim_id, on, outcome, paid in rows:
        denied = denied_of.get(pk, 0)
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
    done = tuple(
        Adjudication(date.fromisoformat(on), AdjudicationOutcome(outcome), denied)
        for on, outcome, denied in adjudications
    )
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
        done,
        paid,
        is_replacement,
    )


TIMELINE_COLUMNS = ("claim_id", *_FIELDS)
"""The columns :func:`fact_of_timeline` reads, in its order."""


def _write(facts: Sequence[ClaimFact]) -> None:
    ClaimTimeline.objects.bulk_create(
        (ClaimTimeline(claim_id=fact.claim_id, **_values(fact)) for fact in facts),
        batch_size=500,
        update_conflicts=True,
        unique_fields=["claim"],
        update_fields=list(_FIELDS),
    )


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
    with transaction.atomic():
        practices = list(
            Practice.objects.filter(
                pk__in=Claim.objects.filter(pk__in=sorted(wanted)).values("practice_id")
            )
        )
        facts = claim_facts_read(practices, claim_ids=sorted(wanted))
        _write(facts)
        gone = wanted - {fact.claim_id for fact in facts}
        if gone:
            ClaimTimeline.objects.filter(claim_id__in=sorted(gone)).delete()


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
    _refresh(pending)


def claim_timelines_rebuild(*, practices: Sequence[Practice] | None = None) -> int:
    """Recompute every timeline of ``practices`` (default: all) from the source tables:
    for a database written other than through the services (a migration, the bench's book,
    the demo's re-dated days). Returns the number of rows written."""
    chosen = list(practices) if practices is not None else list(Practice.objects.all())
    with transaction.atomic():
        facts = claim_facts_read(chosen)
        ClaimTimeline.objects.filter(practice__in=chosen).exclude(
            claim_id__in=[fact.claim_id for fact in facts]
        ).delete()
        _write(facts)
    return len(facts)


def claim_timelines_check(*, practices: Sequence[Practice] | None = None) -> list[str]:
    """The differences between the stored timelines and the source tables, one line each
    naming the claim (empty when they agree)."""
    chosen = list(practices) if practices is not None else list(Practice.objects.all())
    expected = {fact.claim_id: _values(fact) for fact in claim_facts_read(chosen)}
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
    return problems
