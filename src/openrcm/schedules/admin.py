"""Django admin for jobs (read-only: jobs are written by the worker) and the scheduler lease."""

from django.contrib import admin

from openrcm.schedules.models import Job, JobAttempt, SchedulerLease
from openrcm.tenancy.admin_types import ModelAdmin, TabularInline


class JobAttemptInline(TabularInline[JobAttempt, Job]):
    model = JobAttempt
    extra = 0
    can_delete = False
    fields = ["number", "worker_id", "started_at", "finished_at", "succeeded", "error"]
    readonly_fields = ["number", "worker_id", "started_at", "finished_at", "succeeded", "error"]


@admin.register(Job)
class JobAdmin(ModelAdmin[Job]):
    list_display = ["id", "kind", "practice", "status", "attempts", "next_attempt_at", "created_at"]
    list_filter = ["status", "kind", "practice"]
    search_fields = ["key"]
    readonly_fields = [f.name for f in Job._meta.concrete_fields]
    inlines = [JobAttemptInline]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(SchedulerLease)
class SchedulerLeaseAdmin(ModelAdmin[SchedulerLease]):
    list_display = ["name", "holder", "expires_at"]
    readonly_fields = ["name", "holder", "expires_at"]
