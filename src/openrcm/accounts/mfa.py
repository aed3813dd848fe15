"""TOTP multi-factor authentication (django-otp): enrollment, verification, recovery codes.

A user enrolls once (first login while MFA is required): an unconfirmed TOTP device is created,
shown as a QR code and as its base32 secret, and confirmed by a first 6-digit code. Enrollment
also issues OPENRCM_RECOVERY_CODE_COUNT one-time recovery codes, shown once and stored hashed.
Every later login asks for a code after the password.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrcm.accounts.models import RecoveryCode, RecoveryCodeDevice, new_recovery_code

TOTP_RE = re.compile(r"\d{6}")
TOTP_DEVICE_NAME = "Authenticator app"


def mfa_required() -> bool:
    return bool(settings.OPENRCM_MFA_REQUIRED)


def is_verified(user: Any) -> bool:
    """Whether this request's user passed MFA in this session (django-otp's OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def totp_device(user: Any) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_enrolled(user: Any) -> bool:
    return totp_device(user) is not None


def totp_device_for_enrollment(user: Any) -> TOTPDevice:
    """The unconfirmed device being enrolled (the same secret across reloads of the page)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The base32 secret for typing into an authenticator app."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def totp_secret_grouped(device: TOTPDevice) -> str:
    secret = totp_secret(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (no Pillow, no inline style)."""
    image = qrcode.make(
        device.config_url,
        image_factory=qrcode.image.svg.SvgPathImage,
        box_size=10,
        border=4,
    )
    svg: str = image.to_string(encoding="unicode")
    return svg.replace(
        "<svg ",
        '<svg role="img" aria-label="QR code for your authenticator app" class="qr-code" ',
        1,
    )


def recovery_codes_issue(user: Any) -> list[str]:
    """Replace the user's recovery codes with a fresh set; returns the plain codes (shown once)."""
    count = int(getattr(settings, "OPENRCM_RECOVERY_CODE_COUNT", 10))
    codes = [new_recovery_code() for _ in range(count)]
    with transaction.atomic():
        RecoveryCodeDevice.objects.filter(user=user).delete()
        device = RecoveryCodeDevice.objects.create(user=user, name="Recovery codes")
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(device=device, code_hash=device.digest(code)) for code in codes]
        )
    return codes


def recovery_codes_remaining(user: Any) -> int:
    device = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    return device.remaining() if device is not None else 0


def enrollment_confirm(user: Any, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm `device` with its first code; returns the new recovery codes, or None if wrong."""
    code = code.strip().replace(" ", "")
    if not TOTP_RE.fullmatch(code):
        return None
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if locked.user_id != user.pk or locked.confirmed or not locked.verify_token(code):
            return None
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
        device.confirmed = True
    return recovery_codes_issue(user)


def code_verify(user: Any, code: str) -> tuple[Any | None, str]:
    """Check a 6-digit TOTP code or a recovery code; returns (the device that accepted it, kind).

    kind is "totp" or "recovery" (what the code looked like), whether or not it was accepted.
    """
    code = code.strip()
    compact = code.replace(" ", "")
    if TOTP_RE.fullmatch(compact):
        with transaction.atomic():
            device = (
                TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            )
            if device is not None and device.verify_token(compact):
                return device, "totp"
        return None, "totp"
    recovery = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
    if recovery is not None and recovery.verify_token(code):
        return recovery, "recovery"
    return None, "recovery"


def mfa_reset(user: Any) -> int:
    """Remove every MFA device of `user` (a lost phone): they enroll again at the next login."""
    count = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        count += 1
    return count
