"""`openrcm worker`: django-crontask's scheduler and django-tasks-db's worker loop in one process.

- The queue loop (django-tasks-db's ``Worker``) runs in the main thread: it claims one ready
  task at a time under a row lock (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, an
  exclusive transaction on SQLite), so any number of worker processes share the queue.
- The scheduler (crontask's APScheduler) runs in a thread, started paused. A lease thread
  renews the database lease (lease.py) every few seconds; only the process holding it has its
  scheduler resumed, so the ticks are enqueued once however many workers run. When the holder
  stops, another takes over within the lease time. The ticks' jobs have unique keys too.
- SIGTERM or SIGINT: the current task finishes, the scheduler stops, the lease is released;
  a second signal stops at once (an attempt cut short is retried by the stale-job check).
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
from dataclasses import dataclass
from types import FrameType
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_SCHEDULER_START
from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING, STATE_STOPPED
from django.db import DatabaseError, connections
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from openrcm.schedules.lease import lease_release, lease_take

logger = logging.getLogger("openrcm.schedules")

LEASE_SECONDS = 30
RENEW_SECONDS = 10.0


def db_worker(*, worker_id: str, interval: float, batch: bool) -> Worker:
    """django-tasks-db's worker loop on the default backend's every queue."""
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


@dataclass
class OnceReport:
    opened: int  # jobs the due schedules opened
    ran: int  # tasks the queue ran (attempts, including ones queued earlier)


def drain_queue(*, worker_id: str) -> int:
    """Run every ready task of the queue, one at a time, until none is left; how many ran.

    The claim is django-tasks-db's own (the worker loop's: ``get_locked`` and ``claim`` in an
    exclusive transaction) and so is the run (``Worker.run_task``: result, errors, signals);
    only the loop's connection recycling is left out, which a one-shot run does not need."""
    worker = db_worker(worker_id=worker_id, interval=0, batch=True)
    ran = 0
    while True:
        tasks = DBTaskResult.objects.ready().filter(backend_name=worker.backend_name)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(worker_id)
        if task_result is None:
            return ran
        worker.run_task(task_result)
        ran += 1


def run_once(*, worker_id: str, now: dt.datetime | None = None) -> OnceReport:
    """Open the jobs due now, then run every ready task of the queue and return (for tests and
    for running the worker from cron instead of as a service)."""
    from openrcm.schedules.schedules import run_due_now

    opened = run_due_now(now=now)
    return OnceReport(opened=len(opened), ran=drain_queue(worker_id=worker_id))


class WorkerProcess:
    """The long-running worker: the queue loop here, the scheduler and the lease in threads."""

    def __init__(
        self,
        *,
        worker_id: str,
        interval: float = 1.0,
        lease_seconds: int = LEASE_SECONDS,
        renew_seconds: float = RENEW_SECONDS,
    ) -> None:
        from openrcm.schedules.schedules import scheduler

        self.worker_id = worker_id
        self.lease_seconds = lease_seconds
        self.renew_seconds = renew_seconds
        self.scheduler = scheduler
        self.queue = db_worker(worker_id=worker_id, interval=interval, batch=False)
        self.stopping = threading.Event()
        self.started = threading.Event()
        self.holds_lease = False
        self._held_until = 0.0
        self._signals: dict[int, Any] = {}

    # -- signals -----------------------------------------------------------------------------

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.stopping.is_set():
            logger.warning("%s again: stopping now", name)
            raise SystemExit(1)
        logger.info("%s: stopping after the current task (send it again to stop now)", name)
        self.stop()

    def stop(self) -> None:
        """Ask the loop to end after its current task."""
        self.queue.running = False
        self.stopping.set()

    def _install_signals(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            self._signals[sig] = signal.signal(sig, self._on_signal)

    def _restore_signals(self) -> None:
        for sig, handler in self._signals.items():
            signal.signal(sig, handler)

    # -- scheduler and lease ---------------------------------------------------------------------

    def _scheduler_event(self, event: Any) -> None:
        if event.code == EVENT_SCHEDULER_START:
            self.started.set()
        else:  # a tick was enqueued (or failed to be): this thread's connection is done
            connections.close_all()

    def _run_scheduler(self) -> None:
        try:
            self.scheduler.start(paused=True)
        except Exception:  # pragma: no cover - logged, the queue loop goes on
            logger.exception("the scheduler stopped")
            self.started.set()

    def lease_step(self) -> bool:
        """Renew or take the lease; resume or pause the scheduler to match. Whether held."""
        try:
            held = lease_take(holder=self.worker_id, seconds=self.lease_seconds)
            if held:
                self._held_until = time.monotonic() + self.lease_seconds - self.renew_seconds
        except DatabaseError as exc:
            # A passing error keeps a lease still valid (nobody else can take it before it
            # expires); past that, another worker may hold it, so this one stops scheduling.
            held = self.holds_lease and time.monotonic() < self._held_until
            logger.warning("cannot renew the scheduler lease: %s", exc)
        finally:
            connections.close_all()
        if held and not self.holds_lease:
            logger.info("worker %s drives the schedules", self.worker_id)
        elif self.holds_lease and not held:
            logger.info("worker %s stands by: another worker drives the schedules", self.worker_id)
        self.holds_lease = held
        state = self.scheduler.state
        if held and state == STATE_PAUSED:
            self.scheduler.resume()
        elif not held and state == STATE_RUNNING:
            self.scheduler.pause()
        return held

    def _keep_lease(self) -> None:
        self.started.wait(10)
        while not self.stopping.is_set():
            self.lease_step()
            self.stopping.wait(self.renew_seconds)

    # -- the whole ------------------------------------------------------------------------------

    def run(self) -> None:
        """Run until SIGTERM or SIGINT (or ``stop()``)."""
        logger.info("worker %s starting", self.worker_id)
        self._install_signals()
        self.scheduler.add_listener(
            self._scheduler_event, EVENT_SCHEDULER_START | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
        )
        threads = [
            threading.Thread(target=self._run_scheduler, name="openrcm-scheduler", daemon=True),
            threading.Thread(target=self._keep_lease, name="openrcm-lease", daemon=True),
        ]
        for thread in threads:
            thread.start()
        try:
            if not self.stopping.is_set():
                self.queue.run()
        finally:
            self.stopping.set()
            self.started.wait(5)
            if self.scheduler.state != STATE_STOPPED:
                self.scheduler.shutdown(wait=False)
            for thread in threads:
                thread.join(5)
            self.scheduler.remove_listener(self._scheduler_event)
            if self.holds_lease:
                lease_release(holder=self.worker_id)
            self._restore_signals()
            logger.info("worker %s stopped", self.worker_id)
