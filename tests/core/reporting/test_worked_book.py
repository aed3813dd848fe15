"""Worked example: the small book of ``book.py`` (claims, an 835 with payments, contractual
adjustments, deductible and coinsurance, a denial, a reversal, patient payments), every KPI of
March 2026 and every aging cell at 2026-03-31 computed by hand below and asserted exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from openrcm.core.reporting import (
    BUCKETS,
    FORMULAS,
    DrillDown,
    LagStats,
    aging,
    balances_as_of,
    claims_behind,
    kpi_report,
    monthly_trend,
)
from tests.core.reporting.book import CLAIMS, LINES, MONEY

MARCH = {"period_start": date(2026, 3, 1), "period_end": date(2026, 3, 31)}
AS_OF = date(2026, 3, 31)


def test_march_kpis_by_hand() -> None:
    report = kpi_report(LINES, CLAIMS, MONEY, **MARCH)

    # Charges: lines with DOS in March: L1 200 + L2 100 + L3 150 (once, though C2 and C3 both
    # carry it) + L4 80 = 530.00. L5 (Nov), L6 (Jan), L7 (Dec) are not March charges.
    assert report.charges_cents == 53000
    # Insurance payments effective in March: 120 + 60 + 90 (835 of 03-20) - 30 (the reversal of
    # 03-25 of C6's February payment counts negative on its own date) = 240.00.
    assert report.insurance_payments_cents == 24000
    # Patient payments in March: 30 on L1 (03-28); the 15 of 04-02 is April's.
    assert report.patient_payments_cents == 3000
    assert report.refunds_cents == 0
    assert report.payments_cents == 27000
    # Contractual adjustments effective in March: 50 + 25 + 30 - 20 (reversed) = 85.00.
    assert report.contractual_adjustments_cents == 8500
    # Net charges: 530 - 85 = 445.00.
    assert report.net_charges_cents == 44500
    # Gross collection rate: 270 / 530 = 0.509433... -> 0.5094.
    assert report.gross_collection_rate == Decimal("0.5094")
    # Net collection rate: 270 / 445 = 0.606741... -> 0.6067.
    assert report.net_collection_rate == Decimal("0.6067")

    # A/R at 03-31, line by line (charge - payments - adjustments, transfers moved):
    #   L1: 200 - 120 - 50 - 30 to patient = 0; patient 30 - 30 paid = 0
    #   L2: 100 - 60 - 25 - 15 = 0; patient 15 (paid only on 04-02)
    #   L3: 150 - 90 - 30 = 30 insurance (the PR-1 30 is left for the secondary)
    #   L4: 80 insurance (denied: stays open)
    #   L5: 120; L7: 40 insurance (never paid)
    #   L6: 50 - 30 - 20 + 30 + 20 (reversed) = 50 insurance
    # Insurance 30 + 80 + 120 + 40 + 50 = 320.00; patient 15.00; A/R 335.00.
    assert report.ar_end_insurance_cents == 32000
    assert report.ar_end_patient_cents == 1500
    assert report.ar_end_cents == 33500
    # Days in A/R: trailing window 2026-01-01 .. 03-31 = 31 + 28 + 31 = 90 days; its net
    # charges: charges with DOS in it 530 + L6 50 = 580, less contractual effective in it
    # (February 20 + March 85 = 105) = 475.00. 335 / (475 / 90) = 63.47... -> 63.5.
    assert report.ar_window_start == date(2026, 1, 1)
    assert report.ar_window_days == 90
    assert report.ar_window_net_charges_cents == 47500
    assert report.days_in_ar == Decimal("63.5")

    # Adjudicated in March: C1 (paid), C2 (paid), C4 (denied) = 3; C6 was adjudicated in
    # February (its reversal is not an adjudication). Denied: C4. 1 / 3 -> 0.3333.
    assert (report.claims_adjudicated, report.claims_denied) == (3, 1)
    assert report.denial_rate == Decimal("0.3333")
    # By dollars: denied 80 / charges of the adjudicated claims (300 + 150 + 80 = 530):
    # 0.150943... -> 0.1509.
    assert (report.denied_cents, report.adjudicated_charges_cents) == (8000, 53000)
    assert report.denial_rate_dollars == Decimal("0.1509")
    # First-pass resolution: first adjudicated in March C1, C2, C4; resolved C1, C2: 2/3.
    assert (report.claims_first_adjudicated, report.claims_resolved_first_pass) == (3, 2)
    assert report.first_pass_resolution == Decimal("0.6667")
    # Clean claim rate: first scrubbed in March C1, C2, C3, C4; clean all but C4: 3/4.
    assert (report.claims_scrubbed, report.claims_clean) == (4, 3)
    assert report.clean_claim_rate == Decimal("0.7500")
    # First-pass acceptance: first submitted in March C1, C2, C3, C4; C3 not answered yet;
    # accepted C1, C2 of 3 answered: 0.6667.
    assert (report.claims_answered, report.claims_accepted_first_pass) == (3, 2)
    assert report.first_pass_acceptance == Decimal("0.6667")

    # Insurance A/R at 03-31: 320.00. Older than 90 days: L5 (DOS 2025-11-20, 131 days) 120
    # and L7 (2025-12-15, 106 days) 40 = 160; L6 (85 days) is not. 160 / 320 = 0.5000.
    # Older than 120 days: L5 only, 120 / 320 = 0.3750.
    assert report.insurance_ar_cents == 32000
    assert report.insurance_ar_over_90_cents == 16000
    assert report.insurance_ar_over_120_cents == 12000
    assert report.ar_over_90 == Decimal("0.5000")
    assert report.ar_over_120 == Decimal("0.3750")

    # Charge lag (primary originals created in March): C1 03-02 -> 03-03 = 1, C2 03-10 -> 03-13
    # = 3, C4 03-05 -> 03-09 = 4 (C3 is a secondary). [1, 3, 4]: median rank ceil(1.5) = 2 ->
    # 3; p90 rank ceil(2.7) = 3 -> 4.
    assert report.charge_lag == LagStats(3, 3, 4)
    # Submission lag (first submitted in March): C1 0, C2 0, C3 03-21 -> 03-22 = 1, C4 03-09 ->
    # 03-12 = 3. [0, 0, 1, 3]: median rank 2 -> 0; p90 rank ceil(3.6) = 4 -> 3.
    assert report.submission_lag == LagStats(4, 0, 3)
    # Payer lag (first paid in March): C1 03-03 -> 03-20 = 17, C2 03-13 -> 03-20 = 7.
    # [7, 17]: median rank 1 -> 7; p90 rank ceil(1.8) = 2 -> 17.
    assert report.payer_lag == LagStats(2, 7, 17)


def test_march_as_the_cli_prints_it() -> None:
    printed = kpi_report(LINES, CLAIMS, MONEY, **MARCH).as_dict()
    assert printed["charges"] == "530.00"
    assert printed["payments"] == "270.00"
    assert printed["net_charges"] == "445.00"
    assert printed["gross_collection_rate"] == "0.5094"
    assert printed["net_collection_rate"] == "0.6067"
    assert printed["days_in_ar"] == "63.5"
    assert printed["denial_rate"] == "0.3333"
    assert printed["clean_claim_rate"] == "0.7500"
    assert printed["first_pass_acceptance"] == "0.6667"
    assert printed["first_pass_resolution"] == "0.6667"
    assert printed["ar_over_90"] == "0.5000"
    assert printed["ar_over_120"] == "0.3750"
    # Every printed KPI has its published formula.
    for key in ("charges", "payments", "net_charges", "days_in_ar", "denial_rate", "ar_over_90"):
        assert FORMULAS[key]


def test_aging_cells_by_hand() -> None:
    report = aging(balances_as_of(LINES, CLAIMS, MONEY, AS_OF), AS_OF)
    # Insurance: L3 30 (DOS 03-10, 21 days) and L4 80 (03-05, 26 days) in 0-30 = 110;
    # L6 50 (85 days) in 61-90; L7 40 (106 days) in 91-120; L5 120 (131 days) in 120+.
    # Patient: L2 15 (29 days) in 0-30.
    assert report.as_dict() == {
        "insurance": {
            "0-30": "110.00",
            "31-60": "0.00",
            "61-90": "50.00",
            "91-120": "40.00",
            "120+": "120.00",
        },
        "patient": {
            "0-30": "15.00",
            "31-60": "0.00",
            "61-90": "0.00",
            "91-120": "0.00",
            "120+": "0.00",
        },
    }
    # Drill-down: the insurance 0-30 cell holds L3 and L4, so claims C2, C3 (both carry L3)
    # and C4.
    assert report.drill_down("insurance", "0-30") == DrillDown(11000, (3, 4), (2, 3, 4))
    assert report.total.cell("insurance", "0-30").count == 2
    assert report.drill_down("patient", "0-30").charge_line_ids == (2,)
    assert report.drill_down("insurance", "120+").claim_ids == (5,)
    # A cell of a grouping: payer 100's insurance 0-30 is L4 alone (L3 is payer 200's now).
    assert report.drill_down("insurance", "0-30", group="payer", key=100) == DrillDown(
        8000, (4,), (4,)
    )
    assert report.drill_down("insurance", "91-120", group="provider", key=11).claim_ids == (7,)

    # By payer: payer 200 is responsible for L3 only (30 in 0-30); payer 100 has L4 80 in
    # 0-30, L6, L7, L5, and L2's patient 15.
    payer_100 = report.by_payer[100]
    assert [c.cents for c in payer_100.insurance] == [8000, 0, 5000, 4000, 12000]
    assert [c.cents for c in payer_100.patient] == [1500, 0, 0, 0, 0]
    assert [c.cents for c in report.by_payer[200].insurance] == [3000, 0, 0, 0, 0]
    # By provider: p10 has L2 (patient 15), L5 (120+), L6 (61-90); p11 has L3, L4 (0-30), L7.
    assert [c.cents for c in report.by_provider[10].insurance] == [0, 0, 5000, 0, 12000]
    assert [c.cents for c in report.by_provider[10].patient] == [1500, 0, 0, 0, 0]
    assert [c.cents for c in report.by_provider[11].insurance] == [11000, 0, 0, 4000, 0]
    assert report.by_practice[1].insurance_cents == 32000
    assert report.by_practice[1].patient_cents == 1500
    # Aging and the KPI report agree on insurance A/R and its over-90 and over-120 parts.
    kpis = kpi_report(LINES, CLAIMS, MONEY, **MARCH)
    assert report.total.insurance_cents == kpis.insurance_ar_cents
    over_90 = sum(report.total.cell("insurance", b).cents for b in BUCKETS[3:])
    assert over_90 == kpis.insurance_ar_over_90_cents


def test_february_and_march_trend() -> None:
    february, march = monthly_trend(LINES, CLAIMS, MONEY, through=date(2026, 3, 31), months=2)
    # February: no line has a February DOS; C6's 835 of 02-10 paid 30 with CO-45 20.
    assert (february.period_start, february.period_end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert february.charges_cents == 0
    assert february.payments_cents == 3000
    assert february.contractual_adjustments_cents == 2000
    assert february.gross_collection_rate is None  # nothing charged: nothing to divide by
    assert february.net_collection_rate is None  # net charges 0 - 20 < 0
    # C6 first adjudicated (paid) in February: resolved at first pass, 1/1.
    assert february.first_pass_resolution == Decimal("1.0000")
    # A/R at 02-28: L5 120 + L7 40 + L6 0 = 160 insurance. Days in A/R: window 12-01 .. 02-28
    # (31 + 31 + 28 = 90 days), net charges L7 40 + L6 50 - 20 = 70: 160 / (70 / 90) =
    # 205.71... -> 205.7.
    assert february.ar_end_cents == 16000
    assert february.days_in_ar == Decimal("205.7")
    # The month report in the trend is the same as the report of the month alone.
    assert march == kpi_report(LINES, CLAIMS, MONEY, **MARCH)


def test_march_claims_behind_each_number() -> None:
    def behind(metric: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
        found = claims_behind(metric, CLAIMS, **MARCH)
        return found.numerator, found.denominator

    # Denied C4 of adjudicated C1, C2, C4; resolved C1, C2 of first adjudicated C1, C2, C4.
    assert behind("denial_rate") == ((4,), (1, 2, 4))
    assert behind("first_pass_resolution") == ((1, 2), (1, 2, 4))
    # Clean C1, C2, C3 of scrubbed C1 .. C4; accepted C1, C2 of answered C1, C2, C4.
    assert behind("clean_claim_rate") == ((1, 2, 3), (1, 2, 3, 4))
    assert behind("first_pass_acceptance") == ((1, 2), (1, 2, 4))
    assert behind("charge_lag")[1] == (1, 2, 4)
    assert behind("submission_lag")[1] == (1, 2, 3, 4)
    assert behind("payer_lag")[1] == (1, 2)
