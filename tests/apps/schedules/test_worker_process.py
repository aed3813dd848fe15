"""The long-running `openrcm worker`: it takes the scheduler lease, runs the queue, and on
SIGTERM finishes cleanly and gives the lease up."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading

import pytest
import time_machine

from openrcm.clearinghouse.models import TradingPartner
from openrcm.schedules.jobs import job_open
from openrcm.schedules.lease import lease_holder
from openrcm.schedules.models import Job, JobKind, JobStatus
from openrcm.schedules.worker import WorkerProcess
from tests.apps.conftest import PracticeWorld

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The worker's threads share SQLite's in-memory test database through its shared cache,
    # whose table locks fail at once instead of waiting ("database table is locked" under
    # load); PostgreSQL runs it, and `worker --once` covers SQLite (test_daily_batch.py).
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="threads on SQLite's shared-cache in-memory test database; PostgreSQL runs it",
    ),
]


def test_worker_runs_the_queue_and_stops_on_sigterm(
    world: PracticeWorld, sandbox: TradingPartner
) -> None:
    job = job_open(
        kind=JobKind.DAILY_BATCH,
        key="daily-batch:service",
        practice=world.practice,
        partner=sandbox,
    )
    assert job is not None
    process = WorkerProcess(worker_id="service-1", interval=0.05, renew_seconds=0.1)
    timer = threading.Timer(1.5, os.kill, args=(os.getpid(), signal.SIGTERM))
    # Five seconds past a minute: no cron tick falls inside the test's second and a half.
    with time_machine.travel(dt.datetime(2026, 11, 27, 12, 0, 5, tzinfo=dt.UTC), tick=True):
        timer.start()
        try:
            process.run()  # returns once SIGTERM is handled
        finally:
            timer.cancel()
    assert process.holds_lease  # it drove the schedules while it ran
    assert lease_holder() == ""  # and gave the lease up on the way out
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    assert signal.getsignal(signal.SIGTERM) is not process._on_signal  # handlers restored
