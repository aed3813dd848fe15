"""The reporting core's facts, read from the database for one practice or several.

Reads only (``values()`` / ``values_list()``, no model instances), a fixed number of queries
whatever the number of practices and their time zones (docs/reporting.md, "Speed"):

* :func:`kpi_facts` gives what :func:`openrcm.core.reporting.kpi_report` and
  :func:`~openrcm.core.reporting.monthly_trend` read. Money and charges come **pre-summed**
  from the ledger's day sums (:class:`~openrcm.posting.models.LedgerDaySum`, kept by the
  ledger's writes): one money fact per kind, bucket, effective date and date of service, and
  one line fact per practice and date of service (standing for every line billed that day).
  Claims come **counted** from the claim timelines (:class:`~openrcm.reporting.models.
  ClaimTimeline`, one row per claim kept by the writers, ``reporting.timelines``): six
  ``GROUP BY`` s by measure and day (claims created by charge lag, first submitted by
  submission lag and first answer, first scrubbed clean or not, first paid by payer lag,
  adjudicated once by outcome; those adjudicated more than once one by one), a few thousand
  groups for a year of a large practice; or, for a drill-down (``per_claim``), one
  :class:`~openrcm.core.reporting.ClaimFact` per claim read from the same rows.
* :func:`aging_balances` gives each line's (and each claim's claim-level) balances as of a
  date: today's stored balances (:class:`~openrcm.posting.models.ChargeBalance`) less the
  effect of the entries effective after that date, for :func:`openrcm.core.reporting.aging`
  and its drill-down.

Dates are the practice's own days (its time zone), as the core expects. Tenancy: callers pass
practices they already hold (a command's ``--practice``) or :func:`practices_for_user`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any, Final

from django.db.models import Case, F, IntegerField, Q, Sum, Value, When

from openrcm.core.claims.status import ClaimStatus
from openrcm.core.posting.entries import EntryKind
from openrcm.core.reporting import (
    AdjudicationOutcome,
    BalanceFact,
    ClaimFact,
    KpiReport,
    LineFact,
    MoneyFact,
    claims_behind,
    kpi_report,
)
from openrcm.core.reporting.balances import EFFECTS
from openrcm.core.reporting.claim_counts import ClaimCount, ClaimMeasure
from openrcm.posting.models import ChargeBalance, LedgerDaySum, LedgerEntry
from openrcm.reporting.models import ClaimDayCount, ClaimTimeline
from openrcm.reporting.timelines import TIMELINE_COLUMNS, adjudications_of, fact_of_timeline
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import practice_ids_for

__all__ = [
    "KpiFacts",
    "aging_balances",
    "denied_claim_ids",
    "kpi_by_practice",
    "kpi_facts",
    "kpi_for",
    "practices_for_user",
]


@dataclass(frozen=True, slots=True)
class KpiFacts:
    """The facts the KPI engine reads for some practices: claims as pre-summed ``counts`` (the
    dashboard, the CLI), or with ``per_claim`` one :class:`ClaimFact` each (drill-down)."""

    lines: list[LineFact]
    claims: list[ClaimFact]
    money: list[MoneyFact]
    counts: list[ClaimCount] = field(default_factory=list)

    def report(self, *, start: date, end: date, as_of: date | None = None) -> KpiReport:
        """The KPIs of these facts for ``start`` .. ``end`` (``core.reporting.kpi_report``)."""
        return kpi_report(
            self.lines,
            self.claims,
            self.money,
            period_start=start,
            period_end=end,
            as_of=as_of,
            counts=self.counts,
        )


def practices_for_user(user: Any) -> list[Practice]:
    """The practices ``user`` may view (for a report across the practices they serve)."""
    return list(Practice.objects.filter(pk__in=practice_ids_for(user)).order_by("slug"))


def kpi_facts(
    practices: Sequence[Practice], *, since: date | None = None, per_claim: bool = False
) -> KpiFacts:
    """The line, money and claim facts of ``practices`` for the KPI engine (pre-summed, see
    the module docstring): a fixed number of queries, whatever the number of practices.

    With ``since`` (the first day of the earliest period the caller will report), claims with
    nothing on or after it are left out: they count in no such period. Money and charges are
    always read whole (A/R and the trailing window of days in A/R reach back)."""
    out = KpiFacts([], [], [], [])
    for facts in _facts_by_practice(practices, since, per_claim).values():
        out.lines.extend(facts.lines)
        out.claims.extend(facts.claims)
        out.money.extend(facts.money)
        out.counts.extend(facts.counts)
    return out


def _facts_by_practice(
    practices: Sequence[Practice], since: date | None, per_claim: bool = False
) -> dict[int, KpiFacts]:
    """:func:`kpi_facts` of each practice, read together."""
    ids = [practice.pk for practice in practices]
    out = {pk: KpiFacts([], [], [], []) for pk in ids}
    if not ids:
        return out
    _ledger_facts(ids, out)
    if per_claim:
        for fact in _timeline_facts(ids, since):
            out[fact.practice_id].claims.append(fact)
    else:
        for practice_id, count in _claim_counts(ids, since):
            out[practice_id].counts.append(count)
    return out


def _ledger_facts(ids: list[int], out: dict[int, KpiFacts]) -> None:
    """Money and charges from the ledger's day sums (:class:`~openrcm.posting.models.
    LedgerDaySum`, kept with the entries): one money fact per practice, kind, bucket, effective
    date and date of service, as stored; and one line fact per practice and date of service,
    its charges, standing for every line billed that day. A line fact's id is a stand-in
    (negative, unique among the facts) and its provider 0: the KPI engine reads neither when
    every money fact has its date of service, as these do."""
    charges: dict[tuple[int, date], int] = defaultdict(int)
    charge = EntryKind.CHARGE.value
    for practice, kind, bucket, cents, effective, served in (
        LedgerDaySum.objects.filter(practice_id__in=ids)
        .exclude(cents=0)
        .values_list("practice_id", "kind", "bucket", "cents", "effective_date", "service_date")
        .order_by()
    ):
        out[practice].money.append(MoneyFact(None, None, kind, bucket, cents, effective, served))
        if kind == charge:
            charges[(practice, served)] += cents
    for (practice, served), cents in sorted(charges.items()):
        line_id = -(practice * 1_000_000 + served.toordinal())
        out[practice].lines.append(LineFact(line_id, practice, 0, None, served, cents))


def _claim_counts(ids: list[int], since: date | None) -> Iterator[tuple[int, ClaimCount]]:
    """The claims of ``ids`` counted by measure and day (``core.reporting.claim_counts``), each
    with its practice: the day counts kept with the claim timelines
    (:class:`~openrcm.reporting.models.ClaimDayCount`), and the claims adjudicated more than
    once from their timelines (a partial index finds them). Two queries."""
    counted = ClaimDayCount.objects.filter(practice_id__in=ids).exclude(claims=0).order_by()
    if since is not None:
        counted = counted.filter(day__gte=since)
    lagged = _LAGGED
    for practice, measure, day, lag, passed, outcome, n, charges, denied in counted.values_list(
        "practice_id",
        "measure",
        "day",
        "lag_days",
        "passed",
        "outcome",
        "claims",
        "charge_cents",
        "denied_cents",
    ):
        yield (
            practice,
            ClaimCount(
                measure,
                day,
                n,
                lag if measure in lagged else None,
                None if not passed else passed == "y",
                outcome or None,
                charges,
                denied,
            ),
        )
    again = ClaimMeasure.READJUDICATED.value
    rows = ClaimTimeline.objects.filter(practice_id__in=ids, adjudication_count__gt=1)
    if since is not None:
        rows = rows.filter(adjudicated_on__gte=since)
    for practice, last, charge, done in rows.values_list(
        "practice_id", "adjudicated_on", "charge_cents", "adjudications"
    ).order_by():
        assert last is not None  # a claim adjudicated twice has a last adjudication
        yield (
            practice,
            ClaimCount(again, last, 1, charge_cents=charge, adjudications=adjudications_of(done)),
        )


_LAGGED: Final = frozenset(
    m.value for m in (ClaimMeasure.CREATED, ClaimMeasure.SUBMITTED, ClaimMeasure.PAID)
)


def _timeline_facts(ids: list[int], since: date | None) -> list[ClaimFact]:
    """One fact per claim of ``ids`` from the claim timelines (with ``since``, the claims with
    anything on or after it), for the drill-down's per-claim rules."""
    rows = ClaimTimeline.objects.filter(practice_id__in=ids)
    if since is not None:
        rows = rows.filter(
            Q(created_on__gte=since)
            | Q(submitted_on__gte=since)
            | Q(first_scrubbed_on__gte=since)
            | Q(first_paid_on__gte=since)
            | Q(adjudicated_on__gte=since)
        )
    return [
        fact_of_timeline(row) for row in rows.values_list(*TIMELINE_COLUMNS).order_by("claim_id")
    ]


def denied_claim_ids(practices: Sequence[Practice], *, start: date, end: date) -> list[int]:
    """The claims adjudicated with a denial in ``start`` .. ``end`` (the denial rate's
    numerator, ``claims_behind("denial_rate")``), read from the timelines: claims adjudicated
    once with a denied outcome, and those adjudicated more than once, checked whole."""
    denied = [o.value for o in AdjudicationOutcome if o.denied]
    rows = ClaimTimeline.objects.filter(
        Q(adjudication_count=1, outcome__in=denied, adjudicated_on__lte=end)
        | Q(adjudication_count__gt=1),
        practice__in=practices,
        adjudicated_on__gte=start,
    )
    facts = [fact_of_timeline(row) for row in rows.values_list(*TIMELINE_COLUMNS).order_by()]
    behind = claims_behind("denial_rate", facts, period_start=start, period_end=end)
    return sorted(behind.numerator)


def _effect_sum(side: int) -> Sum:
    """SUM of the entries' effect on one bucket (0 insurance, 1 patient): the core's
    ``effect()`` multipliers per kind and bucket, as a SQL CASE."""
    whens = [
        When(kind=kind, bucket=bucket, then=F("cents") * Value(unit[side]))
        for (kind, bucket), unit in EFFECTS.items()
        if unit[side]
    ]
    return Sum(Case(*whens, default=Value(0), output_field=IntegerField()))


def _nonzero() -> Q:
    """A stored balance that is not zero in both buckets."""
    return (
        Q(insurance_cents__lt=0)
        | Q(insurance_cents__gt=0)
        | Q(patient_cents__lt=0)
        | Q(patient_cents__gt=0)
    )


def aging_balances(practices: Sequence[Practice], as_of: date) -> list[BalanceFact]:
    """Each charge line's (and each claim's claim-level) insurance and patient balances as of
    ``as_of``; zero rows are left out. The payer is that of the latest claim carrying the line;
    ``claim_ids`` every claim that carries it.

    Read from the stored balances (:class:`~openrcm.posting.models.ChargeBalance`, kept with
    the entries), less the effect of the entries effective after ``as_of`` (none for today's
    aging; for a past date, only what was posted since): the same figures as summing every
    entry effective by then, reading the open lines only."""
    ids = [practice.pk for practice in practices]
    later = LedgerEntry.objects.filter(practice_id__in=ids, effective_date__gt=as_of).order_by()
    undo_lines = {
        line_id: (insurance, patient)
        for line_id, insurance, patient in later.filter(charge_line__isnull=False)
        .values_list("charge_line_id")
        .annotate(insurance=_effect_sum(0), patient=_effect_sum(1))
    }
    undo_claims = {
        claim_id: (insurance, patient)
        for claim_id, insurance, patient in later.filter(
            charge_line__isnull=True, claim__isnull=False
        )
        .values_list("claim_id")
        .annotate(insurance=_effect_sum(0), patient=_effect_sum(1))
    }
    stored = ChargeBalance.objects.filter(practice_id__in=ids).order_by()
    wanted_lines = _nonzero()
    if undo_lines:  # lines settled since as_of were open then
        moved = later.filter(charge_line__isnull=False).values("charge_line_id")
        wanted_lines |= Q(charge_line_id__in=moved)
    # One read: each open line with every claim line billing it (a row per claim, in claim
    # order; a line no claim bills comes once, with no claim). Two reads, the lines and then
    # their claims, cost twice as much.
    line_rows = (
        stored.filter(wanted_lines, charge_line__isnull=False)
        .values_list(
            "charge_line_id",
            "practice_id",
            "charge_line__encounter__provider_id",
            "charge_line__encounter__date_of_service",
            "insurance_cents",
            "patient_cents",
            "charge_line__claim_lines__claim_id",
            "charge_line__claim_lines__claim__status",
            "charge_line__claim_lines__claim__coverage__payer_id",
        )
        .order_by("charge_line_id", "charge_line__claim_lines__claim_id")
    )
    wanted_claims = _nonzero()
    if undo_claims:
        wanted_claims |= Q(claim_id__in=later.filter(charge_line__isnull=True).values("claim_id"))
    claim_rows = (
        stored.filter(wanted_claims, charge_line__isnull=True)
        .values_list(
            "claim_id",
            "practice_id",
            "claim__encounter__provider_id",
            "claim__encounter__date_of_service",
            "claim__coverage__payer_id",
            "insurance_cents",
            "patient_cents",
        )
        .order_by("claim_id")
    )
    facts = []
    no_change = (0, 0)
    void = ClaimStatus.VOID.value
    for line_id, group in groupby(line_rows, key=itemgetter(0)):
        rows = list(group)
        _line, practice, provider, dos, insurance, patient = rows[0][:6]
        undo = undo_lines.get(line_id, no_change)
        insurance -= undo[0]
        patient -= undo[1]
        if not (insurance or patient):
            continue
        carried = [
            (claim, payer) for *_head, claim, status, payer in rows
            if claim is not None and status != void
        ]  # fmt: skip
        facts.append(
            BalanceFact(
                line_id,
                tuple(claim for claim, _payer in carried),
                practice,
                provider,
                carried[-1][1] if carried else None,
                dos,
                insurance,
                patient,
            )
        )
    for claim_id, practice, provider, dos, payer, insurance, patient in claim_rows:
        undo = undo_claims.get(claim_id, no_change)
        insurance -= undo[0]
        patient -= undo[1]
        if insurance or patient:
            facts.append(
                BalanceFact(None, (claim_id,), practice, provider, payer, dos, insurance, patient)
            )
    return facts


def kpi_by_practice(
    practices: Sequence[Practice], *, start: date, end: date, as_of: date | None = None
) -> dict[int, KpiReport]:
    """The KPIs of each of ``practices`` apart (by practice id), read together: the same
    fixed number of queries for one practice or fifty (the across-practices dashboard)."""
    return {
        pk: facts.report(start=start, end=end, as_of=as_of)
        for pk, facts in _facts_by_practice(practices, start).items()
    }


def kpi_for(
    practices: Sequence[Practice], *, start: date, end: date, as_of: date | None = None
) -> KpiReport:
    """The KPIs of ``practices`` for ``start`` .. ``end`` (A/R shares measured at ``as_of``)."""
    return kpi_facts(practices, since=start).report(start=start, end=end, as_of=as_of)
