"""Invariants of the reporting core, for any book Hypothesis makes up: the aging's buckets add
up to the A/R the ledger says, in total and per payer, provider and practice; balances as of a
date are the core ledger's balances of the entries in effect by then; a month of the trend is
the month reported alone; reversals are never counted twice."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.posting.entries import Bucket, Entry, EntryKind, PatientReason, balances
from openrcm.core.reporting import (
    BUCKETS,
    Adjudication,
    AdjudicationOutcome,
    ClaimFact,
    LagStats,
    LineFact,
    MoneyFact,
    aging,
    balances_as_of,
    claims_behind,
    kpi_report,
    monthly_trend,
)
from openrcm.core.reporting.balances import EFFECTS
from openrcm.core.reporting.claim_counts import claim_counts

START = date(2025, 6, 1)
DAYS = 400


def _day(offset: int) -> date:
    return START + timedelta(days=offset)


@st.composite
def books(draw: st.DrawFn) -> tuple[list[LineFact], list[ClaimFact], list[MoneyFact]]:
    n_lines = draw(st.integers(0, 8))
    lines = [
        LineFact(
            charge_line_id=i,
            practice_id=draw(st.sampled_from([1, 2])),
            provider_id=draw(st.sampled_from([10, 11, 12])),
            payer_id=draw(st.sampled_from([100, 200, None])),
            service_date=_day(draw(st.integers(0, DAYS))),
            charge_cents=draw(st.integers(0, 100_000)),
            claim_ids=(i,),
        )
        for i in range(1, n_lines + 1)
    ]
    claims = [
        ClaimFact(
            claim_id=100 + i,
            practice_id=1,
            provider_id=10,
            payer_id=100,
            sequence="P",
            service_date=_day(draw(st.integers(0, DAYS))),
            charge_cents=1000,
            created_on=_day(draw(st.integers(0, DAYS))),
        )
        for i in range(draw(st.integers(0, 2)))
    ]
    holders: list[tuple[int | None, int | None]] = [(line.charge_line_id, 1) for line in lines]
    holders += [(None, claim.claim_id) for claim in claims]
    money: list[MoneyFact] = []
    if holders:
        for _ in range(draw(st.integers(0, 30))):
            line_id, claim_id = draw(st.sampled_from(holders))
            kind, bucket = draw(st.sampled_from(sorted(EFFECTS)))
            cents = draw(st.integers(-50_000, 50_000).filter(bool))
            money.append(
                MoneyFact(line_id, claim_id, kind, bucket, cents, _day(draw(st.integers(0, DAYS))))
            )
    return lines, claims, money


def _entry(fact: MoneyFact) -> Entry:
    kind = EntryKind(fact.kind)
    reason = (
        PatientReason.OTHER
        if kind in (EntryKind.TRANSFER_TO_PATIENT, EntryKind.TRANSFER_TO_NEXT_PAYER)
        else None
    )
    return Entry(kind, fact.cents, Bucket(fact.bucket), reason=reason)


@given(books(), st.integers(0, DAYS + 30))
def test_aging_buckets_add_up_to_the_ledgers_ar(
    book: tuple[list[LineFact], list[ClaimFact], list[MoneyFact]], offset: int
) -> None:
    lines, claims, money = book
    as_of = _day(offset)
    rows = balances_as_of(lines, claims, money, as_of)
    expected = balances(_entry(f) for f in money if f.effective_date <= as_of)
    assert sum(r.insurance_cents for r in rows) == expected.insurance_cents
    assert sum(r.patient_cents for r in rows) == expected.patient_cents
    report = aging(rows, as_of)
    assert report.total.insurance_cents == expected.insurance_cents
    assert report.total.patient_cents == expected.patient_cents
    for grouping in (report.by_payer, report.by_provider, report.by_practice):
        for side in ("insurance", "patient"):
            for index in range(5):
                assert (
                    sum(getattr(row, side)[index].cents for row in grouping.values())
                    == getattr(report.total, side)[index].cents
                )
    # Each balance is in exactly one cell per side; a cell's drill-down adds up to the cell.
    for side in ("insurance", "patient"):
        seen: list[int] = []
        for index, bucket in enumerate(BUCKETS):
            drilled = report.drill_down(side, bucket)
            assert drilled.cents == getattr(report.total, side)[index].cents
            seen += drilled.claim_ids
        open_rows = [r for r in rows if getattr(r, f"{side}_cents")]
        assert sorted(seen) == sorted(r.claim_ids[0] for r in open_rows)
    kpis = kpi_report(lines, claims, money, period_start=_day(0), period_end=as_of)
    assert kpis.ar_end_cents == expected.total_cents
    assert kpis.insurance_ar_cents == expected.insurance_cents
    over_90 = sum(cell.cents for cell in report.total.insurance[3:])
    assert kpis.insurance_ar_over_90_cents == over_90
    assert kpis.insurance_ar_over_120_cents == report.total.insurance[4].cents


@given(books(), st.integers(1, 14))
def test_a_month_of_the_trend_is_the_month_alone(
    book: tuple[list[LineFact], list[ClaimFact], list[MoneyFact]], months: int
) -> None:
    lines, claims, money = book
    through = _day(DAYS)
    trend = monthly_trend(lines, claims, money, through=through, months=months)
    assert len(trend) == months
    for month in trend:
        alone = kpi_report(
            lines, claims, money, period_start=month.period_start, period_end=month.period_end
        )
        assert alone == month
    # The months' sums add up to the sums over the whole span.
    whole = kpi_report(lines, claims, money, period_start=trend[0].period_start, period_end=through)
    assert sum(m.charges_cents for m in trend) == whole.charges_cents
    assert sum(m.payments_cents for m in trend) == whole.payments_cents
    assert sum(m.contractual_adjustments_cents for m in trend) == (
        whole.contractual_adjustments_cents
    )


@given(
    st.lists(
        st.tuples(st.integers(1, 100_000), st.integers(0, DAYS), st.integers(0, 60), st.booleans()),
        max_size=20,
    )
)
def test_reversals_are_never_counted_twice(
    payments: list[tuple[int, int, int, bool]],
) -> None:
    line = LineFact(1, 1, 10, 100, START, 10_000_000, (1,))
    money = []
    kept = 0
    for cents, day, delay, reversed_ in payments:
        money.append(MoneyFact(1, 1, "insurance_payment", "insurance", cents, _day(day)))
        if reversed_:
            money.append(
                MoneyFact(1, 1, "insurance_payment", "insurance", -cents, _day(day + delay))
            )
        else:
            kept += cents
    report = kpi_report([line], [], money, period_start=START, period_end=_day(DAYS + 60))
    assert report.insurance_payments_cents == report.payments_cents == kept


@given(books(), st.integers(0, DAYS))
def test_pre_summed_money_gives_the_same_kpis(
    book: tuple[list[LineFact], list[ClaimFact], list[MoneyFact]], offset: int
) -> None:
    lines, claims, money = book
    dos = {("line", line.charge_line_id): line.service_date for line in lines}
    dos.update({("claim", claim.claim_id): claim.service_date for claim in claims})
    grouped: dict[tuple[str, str, date, date], int] = {}
    for fact in money:
        holder = (
            ("line", fact.charge_line_id)
            if fact.charge_line_id is not None
            else ("claim", fact.claim_id)
        )
        key = (fact.kind, fact.bucket, fact.effective_date, dos[holder])  # type: ignore[index]
        grouped[key] = grouped.get(key, 0) + fact.cents
    summed = [
        MoneyFact(None, None, kind, bucket, cents, effective, service)
        for (kind, bucket, effective, service), cents in grouped.items()
        if cents
    ]
    period = {"period_start": _day(offset // 2), "period_end": _day(offset)}
    assert kpi_report(lines, claims, summed, **period) == kpi_report(lines, claims, money, **period)


_OUTCOMES = st.sampled_from(list(AdjudicationOutcome))


@st.composite
def claim_lists(draw: st.DrawFn) -> list[ClaimFact]:
    def day() -> date | None:
        return draw(st.none() | st.integers(0, DAYS).map(_day))

    claims = []
    for claim_id in range(draw(st.integers(0, 12))):
        adjudications = tuple(
            Adjudication(
                _day(draw(st.integers(0, DAYS))), draw(_OUTCOMES), draw(st.integers(0, 900))
            )
            for _ in range(draw(st.integers(0, 3)))
        )
        claims.append(
            ClaimFact(
                claim_id=claim_id,
                practice_id=1,
                provider_id=10,
                payer_id=100,
                sequence=draw(st.sampled_from(["P", "S"])),
                service_date=_day(draw(st.integers(0, DAYS))),
                charge_cents=draw(st.integers(0, 5000)),
                created_on=_day(draw(st.integers(0, DAYS))),
                submitted_on=day(),
                first_submission_accepted=draw(st.none() | st.booleans()),
                first_scrubbed_on=day(),
                first_scrub_clean=draw(st.none() | st.booleans()),
                adjudications=adjudications,
                first_paid_on=day(),
                is_replacement=draw(st.booleans()),
            )
        )
    return claims


@given(claim_lists(), st.integers(0, DAYS), st.integers(0, 90))
def test_the_claims_behind_a_number_are_the_ones_it_counted(
    claims: list[ClaimFact], offset: int, length: int
) -> None:
    period = {"period_start": _day(offset), "period_end": _day(offset + length)}
    report = kpi_report([], claims, [], **period)

    def counts(metric: str) -> tuple[int, int]:
        found = claims_behind(metric, claims, **period)
        return len(found.numerator), len(found.denominator)

    assert counts("denial_rate") == (report.claims_denied, report.claims_adjudicated)
    assert counts("first_pass_resolution") == (
        report.claims_resolved_first_pass,
        report.claims_first_adjudicated,
    )
    assert counts("clean_claim_rate") == (report.claims_clean, report.claims_scrubbed)
    assert counts("first_pass_acceptance") == (
        report.claims_accepted_first_pass,
        report.claims_answered,
    )
    assert counts("charge_lag")[1] == report.charge_lag.count
    assert counts("submission_lag")[1] == report.submission_lag.count
    assert counts("payer_lag")[1] == report.payer_lag.count


@given(st.lists(st.integers(0, 400), max_size=60))
def test_lag_stats_of_a_histogram_are_those_of_the_list(days: list[int]) -> None:
    assert LagStats.of_counts(Counter(days)) == LagStats.of(days)


@given(claim_lists(), st.integers(0, 12), st.integers(0, DAYS))
def test_claims_as_counts_give_the_same_kpis_as_claims_as_facts(
    claims: list[ClaimFact], split: int, through: int
) -> None:
    """Pre-summed counts (what the database groups) stand for the claims they count, alone or
    beside other claims fed as facts."""
    end = _day(through)
    facts, counted = claims[:split], claim_counts(claims[split:])
    for start in (_day(0), end.replace(day=1)):
        whole = kpi_report([], claims, [], period_start=start, period_end=end)
        mixed = kpi_report([], facts, [], period_start=start, period_end=end, counts=counted)
        assert mixed == whole
    assert monthly_trend([], facts, [], through=end, counts=counted) == monthly_trend(
        [], claims, [], through=end
    )
