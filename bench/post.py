"""Posting benchmark: one 835 paying N claims, posted against N claims (never a test).

    .venv/bin/python bench/post.py                  # SQLite, then PostgreSQL
    .venv/bin/python bench/post.py --db sqlite      # one backend (sqlite, postgres)
    .venv/bin/python bench/post.py --claims 2000 --profile
    .venv/bin/python bench/post.py --db postgres --statements   # where the database time goes

Each backend runs in a child process on a fresh database (a temporary SQLite file, or a
temporary PostgreSQL database on 127.0.0.1:5432, skipped with a message when it does not
answer), migrated from scratch. The child builds N claims (default 20,000) with bench/submit.py's
bulk world (1-6 lines each), marks them accepted and posts their charges, then writes one 835
(one ST-SE) paying every claim line by line: most lines paid with CO-45, a share with PR-1/2/3,
a few denied CO-97 with a RARC. It times ``era_import`` end to end: the file read, stored
sealed, every claim matched, planned and posted (entries, balances, denials, claim statuses),
and prints claims posted per second by wall clock and by this process's CPU time. Target: at
least 1,000 claims/s end to end. ``openrcm ledger check`` runs afterwards and must agree.
``--statements`` also prints the import's statements grouped by their first words, with their
time and count (the client's share included, as ``connection.execute_wrapper`` sees them), and
the COMMIT's time: on PostgreSQL the deferred foreign-key checks run there.
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
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.submit import (  # noqa: E402  (the path above first)
    PG_ADMIN,
    _postgres_reachable,
    _setup_django,
    _timed,
    build_world,
    say,
)

TARGET = 1_000


def _run_child(backend: str, args: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="openrcm-bench-post-"))
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

        db_name = f"openrcm_bench_post_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{db_name}"')
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db_name}"
    command = [sys.executable, __file__, "--child", backend, "--claims", str(args.claims)]
    if args.profile:
        command.append("--profile")
    if args.statements:
        command.append("--statements")
    try:
        return subprocess.call(command, env=env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if db_name:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def _remittance_835(practice: Any, seed: int = 7) -> tuple[bytes, int]:
    """One 835 set paying every claim of `practice`; returns it and its line count."""
    from datetime import UTC, date, datetime

    from openrcm.claims.models import Claim, ClaimLine
    from openrcm.core.x12.era import (
        Address,
        Adjustment,
        ClaimPayment,
        Contact,
        DateRef,
        EntityName,
        Party,
        Payment,
        Reference,
        Remark,
        Remittance,
        ServiceLine,
        Trace,
        write_835,
    )

    rng = random.Random(seed)
    cents = Decimal("0.01")
    lines: dict[int, list[Any]] = {}
    for line in (
        ClaimLine.objects.filter(practice=practice)
        .select_related("charge_line")
        .order_by("claim_id", "line_number")
    ):
        lines.setdefault(line.claim_id, []).append(line)
    payments = []
    n_lines = 0
    for claim in Claim.objects.filter(practice=practice).select_related("encounter").order_by("id"):
        svcs = []
        for line in lines[claim.pk]:
            charge = Decimal(line.charge_cents) / 100
            roll = rng.random()
            if roll < 0.03:
                cas = [Adjustment("CO", "97", charge)]
                remarks = [Remark("HE", "M15")]
            else:
                allowed = (charge * Decimal("0.72")).quantize(cents)
                cas = [Adjustment("CO", "45", charge - allowed)]
                remarks = []
                if roll < 0.35:
                    share = (allowed * Decimal("0.2")).quantize(cents)
                    cas.append(Adjustment("PR", rng.choice(("1", "2", "3")), share))
            paid = charge - sum((a.amount for a in cas), Decimal(0))
            svcs.append(
                ServiceLine(
                    procedure_qualifier="HC",
                    procedure_code=line.charge_line.procedure_code,
                    modifiers=line.charge_line.modifiers,
                    charge=charge,
                    paid=paid,
                    dates=[DateRef("472", claim.encounter.date_of_service)],
                    adjustments=[a for a in cas if a.amount],
                    references=[Reference("6R", line.charge_line.line_control_number)],
                    remarks=remarks,
                )
            )
            n_lines += 1
        paid = sum((s.paid for s in svcs), Decimal(0))
        payments.append(
            ClaimPayment(
                patient_control_number=claim.patient_control_number,
                status="1" if paid else "4",
                charge=Decimal(claim.total_charge_cents) / 100,
                paid=paid,
                filing_indicator="MB",
                payer_claim_number=f"ICN{claim.pk:010d}",
                names=[EntityName("QC", "1", "BENCH", "PAT", id_qualifier="MI", id="M1")],
                lines=svcs,
            )
        )
    total = sum((p.paid for p in payments), Decimal(0))
    remittance = Remittance(
        control_number="0001",
        payment=Payment("I", total, "C", "CHK", date(2026, 11, 2)),
        trace=Trace("BENCH-TRACE-1", "1512345678"),
        payer=Party(
            "PR",
            "MEDICARE PART B",
            address=Address("PO BOX 1", city="LOUISVILLE", state="KY", postal_code="40201"),
            contacts=[Contact("BL", "EDI", [("TE", "8005551212")])],
        ),
        payee=Party("PE", practice.name.upper(), "XX", practice.group_npi),
        claims=payments,
    )
    text = write_835(
        [remittance],
        sender_id="MEDICARE",
        receiver_id="BENCH",
        isa_control=1,
        gs_control=1,
        now=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    )
    return text.encode(), n_lines


class _StatementTimer:
    """Time per kind of statement (its first words) and of the COMMIT, during the import."""

    def __init__(self) -> None:
        self.kinds: dict[str, list[float]] = {}
        self.commit = 0.0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            words = sql.split("(", 1)[0].split(" WHERE ", 1)[0]
            kind = self.kinds.setdefault(" ".join(words.split()[:6]), [0.0, 0])
            kind[0] += time.perf_counter() - start
            kind[1] += 1

    @contextmanager
    def timing(self, connection: Any) -> Iterator[None]:
        commit = connection._commit  # what Django's atomic() calls to COMMIT, on any backend

        def timed_commit() -> None:
            start = time.perf_counter()
            try:
                commit()
            finally:
                self.commit += time.perf_counter() - start

        connection._commit = timed_commit
        try:
            with connection.execute_wrapper(self):
                yield
        finally:
            del connection._commit

    def report(self) -> None:
        total = sum(t for t, _n in self.kinds.values())
        calls = sum(int(n) for _t, n in self.kinds.values())
        say(f"  statements: {total:.2f} s in {calls} round trips; COMMIT {self.commit:.2f} s")
        for what, (seconds, n) in sorted(self.kinds.items(), key=lambda kv: -kv[1][0])[:12]:
            say(f"    {seconds:6.2f} s {int(n):5d}x  {what[:90]}")


def child(backend: str, n_claims: int, profile: bool, statements: bool = False) -> None:
    _setup_django()
    from django.db import connection

    from openrcm.claims.models import Claim
    from openrcm.posting.ledger import ledger_charges_post, ledger_check
    from openrcm.posting.services import era_import

    vendor = f"sqlite {getattr(getattr(connection, 'Database', None), 'sqlite_version', '')}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            vendor = f"postgresql {cursor.fetchone()[0]}"
    say(f"== {backend} ({vendor}): one 835 paying {n_claims:,} claims ==")
    practice, wall, _ = _timed(lambda: build_world(n_claims))
    say(f"  built the claims with bulk inserts in {wall:.1f} s")
    # Bench setup, not under measure: the claims went out and the clearinghouse took them.
    Claim.objects.filter(practice=practice).update(status="accepted")
    claims = list(Claim.objects.filter(practice=practice).only("pk"))
    charged, wall, cpu = _timed(lambda: ledger_charges_post(claims=claims))
    say(f"  charges posted: {charged:,} lines in {wall:.1f} s wall ({cpu:.1f} s CPU)")
    (data, n_lines), wall, _ = _timed(lambda: _remittance_835(practice))
    say(f"  835 written: {n_claims:,} CLPs, {n_lines:,} SVCs, {len(data) / 1e6:.1f} MB "
        f"in {wall:.1f} s")  # fmt: skip

    profiler = cProfile.Profile() if profile else None
    timer = _StatementTimer() if statements else None
    if profiler is not None:
        profiler.enable()
    with timer.timing(connection) if timer is not None else nullcontext():
        result, wall, cpu = _timed(
            lambda: era_import(data=data, practice=practice, name="bench.835")
        )
    if profiler is not None:
        profiler.disable()
    assert result.claims_posted == n_claims, result.as_json()
    assert result.exceptions == 0 and result.refused_sets == 0, result.errors
    say(f"  era_import, file to posted claims: {n_claims / cpu:9,.0f} claims/s CPU ({cpu:.2f} s)")
    say(f"                                     {n_claims / wall:9,.0f} claims/s wall "
        f"({wall:.2f} s)")  # fmt: skip
    say(f"  {result.lines_posted:,} lines posted, {result.denials:,} denials, payment "
        f"{result.payment_amount}; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs")  # fmt: skip
    for label, rate in (("CPU", n_claims / cpu), ("wall", n_claims / wall)):
        say(f"  target {TARGET:,}/s by {label}: {'met' if rate >= TARGET else 'NOT met'}")
    if timer is not None:
        timer.report()
    differences, wall, _ = _timed(ledger_check)
    say(f"  ledger check: {len(differences)} differences ({wall:.1f} s)")
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
        say(out.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default=None)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--child", choices=("sqlite", "postgres"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.claims, args.profile, args.statements)
        return 0
    status = 0
    for backend in [args.db] if args.db else ["sqlite", "postgres"]:
        status |= _run_child(backend, args)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
