"""Django admin for code sets: the imports, read-only (load with `openrcm codes import`)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from openrcm.codes.models import CodeImport
from openrcm.tenancy.admin_types import ModelAdmin


@admin.register(CodeImport)
class CodeImportAdmin(ModelAdmin[CodeImport]):
    list_display = ["kind", "practice", "quarter", "rows", "files", "imported_at", "replaced_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
