"""Django admin for providers."""

from django.contrib import admin

from openrcm.providers.models import Provider
from openrcm.tenancy.admin_types import ModelAdmin


@admin.register(Provider)
class ProviderAdmin(ModelAdmin[Provider]):
    list_display = ["last_name", "first_name", "credential", "npi", "practice", "is_active"]
    list_filter = ["practice", "is_active"]
    search_fields = ["last_name", "first_name", "npi"]
