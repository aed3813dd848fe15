"""Rendering and referring providers of a practice."""

from __future__ import annotations

from django.db import models

from openrcm.tenancy.fields import NPIField
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import PracticeScopedQuerySet


class Provider(models.Model):
    """An individual clinician who renders (or refers) services."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="providers")
    first_name = models.CharField(max_length=35)
    last_name = models.CharField(max_length=60)
    credential = models.CharField(max_length=20, blank=True, help_text="MD, DO, NP, PA ...")
    npi = NPIField("individual NPI")
    taxonomy = models.CharField("taxonomy code", max_length=10, blank=True)
    is_active = models.BooleanField(default=True)

    objects = PracticeScopedQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "npi"], name="provider_npi_once_per_practice"
            )
        ]

    def __str__(self) -> str:
        suffix = f", {self.credential}" if self.credential else ""
        return f"{self.first_name} {self.last_name}{suffix}"
