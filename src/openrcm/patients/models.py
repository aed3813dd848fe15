"""Patients of a practice and their insurance coverages (PHI)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from openrcm.payers.models import Payer
from openrcm.tenancy.models import Address, Practice
from openrcm.tenancy.scoping import PracticeScopedQuerySet


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Unknown"


class Relationship(models.TextChoices):
    """Patient's relationship to the subscriber (SBR02 / PAT01)."""

    SELF = "18", "Self"
    SPOUSE = "01", "Spouse"
    CHILD = "19", "Child"
    OTHER = "G8", "Other relationship"


class CoveragePriority(models.IntegerChoices):
    PRIMARY = 1, "Primary"
    SECONDARY = 2, "Secondary"
    TERTIARY = 3, "Tertiary"


def validate_not_future(value: dt.date) -> None:
    if value > timezone.localdate() + dt.timedelta(days=1):
        raise ValidationError(f"{value.isoformat()} is in the future.")
    if value.year < 1900:
        raise ValidationError(f"{value.isoformat()} is before 1900.")


class Patient(Address):
    """A person the practice treats. Identified to payers through coverages."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="patients")
    account_number = models.CharField(max_length=20)
    first_name = models.CharField(max_length=35)
    middle_name = models.CharField(max_length=25, blank=True)
    last_name = models.CharField(max_length=60)
    date_of_birth = models.DateField("date of birth", validators=[validate_not_future])
    sex = models.CharField(max_length=1, choices=Sex.choices)
    phone = models.CharField(max_length=10, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "account_number"], name="patient_account_unique_in_practice"
            )
        ]
        indexes = [models.Index(fields=["practice", "last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    @property
    def full_name(self) -> str:
        middle = f" {self.middle_name}" if self.middle_name else ""
        return f"{self.first_name}{middle} {self.last_name}"


class Coverage(models.Model):
    """A patient's insurance with one payer, at a priority, for a period."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="coverages")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="coverages")
    payer = models.ForeignKey(Payer, on_delete=models.PROTECT, related_name="coverages")
    member_id = models.CharField("member id", max_length=80)
    group_number = models.CharField(max_length=50, blank=True)
    plan_name = models.CharField(max_length=60, blank=True)
    priority = models.PositiveSmallIntegerField(
        choices=CoveragePriority.choices, default=CoveragePriority.PRIMARY
    )
    relationship = models.CharField(
        "patient's relationship to subscriber",
        max_length=2,
        choices=Relationship.choices,
        default=Relationship.SELF,
    )
    subscriber_first_name = models.CharField(max_length=35, blank=True)
    subscriber_last_name = models.CharField(max_length=60, blank=True)
    subscriber_date_of_birth = models.DateField(null=True, blank=True)
    subscriber_sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    copay_cents = models.BigIntegerField(null=True, blank=True)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["patient", "priority", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.payer} {self.member_id} ({self.get_priority_display()})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            errors["effective_to"] = "The coverage ends before it starts."
        if self.relationship != Relationship.SELF:
            if not self.subscriber_first_name:
                errors["subscriber_first_name"] = "Required when the patient is not the subscriber."
            if not self.subscriber_last_name:
                errors["subscriber_last_name"] = "Required when the patient is not the subscriber."
        if self.patient_id and self.practice_id and self.patient.practice_id != self.practice_id:
            errors["patient"] = "The patient belongs to another practice."
        if errors:
            raise ValidationError(errors)

    def is_active_on(self, day: dt.date) -> bool:
        """Whether the coverage is in force on `day`."""
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )
