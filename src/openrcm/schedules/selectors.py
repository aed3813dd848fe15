"""Reads for the jobs page: the jobs of the practices where the user works claims."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from openrcm.schedules.models import Job, JobStatus
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.scoping import get_for_user_or_404

# Jobs are the claims' submission and acknowledgments: whoever works claims sees them.
JOBS_ACTION = Action.MANAGE_CLAIMS


def job_list(*, user: Any, practice: Any = None, status: str = "") -> QuerySet[Job]:
    """The user's practices' jobs (or one practice's), newest first; ``status`` filters."""
    jobs = (
        Job.objects.for_user(user, JOBS_ACTION)
        .select_related("practice", "partner")
        .defer("partner__sandbox_state")  # a sandbox payer's state: megabytes per partner row
    )
    if practice is not None:
        jobs = jobs.filter(practice=practice)
    if status:
        jobs = jobs.filter(status=status)
    return jobs.order_by("-created_at", "-id")


def job_status_counts(*, user: Any, practice: Any = None) -> dict[str, int]:
    """How many of the user's jobs are in each status (every status named, zeros too)."""
    rows = job_list(user=user, practice=practice).order_by().values("status")
    counts = {row["status"]: row["n"] for row in rows.annotate(n=Count("id"))}
    return {status: counts.get(status, 0) for status in JobStatus.values}


def job_get(*, user: Any, pk: int) -> Job:
    """One job of the user's practices (else 404)."""
    return get_for_user_or_404(Job.objects.all(), user, JOBS_ACTION, pk=pk)
