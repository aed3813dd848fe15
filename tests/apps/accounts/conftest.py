"""Helpers for the authentication, MFA, lockout and session tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrcm.audit.models import AuditEvent
from tests.apps.conftest import PASSWORD

# A fixed TOTP secret (hex, as django-otp stores it): tests compute the codes themselves.
KNOWN_KEY = "3132333435363738393031323334353637383930"


def current_code(device: TOTPDevice) -> str:
    """The 6-digit code `device` accepts now (time.time(), which time-machine moves)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def password_login(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


@pytest.fixture
def mfa_on(settings: Any) -> Any:
    settings.OPENRCM_MFA_REQUIRED = True
    return settings


@pytest.fixture
def enrolled(member: Any) -> TOTPDevice:
    """Alice with a confirmed authenticator (known key) and recovery codes."""
    return TOTPDevice.objects.create(user=member, name="Authenticator app", key=KNOWN_KEY)
