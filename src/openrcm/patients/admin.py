"""Django admin for patients and coverages (PHI: for administrators only)."""

from django.contrib import admin

from openrcm.patients.models import Coverage, Patient
from openrcm.tenancy.admin_types import ModelAdmin, TabularInline


class CoverageInline(TabularInline[Coverage, Patient]):
    model = Coverage
    extra = 0
    fields = ["payer", "priority", "member_id", "group_number", "effective_from", "effective_to"]


@admin.register(Patient)
class PatientAdmin(ModelAdmin[Patient]):
    list_display = ["last_name", "first_name", "account_number", "date_of_birth", "practice"]
    list_filter = ["practice"]
    # The admin's search goes in the URL (?q=): by id only, never by name or account number.
    search_fields = ["=id"]
    inlines = [CoverageInline]


@admin.register(Coverage)
class CoverageAdmin(ModelAdmin[Coverage]):
    list_display = ["patient", "payer", "priority", "member_id", "effective_from", "effective_to"]
    list_filter = ["practice", "priority", "payer"]
    search_fields = ["=id", "=patient__id"]  # ids only: the search is in the URL
    raw_id_fields = ["patient"]
