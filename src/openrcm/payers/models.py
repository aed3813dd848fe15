"""Payers the billing organization bills, practices' enrollments, and fee schedules."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from openrcm.core.money import Money
from openrcm.tenancy.models import Address, Organization, Practice
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.scoping import PracticeScopedQuerySet, practice_ids_for


class ClaimFilingIndicator(models.TextChoices):
    """SBR09 codes (837P)."""

    MEDICARE_B = "MB", "Medicare Part B"
    MEDICARE_A = "MA", "Medicare Part A"
    MEDICAID = "MC", "Medicaid"
    BLUE = "BL", "Blue Cross/Blue Shield"
    COMMERCIAL = "CI", "Commercial insurance"
    HMO = "HM", "HMO"
    PPO = "12", "PPO"
    POS = "13", "Point of service"
    EPO = "14", "EPO"
    INDEMNITY = "15", "Indemnity"
    HMO_MEDICARE_RISK = "16", "HMO Medicare risk"
    TRICARE = "CH", "TRICARE"
    VA = "VA", "Veterans Affairs"
    WORKERS_COMP = "WC", "Workers' compensation"
    AUTO = "AM", "Automobile medical"
    LIABILITY = "LM", "Liability medical"
    OTHER_FEDERAL = "OF", "Other federal program"
    OTHER_NON_FEDERAL = "11", "Other non-federal program"
    MUTUALLY_DEFINED = "ZZ", "Mutually defined"


class PayerQuerySet(models.QuerySet["Payer"]):
    def for_user(self, user: Any, action: Action = Action.VIEW) -> PayerQuerySet:
        """Payers of the organizations whose practices the user belongs to."""
        return self.filter(organization__practices__in=practice_ids_for(user, action)).distinct()


class Payer(Address):
    """An insurance payer (Medicare, Medicaid, a Blue plan, a commercial plan ...)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="payers")
    name = models.CharField(max_length=60)
    payer_id = models.CharField("payer id", max_length=20, help_text="Electronic payer id (NM109).")
    claim_filing_indicator = models.CharField(
        max_length=2, choices=ClaimFilingIndicator.choices, default=ClaimFilingIndicator.COMMERCIAL
    )
    timely_filing_days = models.PositiveIntegerField(
        default=180, help_text="Days from the date of service to file a claim."
    )
    appeal_days = models.PositiveIntegerField(
        default=180, help_text="Days from the initial determination to file an appeal."
    )
    phone = models.CharField(max_length=10, blank=True)

    objects = PayerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "payer_id", "name"], name="payer_unique_in_organization"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PayerEnrollment(models.Model):
    """A practice's enrollment with a payer (EDI and, where needed, ERA enrollment)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="enrollments")
    payer = models.ForeignKey(Payer, on_delete=models.CASCADE, related_name="enrollments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    effective_from = models.DateField(null=True, blank=True)
    era_enrolled = models.BooleanField("ERA enrolled", default=True)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "payer"], name="one_enrollment_per_payer")
        ]

    def __str__(self) -> str:
        return f"{self.practice} - {self.payer}"


class FeeSchedule(models.Model):
    """A practice's charges (payer empty) or a payer's contracted allowances, by procedure code."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="fee_schedules")
    payer = models.ForeignKey(
        Payer, on_delete=models.CASCADE, null=True, blank=True, related_name="fee_schedules"
    )
    name = models.CharField(max_length=100)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["practice", "payer", "-effective_from"]

    def clean(self) -> None:
        if self.effective_to and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "The end date is before the start date."})

    def __str__(self) -> str:
        return self.name


class FeeScheduleEntry(models.Model):
    """One procedure's amount in a fee schedule, in integer cents."""

    fee_schedule = models.ForeignKey(FeeSchedule, on_delete=models.CASCADE, related_name="entries")
    procedure_code = models.CharField(max_length=5)
    modifier = models.CharField(max_length=2, blank=True)
    amount_cents = models.BigIntegerField()

    class Meta:
        ordering = ["procedure_code", "modifier"]
        constraints = [
            models.UniqueConstraint(
                fields=["fee_schedule", "procedure_code", "modifier"], name="one_fee_per_code"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_cents__gte=0), name="fee_not_negative"
            ),
        ]

    @property
    def amount(self) -> Money:
        return Money.from_cents(self.amount_cents)

    def __str__(self) -> str:
        return f"{self.procedure_code} {self.amount}"
