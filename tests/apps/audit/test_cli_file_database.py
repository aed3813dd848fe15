"""End to end on a SQLite file, as deployed: concurrent processes append, `openrcm audit verify`
exits 0; someone holding the file drops the triggers and edits a row, verify exits 1 naming it.

Runs the real console script in subprocesses against its own database file, whatever
DATABASE_URL the rest of the suite uses.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

PROCESSES = 3
EACH = 20

APPEND = """
import sys
from openrcm.config.settings.selector import configure
configure()
import django
django.setup()
from openrcm.audit.services import audit_record, audit_service_actor
actor = audit_service_actor("worker")
for i in range(int(sys.argv[2])):
    audit_record(action="read", actor=actor, object_type="t.t", object_id=f"{sys.argv[1]}-{i}")
"""


def _openrcm(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from openrcm.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def file_env(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    tmp = tmp_path_factory.mktemp("audit-file-db")
    db_path = tmp / "openrcm.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "OPENRCM_VAR_DIR": str(tmp),
        "DJANGO_SETTINGS_MODULE": "openrcm.config.settings.test",
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    migrated = _openrcm(env, "migrate", "--no-input", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    return env, db_path


@pytest.mark.slow
def test_concurrent_processes_then_verify_then_tamper(
    file_env: tuple[dict[str, str], Path],
) -> None:
    env, db_path = file_env
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", APPEND, str(n), str(EACH)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(PROCESSES)
    ]
    for writer in writers:
        _out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err

    total = PROCESSES * EACH
    ok = _openrcm(env, "audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[0] == f"audit chain intact: {total} events"

    with sqlite3.connect(db_path) as db:
        seqs = [row[0] for row in db.execute("SELECT seq FROM audit_auditevent ORDER BY seq")]
        assert seqs == list(range(1, total + 1))
        victim_id = db.execute("SELECT id FROM audit_auditevent WHERE seq = 17").fetchone()[0]
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE audit_auditevent SET object_id = 'x' WHERE seq = 17")
        db.rollback()
        db.execute("DROP TRIGGER openrcm_audit_no_update")
        db.execute("UPDATE audit_auditevent SET object_id = 'x' WHERE seq = 17")
        db.commit()

    broken = _openrcm(env, "audit", "verify")
    assert broken.returncode == 1
    assert f"audit chain broken at seq 17 (id {victim_id}): changed" in broken.stderr
