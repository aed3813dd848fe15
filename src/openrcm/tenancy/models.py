"""Tenancy: the billing organization, its practices (tenants), locations, and who may see them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from openrcm.tenancy.fields import NPIField, TINField, ZIPField
from openrcm.tenancy.scoping import PracticeScopedQuerySet


def validate_time_zone(value: str) -> None:
    """Refuse a time zone name the IANA database does not know."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. America/Chicago).")


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    BILLER = "biller", "Biller"
    CODER = "coder", "Coder"
    PAYMENT_POSTER = "payment_poster", "Payment poster"
    AR_SPECIALIST = "ar_specialist", "A/R specialist"
    PRACTICE_OWNER = "practice_owner", "Practice owner (read-only)"
    PRACTICE_STAFF = "practice_staff", "Practice staff"


class Organization(models.Model):
    """The billing company that runs billing for many practices."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    is_demo = models.BooleanField(default=False, help_text="Holds only synthetic demo data.")
    demo_seed = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    """Postal address fields shared by practices, locations, patients and payers."""

    address_line1 = models.CharField("address line 1", max_length=55, blank=True)
    address_line2 = models.CharField("address line 2", max_length=55, blank=True)
    city = models.CharField(max_length=30, blank=True)
    state = models.CharField(max_length=2, blank=True, help_text="Two-letter state code.")
    zip_code = ZIPField("ZIP code", blank=True)

    class Meta:
        abstract = True

    def clean_state(self) -> None:
        if self.state and not (len(self.state) == 2 and self.state.isalpha()):
            raise ValidationError({"state": f"{self.state!r} is not a two-letter state code."})
        self.state = self.state.upper()

    def clean(self) -> None:
        super().clean()
        self.clean_state()

    @property
    def zip_display(self) -> str:
        z = self.zip_code or ""
        return f"{z[:5]}-{z[5:]}" if len(z) == 9 else z


class Practice(Address):
    """A medical practice: one tenant. Its billing provider is the group NPI and TIN."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="practices"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    specialty = models.CharField(max_length=100, blank=True)
    group_npi = NPIField("group NPI")
    tin = TINField("TIN")
    taxonomy = models.CharField("taxonomy code", max_length=10, blank=True)
    phone = models.CharField(max_length=10, blank=True)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    # The daily batch (`openrcm worker`): ready claims are sent at this time of the practice's day.
    auto_submit = models.BooleanField(
        "daily submission",
        default=True,
        help_text="Send the ready claims to the clearinghouse once a day.",
    )
    submit_at = models.TimeField(
        "daily submission time",
        default=dt.time(17, 0),
        help_text="Time of day, in the practice's time zone, of the daily batch.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(Address):
    """A service facility of a practice."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=200)
    npi = NPIField("facility NPI", blank=True)
    default_place_of_service = models.CharField(max_length=2, default="11")

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one practice. No membership, no access."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "practice"], name="one_membership_per_practice")
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.practice} ({self.role})"


class Counter(models.Model):
    """Per-practice sequences (patient control numbers, line control numbers, accounts)."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="counters")
    name = models.CharField(max_length=40)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["practice", "name"], name="one_counter_per_name")
        ]
