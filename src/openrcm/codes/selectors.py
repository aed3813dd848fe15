"""Reads for code sets: imports in use and a practice's CPT list."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from openrcm.codes.models import CodeImport, CptCode, Icd10Release


def code_import_list(*, current_only: bool = False) -> QuerySet[CodeImport]:
    """Every import, newest first (or only those in use)."""
    qs = CodeImport.objects.select_related("practice", "imported_by")
    if current_only:
        qs = qs.filter(replaced_at__isnull=True)
    return qs.order_by("-imported_at", "-id")


def cpt_code_list(*, user: Any, practice: Any = None) -> QuerySet[CptCode]:
    """The CPT codes (with the practices' own descriptions) of the user's practices."""
    qs = CptCode.objects.for_user(user)
    if practice is not None:
        qs = qs.filter(practice=practice)
    return qs.order_by("code")


def cpt_description(*, practice: Any, code: str) -> str:
    """The practice's own description of a CPT code, or "" when it loaded none."""
    found = (
        CptCode.objects.filter(practice=practice, code=code.strip().upper())
        .values_list("description", flat=True)
        .first()
    )
    return found or ""


def icd10_release_list() -> QuerySet[Icd10Release]:
    """The loaded ICD-10-CM releases (without their payloads), by effective date."""
    return Icd10Release.objects.defer("codes", "descriptions").order_by("effective_from", "id")
