"""The KPI engine: pure functions over line, claim and money facts for periods.

Each KPI is defined once, in :data:`~openrcm.core.reporting.formulas.FORMULAS` (printed beside
the number) and in :class:`KpiReport`'s field docs. :func:`kpi_report` computes one period;
:func:`monthly_trend` computes the last N calendar months in the same single pass over the
facts (each fact is read once, whatever the number of periods).

How it stays single-pass: every date the report needs (the periods' first days, the days after
their last days, the start of each trailing 3-month window) cuts time into segments; lines add
their charge to the segment of their date of service, money facts their amount to the segment
of their effective date; a period's sums are sums over its segments. A/R at a date is the
running sum of balance effects up to it, and a line's insurance A/R counts as over 90 days at a
date D only when its effect is in effect by D and its date of service is 91 days or more before
D, so each effect is added once at the first measured date it is "over 90" for.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from openrcm.core.money import cents_to_decimal
from openrcm.core.posting.entries import EntryKind
from openrcm.core.reporting.balances import EFFECTS, multipliers
from openrcm.core.reporting.claim_counts import ClaimCount, ClaimMeasure, claim_counts
from openrcm.core.reporting.facts import (
    Adjudication,
    AdjudicationOutcome,
    ClaimFact,
    LineFact,
    MoneyFact,
)
from openrcm.core.reporting.formulas import nearest_rank, ratio
from openrcm.core.reporting.periods import (
    check_period,
    days_in,
    last_months,
    trailing_window_start,
)

__all__ = ["KpiReport", "LagStats", "kpi_report", "monthly_trend"]


@dataclass(frozen=True, slots=True)
class LagStats:
    """A lag in whole days: how many claims were measured, the median and the 90th percentile
    (both nearest-rank, so always an observed value); ``None`` when nothing was measured."""

    count: int
    median_days: int | None
    p90_days: int | None

    @classmethod
    def of(cls, days: list[int]) -> LagStats:
        """The stats of ``days`` (any order)."""
        ordered = sorted(days)
        return cls(len(ordered), nearest_rank(ordered, 50), nearest_rank(ordered, 90))

    @classmethod
    def of_counts(cls, counts: Mapping[int, int]) -> LagStats:
        """The stats of a histogram: ``counts[days]`` claims had a lag of ``days``; the same
        figures as :meth:`of` over the list with each lag repeated that many times."""
        n = sum(counts.values())
        if n == 0:
            return cls(0, None, None)
        ordered = sorted(counts.items())

        def rank(percent: int) -> int:
            wanted = -(-percent * n // 100)  # nearest rank, as nearest_rank
            seen = 0
            for days, times in ordered:
                seen += times
                if seen >= wanted:
                    return days
            return ordered[-1][0]  # pragma: no cover (wanted <= n)

        return cls(n, rank(50), rank(90))


@dataclass(frozen=True, slots=True)
class KpiReport:
    """Every KPI of one period, with the counts and amounts behind each rate.

    Amounts are integer cents; rates are ``Decimal`` fractions rounded half up to 4 places
    (``None`` when there is nothing to divide by); ``days_in_ar`` is rounded to 0.1 day. The
    formulas are :data:`~openrcm.core.reporting.formulas.FORMULAS` under the same names.
    """

    period_start: date
    period_end: date
    as_of: date
    days_in_period: int
    # Charges and money in the period.
    charges_cents: int
    insurance_payments_cents: int
    patient_payments_cents: int
    refunds_cents: int
    contractual_adjustments_cents: int
    # A/R at the period's end and days in A/R (trailing 3 months).
    ar_end_insurance_cents: int
    ar_end_patient_cents: int
    ar_window_start: date
    ar_window_days: int
    ar_window_net_charges_cents: int
    days_in_ar: Decimal | None
    # Adjudications (835) in the period.
    claims_adjudicated: int
    claims_denied: int
    adjudicated_charges_cents: int
    denied_cents: int
    claims_first_adjudicated: int
    claims_resolved_first_pass: int
    # Scrubber and acknowledgments.
    claims_scrubbed: int
    claims_clean: int
    claims_answered: int
    claims_accepted_first_pass: int
    # Insurance A/R at the as-of date.
    insurance_ar_cents: int
    insurance_ar_over_90_cents: int
    insurance_ar_over_120_cents: int
    # Lags.
    charge_lag: LagStats
    submission_lag: LagStats
    payer_lag: LagStats

    @property
    def payments_cents(self) -> int:
        """Insurance payments + patient payments - refunds."""
        return self.insurance_payments_cents + self.patient_payments_cents - self.refunds_cents

    @property
    def net_charges_cents(self) -> int:
        """Charges - contractual adjustments, same period."""
        return self.charges_cents - self.contractual_adjustments_cents

    @property
    def ar_end_cents(self) -> int:
        """A/R at the period's last day: insurance + patient balances."""
        return self.ar_end_insurance_cents + self.ar_end_patient_cents

    @property
    def gross_collection_rate(self) -> Decimal | None:
        """Payments / charges."""
        return ratio(self.payments_cents, self.charges_cents)

    @property
    def net_collection_rate(self) -> Decimal | None:
        """Payments / (charges - contractual adjustments)."""
        return ratio(self.payments_cents, self.net_charges_cents)

    @property
    def denial_rate(self) -> Decimal | None:
        """Claims adjudicated in the period with a denial at claim level or on any line /
        claims adjudicated in the period."""
        return ratio(self.claims_denied, self.claims_adjudicated)

    @property
    def denial_rate_dollars(self) -> Decimal | None:
        """Amounts denied on the claims adjudicated in the period / their charges."""
        return ratio(self.denied_cents, self.adjudicated_charges_cents)

    @property
    def clean_claim_rate(self) -> Decimal | None:
        """Claims clean at their first scrub / claims first scrubbed in the period (CL-1)."""
        return ratio(self.claims_clean, self.claims_scrubbed)

    @property
    def first_pass_acceptance(self) -> Decimal | None:
        """Claims accepted on their first submission / claims first submitted in the period
        and answered (999 and 277CA)."""
        return ratio(self.claims_accepted_first_pass, self.claims_answered)

    @property
    def first_pass_resolution(self) -> Decimal | None:
        """Claims paid or moved wholly to patient responsibility at their first adjudication /
        claims first adjudicated in the period."""
        return ratio(self.claims_resolved_first_pass, self.claims_first_adjudicated)

    @property
    def ar_over_90(self) -> Decimal | None:
        """Insurance A/R with a date of service more than 90 days before the as-of date /
        insurance A/R."""
        return ratio(self.insurance_ar_over_90_cents, self.insurance_ar_cents)

    @property
    def ar_over_120(self) -> Decimal | None:
        """Insurance A/R with a date of service more than 120 days before the as-of date /
        insurance A/R."""
        return ratio(self.insurance_ar_over_120_cents, self.insurance_ar_cents)

    def as_dict(self) -> dict[str, str | int | None]:
        """The CLI's JSON: amounts as ``"0.00"`` strings, rates as ``"0.4215"`` strings,
        ``None`` (null) when there is nothing to divide by; lags in whole days."""

        def money(cents: int) -> str:
            return f"{cents_to_decimal(cents):.2f}"

        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "charges": money(self.charges_cents),
            "payments": money(self.payments_cents),
            "insurance_payments": money(self.insurance_payments_cents),
            "patient_payments": money(self.patient_payments_cents),
            "refunds": money(self.refunds_cents),
            "contractual_adjustments": money(self.contractual_adjustments_cents),
            "net_charges": money(self.net_charges_cents),
            "gross_collection_rate": text(self.gross_collection_rate),
            "net_collection_rate": text(self.net_collection_rate),
            "ar_end": money(self.ar_end_cents),
            "days_in_ar": text(self.days_in_ar),
            "denial_rate": text(self.denial_rate),
            "denial_rate_dollars": text(self.denial_rate_dollars),
            "clean_claim_rate": text(self.clean_claim_rate),
            "first_pass_acceptance": text(self.first_pass_acceptance),
            "first_pass_resolution": text(self.first_pass_resolution),
            "insurance_ar": money(self.insurance_ar_cents),
            "ar_over_90": text(self.ar_over_90),
            "ar_over_120": text(self.ar_over_120),
            "charge_lag_median": self.charge_lag.median_days,
            "charge_lag_p90": self.charge_lag.p90_days,
            "submission_lag_median": self.submission_lag.median_days,
            "submission_lag_p90": self.submission_lag.p90_days,
            "payer_lag_median": self.payer_lag.median_days,
            "payer_lag_p90": self.payer_lag.p90_days,
        }


def kpi_report(
    lines: Iterable[LineFact],
    claims: Iterable[ClaimFact],
    money: Iterable[MoneyFact],
    *,
    period_start: date,
    period_end: date,
    as_of: date | None = None,
    counts: Iterable[ClaimCount] = (),
) -> KpiReport:
    """Every KPI for the period ``period_start`` .. ``period_end`` (both included).

    ``as_of`` (default: ``period_end``) is the day the insurance A/R and its over-90 and
    over-120 shares are measured. Feed every fact of the practice(s) the report covers: days
    in A/R reads charges back to the trailing 3-month window's start, and A/R sums every money
    fact up to the period's end. Claims come as facts (``claims``), as pre-summed ``counts``
    (:mod:`~openrcm.core.reporting.claim_counts`, what a database groups), or both, each claim
    in one of them only.

    Raises:
        ValueError: the period ends before it starts; a line is fed twice; a money fact names
            an unknown line or claim, or has an unknown kind and bucket.
    """
    check_period(period_start, period_end)
    periods = [(period_start, period_end, as_of or period_end)]
    return _reports(lines, claims, money, periods, counts)[0]


def monthly_trend(
    lines: Iterable[LineFact],
    claims: Iterable[ClaimFact],
    money: Iterable[MoneyFact],
    *,
    through: date,
    months: int = 12,
    counts: Iterable[ClaimCount] = (),
) -> list[KpiReport]:
    """The KPIs of the ``months`` calendar months ending with ``through``'s month, oldest
    first, each measured as of its last day (the last month ends on ``through`` itself when
    ``through`` is not a month's last day). One pass over the facts for all months; claims
    as facts or pre-summed ``counts``, as :func:`kpi_report`."""
    periods = []
    for start, end in last_months(through, months):
        end = min(end, through)
        periods.append((start, end, end))
    return _reports(lines, claims, money, periods, counts)


# The ledger kinds the period sums read, by slot.
_INSURANCE_PAYMENT: Final = 0
_PATIENT_PAYMENT: Final = 1
_REFUND: Final = 2
_CONTRACTUAL: Final = 3
_SLOTS: Final[dict[str, int]] = {
    EntryKind.INSURANCE_PAYMENT.value: _INSURANCE_PAYMENT,
    EntryKind.PATIENT_PAYMENT.value: _PATIENT_PAYMENT,
    EntryKind.REFUND.value: _REFUND,
    EntryKind.CONTRACTUAL_ADJUSTMENT.value: _CONTRACTUAL,
}

# (kind, bucket) -> (period-sum slot or -1, insurance multiplier, patient multiplier).
_TABLE: Final[dict[tuple[str, str], tuple[int, int, int]]] = {
    key: (_SLOTS.get(key[0], -1), *unit) for key, unit in EFFECTS.items()
}

_DENIED: Final = frozenset(o.value for o in AdjudicationOutcome if o.denied)
_RESOLVED: Final = frozenset(o.value for o in AdjudicationOutcome if o.resolved)
_OVER_90: Final = 91  # "older than 90 days": 91 days and more
_OVER_120: Final = 121


class _PeriodClaims:
    """What the claim facts add up to in one period."""

    __slots__ = (
        "accepted",
        "adjudicated",
        "adjudicated_charges",
        "answered",
        "charge_lags",
        "clean",
        "denied",
        "denied_cents",
        "first_adjudicated",
        "payer_lags",
        "resolved",
        "scrubbed",
        "submission_lags",
    )

    def __init__(self) -> None:
        self.adjudicated = self.denied = self.adjudicated_charges = self.denied_cents = 0
        self.first_adjudicated = self.resolved = 0
        self.scrubbed = self.clean = self.answered = self.accepted = 0
        self.charge_lags: Counter[int] = Counter()  # lag in days -> claims
        self.submission_lags: Counter[int] = Counter()
        self.payer_lags: Counter[int] = Counter()


def _check_periods(periods: Sequence[tuple[date, date, date]]) -> None:
    for index, (start, end, _as_of) in enumerate(periods):
        check_period(start, end)
        if index and start <= periods[index - 1][1]:
            raise ValueError(
                f"periods must be in order and not overlap: {start.isoformat()} starts "
                f"before {periods[index - 1][1].isoformat()} ends"
            )


class _DayIndex:
    """Which slot a day falls in, by one dictionary lookup (dates cache their hash): built for
    every day from ``first`` to ``last``; days before map to ``before``, after to ``after``."""

    __slots__ = ("after", "before", "first", "slots")

    def __init__(
        self,
        first: int,
        last: int,
        slot_of: Callable[[int], int | None],
        before: int | None,
        after: int | None,
    ) -> None:
        self.first = date.fromordinal(first)
        self.before = before
        self.after = after
        self.slots: dict[date, int | None] = {
            date.fromordinal(o): slot_of(o) for o in range(first, last + 1)
        }

    def get(self, day: date) -> int | None:
        if day in self.slots:
            return self.slots[day]
        return self.before if day < self.first else self.after


def _reports(
    lines: Iterable[LineFact],
    claims: Iterable[ClaimFact],
    money: Iterable[MoneyFact],
    periods: Sequence[tuple[date, date, date]],
    counts: Iterable[ClaimCount] = (),
) -> list[KpiReport]:
    _check_periods(periods)
    starts = [start for start, _end, _as_of in periods]
    ends = [end for _start, end, _as_of in periods]
    windows = [trailing_window_start(end) for end in ends]

    # Segments: cut at every period start, the day after every period end, every window start.
    cuts = sorted(
        {d.toordinal() for d in starts}
        | {d.toordinal() + 1 for d in ends}
        | {d.toordinal() for d in windows}
    )
    segments = len(cuts) + 1  # segment k covers [cuts[k-1], cuts[k])
    segment_of = _DayIndex(
        cuts[0], cuts[-1], lambda o: bisect_right(cuts, o), before=0, after=len(cuts)
    )
    charges = [0] * segments
    sums = [[0] * segments for _ in range(4)]

    # Dates where balances are measured: every period end and every as-of date. A balance
    # effect counts at every measured date on or after its effective date.
    points = sorted({d.toordinal() for _s, end, as_of in periods for d in (end, as_of)})
    n_points = len(points) + 1
    ar_insurance = [0] * n_points
    ar_patient = [0] * n_points
    over_90 = [0] * n_points
    over_120 = [0] * n_points
    last_point = points[-1]
    first_day = min(cuts[0], points[0])
    point_of = _DayIndex(
        first_day, last_point, lambda o: bisect_left(points, o), before=0, after=None
    )

    # The period of a day (periods are in order and do not overlap).
    period_index: dict[date, int] = {}
    for number, (start, end) in enumerate(zip(starts, ends, strict=True)):
        for o in range(start.toordinal(), end.toordinal() + 1):
            period_index[date.fromordinal(o)] = number
    find = period_index.get

    # Lines: charges by date of service; remember each line's date of service.
    dos_of_line: dict[int, date] = {}
    count = 0
    segment = segment_of.get
    segment_slots = segment_of.slots
    for line in lines:
        service = line[4]
        dos_of_line[line[0]] = service
        count += 1
        seg = segment_slots.get(service)
        charges[seg if seg is not None else segment(service) or 0] += line[5]
    if len(dos_of_line) != count:
        raise ValueError("a charge line is fed more than once: each line counts once")

    # Claims: adjudications, scrubs, acknowledgments and lags, by the period of each event,
    # counted by day (claim facts are counted first: one code path for both sources).
    per_period = [_PeriodClaims() for _ in periods]
    dos_of_claim: dict[int, date] = {}
    facts = list(claims)
    for claim in facts:
        dos_of_claim[claim.claim_id] = claim.service_date
    for group in (*claim_counts(facts), *counts):
        _add_count(group, find, per_period)

    # Money: period sums by effective date; balance effects at the measured dates.
    table = _TABLE
    point = point_of.get
    point_slots = point_of.slots
    for fact in money:
        line_id, claim_id, kind, bucket_name, cents, effective, held = fact
        info = table.get((kind, bucket_name))
        if info is None:
            multipliers(fact)  # raises, naming the fact
            continue
        slot, unit_insurance, unit_patient = info
        if slot >= 0:
            seg = segment_slots.get(effective)
            sums[slot][seg if seg is not None else segment(effective) or 0] += cents
        if not (unit_insurance or unit_patient):
            continue
        at = point_slots[effective] if effective in point_slots else point(effective)
        if at is None:  # after the last measured date
            continue
        if held is None:
            if line_id is not None:
                held = dos_of_line.get(line_id)
            elif claim_id is not None:
                held = dos_of_claim.get(claim_id)
            if held is None:
                raise ValueError(
                    f"money fact {fact!r}: its charge line (or, claim-level, its claim) is not "
                    "among the line and claim facts"
                )
        if unit_patient:
            ar_patient[at] += unit_patient * cents
        if unit_insurance:
            insurance = unit_insurance * cents
            ar_insurance[at] += insurance
            eff = effective.toordinal()
            aged = held.toordinal() + _OVER_90
            over_90[at if aged <= eff else bisect_left(points, aged)] += insurance
            aged += _OVER_120 - _OVER_90
            over_120[at if aged <= eff else bisect_left(points, aged)] += insurance

    for series in (ar_insurance, ar_patient, over_90, over_120):
        for index in range(1, n_points):
            series[index] += series[index - 1]

    def segment_sum(series: list[int], first: date, last: date) -> int:
        return sum(
            series[bisect_right(cuts, first.toordinal()) : bisect_right(cuts, last.toordinal() + 1)]
        )

    reports = []
    for (start, end, as_of), window, claims_in in zip(periods, windows, per_period, strict=True):
        at_end = bisect_left(points, end.toordinal())
        at_as_of = bisect_left(points, as_of.toordinal())
        window_net = segment_sum(charges, window, end) - segment_sum(
            sums[_CONTRACTUAL], window, end
        )
        window_days = days_in(window, end)
        ar_end = ar_insurance[at_end] + ar_patient[at_end]
        reports.append(
            KpiReport(
                period_start=start,
                period_end=end,
                as_of=as_of,
                days_in_period=days_in(start, end),
                charges_cents=segment_sum(charges, start, end),
                insurance_payments_cents=segment_sum(sums[_INSURANCE_PAYMENT], start, end),
                patient_payments_cents=segment_sum(sums[_PATIENT_PAYMENT], start, end),
                refunds_cents=segment_sum(sums[_REFUND], start, end),
                contractual_adjustments_cents=segment_sum(sums[_CONTRACTUAL], start, end),
                ar_end_insurance_cents=ar_insurance[at_end],
                ar_end_patient_cents=ar_patient[at_end],
                ar_window_start=window,
                ar_window_days=window_days,
                ar_window_net_charges_cents=window_net,
                days_in_ar=_days_in_ar(ar_end, window_net, window_days),
                claims_adjudicated=claims_in.adjudicated,
                claims_denied=claims_in.denied,
                adjudicated_charges_cents=claims_in.adjudicated_charges,
                denied_cents=claims_in.denied_cents,
                claims_first_adjudicated=claims_in.first_adjudicated,
                claims_resolved_first_pass=claims_in.resolved,
                claims_scrubbed=claims_in.scrubbed,
                claims_clean=claims_in.clean,
                claims_answered=claims_in.answered,
                claims_accepted_first_pass=claims_in.accepted,
                insurance_ar_cents=ar_insurance[at_as_of],
                insurance_ar_over_90_cents=over_90[at_as_of],
                insurance_ar_over_120_cents=over_120[at_as_of],
                charge_lag=LagStats.of_counts(claims_in.charge_lags),
                submission_lag=LagStats.of_counts(claims_in.submission_lags),
                payer_lag=LagStats.of_counts(claims_in.payer_lags),
            )
        )
    return reports


def _days_in_ar(ar_cents: int, net_charges_cents: int, days: int) -> Decimal | None:
    """A/R / (net charges / days) = A/R * days / net charges, rounded half up to 0.1 day;
    ``None`` when the net charges are zero or negative."""
    if net_charges_cents <= 0:
        return None
    numerator = ar_cents * days * 10
    quotient, remainder = divmod(abs(numerator), net_charges_cents)
    if remainder * 2 >= net_charges_cents:
        quotient += 1
    return Decimal(-quotient if numerator < 0 else quotient).scaleb(-1)


def _add_count(
    count: ClaimCount, find: Callable[[date], int | None], per_period: list[_PeriodClaims]
) -> None:
    """Add one group of claims to the period its day falls in (see :class:`ClaimMeasure`)."""
    measure, day, n = count.measure, count.day, count.claims
    if measure == ClaimMeasure.READJUDICATED:
        for _ in range(n):
            _add_adjudications(count.adjudications, count.charge_cents, find, per_period)
        return
    index = find(day)
    if index is None:
        if measure not in _MEASURES:
            raise ValueError(f"claim count {count!r}: unknown measure {measure!r}")
        return
    bucket = per_period[index]
    if measure == ClaimMeasure.CREATED:
        bucket.charge_lags[_lag(count)] += n
    elif measure == ClaimMeasure.SUBMITTED:
        bucket.submission_lags[_lag(count)] += n
        if count.passed is not None:
            bucket.answered += n
            if count.passed:
                bucket.accepted += n
    elif measure == ClaimMeasure.PAID:
        bucket.payer_lags[_lag(count)] += n
    elif measure == ClaimMeasure.SCRUBBED:
        bucket.scrubbed += n
        if count.passed:
            bucket.clean += n
    elif measure == ClaimMeasure.ADJUDICATED:
        bucket.adjudicated += n
        bucket.adjudicated_charges += count.charge_cents
        bucket.first_adjudicated += n
        if count.outcome in _DENIED:
            bucket.denied += n
            bucket.denied_cents += count.denied_cents
        elif count.outcome in _RESOLVED:
            bucket.resolved += n
    else:
        raise ValueError(f"claim count {count!r}: unknown measure {measure!r}")


_MEASURES: Final = frozenset(m.value for m in ClaimMeasure)


def _lag(count: ClaimCount) -> int:
    if count.lag_days is None:
        raise ValueError(f"claim count {count!r}: a {count.measure} count needs its lag in days")
    return count.lag_days


def _add_adjudications(
    adjudications: tuple[Adjudication, ...],
    charge_cents: int,
    find: Callable[[date], int | None],
    per_period: list[_PeriodClaims],
) -> None:
    """Add one claim's adjudications to the periods they fall in: the claim counts once per
    period it was adjudicated in (denied if any of them denied, with the largest amount
    denied), and its first adjudication decides first-pass resolution in that one's period."""
    if len(adjudications) == 1:
        first = adjudications[0]
        index = find(first.on)
        if index is not None:
            bucket = per_period[index]
            bucket.adjudicated += 1
            bucket.adjudicated_charges += charge_cents
            bucket.first_adjudicated += 1
            if first.outcome in _DENIED:
                bucket.denied += 1
                bucket.denied_cents += first.denied_cents
            elif first.outcome in _RESOLVED:
                bucket.resolved += 1
        return
    first = adjudications[0]
    seen: dict[int, int] = {}  # period -> largest denied amount (-1: adjudicated, none denied)
    for adjudication in adjudications:
        if adjudication.on < first.on:
            first = adjudication
        index = find(adjudication.on)
        if index is None:
            continue
        denied = adjudication.denied_cents if adjudication.outcome in _DENIED else -1
        if seen.get(index, -2) < denied:
            seen[index] = denied
    for index, denied in seen.items():
        bucket = per_period[index]
        bucket.adjudicated += 1
        bucket.adjudicated_charges += charge_cents
        if denied >= 0:
            bucket.denied += 1
            bucket.denied_cents += denied
    index = find(first.on)
    if index is not None:
        per_period[index].first_adjudicated += 1
        if first.outcome in _RESOLVED:
            per_period[index].resolved += 1
