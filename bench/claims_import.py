"""Import an 837P of N claims (two lines each, N/2 patients) into a fresh test database.

    .venv/bin/python bench/claims_import.py [--claims N] [--database-url URL]

The file is the worked scenario of tests/apps/claims/test_import_837.py (an EHR's claims to one
payer) with its first subscriber's claim repeated for N claims of N/2 patients. It is imported
once as drafts (patients, coverages, claims created; every claim and patient audited), then a
copy of it with one byte more (every claim a duplicate). Prints claims per second, wall and CPU
(the machine's other load shows in wall time only). The database is SQLite unless
--database-url (or DATABASE_URL) names PostgreSQL; Django creates and drops its own test
database. Not a test: it only prints.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))


def build_file(claims: int) -> bytes:
    from tests.apps.claims.test_import_837 import WORKED_SEGMENTS, _interchange

    head = WORKED_SEGMENTS[: WORKED_SEGMENTS.index("HL*2*1*22*0")]
    body: list[str] = []
    for number in range(claims):
        person = number % max(claims // 2, 1)
        body += [
            f"HL*{number + 2}*1*22*0",
            "SBR*P*18*GRP100******CI",
            f"NM1*IL*1*DOE{person}*JANE****MI*XYZ{person:07d}",
            "N3*12 ELM ST",
            "N4*SPRINGFIELD*IL*62704",
            "DMG*D8*19800115*F",
            "NM1*PR*2*ACME HEALTH*****PI*ACME1",
            f"CLM*B{number:08d}*150***11:B:1*Y*A*Y*Y",
            "HI*ABK:E119*ABF:I10",
            "NM1*82*1*SMITH*ALICE****XX*1555555550",
            "LX*1",
            "SV1*HC:99213:25*100*UN*1***1:2",
            "DTP*472*D8*20260302",
            "LX*2",
            "SV1*HC:J3420*50*UN*2***1",
            "DTP*472*D8*20260302",
        ]
    return _interchange(head + body).encode("ascii")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "openrcm.config.settings.test"
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        from openrcm.claims.importing import claims_import_837
        from openrcm.tenancy.services import organization_get_or_create, practice_create

        org = organization_get_or_create(slug="bench", name="Bench Billing")
        practice = practice_create(
            organization=org,
            slug="riverbend",
            name="Riverbend Family Medicine",
            group_npi="1987654328",
            tin="741852963",
        )
        data = build_file(args.claims)
        print(f"{connection.vendor}: an 837P of {args.claims:,} claims, {len(data) / 1e6:.1f} MB")
        for label, payload in (("import", data), ("again, every claim a duplicate", data + b"\n")):
            wall, cpu = time.perf_counter(), time.process_time()
            result = claims_import_837(practice=practice, data=payload, name="bench.837")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            counts = result.counts()
            print(
                f"  {label}: {wall:.2f} s wall ({args.claims / wall:,.0f} claims/s), "
                f"{cpu:.2f} s CPU ({args.claims / cpu:,.0f} claims/s); "
                f"{counts['claims_created']} created, {counts['patients_created']} patients, "
                f"{counts['duplicates_skipped']} duplicates"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
