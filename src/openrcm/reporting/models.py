"""The monthly practice report: one stored PDF per practice and month, and whom it was e-mailed to.

Regenerating a month **replaces** its file: the row points to the newest PDF (its SHA-256 and
generation time with it); the earlier PDF stays in the encrypted file store, unlisted. The
e-mail fields are kept across a regeneration: they record who has received that month's report.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openrcm.files.models import StoredFile
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import PracticeScopedQuerySet


class MonthlyReport(models.Model):
    """A practice's monthly report (KPIs, trends, aging, denials, top open items) as a PDF."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="The first day of the month reported.")
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the PDF.")
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the last owner still waiting received it."
    )
    recipients = models.JSONField(
        default=list, blank=True, help_text="The addresses the report was e-mailed to."
    )
    email_error = models.TextField(blank=True, help_text="Why the last e-mail attempt failed.")

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "month"], name="monthly_report_once"),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="monthly_report_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"monthly report {self.month:%Y-%m} of practice {self.practice_id}"

    @property
    def filename(self) -> str:
        """The download name: no patient data, the practice's slug and the month."""
        return f"openrcm-monthly-{self.practice.slug}-{self.month:%Y-%m}.pdf"
