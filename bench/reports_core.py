"""The reporting core on a synthetic practice: 200,000 charge lines by default.

    .venv/bin/python bench/reports_core.py [--lines N] [--repeat R]

Builds (outside the timing) a book of N charge lines over 18 months, two lines a claim: each
line's charge, and for lines older than a few weeks an 835 (payment, CO-45, deductible or
coinsurance to the patient; one claim in ten denied, one payment in fifty reversed), and
patient payments. Then prints the CPU time (best of R) of what the dashboard asks the core:
one month's KPIs from ledger entries and from money pre-summed by kind, bucket, effective date
and date of service (what a SQL GROUP BY gives), the 12-month trend, balances as of a date, the
aging and one cell's drill-down, and building the facts from database rows (``_make``). Not a
test: it only prints.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from openrcm.core.reporting import (  # noqa: E402
    Adjudication,
    AdjudicationOutcome,
    BalanceFact,
    ClaimFact,
    LineFact,
    MoneyFact,
    aging,
    balances_as_of,
    kpi_report,
    monthly_trend,
)

AS_OF = date(2026, 6, 30)
FIRST_DOS = AS_OF - timedelta(days=540)
CONTRACTUAL = "contractual_adjustment"


def build(count: int, seed: int = 8) -> tuple[list[LineFact], list[ClaimFact], list[MoneyFact]]:
    rng = random.Random(seed)
    lines: list[LineFact] = []
    claims: list[ClaimFact] = []
    money: list[MoneyFact] = []
    for claim_id in range(1, count // 2 + 1):
        dos = FIRST_DOS + timedelta(days=rng.randrange(540))
        created = dos + timedelta(days=rng.randrange(0, 6))
        submitted = created + timedelta(days=rng.randrange(0, 3))
        provider = rng.randrange(1, 21)
        payer = rng.randrange(1, 41)
        paid_on = submitted + timedelta(days=rng.randrange(10, 40))
        adjudicated = paid_on <= AS_OF
        denied = adjudicated and rng.random() < 0.1
        charge_total = 0
        for offset in range(2):
            line_id = claim_id * 2 - 1 + offset
            charge = rng.randrange(5_000, 50_000)
            charge_total += charge
            lines.append(LineFact(line_id, 1, provider, payer, dos, charge, (claim_id,)))
            money.append(MoneyFact(line_id, claim_id, "charge", "insurance", charge, submitted))
            if not adjudicated:
                continue
            if denied:
                money.append(MoneyFact(line_id, claim_id, "denial", "insurance", charge, paid_on))
                continue
            contractual = charge * 3 // 10
            patient = charge // 10
            paid = charge - contractual - patient
            money.append(
                MoneyFact(line_id, claim_id, "insurance_payment", "insurance", paid, paid_on)
            )
            money.append(
                MoneyFact(line_id, claim_id, CONTRACTUAL, "insurance", contractual, paid_on)
            )
            money.append(
                MoneyFact(line_id, claim_id, "transfer_to_patient", "insurance", patient, paid_on)
            )
            if rng.random() < 0.02:
                later = paid_on + timedelta(days=20)
                money.append(
                    MoneyFact(line_id, claim_id, "insurance_payment", "insurance", -paid, later)
                )
                money.append(
                    MoneyFact(line_id, claim_id, CONTRACTUAL, "insurance", -contractual, later)
                )
            if rng.random() < 0.6:
                money.append(
                    MoneyFact(
                        line_id,
                        None,
                        "patient_payment",
                        "patient",
                        patient,
                        paid_on + timedelta(days=rng.randrange(5, 60)),
                    )
                )
        outcome = AdjudicationOutcome.DENIED if denied else AdjudicationOutcome.PAID
        claims.append(
            ClaimFact(
                claim_id=claim_id,
                practice_id=1,
                provider_id=provider,
                payer_id=payer,
                sequence="P",
                service_date=dos,
                charge_cents=charge_total,
                created_on=created,
                submitted_on=submitted,
                first_submission_accepted=rng.random() < 0.95,
                first_scrubbed_on=created,
                first_scrub_clean=rng.random() < 0.8,
                adjudications=(
                    (Adjudication(paid_on, outcome, charge_total if denied else 0),)
                    if adjudicated
                    else ()
                ),
                first_paid_on=paid_on if adjudicated and not denied else None,
            )
        )
    return lines, claims, money


def cpu_best(repeat: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    lines, claims, money = build(args.lines)
    balances = balances_as_of(lines, claims, money, AS_OF)
    month = {"period_start": date(2026, 6, 1), "period_end": AS_OF}
    # The fast path for a database: the ledger pre-summed by kind, bucket, effective date and
    # date of service (GROUP BY in SQL), so the engine reads far fewer facts than entries.
    dos_of = {line.charge_line_id: line.service_date for line in lines}
    grouped: dict[tuple[str, str, date, date], int] = defaultdict(int)
    for fact in money:
        assert fact.charge_line_id is not None
        key = (fact.kind, fact.bucket, fact.effective_date, dos_of[fact.charge_line_id])
        grouped[key] += fact.cents
    summed = [
        MoneyFact(None, None, kind, bucket, cents, effective, service)
        for (kind, bucket, effective, service), cents in grouped.items()
        if cents
    ]
    # What the app fetches for today's aging: its stored balances joined to the line's facts.
    rows = [tuple(b) for b in balances]
    line_rows = [tuple(line) for line in lines]
    money_rows = [tuple(fact) for fact in money]

    print(
        f"book: {len(lines):,} lines, {len(claims):,} claims, {len(money):,} money facts "
        f"({len(summed):,} pre-summed), {len(balances):,} open balances; "
        f"CPU ms, best of {args.repeat}"
    )
    figures: list[tuple[str, Callable[[], object]]] = [
        (
            "kpi_report, one month, ledger entries",
            lambda: kpi_report(lines, claims, money, **month),
        ),
        (
            "kpi_report, one month, pre-summed money",
            lambda: kpi_report(lines, claims, summed, **month),
        ),
        (
            "monthly_trend 12 months, pre-summed money",
            lambda: monthly_trend(lines, claims, summed, through=AS_OF),
        ),
        ("kpi_report, lines and claims only", lambda: kpi_report(lines, claims, [], **month)),
        ("balances_as_of, ledger entries", lambda: balances_as_of(lines, claims, money, AS_OF)),
        ("aging of balance facts", lambda: aging(balances, AS_OF)),
        ("drill-down of one cell", lambda: aging_report.drill_down("insurance", "120+")),
        ("BalanceFact._make of stored balance rows", lambda: [BalanceFact._make(r) for r in rows]),
        ("LineFact._make of line rows", lambda: [LineFact._make(r) for r in line_rows]),
        ("MoneyFact._make of ledger rows", lambda: [MoneyFact._make(r) for r in money_rows]),
    ]
    aging_report = aging(balances, AS_OF)
    for name, work in figures:
        print(f"  {name:<46} {cpu_best(args.repeat, work):8.1f}")
    report = kpi_report(lines, claims, money, **month)
    print(f"  (June: {report.as_dict()})")


if __name__ == "__main__":
    main()
