"""Django admin for code sets: the imports and ICD-10-CM releases, read-only (load with
`openrcm codes import`)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from openrcm.codes.models import CodeImport, Icd10Release
from openrcm.tenancy.admin_types import ModelAdmin


@admin.register(CodeImport)
class CodeImportAdmin(ModelAdmin[CodeImport]):
    list_display = ["kind", "practice", "quarter", "rows", "files", "imported_at", "replaced_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Icd10Release)
class Icd10ReleaseAdmin(ModelAdmin[Icd10Release]):
    list_display = ["name", "effective_from", "effective_to", "code_count", "source_file"]
    exclude = ["codes", "descriptions"]  # compacted payloads, not for reading

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
