"""Django admin for API tokens (the hash is never shown as a secret: it cannot be reversed) and
MFA recovery code sets (TOTP devices are django-otp's own admin, secrets hidden)."""

from django.contrib import admin
from django.http import HttpRequest

from openrcm.accounts.models import ApiToken, RecoveryCodeDevice
from openrcm.tenancy.admin_types import ModelAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin[ApiToken]):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "user__username", "name"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]


@admin.register(RecoveryCodeDevice)
class RecoveryCodeDeviceAdmin(ModelAdmin[RecoveryCodeDevice]):
    """A user's recovery codes: how many are left; delete the set to make them enroll again.

    The codes themselves are never shown (only their digests are stored)."""

    list_display = ["user", "created_at", "codes_left", "throttling_failure_count"]
    search_fields = ["user__username"]
    fields = ["user", "name", "created_at", "throttling_failure_count"]
    readonly_fields = ("user", "name", "created_at", "throttling_failure_count")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="codes left")
    def codes_left(self, obj: RecoveryCodeDevice) -> int:
        return obj.remaining()
