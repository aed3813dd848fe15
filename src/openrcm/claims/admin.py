"""Django admin for claims. Read-mostly: a claim's status changes only through its service."""

from django.contrib import admin

from openrcm.claims.models import Claim, ClaimLine, ClaimStatusChange
from openrcm.tenancy.admin_types import ModelAdmin, TabularInline


class ClaimLineInline(TabularInline[ClaimLine, Claim]):
    model = ClaimLine
    extra = 0
    readonly_fields = ["line_number", "charge_line", "charge_cents"]
    can_delete = False


class ClaimStatusChangeInline(TabularInline[ClaimStatusChange, Claim]):
    model = ClaimStatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "at", "actor", "note"]
    can_delete = False


@admin.register(Claim)
class ClaimAdmin(ModelAdmin[Claim]):
    list_display = [
        "patient_control_number",
        "status",
        "sequence",
        "frequency_code",
        "total_charge_cents",
        "practice",
        "created_at",
    ]
    list_filter = ["status", "practice", "sequence"]
    search_fields = ["patient_control_number", "payer_claim_number"]
    raw_id_fields = ["encounter", "coverage", "replaces", "created_by"]
    readonly_fields = ["status", "status_changed_at"]  # only claims.services.claim_transition
    inlines = [ClaimLineInline, ClaimStatusChangeInline]


@admin.register(ClaimStatusChange)
class ClaimStatusChangeAdmin(ModelAdmin[ClaimStatusChange]):
    list_display = ["claim", "from_status", "to_status", "at", "actor"]
    list_filter = ["to_status", "practice"]
    readonly_fields = ["claim", "from_status", "to_status", "at", "actor", "note", "practice"]
