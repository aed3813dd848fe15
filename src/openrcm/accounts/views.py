"""MFA pages: enrollment on first login (QR code, secret, first code, recovery codes shown once),
verification after each password login, and a fresh set of recovery codes.

Pages under a signed-in user; django-otp marks the session verified (`django_otp.login`) and the
session gets a new key, as at login. Every outcome is audited: mfa_enroll, mfa_verify,
mfa_recovery, mfa_failed.
"""

from __future__ import annotations

from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from openrcm.accounts import mfa, sessions
from openrcm.accounts.forms import MfaCodeForm, TotpCodeForm
from openrcm.audit.models import AuditAction, AuditOutcome
from openrcm.audit.services import audit_record

WRONG_CODE = "That code is not valid. Wait for the next code and try again."


def _next_url(request: HttpRequest) -> str:
    """Where to go after MFA: a same-site `next` (query or form), else the dashboard."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return "/"


def _verified(request: HttpRequest, device: Any) -> None:
    django_otp.login(request, device)
    sessions.session_rekey(request)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """First login: scan the QR code (or type the secret), confirm with the first code."""
    user = request.user
    if mfa.is_enrolled(user):
        return redirect("mfa_verify")
    device = mfa.totp_device_for_enrollment(user)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.enrollment_confirm(user, device, form.cleaned_data["code"])
        if codes is not None:
            _verified(request, device)
            audit_record(action=AuditAction.MFA_ENROLL, request=request, detail={"device": "totp"})
            return render(
                request,
                "accounts/mfa_recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "enrolled": True},
            )
        audit_record(
            action=AuditAction.MFA_FAILED,
            outcome=AuditOutcome.FAILURE,
            request=request,
            detail={"stage": "enroll"},
        )
        form.add_error("code", WRONG_CODE)
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            # Built by qrcode from our own otpauth:// URL: no user-supplied markup.
            "qr_svg": mark_safe(mfa.totp_qr_svg(device)),  # noqa: S308
            "secret": mfa.totp_secret_grouped(device),
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or a recovery code."""
    user = request.user
    if mfa.is_verified(user):
        return redirect(_next_url(request))
    if not mfa.is_enrolled(user):
        return redirect("mfa_setup")
    form = MfaCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, kind = mfa.code_verify(user, form.cleaned_data["code"])
        if device is not None:
            _verified(request, device)
            if kind == "recovery":
                remaining = mfa.recovery_codes_remaining(user)
                audit_record(
                    action=AuditAction.MFA_RECOVERY,
                    request=request,
                    detail={"remaining": remaining},
                )
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {remaining} left. "
                    "Make new ones if you are running low.",
                )
            else:
                audit_record(
                    action=AuditAction.MFA_VERIFY, request=request, detail={"device": kind}
                )
            return redirect(_next_url(request))
        audit_record(
            action=AuditAction.MFA_FAILED,
            outcome=AuditOutcome.FAILURE,
            request=request,
            detail={"stage": "verify", "device": kind},
        )
        form.add_error("code", WRONG_CODE)
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
@require_POST
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    """A new set of recovery codes (the old ones stop working), for a verified session."""
    if not mfa.is_verified(request.user):
        raise PermissionDenied("Verify with your authenticator app first.")
    codes = mfa.recovery_codes_issue(request.user)
    audit_record(
        action=AuditAction.MFA_ENROLL, request=request, detail={"device": "recovery_codes"}
    )
    return render(
        request,
        "accounts/mfa_recovery_codes.html",
        {"codes": codes, "next": "/", "enrolled": False},
    )
