"""Web: the jobs page (the worker's daily batches and inbound polls, each attempt, failures
first to the eye) and "retry now"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from openrcm.schedules.jobs import JobStateError, job_retry_now
from openrcm.schedules.models import JobStatus
from openrcm.schedules.selectors import job_get, job_list, job_status_counts
from openrcm.web.views import _paginate, _practice, page

BADGES = {
    JobStatus.QUEUED: "status-draft",
    JobStatus.RUNNING: "status-submitted",
    JobStatus.RETRYING: "status-partially_paid",
    JobStatus.SUCCEEDED: "status-paid",
    JobStatus.FAILED: "status-rejected",
}


@page
@require_GET
def job_list_view(request: HttpRequest) -> HttpResponse:
    """Recent jobs, newest first; ``?status=failed`` (or another status) filters."""
    status = request.GET.get("status", "")
    if status not in JobStatus.values:
        status = ""
    practice = _practice(request)
    jobs = job_list(user=request.user, practice=practice, status=status).prefetch_related(
        "attempt_log"
    )
    counts = job_status_counts(user=request.user, practice=practice)
    page_obj = _paginate(jobs, request.GET.get("page"))
    for job in page_obj.object_list:
        job.badge = BADGES.get(job.status, "")
    return render(
        request,
        "web/jobs.html",
        {
            "page_obj": page_obj,
            "status": status,
            "statuses": [(value, label, counts[value]) for value, label in JobStatus.choices],
            "nav": "jobs",
        },
    )


@page
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue an attempt of a failed (or waiting) job at once."""
    job = job_get(user=request.user, pk=pk)
    try:
        job_retry_now(job=job, actor=request.user)
    except JobStateError as exc:
        messages.error(request, f"Not retried: {exc}.")
    else:
        messages.success(request, f"Job {job.pk} queued: a worker runs it within seconds.")
    return redirect("job_list")
