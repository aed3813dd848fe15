"""API tokens for EHRs and scripts: shown once, stored hashed, expiring, revocable."""

from __future__ import annotations

import datetime as dt
from django.conf import settings
from django.db import models
from django.utils import timezone


def default_token_expiry() -> dt.datetime:
    """Now plus OPENRCM_API_TOKEN_DAYS (90 by default)."""
    return timezone.now() + dt.timedelta(days=int(settings.OPENRCM_API_TOKEN_DAYS))


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, with a short prefix to recognise it.

    It expires at `expires_at`. It acts as its user, within the user's practices;
    `limited_to_practices` narrows it further to `practices` (an empty set then means none, so a
    deleted practice never widens a token).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=default_token_expiry)
    limited_to_practices = models.BooleanField(
        default=False, help_text="Only the practices listed, of those the user belongs to."
    )
    practices = models.ManyToManyField("tenancy.Practice", blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}... ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
