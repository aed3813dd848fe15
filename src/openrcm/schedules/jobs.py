"""A job's life: opened once per occurrence, queued on Django's tasks API (django-tasks-db),
each attempt recorded, a failure retried with exponential backoff until its last attempt.

Only the task a job last queued may run it (``Job.task_id``): a stale or duplicate task (an
earlier retry overtaken by "retry now", a task enqueued twice) finds itself not current and
does nothing, so a job never runs twice at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from openrcm.clearinghouse.models import TradingPartner
from openrcm.schedules.models import ACTIVE, WAITING, Job, JobAttempt, JobKind, JobStatus
from openrcm.tenancy.models import Practice

logger = logging.getLogger("openrcm.schedules")

Runner = Callable[[Job], dict[str, Any]]
MAX_ERROR = 2000


class JobStateError(Exception):
    """A job cannot do what was asked in its present state (the message is for people)."""


def retry_delay(attempt: int) -> dt.timedelta:
    """How long after failed attempt number ``attempt`` the next one runs: the base delay
    (``OPENRCM_JOB_RETRY_SECONDS``, 60) doubled each time: 1, 2, 4, 8, 16 minutes."""
    base = int(getattr(settings, "OPENRCM_JOB_RETRY_SECONDS", 60))
    return dt.timedelta(seconds=base * 2 ** max(attempt - 1, 0))


def max_attempts() -> int:
    return int(getattr(settings, "OPENRCM_JOB_MAX_ATTEMPTS", 6))


def _enqueue(job: Job, *, at: dt.datetime | None) -> str:
    """Queue a run of ``job`` (at once, or not before ``at``); the task's id."""
    from openrcm.schedules.tasks import run_job

    task = run_job.using(run_after=at) if at is not None else run_job
    result = task.enqueue(job_id=job.pk)
    return str(result.id)


def job_open(
    *,
    kind: JobKind,
    key: str,
    practice: Practice | int,
    partner: TradingPartner | None = None,
    run_date: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Job | None:
    """Create the job named ``key`` and queue its first attempt, in one transaction (the queue
    is a table of the same database). None when a job with that key exists already: however
    many schedulers see an occurrence, it is opened once."""
    if Job.objects.filter(key=key).exists():
        return None
    moment = now or timezone.now()
    practice_id = practice if isinstance(practice, int) else practice.pk
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                key=key,
                practice_id=practice_id,
                partner=partner,
                run_date=run_date,
                max_attempts=max_attempts(),
                next_attempt_at=moment,
            )
            job.task_id = _enqueue(job, at=None)
            job.save(update_fields=["task_id"])
    except IntegrityError:  # another scheduler opened it between the check and the insert
        return None
    logger.info("job %s opened (%s)", job.pk, key)
    return job


def _start(job_id: int, task_id: str, worker_id: str, moment: dt.datetime) -> JobAttempt | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in WAITING or (task_id and job.task_id != task_id):
            return None
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.next_attempt_at = None
        job.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
        return JobAttempt.objects.create(
            job=job, number=job.attempts, worker_id=worker_id[:64], started_at=moment
        )


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:MAX_ERROR]


def job_attempt_failed(
    *, job: Job, attempt: JobAttempt | None, error: str, now: dt.datetime | None = None
) -> Job:
    """Record a failed attempt; queue the next one after the backoff delay, or mark the job
    failed when that was its last attempt."""
    moment = now or timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if attempt is not None:
            attempt.finished_at = moment
            attempt.succeeded = False
            attempt.error = error
            attempt.save(update_fields=["finished_at", "succeeded", "error"])
        job.last_error = error
        if job.attempts < job.max_attempts:
            job.status = JobStatus.RETRYING
            job.next_attempt_at = moment + retry_delay(job.attempts)
            job.task_id = _enqueue(job, at=job.next_attempt_at)
        else:
            job.status = JobStatus.FAILED
            job.next_attempt_at = None
            job.finished_at = moment
            job.task_id = ""
        job.save()
    if job.status == JobStatus.FAILED:
        logger.error("job %s failed for good after %d attempts: %s", job.pk, job.attempts, error)
    else:
        logger.warning(
            "job %s attempt %d failed (%s); next attempt at %s",
            job.pk,
            job.attempts,
            error,
            job.next_attempt_at.isoformat() if job.next_attempt_at else "-",
        )
    return job


def _succeeded(job: Job, attempt: JobAttempt, summary: dict[str, Any]) -> None:
    moment = timezone.now()
    with transaction.atomic():
        attempt.finished_at = moment
        attempt.succeeded = True
        attempt.save(update_fields=["finished_at", "succeeded"])
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            result=summary,
            finished_at=moment,
            updated_at=moment,
            task_id="",
        )
    logger.info("job %s succeeded on attempt %d: %s", job.pk, attempt.number, summary)


def job_run(
    *, job_id: int, runners: dict[str, Runner], task_id: str = "", worker_id: str = ""
) -> dict[str, Any]:
    """Run one attempt of a waiting job with its kind's runner. A failure is recorded (and
    retried later) and then raised again, so the queue's own record shows it too."""
    attempt = _start(job_id, task_id, worker_id, timezone.now())
    if attempt is None:
        return {"job": job_id, "ran": False, "why": "not waiting, or a newer task runs it"}
    job = Job.objects.select_related("practice", "partner").get(pk=job_id)
    try:
        summary = runners[job.kind](job)
    except Exception as exc:
        job_attempt_failed(job=job, attempt=attempt, error=_error_text(exc))
        raise
    _succeeded(job, attempt, summary)
    return {"job": job_id, "ran": True, **summary}


def job_retry_now(*, job: Job, actor: Any = None, now: dt.datetime | None = None) -> Job:
    """Queue an attempt of a failed or waiting job at once (a failed job gets one more); the
    audit trail records who asked."""
    from openrcm.audit.services import audit_record

    moment = now or timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if job.status not in (JobStatus.FAILED, JobStatus.RETRYING, JobStatus.QUEUED):
            raise JobStateError(f"job {job.pk} is {job.get_status_display().lower()}")
        if job.attempts >= job.max_attempts:
            job.max_attempts = job.attempts + 1
        job.status = JobStatus.RETRYING if job.attempts else JobStatus.QUEUED
        job.next_attempt_at = moment
        job.finished_at = None
        job.task_id = _enqueue(job, at=None)
        job.save()
        audit_record(
            action="update",
            actor=actor if getattr(actor, "pk", None) else None,
            practice=job.practice_id,
            object_type="schedules.job",
            object_id=job.pk,
            detail={"retry": "now", "attempts": job.attempts},
        )
    logger.info("job %s queued again by hand", job.pk)
    return job


def jobs_recover_stale(*, now: dt.datetime | None = None) -> int:
    """Jobs left running by a worker that stopped mid-attempt (killed, machine lost) for
    longer than ``OPENRCM_JOB_STALE_MINUTES`` (60): their attempt counts as failed and they
    are retried like any failure. How many."""
    moment = now or timezone.now()
    minutes = int(getattr(settings, "OPENRCM_JOB_STALE_MINUTES", 60))
    stale = Job.objects.filter(
        status=JobStatus.RUNNING, updated_at__lt=moment - dt.timedelta(minutes=minutes)
    )
    count = 0
    for job in stale:
        attempt = JobAttempt.objects.filter(job=job, number=job.attempts).first()
        error = f"the worker stopped during attempt {job.attempts} (no end after {minutes} min)"
        job_attempt_failed(job=job, attempt=attempt, error=error, now=moment)
        count += 1
    return count


def jobs_prune(*, now: dt.datetime | None = None) -> int:
    """Delete finished jobs older than ``OPENRCM_JOBS_KEEP_DAYS`` (30), and polls that took
    nothing after a day; the queue's finished task rows older than the same. How many jobs."""
    from django_tasks_db.models import DBTaskResult

    moment = now or timezone.now()
    keep = dt.timedelta(days=int(getattr(settings, "OPENRCM_JOBS_KEEP_DAYS", 30)))
    finished = Job.objects.exclude(status__in=ACTIVE)
    old = finished.filter(finished_at__lt=moment - keep)
    idle_polls = finished.filter(
        kind=JobKind.INBOUND_POLL,
        status=JobStatus.SUCCEEDED,
        attempts=1,
        result__taken=0,
        finished_at__lt=moment - dt.timedelta(days=1),
    )
    deleted = sum(qs.delete()[1].get("schedules.Job", 0) for qs in (old, idle_polls))
    DBTaskResult.objects.finished().filter(finished_at__lt=moment - keep).delete()
    return deleted
