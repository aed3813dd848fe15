"""Submission benchmark: ready claims in the database to stored 837P files (never a test).

    .venv/bin/python bench/submit.py                  # SQLite, then PostgreSQL
    .venv/bin/python bench/submit.py --db sqlite      # one backend (sqlite, postgres)
    .venv/bin/python bench/submit.py --profile        # and cProfile's top functions

Each backend runs in a child process on a fresh database: a temporary SQLite file, or a
temporary PostgreSQL database on 127.0.0.1:5432 (user postgres; skipped with a message when
the server does not answer), migrated from scratch. The child puts N ready claims (default
10,000) in one practice with bulk inserts: 1-6 lines (some with NDC drugs and modifiers), 1-4
diagnoses, 5 payers (Medicare, Medicaid, Blue, two commercial), 4 providers, 3 locations, about
a fifth of the patients dependents of their subscriber. Then it times ``batch_build``: the
claims read, written as one 837P interchange (5,000 claims per ST-SE), stored sealed
(StoredFile, encrypted), the batch's rows and status changes written. Prints claims per second
by wall clock and by CPU time of this process (the machine is shared: wall includes waiting;
PostgreSQL's own CPU is not in the CPU figure). Target: at least 2,000 claims/s.

Peer-free baselines in the same run: the 837P writer alone on the same claims (objects already
built), and reading and converting the claims from the database without writing anything.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

TARGET = 2_000
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
CODES = [
    ("99213", ""),
    ("99214", "25"),
    ("99203", ""),
    ("80053", ""),
    ("85025", ""),
    ("93000", ""),
    ("36415", ""),
    ("97110", "GP"),
    ("20610", "RT"),
    ("J1100", ""),
    ("90471", ""),
    ("90686", ""),
]
DIAGNOSES = ["E119", "I10", "J069", "M545", "Z0000", "E785", "R079", "M25561", "K219", "F419"]
PAYERS = [
    ("Medicare Part B", "00435", "MB"),
    ("Kentucky Medicaid", "61000", "MC"),
    ("Anthem Blue Cross", "00660", "BL"),
    ("Aetna", "60054", "CI"),
    ("UnitedHealthcare", "87726", "CI"),
]


def say(text: str = "") -> None:
    print(text, flush=True)


# -- the parent: one child per backend ---------------------------------------------------------


def _postgres_reachable() -> str:
    """'' when PostgreSQL answers on 127.0.0.1:5432, else why not."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return ""
    except Exception as exc:  # any failure means: skip, with its message
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _run_child(backend: str, args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="openrcm-bench-submit-"))
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "openrcm.config.settings.test"
    env["OPENRCM_VAR_DIR"] = str(folder)
    env["OPENRCM_DATA_DIR"] = str(folder / "data")
    db_name = ""
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    else:
        why = _postgres_reachable()
        if why:
            say(f"== postgres: skipped, 127.0.0.1:5432 does not answer ({why}) ==")
            shutil.rmtree(folder, ignore_errors=True)
            return 0
        import psycopg

        db_name = f"openrcm_bench_submit_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db_name}"
    command = [sys.executable, __file__, "--child", backend, "--claims", str(args.claims)]
    if args.profile:
        command.append("--profile")
    try:
        return subprocess.call(command, env=env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if db_name:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


# -- the child: a fresh database, N ready claims, one batch ------------------------------------


def _setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def build_world(n_claims: int, seed: int = 2026) -> Any:
    """A practice with ``n_claims`` ready claims, inserted in bulk (realistic shapes)."""
    from django.db import transaction
    from django.utils import timezone

    from openrcm.claims.models import Claim, ClaimLine
    from openrcm.encounters.models import ChargeLine, Diagnosis, Encounter
    from openrcm.operations.demo.people import npi
    from openrcm.patients.models import Coverage, Patient
    from openrcm.payers.models import Payer
    from openrcm.providers.models import Provider
    from openrcm.tenancy.models import Location, Organization, Practice

    rng = random.Random(seed)
    taken: set[str] = set()
    now = timezone.now()
    today = now.date()
    with transaction.atomic():
        org = Organization.objects.create(name="Bench Billing", slug="bench-billing")
        practice = Practice.objects.create(
            organization=org,
            name="Bench Family Medicine",
            slug="bench",
            group_npi=npi(rng, taken),
            tin="612345678",
            taxonomy="207Q00000X",
            address_line1="100 Main St",
            city="Lexington",
            state="KY",
            zip_code="405021234",
            phone="8595550100",
        )
        payers = Payer.objects.bulk_create(
            Payer(
                organization=org,
                name=name,
                payer_id=payer_id,
                claim_filing_indicator=filing,
                address_line1=f"PO Box {1000 + i}",
                city="Louisville",
                state="KY",
                zip_code="40201",
            )
            for i, (name, payer_id, filing) in enumerate(PAYERS)
        )
        providers = Provider.objects.bulk_create(
            Provider(
                practice=practice,
                first_name=f"Doc{i}",
                last_name=f"Bench{i}",
                credential="MD",
                npi=npi(rng, taken),
                taxonomy="207Q00000X",
            )
            for i in range(4)
        )
        locations = Location.objects.bulk_create(
            Location(
                practice=practice,
                name=f"Bench clinic {i}",
                address_line1=f"{200 + i} Clinic Rd",
                city="Lexington",
                state="KY",
                zip_code=f"40503{1000 + i}",
            )
            for i in range(3)
        )
        n_patients = max(1, n_claims // 3)
        patients = Patient.objects.bulk_create(
            Patient(
                practice=practice,
                account_number=f"A{i:07d}",
                first_name=f"Pat{i}",
                last_name=f"Bench{i % 997}",
                date_of_birth=date(1940 + i % 70, 1 + i % 12, 1 + i % 28),
                sex="FM"[i % 2],
                address_line1=f"{i} Elm St",
                city="Lexington",
                state="KY",
                zip_code="40502",
            )
            for i in range(n_patients)
        )
        coverages = Coverage.objects.bulk_create(
            Coverage(
                practice=practice,
                patient=patient,
                payer=payers[i % len(payers)],
                member_id=f"M{i:09d}",
                group_number="" if i % len(payers) < 2 else f"G{i % 50:05d}",
                priority=1,
                relationship="18" if i % 5 else "19",
                subscriber_first_name="" if i % 5 else "Sub",
                subscriber_last_name="" if i % 5 else f"Bench{i % 997}",
                subscriber_date_of_birth=None if i % 5 else date(1970, 5, 5),
                subscriber_sex="" if i % 5 else "M",
                effective_from=date(2020, 1, 1),
            )
            for i, patient in enumerate(patients)
        )
        encounters = Encounter.objects.bulk_create(
            Encounter(
                practice=practice,
                patient=patients[i % n_patients],
                provider=rng.choice(providers),
                location=rng.choice(locations),
                date_of_service=today - timedelta(days=1 + rng.randrange(60)),
                place_of_service="11",
            )
            for i in range(n_claims)
        )
        diagnoses: list[Diagnosis] = []
        lines: list[ChargeLine] = []
        for encounter in encounters:
            codes = rng.sample(DIAGNOSES, rng.randint(1, 4))
            diagnoses += [
                Diagnosis(encounter=encounter, position=p, code=c)
                for p, c in enumerate(codes, start=1)
            ]
            for number in range(1, rng.choice((1, 1, 2, 2, 3, 4, 5, 6)) + 1):
                code, modifier = rng.choice(CODES)
                drug = code.startswith("J")
                lines.append(
                    ChargeLine(
                        practice=practice,
                        encounter=encounter,
                        line_number=number,
                        procedure_code=code,
                        modifier1=modifier,
                        units=rng.choice((1, 1, 1, 2)),
                        charge_cents=rng.randrange(2_500, 45_000),
                        diagnosis_pointers=",".join(
                            str(p) for p in range(1, min(len(codes), 2) + 1)
                        ),
                        ndc_code="00009047613" if drug else "",
                        ndc_quantity="1" if drug else "",
                        ndc_unit="ML" if drug else "",
                        line_control_number=f"E{encounter.pk}L{number}",
                    )
                )
        Diagnosis.objects.bulk_create(diagnoses, batch_size=2000)
        ChargeLine.objects.bulk_create(lines, batch_size=2000)
        by_encounter: dict[int, list[ChargeLine]] = {}
        for line in lines:
            by_encounter.setdefault(line.encounter_id, []).append(line)
        coverage_of = {c.patient_id: c for c in coverages}
        claims = Claim.objects.bulk_create(
            (
                Claim(
                    practice=practice,
                    encounter=encounter,
                    coverage=coverage_of[encounter.patient_id],
                    sequence="P",
                    patient_control_number=f"{practice.pk}C{i + 1:08d}",
                    total_charge_cents=sum(ln.charge_cents for ln in by_encounter[encounter.pk]),
                    status="ready",
                    status_changed_at=now,
                )
                for i, encounter in enumerate(encounters)
            ),
            batch_size=2000,
        )
        ClaimLine.objects.bulk_create(
            (
                ClaimLine(
                    practice=practice,
                    claim=claim,
                    charge_line=line,
                    line_number=line.line_number,
                    charge_cents=line.charge_cents,
                )
                for claim in claims
                for line in by_encounter[claim.encounter_id]
            ),
            batch_size=2000,
        )
    return practice


def child(backend: str, n_claims: int, profile: bool) -> None:
    _setup_django()
    from django.db import connection

    from openrcm.claims.models import ClaimLine
    from openrcm.clearinghouse import services
    from openrcm.clearinghouse.models import BatchFile
    from openrcm.clearinghouse.professional import sendable_claims
    from openrcm.core.x12 import claim837p as x
    from openrcm.files.services import file_read

    vendor = f"sqlite {getattr(getattr(connection, 'Database', None), 'sqlite_version', '')}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            vendor = f"postgresql {cursor.fetchone()[0]}"
    say(f"== {backend} ({vendor}): {n_claims:,} ready claims to stored 837P files ==")
    practice, wall, _ = _timed(lambda: build_world(n_claims))
    lines = ClaimLine.objects.filter(practice=practice).count()
    say(f"  built the claims with bulk inserts in {wall:.1f} s ({lines:,} lines)")
    partner = services.partner_for(practice=practice)

    # Peer-free baselines: reading and converting alone; the writer alone.
    def convert() -> list[x.ProfessionalClaim]:
        rows = sendable_claims(practice=practice, claims=services._sendable(practice))
        return [row.claim for row in rows]

    claims, read_wall, read_cpu = _timed(convert)
    moment = datetime.now(UTC)
    batch = x.ProfessionalClaimBatch(
        submitter=x.Submitter(
            name=x.Name(last=practice.name, person=False),
            id=partner.sender_id,
            contacts=[x.Contact(name="BILLING OFFICE", phone=practice.phone)],
        ),
        receiver=x.Receiver(name=partner.receiver_name, id=partner.receiver_id),
        reference="BENCH",
        created_date=moment.date(),
        created_time=moment.time().replace(second=0, microsecond=0),
        claims=claims,
    )
    sets = x.split_claims(batch)

    def write() -> str:
        return x.write_837p_interchange(
            sets,
            set_control_numbers=[f"{n + 1:04d}" for n in range(len(sets))],
            sender_id=partner.sender_id,
            receiver_id=partner.receiver_id,
            isa_control=1,
            gs_control=1,
            usage="T",
            now=moment,
        )

    _, write_wall, write_cpu = _timed(write)

    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    built, wall, cpu = _timed(lambda: services.batch_build(practice=practice, partner=partner))
    if profiler is not None:
        profiler.disable()
    assert built.batch is not None and built.batch.claim_count == n_claims
    files = list(BatchFile.objects.filter(batch=built.batch).select_related("stored"))
    data = file_read(stored=files[0].stored)
    assert data.count(b"~CLM*") == n_claims
    size = sum(f.stored.size for f in files)
    say(f"  837P writer alone (objects built):   {n_claims / write_cpu:9,.0f} claims/s CPU "
        f"({write_cpu:.2f} s; wall {write_wall:.2f} s)")  # fmt: skip
    say(f"  read + convert from the database:    {n_claims / read_cpu:9,.0f} claims/s CPU "
        f"({read_cpu:.2f} s; wall {read_wall:.2f} s)")  # fmt: skip
    say(f"  batch_build, claims to stored files: {n_claims / cpu:9,.0f} claims/s CPU "
        f"({cpu:.2f} s)")  # fmt: skip
    say(f"                                       {n_claims / wall:9,.0f} claims/s wall "
        f"({wall:.2f} s)")  # fmt: skip
    say(f"  1 file, {len(files[0].st02)} ST-SE sets, {size / 1e6:.1f} MB sealed; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")  # fmt: skip
    for label, rate in (("CPU", n_claims / cpu), ("wall", n_claims / wall)):
        say(
            f"  {'OK  ' if rate >= TARGET else 'MISS'} batch_build >= {TARGET:,} claims/s ({label})"
        )
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
        say(out.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true", help="print cProfile of batch_build")
    parser.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.claims, args.profile)
        return 0
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    status = 0
    for backend in backends:
        status |= _run_child(backend, args)
    return status


if __name__ == "__main__":
    sys.exit(main())
