"""Jobs the worker runs for a practice (each attempt recorded, retried with backoff) and the
lease that lets one `openrcm worker` process at a time drive the schedules."""

from __future__ import annotations

from django.db import models

from openrcm.clearinghouse.models import TradingPartner
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import PracticeScopedQuerySet


class JobKind(models.TextChoices):
    DAILY_BATCH = "daily_batch", "Daily batch"
    INBOUND_POLL = "inbound_poll", "Inbound polling"
    MONTHLY_REPORT = "monthly_report", "Monthly report"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    RETRYING = "retrying", "Waiting to retry"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


WAITING = (JobStatus.QUEUED, JobStatus.RETRYING)
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.RETRYING)


class Job(models.Model):
    """One piece of scheduled work for a practice.

    ``key`` names the occurrence (``daily-batch:<practice>:<local date>``,
    ``inbound-poll:<partner>:<slot>``, ``monthly-report:<practice>:<YYYY-MM>``) and is unique:
    however many schedulers or workers see the same occurrence, one row wins and only its
    creator enqueues it. ``next_attempt_at`` is when a waiting job runs next; ``result`` is the
    summary of the attempt that succeeded.
    """

    kind = models.CharField(max_length=20, choices=JobKind.choices)
    key = models.CharField(max_length=120, unique=True)
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(
        TradingPartner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    run_date = models.DateField(null=True, blank=True, help_text="The practice's local day.")
    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    # The queued task (django-tasks-db row id) that will make the next attempt; only it may.
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["practice", "-created_at"], name="job_practice_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"


class JobAttempt(models.Model):
    """One run of a job by a worker, and how it ended."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    worker_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    succeeded = models.BooleanField(null=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="job_attempt_once"),
        ]


class SchedulerLease(models.Model):
    """Who drives the schedules until ``expires_at``: the worker process that last renewed it."""

    name = models.CharField(max_length=40, unique=True)
    holder = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField()
