"""Reconcile N deposits against N remittances in a fresh test database.

    .venv/bin/python bench/reconcile.py [--deposits N] [--database-url URL]

A bank CSV of N EFT credits (each with its ACH `TRN*1*<trace>*<payer>`) over 20 days is imported
(`deposits_import_csv`), then matched by trace and amount (`deposits_match`) against N posted
remittances of the same traces and amounts (written as rows, as `era_import` leaves them: posting
835s is bench/post.py's business); one remittance in ten is short by a cent (a discrepancy) and
one deposit in ten has no trace (an amount-and-date suggestion or unmatched). Then the daily
report of one day (`reconciliation_day`). On PostgreSQL each step follows an ANALYZE, as
autovacuum would after bulk writes (--no-analyze to see the figures without). Prints lines or
deposits per second, wall and CPU. The database is SQLite unless --database-url (or
DATABASE_URL) names PostgreSQL. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

START = dt.date(2026, 11, 2)


def bank_csv(count: int) -> bytes:
    lines = ["date,amount,description,type"]
    for n in range(count):
        day = START + dt.timedelta(days=n % 20)
        cents = 1000 + n * 7
        trace = "" if n % 10 == 9 else f"TRN*1*EFT{n:08d}*1512345678\\"
        text = f"ORIG CO NAME:PAYER {n % 30} CO ENTRY DESCR:HCCLAIMPMT {trace}"
        lines.append(f'{day.isoformat()},{cents // 100}.{cents % 100:02d},"{text}",ACH')
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deposits", type=int, default=5000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument(
        "--no-analyze",
        action="store_true",
        help="PostgreSQL: skip the ANALYZE between steps (planner statistics stay those of "
        "empty tables: the NOT EXISTS lookups then take seconds)",
    )
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "openrcm.config.settings.test"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from openrcm.files.models import StoredFileKind
        from openrcm.files.services import file_store
        from openrcm.posting.models import EraFile, Remittance
        from openrcm.reconciliation.selectors import reconciliation_day
        from openrcm.reconciliation.services import deposits_import_csv, deposits_match
        from openrcm.tenancy.services import organization_get_or_create, practice_create

        org = organization_get_or_create(slug="bench", name="Bench Billing")
        practice = practice_create(
            organization=org,
            slug="riverbend",
            name="Riverbend Family Medicine",
            group_npi="1987654328",
            tin="741852963",
        )
        count = args.deposits
        now = timezone.now()
        stored = file_store(data=b"placeholder\n", kind=StoredFileKind.CSV, practice=practice)
        era_file = EraFile.objects.create(
            practice=practice, stored=stored, sha256="0" * 64, imported_at=now
        )
        Remittance.objects.bulk_create(
            Remittance(
                practice=practice,
                era_file=era_file,
                control_number=f"{n:04d}",
                payer_name=f"PAYER {n % 30}",
                payer_id=f"P{n % 30}",
                trace_number=f"EFT{n:08d}",
                trace_originator="1512345678",
                payment_cents=1000 + n * 7 - (1 if n % 10 == 4 else 0),
                credit_debit="C",
                method="ACH",
                payment_date=START + dt.timedelta(days=n % 20),
                sha256="0" * 64,
                status="posted",
                posted_at=now,
            )
            for n in range(count)
        )
        data = bank_csv(count)
        print(f"{connection.vendor}: a bank CSV of {count:,} lines ({len(data) / 1e6:.1f} MB)")
        steps = (
            ("import", lambda: deposits_import_csv(practice=practice, data=data, name="b.csv")),
            ("match", lambda: deposits_match(practice=practice)),
            ("match again (nothing new)", lambda: deposits_match(practice=practice)),
        )
        for label, step in steps:
            if connection.vendor == "postgresql" and not args.no_analyze:
                with connection.cursor() as cursor:  # what autovacuum does after bulk writes
                    cursor.execute("ANALYZE")
            wall, cpu = time.perf_counter(), time.process_time()
            result = step()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            summary = result.as_json()
            what = (
                f"{summary['deposits_created']} deposits"
                if "deposits_created" in summary
                else f"{summary['matched']} matched, {len(summary['discrepancies'])} "
                f"discrepancies, {len(summary['suggestions'])} suggestions"
            )
            print(
                f"  {label}: {wall:.2f} s wall ({count / wall:,.0f}/s), "
                f"{cpu:.2f} s CPU ({count / cpu:,.0f}/s); {what}"
            )
        wall = time.perf_counter()
        report = reconciliation_day(practice=practice, day=START)
        wall = time.perf_counter() - wall
        print(
            f"  the report of one day: {wall:.2f} s wall; {len(report.deposits)} deposits, "
            f"{len(report.matched)} matched, {len(report.discrepancies)} discrepancies"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
