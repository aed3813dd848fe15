"""API tokens, the sessions each user holds, and MFA recovery codes.

API tokens are shown once, stored hashed, expiring and revocable. `UserSession` remembers which
session keys belong to which user, so logout and deactivation can end all of them at once.
Recovery codes are a django-otp device whose codes are stored only as salted SHA-256 digests
(django-otp's own static device keeps them in plain text).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin


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


class UserSession(models.Model):
    """One signed-in session of a user (written at login, removed when the session ends)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracked_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"session of {self.user} since {self.created_at:%Y-%m-%d %H:%M}"


# Crockford's base32: no i, l, o or u, so a code read aloud or copied by hand survives.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_CODE_CHARS = 16  # 80 bits
_CONFUSABLE = str.maketrans({"i": "1", "l": "1", "o": "0"})


def normalize_recovery_code(code: str) -> str:
    """Lower case, no spaces or dashes, the confusable letters read as the digits they look like."""
    cleaned = "".join(ch for ch in str(code).lower() if ch not in " -\t")
    return cleaned.translate(_CONFUSABLE)


def new_recovery_code() -> str:
    """A fresh code, shown as xxxx-xxxx-xxxx-xxxx."""
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_CHARS))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_CHARS, 4))


def new_salt() -> str:
    return secrets.token_hex(16)


class RecoveryCodeDevice(ThrottlingMixin, Device):  # type: ignore[misc]  # untyped base
    """A user's one-time recovery codes (django-otp device): each code works once."""

    salt = models.CharField(max_length=32, default=new_salt)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "recovery code set"

    def digest(self, code: str) -> str:
        return hashlib.sha256(f"{self.salt}:{normalize_recovery_code(code)}".encode()).hexdigest()

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OPENRCM_MFA_THROTTLE_FACTOR", 1))

    def remaining(self) -> int:
        return int(self.codes.filter(used_at__isnull=True).count())

    def verify_token(self, token: object) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        normalized = normalize_recovery_code(str(token))
        if len(normalized) != RECOVERY_CODE_CHARS:
            self.throttle_increment(commit=True)
            return False
        with transaction.atomic():
            code = (
                self.codes.select_for_update()
                .filter(code_hash=self.digest(normalized), used_at__isnull=True)
                .first()
            )
            if code is None:
                self.throttle_increment(commit=True)
                return False
            code.used_at = timezone.now()
            code.save(update_fields=["used_at"])
            self.throttle_reset(commit=True)
        return True


class RecoveryCode(models.Model):
    """The digest of one recovery code; `used_at` is set when it is spent."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "code_hash"], name="recovery_code_unique")
        ]

    def __str__(self) -> str:
        return f"recovery code {self.pk} ({'used' if self.used_at else 'unused'})"
