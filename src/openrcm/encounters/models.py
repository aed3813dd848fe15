"""Encounters (visits) with ordered diagnoses and coded charge lines (PHI)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F

from openrcm.core.codes.shapes import (
    CodeShapeError,
    validate_icd10cm_shape,
    validate_modifier,
    validate_ndc,
    validate_place_of_service,
    validate_procedure_shape,
)
from openrcm.core.money import Money
from openrcm.patients.models import Patient
from openrcm.providers.models import Provider
from openrcm.tenancy.models import Location, Practice
from openrcm.tenancy.scoping import PracticeScopedQuerySet

MAX_DIAGNOSES = 12
MAX_MODIFIERS = 4
MAX_POINTERS = 4


def _shape_check(check: Callable[[str], str], value: str) -> None:
    if not value:
        return
    try:
        check(value)
    except CodeShapeError as exc:
        raise ValidationError(str(exc)) from exc


# Module-level functions, so migrations can name them.
def validate_icd10cm_field(value: str) -> None:
    _shape_check(validate_icd10cm_shape, value)


def validate_procedure_field(value: str) -> None:
    _shape_check(validate_procedure_shape, value)


def validate_modifier_field(value: str) -> None:
    _shape_check(validate_modifier, value)


def validate_ndc_field(value: str) -> None:
    _shape_check(validate_ndc, value)


def validate_pos_field(value: str) -> None:
    _shape_check(validate_place_of_service, value)


class Encounter(models.Model):
    """A visit on a date of service, rendered by a provider at a location."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="encounters")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="encounters")
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        related_name="encounters",
        verbose_name="rendering provider",
    )
    referring_provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="encounters")
    date_of_service = models.DateField("date of service")
    place_of_service = models.CharField(max_length=2, default="11", validators=[validate_pos_field])
    prior_authorization = models.CharField(max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date_of_service", "-id"]
        indexes = [models.Index(fields=["practice", "date_of_service"])]

    def __str__(self) -> str:
        return f"Encounter {self.pk} on {self.date_of_service}"

    @property
    def total_charge(self) -> Money:
        return Money.from_cents(sum(line.charge_cents for line in self.charge_lines.all()))

    @property
    def diagnosis_codes(self) -> list[str]:
        return [d.code for d in self.diagnoses.all()]


class Diagnosis(models.Model):
    """An ICD-10-CM code at its position (1-12) on an encounter; position 1 is the principal."""

    encounter = models.ForeignKey(Encounter, on_delete=models.CASCADE, related_name="diagnoses")
    position = models.PositiveSmallIntegerField()
    code = models.CharField("ICD-10-CM code", max_length=8, validators=[validate_icd10cm_field])

    class Meta:
        ordering = ["encounter", "position"]
        constraints = [
            models.UniqueConstraint(fields=["encounter", "position"], name="one_code_per_position"),
            models.CheckConstraint(
                condition=models.Q(position__gte=1, position__lte=MAX_DIAGNOSES),
                name="diagnosis_position_1_to_12",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class ChargeLine(models.Model):
    """One coded service: procedure, modifiers, units, charge, diagnosis pointers."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="charge_lines")
    encounter = models.ForeignKey(Encounter, on_delete=models.CASCADE, related_name="charge_lines")
    line_number = models.PositiveSmallIntegerField()
    procedure_code = models.CharField(max_length=5, validators=[validate_procedure_field])
    modifier1 = models.CharField(max_length=2, blank=True, validators=[validate_modifier_field])
    modifier2 = models.CharField(max_length=2, blank=True, validators=[validate_modifier_field])
    modifier3 = models.CharField(max_length=2, blank=True, validators=[validate_modifier_field])
    modifier4 = models.CharField(max_length=2, blank=True, validators=[validate_modifier_field])
    units = models.PositiveIntegerField(default=1)
    charge_cents = models.BigIntegerField("charge (cents)")
    diagnosis_pointers = models.CharField(
        max_length=7, help_text="Positions of the encounter's diagnoses, e.g. 1,2."
    )
    ndc_code = models.CharField("NDC", max_length=11, blank=True, validators=[validate_ndc_field])
    ndc_quantity = models.CharField(max_length=15, blank=True)
    ndc_unit = models.CharField(max_length=2, blank=True, help_text="UN, ML, GR, F2, ME")
    line_control_number = models.CharField(max_length=30)
    service_date = models.DateField(
        "date of service",
        null=True,
        blank=True,
        help_text="The line's own date (its DTP*472); empty: the encounter's date of service.",
    )
    service_end_date = models.DateField(
        "through date",
        null=True,
        blank=True,
        help_text="The last day of a range of service (DTP*472 RD8); empty: one day.",
    )

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["encounter", "line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "line_control_number"], name="line_control_unique_in_practice"
            ),
            models.UniqueConstraint(fields=["encounter", "line_number"], name="line_number_once"),
            models.CheckConstraint(
                condition=models.Q(charge_cents__gte=0), name="charge_not_negative"
            ),
            models.CheckConstraint(condition=models.Q(units__gte=1), name="units_at_least_one"),
            models.CheckConstraint(
                condition=models.Q(service_end_date__isnull=True)
                | models.Q(service_date__isnull=False, service_end_date__gte=F("service_date")),
                name="line_service_range_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_code} x{self.units}"

    @property
    def modifiers(self) -> list[str]:
        return [m for m in (self.modifier1, self.modifier2, self.modifier3, self.modifier4) if m]

    @property
    def date_of_service(self) -> dt.date:
        """The line's date of service: its own, else the encounter's."""
        return self.service_date or self.encounter.date_of_service

    @property
    def pointers(self) -> list[int]:
        return [int(p) for p in self.diagnosis_pointers.split(",") if p.strip()]

    @property
    def charge(self) -> Money:
        return Money.from_cents(self.charge_cents)

    def clean(self) -> None:
        try:
            pointers = self.pointers
        except ValueError:
            raise ValidationError(
                {"diagnosis_pointers": f"{self.diagnosis_pointers!r} must be numbers like 1,2."}
            ) from None
        if not pointers:
            raise ValidationError({"diagnosis_pointers": "At least one diagnosis pointer."})
        if len(pointers) > MAX_POINTERS:
            raise ValidationError({"diagnosis_pointers": "At most 4 diagnosis pointers."})
        if any(not 1 <= p <= MAX_DIAGNOSES for p in pointers):
            raise ValidationError({"diagnosis_pointers": "Pointers are diagnosis positions 1-12."})
        if len(set(pointers)) != len(pointers):
            raise ValidationError({"diagnosis_pointers": "A pointer appears twice."})
        if self.service_end_date is not None and (
            self.service_date is None or self.service_end_date < self.service_date
        ):
            raise ValidationError(
                {"service_end_date": "The through date needs a date of service on or before it."}
            )
        if self.ndc_code and not (self.ndc_quantity and self.ndc_unit):
            raise ValidationError({"ndc_quantity": "An NDC needs its quantity and unit."})
