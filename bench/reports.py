"""The reports of a practice with 200,000 claim lines on PostgreSQL: dashboard data and aging.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/openrcm_bench .venv/bin/python \\
        bench/reports.py [--lines N] [--repeat R] [--keep]

Builds, in a fresh test database and outside the timing, one practice's book written as rows
(bulk inserts, as the services would leave them): N charge lines over 18 months, two per
encounter and claim (5 providers, 5 payers); each claim scrubbed (1 in 8 not clean),
submitted, answered by the 277CA (1 in 30 rejected); claims older than 3 weeks adjudicated
by weekly 835s (1 in 10 denied at claim level; the rest paid with CO-45 and, 1 line in 3, a
deductible to the patient), each line's charge, payment, contractual adjustment and patient
transfer on the ledger; then each line's balance and the ledger's day sums, as the posting
services keep them beside the entries. Then times, median of R runs (wall clock, database included):

* the dashboard data: facts from the database (``kpi_facts``), the month's KPIs and the
  12-month trend;
* the aging as of the month's end as the dashboard and ``openrcm report aging`` read it
  (``aging_for``: ``aging_sums``, one GROUP BY on the balances, + ``aging_of_sums``); and, for
  information, the per-line read a drill-down uses (``aging_balances`` + ``aging``).

Wall time includes the database's work; "CPU in Python" is this process alone (on a shared,
loaded machine the wall figures grow with the load average; run it on a quiet one).

The issue's target: each under 300 ms. Prints; not a test. Skips (with a message) when
DATABASE_URL is not a reachable PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

MONTH_END = dt.date(2026, 10, 31)
FIRST_DOS = dt.date(2025, 5, 1)
BATCH = 10_000


def _npi(base: int) -> str:
    """A valid NPI: 9 digits and the Luhn check digit over the 80840 prefix."""
    digits = f"80840{base:09d}"
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return f"{base:09d}{(10 - total % 10) % 10}"


def _aware(day: dt.date, hour: int = 17) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def build(lines: int) -> Any:
    """Write the book; return the practice."""
    from django.db import connection

    from openrcm.claims.models import Claim, ClaimLine, ClaimStatusChange
    from openrcm.encounters.models import ChargeLine, Encounter
    from openrcm.files.models import StoredFileKind
    from openrcm.files.services import file_store
    from openrcm.patients.services import coverage_create, patient_create
    from openrcm.payers.models import Payer
    from openrcm.posting.models import Denial, EraFile, LedgerEntry, Remittance, RemittanceClaim
    from openrcm.providers.models import Provider
    from openrcm.scrubbing.models import ClaimScrub, ScrubRun
    from openrcm.tenancy.models import Location
    from openrcm.tenancy.services import organization_get_or_create, practice_create

    org = organization_get_or_create(slug="bench", name="Bench Billing")
    practice = practice_create(
        organization=org,
        slug="riverbend",
        name="Riverbend Family Medicine",
        group_npi="1987654328",
        tin="741852963",
        address_line1="1 Main St",
        city="Springfield",
        state="IL",
        zip_code="627041234",
        time_zone="America/Chicago",
        taxonomy="207Q00000X",
    )
    location = Location.objects.create(practice=practice, name="Main office", zip_code="62704")
    providers = [
        Provider.objects.create(
            practice=practice, first_name="Ann", last_name=f"Lee{n}", npi=_npi(123456780 + n)
        )
        for n in range(5)
    ]
    coverages = []
    for n in range(5):
        payer = Payer.objects.create(
            organization=org, name=f"Payer {n}", payer_id=f"P000{n}", claim_filing_indicator="CI"
        )
        patient = patient_create(
            practice=practice,
            first_name="Sam",
            last_name=f"Benchpatient{n}",
            date_of_birth=dt.date(1960, 1, 1 + n),
            sex="F",
            zip_code="62704",
        )
        coverages.append(
            coverage_create(
                patient=patient, payer=payer, member_id=f"M{n:04d}", effective_from=FIRST_DOS
            )
        )

    claims_n = lines // 2
    span = (MONTH_END - FIRST_DOS).days + 1
    dos_of = [FIRST_DOS + dt.timedelta(days=(n * 7919) % span) for n in range(claims_n)]
    now = _aware(MONTH_END)
    print(f"  writing {claims_n:,} encounters and claims, {lines:,} charge and claim lines ...")
    encounters = Encounter.objects.bulk_create(
        (
            Encounter(
                practice=practice,
                patient_id=coverages[n % 5].patient_id,
                provider=providers[n % 5],
                location=location,
                date_of_service=dos_of[n],
            )
            for n in range(claims_n)
        ),
        batch_size=BATCH,
    )
    charge_lines = ChargeLine.objects.bulk_create(
        (
            ChargeLine(
                practice=practice,
                encounter=encounters[n // 2],
                line_number=n % 2 + 1,
                procedure_code="99213" if n % 2 == 0 else "36415",
                charge_cents=12500 if n % 2 == 0 else 1500,
                diagnosis_pointers="1",
                line_control_number=f"L{n:09d}",
            )
            for n in range(lines)
        ),
        batch_size=BATCH,
    )
    claims = Claim.objects.bulk_create(
        (
            Claim(
                practice=practice,
                encounter=encounters[n],
                coverage=coverages[n % 5],
                patient_control_number=f"B{n:09d}",
                total_charge_cents=14000,
                status="submitted",
                status_changed_at=now,
            )
            for n in range(claims_n)
        ),
        batch_size=BATCH,
    )
    with connection.cursor() as cursor:  # created two days after the date of service
        cursor.execute(
            "UPDATE claims_claim c SET created_at = e.date_of_service + interval '2 days 17 hours'"
            " FROM encounters_encounter e WHERE c.encounter_id = e.id"
        )
    ClaimLine.objects.bulk_create(
        (
            ClaimLine(
                practice=practice,
                claim=claims[n // 2],
                charge_line=charge_lines[n],
                line_number=n % 2 + 1,
                charge_cents=charge_lines[n].charge_cents,
            )
            for n in range(lines)
        ),
        batch_size=BATCH,
    )
    run = ScrubRun.objects.create(practice=practice, claim_count=claims_n)
    ClaimScrub.objects.bulk_create(
        (
            ClaimScrub(
                practice=practice,
                claim=claims[n],
                run=run,
                first_scrubbed_at=_aware(dos_of[n] + dt.timedelta(days=2)),
                first_clean=n % 8 != 0,
                scrubbed_at=_aware(dos_of[n] + dt.timedelta(days=2)),
            )
            for n in range(claims_n)
        ),
        batch_size=BATCH,
    )
    history = []
    for n in range(claims_n):
        submitted = dos_of[n] + dt.timedelta(days=3 + n % 4)
        history.append(
            ClaimStatusChange(
                practice=practice,
                claim=claims[n],
                from_status="batched",
                to_status="submitted",
                at=_aware(submitted),
            )
        )
        history.append(
            ClaimStatusChange(
                practice=practice,
                claim=claims[n],
                from_status="accepted",
                to_status="rejected" if n % 30 == 0 else "acknowledged",
                at=_aware(submitted + dt.timedelta(days=1)),
            )
        )
    ClaimStatusChange.objects.bulk_create(history, batch_size=BATCH)
    del history

    print("  writing 835s, denials and the ledger ...")
    stored = file_store(data=b"placeholder\n", kind=StoredFileKind.CSV, practice=practice)
    era_file = EraFile.objects.create(
        practice=practice, stored=stored, sha256="0" * 64, imported_at=now
    )
    weeks: dict[dt.date, Any] = {}

    def remittance_of(day: dt.date) -> Any:
        if day not in weeks:
            weeks[day] = Remittance.objects.create(
                practice=practice,
                era_file=era_file,
                control_number=f"{len(weeks):04d}",
                payer_id="1512345678",
                trace_number=f"EFT{day:%Y%m%d}",
                trace_originator="1512345678",
                payment_date=day,
                sha256="0" * 64,
                status="posted",
                posted_at=_aware(day),
            )
        return weeks[day]

    entries: list[Any] = []
    remits: list[Any] = []
    denied_claims: list[int] = []
    for n in range(claims_n):
        dos = dos_of[n]
        charged = dos + dt.timedelta(days=3 + n % 4)
        for k in (2 * n, 2 * n + 1):
            line = charge_lines[k]
            entries.append(
                LedgerEntry(
                    practice=practice,
                    charge_line=line,
                    claim=claims[n],
                    kind="charge",
                    cents=line.charge_cents,
                    effective_date=charged,
                    created_at=_aware(charged),
                    source="claim",
                )
            )
        paid_on = charged + dt.timedelta(days=14 + n % 10)
        paid_on += dt.timedelta(days=(4 - paid_on.weekday()) % 7)  # the Friday 835
        if paid_on > MONTH_END:
            continue
        denied = n % 10 == 0
        remits.append(
            RemittanceClaim(
                practice=practice,
                remittance=remittance_of(paid_on),
                claim=claims[n],
                patient_control_number=claims[n].patient_control_number,
                status_code="4" if denied else "1",
                charge_cents=14000,
                paid_cents=0 if denied else 11000,
                outcome="denied" if denied else "paid",
                content_key=f"{n:064d}",
            )
        )
        if denied:
            denied_claims.append(n)
            continue
        for k in (2 * n, 2 * n + 1):
            line = charge_lines[k]
            contractual = line.charge_cents // 5
            patient = 2000 if k % 3 == 0 and line.charge_cents > 2000 else 0
            paid = line.charge_cents - contractual - patient
            for kind, cents, bucket in (
                ("insurance_payment", paid, "insurance"),
                ("contractual_adjustment", contractual, "insurance"),
                ("transfer_to_patient", patient, "insurance"),
            ):
                if cents:
                    entries.append(
                        LedgerEntry(
                            practice=practice,
                            charge_line=line,
                            claim=claims[n],
                            kind=kind,
                            cents=cents,
                            bucket=bucket,
                            patient_reason="deductible" if kind == "transfer_to_patient" else "",
                            effective_date=paid_on,
                            created_at=_aware(paid_on),
                            source="remittance",
                        )
                    )
    rcs = RemittanceClaim.objects.bulk_create(remits, batch_size=BATCH)
    by_claim = {rc.claim_id: rc for rc in rcs}
    Denial.objects.bulk_create(
        (
            Denial(
                practice=practice,
                claim=claims[n],
                remittance_claim=by_claim[claims[n].pk],
                group_code="CO",
                carc="50",
                category="medical necessity",
                next_action="appeal",
                cents=14000,
                created_at=now,
            )
            for n in denied_claims
        ),
        batch_size=BATCH,
    )
    LedgerEntry.objects.bulk_create(entries, batch_size=BATCH)
    print(
        f"  {len(entries):,} ledger entries, {len(rcs):,} claim payments in {len(weeks)} 835s, "
        f"{len(denied_claims):,} denials"
    )
    with connection.cursor() as cursor:  # what autovacuum does after bulk writes
        cursor.execute("ANALYZE")
    return practice


def settle(practice: Any) -> None:
    """What the posting services keep beside the entries: each line's balance and the ledger's
    day sums (a book written as plain rows has neither; a kept book may predate them)."""
    from django.db import connection

    from openrcm.posting.balance_keys import charge_balances_keyed, charge_balances_rekey
    from openrcm.posting.ledger import ledger_day_sums_rebuild, ledger_recompute
    from openrcm.posting.models import ChargeBalance, LedgerDaySum
    from openrcm.reporting.models import ClaimTimeline
    from openrcm.reporting.timelines import claim_timelines_rebuild

    now = _aware(MONTH_END)
    if not ChargeBalance.objects.filter(practice=practice).exists():
        rows = [
            ChargeBalance(
                practice=practice,
                charge_line_id=key if kind == "line" else None,
                claim_id=key if kind == "claim" else None,
                insurance_cents=insurance,
                patient_cents=patient,
                updated_at=now,
            )
            for (kind, key), (insurance, patient) in ledger_recompute().items()
        ]
        charge_balances_keyed(rows)  # the aging's keys, as the ledger's writer sets them
        ChargeBalance.objects.bulk_create(rows, batch_size=BATCH)
    if ChargeBalance.objects.filter(practice=practice, service_date__isnull=True).exists():
        # A kept book from before the keys (the migration fills them in a real database).
        charge_balances_rekey(everything=True)
    if not LedgerDaySum.objects.filter(practice=practice).exists():
        ledger_day_sums_rebuild()
    if not ClaimTimeline.objects.filter(practice=practice).exists():
        claim_timelines_rebuild(practices=[practice])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"  {ChargeBalance.objects.count():,} balances, "
        f"{LedgerDaySum.objects.count():,} ledger day sums"
    )


def timed(label: str, repeat: int, step: Callable[[], Any]) -> Any:
    times, cpu = [], []
    result = None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = step()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    print(
        f"  {label}: median {statistics.median(times):.0f} ms wall "
        f"(min {min(times):.0f}, max {max(times):.0f}, {repeat} runs), "
        f"{statistics.median(cpu):.0f} ms CPU in Python"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the test database (and reuse one a previous --keep run left): no rebuild",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        print("bench/reports.py: skipped, set DATABASE_URL to a PostgreSQL database")
        return
    os.environ["DJANGO_SETTINGS_MODULE"] = "openrcm.config.settings.test"
    os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.db import connection
    from django.db.utils import OperationalError
    from django.test.utils import setup_test_environment

    try:
        with connection._nodb_cursor():  # the server, not the (not yet created) database
            pass
    except OperationalError as exc:
        print(f"bench/reports.py: skipped, PostgreSQL unreachable: {exc}")
        return
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=args.keep)
    try:
        from openrcm.core.reporting import aging, kpi_report, monthly_trend
        from openrcm.core.reporting.periods import last_months
        from openrcm.reporting.aging_selectors import aging_for
        from openrcm.reporting.selectors import aging_balances, kpi_facts
        from openrcm.tenancy.models import Practice

        practice = Practice.objects.filter(slug="riverbend").first() if args.keep else None
        if practice is None:
            start = time.perf_counter()
            practice = build(args.lines)
            print(f"  built in {time.perf_counter() - start:.0f} s")
        else:
            print("  reusing the book a previous --keep run built")
        settle(practice)

        since = last_months(MONTH_END, 12)[0][0]  # the trend's first day, as the dashboard

        def dashboard() -> Any:
            facts = kpi_facts([practice], since=since)
            month = kpi_report(
                facts.lines,
                facts.claims,
                facts.money,
                period_start=MONTH_END.replace(day=1),
                period_end=MONTH_END,
                counts=facts.counts,
            )
            trend = monthly_trend(
                facts.lines, facts.claims, facts.money, through=MONTH_END, counts=facts.counts
            )
            return facts, month, trend

        def aged() -> Any:
            return aging_for([practice], MONTH_END)

        def aged_per_line() -> Any:
            return aging(aging_balances([practice], MONTH_END), MONTH_END)

        print(f"postgresql, {args.lines:,} claim lines (target: each under 300 ms):")
        facts, month, _trend = timed(
            "dashboard data (facts, month KPIs, 12-month trend)", args.repeat, dashboard
        )
        timed(
            "  of which the facts from the database",
            args.repeat,
            lambda: kpi_facts([practice], since=since),
        )
        report = timed(
            "aging as of the month's end (aging_for: grouped balances + aging)", args.repeat, aged
        )
        per_line = timed(
            "  for information, the per-line read a drill-down uses (aging_balances + aging)",
            args.repeat,
            aged_per_line,
        )
        rows = ("total", "by_payer", "by_provider", "by_practice")
        if any(getattr(report, row) != getattr(per_line, row) for row in rows):
            print("  ERROR: the grouped aging's cells differ from the per-line aging's")
        print(
            f"  facts: {len(facts.lines):,} line groups, {len(facts.counts):,} claim counts, "
            f"{len(facts.money):,} money groups; {len(per_line.balances):,} open balances"
        )
        summary = month.as_dict()
        print(
            f"  {MONTH_END:%B %Y}: charges {summary['charges']}, payments {summary['payments']}, "
            f"denial rate {summary['denial_rate']}, days in A/R {summary['days_in_ar']}; aging "
            f"{report.as_dict()['insurance']}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keep)


if __name__ == "__main__":
    main()
