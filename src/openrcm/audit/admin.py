"""The audit trail in the Django admin: read-only, filtered by user, practice, action and date,
searched by patient id (also by request id, username or object id). Viewing it is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from openrcm.audit.models import AuditAction, AuditEvent
from openrcm.audit.services import audit_record

if TYPE_CHECKING:
    _ModelAdmin = admin.ModelAdmin[AuditEvent]
else:  # Django's ModelAdmin is not subscriptable at run time
    _ModelAdmin = admin.ModelAdmin

FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "practice_id",
    "action",
    "outcome",
    "object_type",
    "object_id",
    "patient_id",
    "request_id",
    "client_ip",
    "detail",
    "prev_hash",
    "hash",
)


@admin.register(AuditEvent)
class AuditEventAdmin(_ModelAdmin):
    list_display = (
        "seq",
        "at",
        "actor_name",
        "action",
        "outcome",
        "object_type",
        "object_id",
        "patient_id",
        "practice_id",
        "client_ip",
        "request_id",
    )
    list_display_links = ("seq",)
    list_filter = (
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("practice", admin.RelatedOnlyFieldListFilter),
        "action",
        "outcome",
        ("at", admin.DateFieldListFilter),
    )
    search_fields = ("patient_id__exact", "=request_id", "=actor_name", "=object_id")
    search_help_text = "Patient id, request id, username or object id (exact)."
    date_hierarchy = "at"
    ordering = ("-seq",)
    fields = FIELDS
    readonly_fields = FIELDS
    actions = None
    list_per_page = 100
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        if request.method == "GET" and response.status_code == 200:
            audit_record(
                action=AuditAction.LIST,
                object_type=AuditEvent._meta.label_lower,
                request=request,
                detail={"filters": sorted(request.GET.keys())},
            )
        return response

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            audit_record(
                action=AuditAction.READ,
                object_type=AuditEvent._meta.label_lower,
                object_id=object_id,
                request=request,
            )
        return response
