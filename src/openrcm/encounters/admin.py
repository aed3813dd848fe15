"""Django admin for encounters, diagnoses and charge lines."""

from django.contrib import admin

from openrcm.encounters.models import ChargeLine, Diagnosis, Encounter
from openrcm.tenancy.admin_types import ModelAdmin, TabularInline


class DiagnosisInline(TabularInline[Diagnosis, Encounter]):
    model = Diagnosis
    extra = 0


class ChargeLineInline(TabularInline[ChargeLine, Encounter]):
    model = ChargeLine
    extra = 0
    fields = [
        "line_number",
        "procedure_code",
        "modifier1",
        "modifier2",
        "units",
        "charge_cents",
        "diagnosis_pointers",
        "line_control_number",
    ]
    readonly_fields = ["line_control_number"]


@admin.register(Encounter)
class EncounterAdmin(ModelAdmin[Encounter]):
    list_display = ["id", "date_of_service", "patient", "provider", "location", "practice"]
    list_filter = ["practice", "place_of_service"]
    date_hierarchy = "date_of_service"
    raw_id_fields = ["patient", "created_by"]
    inlines = [DiagnosisInline, ChargeLineInline]


@admin.register(ChargeLine)
class ChargeLineAdmin(ModelAdmin[ChargeLine]):
    list_display = ["line_control_number", "procedure_code", "units", "charge_cents", "encounter"]
    list_filter = ["practice"]
    search_fields = ["line_control_number", "procedure_code"]
    raw_id_fields = ["encounter"]
