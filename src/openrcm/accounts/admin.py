"""Django admin for API tokens (the hash is never shown as a secret: it cannot be reversed)."""

from django.contrib import admin

from openrcm.accounts.models import ApiToken
from openrcm.tenancy.admin_types import ModelAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin[ApiToken]):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "user__username", "name"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
