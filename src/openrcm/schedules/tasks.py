"""The tasks the queue runs (Django's tasks API; django-tasks-db stores them): one attempt of a
job, and the schedule ticks that open the jobs now due (schedules.py registers them)."""

from __future__ import annotations

from typing import Any

from django.tasks import TaskContext, task

from openrcm.schedules.due import (
    daily_batches_due,
    housekeeping,
    inbound_polls_due,
    monthly_reports_due,
)
from openrcm.schedules.jobs import job_run
from openrcm.schedules.work import RUNNERS


@task(takes_context=True)
def run_job(context: TaskContext[Any, Any], job_id: int) -> dict[str, Any]:
    """One attempt of job ``job_id`` (a failure is recorded, retried later and raised)."""
    result = context.task_result
    worker_id = result.worker_ids[-1] if result.worker_ids else ""
    return job_run(job_id=job_id, runners=RUNNERS, task_id=str(result.id), worker_id=worker_id)


@task
def daily_batches_tick() -> dict[str, Any]:
    """Open the daily batches now due (every minute)."""
    return {"opened": [job.pk for job in daily_batches_due()]}


@task
def inbound_polls_tick() -> dict[str, Any]:
    """Open a poll of every clearinghouse (every ``OPENRCM_POLL_MINUTES``)."""
    return {"opened": [job.pk for job in inbound_polls_due()]}


@task
def housekeeping_tick() -> dict[str, Any]:
    """Retry jobs a stopped worker left running; prune old rows (hourly)."""
    done = housekeeping()
    return {"recovered": done.recovered, "pruned": done.pruned}


@task
def monthly_reports_tick() -> dict[str, Any]:
    """Open last month's reports now due (hourly: the 1st at each practice's local hour)."""
    return {"opened": [job.pk for job in monthly_reports_due()]}
