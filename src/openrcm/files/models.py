"""Stored files: the record of one encrypted blob under OPENRCM_DATA_DIR/files/ (PHI).

The row holds what is needed to find, open and check the blob: its generated `stored_name`
(never anything from the client), the id of the key that sealed it and the SHA-256 of the
plaintext, which the associated data of the seal binds too. `original_name` is for display only.
One row per (practice, kind, content): storing the same bytes again returns the existing row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import PracticeScopedQuerySet


class StoredFileKind(models.TextChoices):
    X12_IN = "x12_in", "X12 received"
    X12_OUT = "x12_out", "X12 sent"
    PDF = "pdf", "PDF"
    CSV = "csv", "CSV"


CONTENT_TYPES = {
    StoredFileKind.X12_IN: "application/edi-x12",
    StoredFileKind.X12_OUT: "application/edi-x12",
    StoredFileKind.PDF: "application/pdf",
    StoredFileKind.CSV: "text/csv",
}


class StoredFile(models.Model):
    """One file of the store. Read its bytes only through `openrcm.files.services.file_read`."""

    Kind = StoredFileKind

    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, null=True, blank=True, related_name="stored_files"
    )
    kind = models.CharField(max_length=10, choices=StoredFileKind.choices)
    original_name = models.CharField(
        max_length=120, blank=True, help_text="The client's file name, sanitized; display only."
    )
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    size = models.BigIntegerField(help_text="Bytes of the plaintext.")
    sha256 = models.CharField(max_length=64, db_index=True, help_text="SHA-256 of the plaintext.")
    content_type = models.CharField(max_length=100)
    key_id = models.CharField(max_length=32, help_text="Id of the key that sealed the blob.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "kind", "sha256"],
                condition=Q(practice__isnull=False),
                name="files_storedfile_unique_content",
            ),
            models.UniqueConstraint(
                fields=["kind", "sha256"],
                condition=Q(practice__isnull=True),
                name="files_storedfile_unique_content_no_practice",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=StoredFileKind.values), name="files_storedfile_kind_valid"
            ),
            models.CheckConstraint(condition=Q(size__gte=0), name="files_storedfile_size_gte_0"),
        ]

    def __str__(self) -> str:
        return f"stored file #{self.pk} ({self.kind}, {self.stored_name})"

    @property
    def relative_path(self) -> str:
        """Where the blob lives under OPENRCM_DATA_DIR: files/<2-char prefix>/<stored_name>."""
        return f"files/{self.stored_name[:2]}/{self.stored_name}"
