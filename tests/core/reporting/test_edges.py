"""Edge cases of the KPI engine and the aging: nothing to divide by, a line on two claims,
reversals in a later period, patient payments and refunds, claim-level entries, boundaries,
bad input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from openrcm.core.posting.entries import Bucket, EntryKind
from openrcm.core.reporting import (
    Adjudication,
    AdjudicationOutcome,
    ClaimFact,
    LagStats,
    LineFact,
    MoneyFact,
    aging,
    balances_as_of,
    bucket_index,
    kpi_report,
    monthly_trend,
    nearest_rank,
    ratio,
)
from openrcm.core.reporting.periods import add_months, last_months, trailing_window_start

K = EntryKind
MARCH = {"period_start": date(2026, 3, 1), "period_end": date(2026, 3, 31)}


def _line(line_id: int, dos: date, cents: int, claims: tuple[int, ...] = (1,)) -> LineFact:
    return LineFact(line_id, 1, 10, 100, dos, cents, claims)


def _claim(claim_id: int, dos: date, **kwargs: object) -> ClaimFact:
    fields: dict[str, object] = {
        "claim_id": claim_id,
        "practice_id": 1,
        "provider_id": 10,
        "payer_id": 100,
        "sequence": "P",
        "service_date": dos,
        "charge_cents": 10000,
        "created_on": dos,
    }
    fields.update(kwargs)
    return ClaimFact(**fields)  # type: ignore[arg-type]


def test_empty_period_has_no_rates() -> None:
    report = kpi_report([], [], [], **MARCH)
    assert report.charges_cents == report.payments_cents == report.ar_end_cents == 0
    for rate in (
        report.gross_collection_rate,
        report.net_collection_rate,
        report.days_in_ar,
        report.denial_rate,
        report.denial_rate_dollars,
        report.clean_claim_rate,
        report.first_pass_acceptance,
        report.first_pass_resolution,
        report.ar_over_90,
        report.ar_over_120,
    ):
        assert rate is None
    assert report.charge_lag == LagStats(0, None, None)
    printed = report.as_dict()
    assert printed["gross_collection_rate"] is None
    assert printed["charges"] == "0.00"
    assert printed["payer_lag_median"] is None


def test_a_line_on_primary_and_secondary_is_charged_once() -> None:
    line = _line(1, date(2026, 3, 5), 15000, claims=(1, 2))
    claims = [
        _claim(1, date(2026, 3, 5)),
        _claim(2, date(2026, 3, 5), sequence="S", created_on=date(2026, 3, 20)),
    ]
    money = [MoneyFact.of(K.CHARGE, 15000, date(2026, 3, 6), line=1, claim=1)]
    report = kpi_report([line], claims, money, **MARCH)
    assert report.charges_cents == 15000
    # The secondary is not a charge event: charge lag counts the primary only.
    assert report.charge_lag == LagStats(1, 0, 0)
    with pytest.raises(ValueError, match="more than once"):
        kpi_report([line, line], claims, money, **MARCH)


def test_reversal_in_a_later_period_counts_on_its_own_date() -> None:
    line = _line(1, date(2026, 2, 3), 10000)
    money = [
        MoneyFact.of(K.CHARGE, 10000, date(2026, 2, 4), line=1, claim=1),
        MoneyFact.of(K.INSURANCE_PAYMENT, 7000, date(2026, 2, 20), line=1, claim=1),
        MoneyFact.of(K.CONTRACTUAL_ADJUSTMENT, 3000, date(2026, 2, 20), line=1, claim=1),
        MoneyFact.of(K.INSURANCE_PAYMENT, -7000, date(2026, 3, 10), line=1, claim=1),
        MoneyFact.of(K.CONTRACTUAL_ADJUSTMENT, -3000, date(2026, 3, 10), line=1, claim=1),
        MoneyFact.of(K.INSURANCE_PAYMENT, 6500, date(2026, 3, 10), line=1, claim=1),
        MoneyFact.of(K.CONTRACTUAL_ADJUSTMENT, 3500, date(2026, 3, 10), line=1, claim=1),
    ]
    february, march = monthly_trend(
        [line], [_claim(1, date(2026, 2, 3))], money, through=date(2026, 3, 31), months=2
    )
    assert (february.insurance_payments_cents, february.contractual_adjustments_cents) == (
        7000,
        3000,
    )
    # March: -70 + 65 = -5.00 paid, -30 + 35 = 5.00 adjusted; February stays as it was.
    assert (march.insurance_payments_cents, march.contractual_adjustments_cents) == (-500, 500)
    assert february.ar_end_cents == march.ar_end_cents == 0
    # Seen in a period covering both: each payment once.
    both = kpi_report(
        [line], [], money, period_start=date(2026, 2, 1), period_end=date(2026, 3, 31)
    )
    assert both.insurance_payments_cents == 6500


def test_patient_payments_refunds_and_balances() -> None:
    line = _line(1, date(2026, 3, 2), 10000)
    money = [
        MoneyFact.of(K.CHARGE, 10000, date(2026, 3, 3), line=1, claim=1),
        MoneyFact.of(K.INSURANCE_PAYMENT, 8000, date(2026, 3, 15), line=1, claim=1),
        MoneyFact.of(K.TRANSFER_TO_PATIENT, 2000, date(2026, 3, 15), line=1, claim=1),
        # The patient pays 25.00 (5.00 too much), and is refunded the 5.00.
        MoneyFact.of(K.PATIENT_PAYMENT, 2500, date(2026, 3, 20), line=1, bucket=Bucket.PATIENT),
        MoneyFact.of(K.REFUND, 500, date(2026, 3, 25), line=1, bucket=Bucket.PATIENT),
    ]
    report = kpi_report([line], [], money, **MARCH)
    assert report.patient_payments_cents == 2500
    assert report.refunds_cents == 500
    assert report.payments_cents == 8000 + 2500 - 500
    assert report.gross_collection_rate == Decimal("1.0000")
    assert report.ar_end_cents == 0
    # Before the refund the patient had a 5.00 credit: aged as a negative balance.
    cells = aging(balances_as_of([line], [], money, date(2026, 3, 21)), date(2026, 3, 21))
    assert cells.total.cell("patient", "0-30").cents == -500


def test_claim_level_entries_age_by_the_claims_date_of_service() -> None:
    claim = _claim(7, date(2025, 12, 1))
    money = [MoneyFact.of(K.REFUND, 1200, date(2026, 1, 5), claim=7)]
    balances = balances_as_of([], [claim], money, date(2026, 3, 31))
    assert [(b.charge_line_id, b.claim_ids, b.insurance_cents) for b in balances] == [
        (None, (7,), 1200)
    ]
    report = aging(balances, date(2026, 3, 31))
    # 2025-12-01 to 2026-03-31 is 120 days: the 91-120 bucket.
    assert report.drill_down("insurance", "91-120").claim_ids == (7,)
    assert report.drill_down("insurance", "91-120").charge_line_ids == ()
    kpis = kpi_report([], [claim], money, **MARCH)
    assert kpis.insurance_ar_over_90_cents == 1200
    assert kpis.insurance_ar_over_120_cents == 0


def test_aging_and_over_90_boundaries() -> None:
    as_of = date(2026, 6, 30)
    assert [bucket_index(age) for age in (0, 30, 31, 60, 61, 90, 91, 120, 121, 999)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]
    exactly_90 = _line(1, date(2026, 4, 1), 1000)  # 90 days before 06-30
    exactly_91 = _line(2, date(2026, 3, 31), 1000)
    money = [
        MoneyFact.of(K.CHARGE, 1000, date(2026, 4, 1), line=1, claim=1),
        MoneyFact.of(K.CHARGE, 1000, date(2026, 4, 1), line=2, claim=1),
    ]
    report = kpi_report(
        [exactly_90, exactly_91], [], money, period_start=date(2026, 6, 1), period_end=as_of
    )
    assert report.insurance_ar_over_90_cents == 1000
    assert report.ar_over_90 == Decimal("0.5000")
    cells = aging(balances_as_of([exactly_90, exactly_91], [], money, as_of), as_of)
    assert cells.drill_down("insurance", "61-90").charge_line_ids == (1,)
    assert cells.drill_down("insurance", "91-120").charge_line_ids == (2,)
    # A date of service after the as-of date ages as 0 days.
    future = aging(balances_as_of([exactly_90], [], money[:1], date(2026, 4, 1)), date(2026, 3, 1))
    assert future.total.cell("insurance", "0-30").cents == 1000


def test_a_claim_adjudicated_twice_counts_once() -> None:
    denied_then_paid = _claim(
        1,
        date(2026, 3, 1),
        adjudications=(
            Adjudication(date(2026, 3, 20), AdjudicationOutcome.PAID),
            Adjudication(date(2026, 3, 10), AdjudicationOutcome.DENIED, 4000),
        ),
    )
    # First adjudicated in February, adjudicated again in March: in March's denial rate,
    # not in March's first-pass resolution.
    readjudicated = _claim(
        2,
        date(2026, 2, 1),
        adjudications=(
            Adjudication(date(2026, 2, 15), AdjudicationOutcome.DENIED, 10000),
            Adjudication(date(2026, 3, 5), AdjudicationOutcome.PARTIALLY_PAID, 2000),
        ),
    )
    report = kpi_report([], [denied_then_paid, readjudicated], [], **MARCH)
    assert (report.claims_adjudicated, report.claims_denied) == (2, 2)
    assert (report.denied_cents, report.adjudicated_charges_cents) == (6000, 20000)
    assert report.denial_rate_dollars == Decimal("0.3000")
    # The first adjudication of claim 1 (03-10) denied: not resolved at first pass.
    assert (report.claims_first_adjudicated, report.claims_resolved_first_pass) == (1, 0)
    assert report.first_pass_resolution == Decimal("0.0000")


def test_patient_responsibility_resolves_at_first_pass() -> None:
    claim = _claim(
        1,
        date(2026, 3, 1),
        adjudications=(Adjudication(date(2026, 3, 9), AdjudicationOutcome.PATIENT_RESPONSIBILITY),),
    )
    report = kpi_report([], [claim], [], **MARCH)
    assert report.first_pass_resolution == Decimal("1.0000")
    assert report.denial_rate == Decimal("0.0000")


def test_days_in_ar_for_a_period_ending_mid_month() -> None:
    assert trailing_window_start(date(2026, 3, 15)) == date(2025, 12, 16)
    assert trailing_window_start(date(2026, 3, 31)) == date(2026, 1, 1)
    line = _line(1, date(2025, 12, 16), 9000)
    money = [MoneyFact.of(K.CHARGE, 9000, date(2025, 12, 16), line=1, claim=1)]
    report = kpi_report(
        [line], [], money, period_start=date(2026, 3, 1), period_end=date(2026, 3, 15)
    )
    # Window 2025-12-16 .. 2026-03-15: 90 days; 90.00 net charges: 1.00 a day; A/R 90.00.
    assert report.ar_window_days == 90
    assert report.days_in_ar == Decimal("90.0")


def test_ratio_rounds_half_up_exactly() -> None:
    assert ratio(1, 8) == Decimal("0.1250")
    assert ratio(2, 3) == Decimal("0.6667")
    assert ratio(1, 3) == Decimal("0.3333")
    assert ratio(5, 100000) == Decimal("0.0001")  # 0.00005 rounds up
    assert ratio(4, 100000) == Decimal("0.0000")
    assert ratio(-1, 8) == Decimal("-0.1250")
    assert ratio(3, 2) == Decimal("1.5000")
    assert ratio(1, 0) is None
    assert ratio(1, -5) is None


def test_nearest_rank_percentiles() -> None:
    assert nearest_rank([], 50) is None
    assert nearest_rank([7], 90) == 7
    assert nearest_rank([1, 2, 3, 4], 50) == 2  # the lower middle value
    assert nearest_rank(list(range(1, 11)), 90) == 9
    assert nearest_rank(list(range(1, 21)), 90) == 18
    assert nearest_rank([1, 2, 3], 100) == 3
    with pytest.raises(ValueError, match="percentile"):
        nearest_rank([1], 0)


def test_months() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 3, 15), -15) == date(2024, 12, 15)
    assert last_months(date(2026, 2, 14), 3) == [
        (date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
    ]
    trend = monthly_trend([], [], [], through=date(2026, 3, 10), months=12)
    assert len(trend) == 12
    assert (trend[0].period_start, trend[-1].period_end) == (date(2025, 4, 1), date(2026, 3, 10))


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        kpi_report([], [], [], period_start=date(2026, 3, 2), period_end=date(2026, 3, 1))
    stray = MoneyFact.of(K.INSURANCE_PAYMENT, 100, date(2026, 3, 2), line=99)
    with pytest.raises(ValueError, match="charge line"):
        kpi_report([], [], [stray], **MARCH)
    with pytest.raises(ValueError, match="charge line 99"):
        balances_as_of([], [], [stray], date(2026, 3, 31))
    wrong_bucket = MoneyFact(1, 1, "insurance_payment", "patient", 100, date(2026, 3, 2))
    with pytest.raises(ValueError, match="bucket"):
        kpi_report([_line(1, date(2026, 3, 1), 100)], [], [wrong_bucket], **MARCH)
    unknown = MoneyFact(1, 1, "bonus", "insurance", 100, date(2026, 3, 2))
    with pytest.raises(ValueError, match="'bonus'"):
        balances_as_of([_line(1, date(2026, 3, 1), 100)], [], [unknown], date(2026, 3, 31))
    with pytest.raises(ValueError, match="months"):
        monthly_trend([], [], [], through=date(2026, 3, 1), months=0)
    with pytest.raises(ValueError, match="aging side"):
        aging([], date(2026, 3, 1)).total.cell("payer", "0-30")
    with pytest.raises(ValueError, match="aging bucket"):
        aging([], date(2026, 3, 1)).drill_down("patient", "0-29")
    with pytest.raises(ValueError, match="aging group"):
        aging([], date(2026, 3, 1)).drill_down("patient", "0-30", group="clinic")
