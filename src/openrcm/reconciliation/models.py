"""Deposits (the money the bank received) and their pairing with 835 remittances.

A `Deposit` is one bank credit: entered by a person or read from a bank's CSV export
(`BankImport`, the file kept in the encrypted store, once per practice and SHA-256). A
`DepositMatch` pairs a deposit with one remittance; a deposit batched by the bank from several
remittances of the same trace has one match per remittance. A match is never deleted: undoing
it ends it (`ended_at`, `ended_by`, `end_reason`), so the history of who paired what stays; a
remittance is in at most one live match.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from openrcm.files.models import StoredFile
from openrcm.posting.models import Remittance
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import PracticeScopedQuerySet


class DepositMethod(models.TextChoices):
    EFT = "eft", "EFT (ACH)"
    CHECK = "check", "Check"
    OTHER = "other", "Other"


class DepositSource(models.TextChoices):
    MANUAL = "manual", "Entered"
    CSV = "csv", "Bank CSV"


class MatchMethod(models.TextChoices):
    TRACE_AMOUNT = "trace_amount", "Trace number and amount"
    AMOUNT_DATE = "amount_date", "Amount and date (confirmed by a person)"
    MANUAL = "manual", "Manual"


class BankImport(models.Model):
    """One bank CSV file read into deposits: stored once per practice and content."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    stored = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0, help_text="Transaction lines read.")
    deposits_created = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0, help_text="Debits and zero amounts.")
    duplicates = models.PositiveIntegerField(
        default=0, help_text="Lines already imported from an earlier file."
    )
    columns = models.JSONField(default=dict, blank=True, help_text="Our field -> its header.")
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["practice", "sha256"], name="bank_import_once"),
        ]

    def __str__(self) -> str:
        return self.name or f"bank CSV {self.sha256[:12]}"


class Deposit(models.Model):
    """One bank credit (an EFT or a check deposit) to be paired with 835 remittances."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    deposited_on = models.DateField()
    cents = models.BigIntegerField(help_text="The amount credited, in cents (positive).")
    method = models.CharField(max_length=5, choices=DepositMethod.choices)
    trace_number = models.CharField(
        max_length=50, blank=True, help_text="The EFT's TRN02, or the check's number."
    )
    trace_originator = models.CharField(
        max_length=10, blank=True, help_text="The payer's TRN03 from the ACH addenda, if any."
    )
    bank_reference = models.CharField(
        max_length=400, blank=True, help_text="The bank's description and reference of the line."
    )
    payer_name = models.CharField(max_length=100, blank=True, help_text="As on the bank line.")
    note = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=6, choices=DepositSource.choices)
    bank_import = models.ForeignKey(
        BankImport, on_delete=models.PROTECT, null=True, blank=True, related_name="deposits"
    )
    row_number = models.PositiveIntegerField(
        null=True, blank=True, help_text="The line of the bank CSV it came from."
    )
    line_key = models.CharField(
        max_length=64,
        blank=True,
        help_text="SHA-256 of date, amount and bank text: the same line in a later, "
        "overlapping export is not imported twice.",
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["deposited_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(cents__gt=0), name="deposit_positive"),
        ]
        indexes = [
            models.Index(fields=["practice", "deposited_on"], name="deposit_practice_day"),
            models.Index(fields=["practice", "trace_number"], name="deposit_trace"),
            models.Index(fields=["practice", "line_key"], name="deposit_line_key"),
        ]

    def __str__(self) -> str:
        return f"deposit {self.cents / 100:.2f} on {self.deposited_on}"

    @property
    def amount(self) -> str:
        return f"{self.cents / 100:.2f}"


class DepositMatch(models.Model):
    """A deposit paired with one remittance, by trace and amount, a confirmed suggestion, or
    by hand; live while `ended_at` is empty."""

    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="+")
    deposit = models.ForeignKey(Deposit, on_delete=models.PROTECT, related_name="matches")
    remittance = models.ForeignKey(
        Remittance, on_delete=models.PROTECT, related_name="deposit_matches"
    )
    method = models.CharField(max_length=12, choices=MatchMethod.choices)
    note = models.CharField(max_length=200, blank=True)
    matched_at = models.DateTimeField()
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=200, blank=True)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["deposit", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["remittance"],
                condition=models.Q(ended_at__isnull=True),
                name="deposit_match_remittance_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deposit} ~ {self.remittance} ({self.method})"
