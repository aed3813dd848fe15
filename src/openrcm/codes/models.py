"""Imported code sets. Each import is recorded (`CodeImport`); its rows point at it.

A new import of a kind replaces the rows of the previous one (a quarter's NCCI files are
complete, and so is the HCPCS file): the previous `CodeImport` stays as history with
`replaced_at` set and no rows. CPT lists are per practice: a practice's new list replaces only
its own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import PracticeScopedQuerySet


class CodeKind(models.TextChoices):
    HCPCS = "hcpcs", "HCPCS Level II (CMS alpha-numeric file)"
    NCCI_PTP = "ncci-ptp", "NCCI procedure-to-procedure edits (practitioner)"
    MUE = "mue", "NCCI medically unlikely edits (practitioner)"
    CARC = "carc", "Claim adjustment reason codes"
    RARC = "rarc", "Remittance advice remark codes"
    CPT = "cpt", "CPT codes a practice loads under its own license"


class CodeImport(models.Model):
    """One import of a code set: what was loaded, from which files, by whom, for when."""

    kind = models.CharField(max_length=10, choices=CodeKind.choices, db_index=True)
    practice = models.ForeignKey(
        Practice,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="code_imports",
        help_text="The practice whose CPT list this is (CPT only).",
    )
    files = models.CharField(max_length=500, help_text="File names, in the order given.")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the files' bytes together.")
    rows = models.PositiveIntegerField()
    quarter = models.CharField(max_length=20, blank=True, help_text="e.g. 2026Q2, as given.")
    effective_from = models.DateField(null=True, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.quarter or self.files} ({self.rows} rows)"


class PtpEditRow(models.Model):
    """One NCCI PTP edit: column 1 / column 2 pair, its dates and modifier indicator."""

    source = models.ForeignKey(CodeImport, on_delete=models.CASCADE, related_name="ptp_edits")
    column1 = models.CharField(max_length=5)
    column2 = models.CharField(max_length=5)
    effective = models.DateField()
    deleted = models.DateField(null=True, blank=True)
    modifier_indicator = models.PositiveSmallIntegerField()
    rationale = models.CharField(max_length=200, blank=True)
    before_1996 = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["column1", "column2"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(modifier_indicator__in=[0, 1, 9]), name="ptp_indicator_0_1_9"
            )
        ]


class MueLimit(models.Model):
    """One MUE: the most units of a code on a line or a date of service."""

    source = models.ForeignKey(CodeImport, on_delete=models.CASCADE, related_name="mue_limits")
    code = models.CharField(max_length=5)
    value = models.PositiveIntegerField()
    adjudication = models.PositiveSmallIntegerField(help_text="1 line, 2 policy, 3 clinical.")
    rationale = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "code"], name="mue_code_once_per_import"),
            models.CheckConstraint(
                condition=models.Q(adjudication__in=[1, 2, 3]), name="mue_adjudication_1_2_3"
            ),
        ]


class HcpcsEntry(models.Model):
    """One HCPCS Level II code from the official file (Level I rows are never kept)."""

    source = models.ForeignKey(CodeImport, on_delete=models.CASCADE, related_name="hcpcs")
    code = models.CharField(max_length=5)
    description = models.TextField()
    drug = models.BooleanField(default=False)
    added = models.DateField(null=True, blank=True)
    terminated = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["source", "code"], name="hcpcs_code_once_per_import")
        ]


class AdjustmentCodeEntry(models.Model):
    """A CARC or RARC from an imported list: its description (overriding OpenRCM's short
    wording) and its dates of use."""

    source = models.ForeignKey(
        CodeImport, on_delete=models.CASCADE, related_name="adjustment_codes"
    )
    kind = models.CharField(max_length=4, choices=[("carc", "CARC"), ("rarc", "RARC")])
    code = models.CharField(max_length=10)
    description = models.TextField()
    start = models.DateField(null=True, blank=True)
    stop = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "code"], name="adjustment_code_once_per_import"
            )
        ]


class CptCode(models.Model):
    """A CPT code a practice bills, with the practice's own short description (never AMA text
    shipped by OpenRCM: the practice loads it under its own license)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="cpt_codes")
    source = models.ForeignKey(CodeImport, on_delete=models.CASCADE, related_name="cpt_codes")
    code = models.CharField(max_length=5)
    description = models.CharField(max_length=100)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "code"], name="cpt_code_once_per_practice")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class Icd10Release(models.Model):
    """An ICD-10-CM release loaded from the CMS files (the shipped one is not stored): in
    effect from `effective_from` to `effective_to`, kept in the core's compacted format so
    that building the code set is one read and a decompress. A file is loaded once: its
    SHA-256 is unique."""

    name = models.CharField(max_length=100)
    effective_from = models.DateField()
    effective_to = models.DateField()
    source_file = models.CharField(max_length=255, help_text="The file name, as given.")
    sha256 = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the file.")
    code_count = models.PositiveIntegerField()
    billable_count = models.PositiveIntegerField()
    codes = models.BinaryField(help_text="Gzip: codes, kinds, chapters, blocks (core format).")
    descriptions = models.BinaryField(help_text="Gzip: one description a line, in code order.")
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["effective_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__gte=models.F("effective_from")),
                name="icd10_release_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from}..{self.effective_to})"
