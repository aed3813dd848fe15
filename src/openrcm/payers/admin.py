"""Django admin for payers, enrollments and fee schedules."""

from django.contrib import admin

from openrcm.payers.models import FeeSchedule, FeeScheduleEntry, Payer, PayerEnrollment
from openrcm.tenancy.admin_types import ModelAdmin, TabularInline


@admin.register(Payer)
class PayerAdmin(ModelAdmin[Payer]):
    list_display = [
        "name",
        "payer_id",
        "claim_filing_indicator",
        "timely_filing_days",
        "appeal_days",
        "organization",
    ]
    list_filter = ["organization", "claim_filing_indicator"]
    search_fields = ["name", "payer_id"]


@admin.register(PayerEnrollment)
class PayerEnrollmentAdmin(ModelAdmin[PayerEnrollment]):
    list_display = ["practice", "payer", "status", "effective_from", "era_enrolled"]
    list_filter = ["status", "practice"]


class FeeScheduleEntryInline(TabularInline[FeeScheduleEntry, FeeSchedule]):
    model = FeeScheduleEntry
    extra = 0


@admin.register(FeeSchedule)
class FeeScheduleAdmin(ModelAdmin[FeeSchedule]):
    list_display = ["name", "practice", "payer", "effective_from", "effective_to"]
    list_filter = ["practice", "payer"]
    search_fields = ["name"]
    inlines = [FeeScheduleEntryInline]
