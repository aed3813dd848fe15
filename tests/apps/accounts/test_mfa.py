"""TOTP MFA: enrollment on first login (QR code, secret, first code, recovery codes), a code after
every later password login, recovery codes that work once, what an unverified session may reach,
the API (bearer tokens exempt, session calls refused), audit events, and MFA switched off."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrcm.accounts import mfa
from openrcm.accounts.models import RecoveryCode, RecoveryCodeDevice
from openrcm.accounts.services import token_create
from tests.apps.conftest import PracticeWorld

from .conftest import actions, current_code, events, password_login

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r"<code>([0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4})</code>")


def secret_on_page(html: str) -> str:
    match = re.search(r'<code id="mfa-secret" class="mfa-secret">([A-Z2-7 ]+)</code>', html)
    assert match, "the secret is shown for manual entry"
    return match.group(1).replace(" ", "")


def code_from_secret(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def enroll(client: Client) -> list[str]:
    """Walk the enrollment page as a person with an authenticator app would; the recovery codes."""
    page = client.get(reverse("mfa_setup"))
    code = code_from_secret(secret_on_page(page.content.decode()))
    done = client.post(reverse("mfa_setup"), {"code": code, "next": "/"})
    assert done.status_code == 200
    return CODE_RE.findall(done.content.decode())


# -- first login: enrollment ----------------------------------------------------------------------


def test_first_login_goes_to_enrollment_with_qr_code_and_secret(
    client: Client, member: Any, mfa_on: Any
) -> None:
    response = password_login(client, "alice")
    assert response.status_code == 302
    home = client.get(response["Location"])
    assert home.status_code == 302 and home["Location"] == reverse("mfa_setup")
    page = client.get(reverse("mfa_setup"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg " in html and 'class="qr-code"' in html and "<path " in html
    assert "<script" not in html.split("</head>")[1]
    device = TOTPDevice.objects.get(user=member)
    assert not device.confirmed
    secret = secret_on_page(html)
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    assert "no-store" in page["Cache-Control"]
    # the same secret when the page is reloaded (the app was scanned already)
    assert secret_on_page(client.get(reverse("mfa_setup")).content.decode()) == secret


def test_enrollment_confirms_with_a_code_and_shows_ten_recovery_codes_once(
    client: Client, member: Any, mfa_on: Any, practice_a: PracticeWorld
) -> None:
    password_login(client, "alice")
    page = client.get(reverse("mfa_setup"))
    secret = secret_on_page(page.content.decode())

    right = code_from_secret(secret)
    wrong = client.post(reverse("mfa_setup"), {"code": f"{(int(right) + 1) % 1_000_000:06d}"})
    assert wrong.status_code == 200
    assert b"That code is not valid" in wrong.content
    assert not TOTPDevice.objects.get(user=member).confirmed

    done = client.post(reverse("mfa_setup"), {"code": code_from_secret(secret), "next": "/"})
    codes = CODE_RE.findall(done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "no-store" in done["Cache-Control"]
    assert TOTPDevice.objects.get(user=member).confirmed
    # stored hashed: no code appears in the database
    stored = list(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 10
    for code in codes:
        assert all(code not in h and code.replace("-", "") not in h for h in stored)
    # verified now: PHI pages open
    assert client.get(reverse("patient_detail", args=[practice_a.patient.pk])).status_code == 200
    # the codes are not shown again; the enrollment page now sends to verification
    assert client.get(reverse("mfa_setup"))["Location"] == reverse("mfa_verify")
    assert "mfa_enroll" in actions()
    assert events("mfa_failed")[0].detail == {"stage": "enroll"}
    assert events("mfa_enroll")[0].actor_id == member.pk


def test_enrollment_needs_a_signed_in_user(client: Client, db: Any, mfa_on: Any) -> None:
    response = client.get(reverse("mfa_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# -- later logins: a code after the password -----------------------------------------------------


def test_later_login_asks_for_a_code_after_the_password(
    client: Client, member: Any, enrolled: TOTPDevice, mfa_on: Any, practice_a: PracticeWorld
) -> None:
    password_login(client, "alice")
    detail = reverse("patient_detail", args=[practice_a.patient.pk])
    response = client.get(detail)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_verify')}?next={detail.replace('/', '%2F')}"
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Two-step sign-in" in page.content
    key_before = client.session.session_key

    verified = client.post(reverse("mfa_verify"), {"code": current_code(enrolled), "next": detail})
    assert verified.status_code == 302 and verified["Location"] == detail
    assert client.session.session_key != key_before  # a new session id for the raised privilege
    assert client.get(detail).status_code == 200
    assert events("mfa_verify")[0].actor_id == member.pk
    assert events("mfa_verify")[0].detail == {"device": "totp"}


def test_a_wrong_code_is_refused_and_audited(
    client: Client, member: Any, enrolled: TOTPDevice, mfa_on: Any
) -> None:
    password_login(client, "alice")
    right = current_code(enrolled)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_verify"), {"code": wrong})
    assert response.status_code == 200 and b"That code is not valid" in response.content
    assert client.get(reverse("home")).status_code == 302
    [failed] = events("mfa_failed")
    assert failed.actor_id == member.pk and failed.outcome == "failure"
    assert failed.detail == {"stage": "verify", "device": "totp"}
    assert wrong not in str(failed.detail)


def test_a_code_is_not_accepted_twice(
    client: Client, member: Any, enrolled: TOTPDevice, mfa_on: Any
) -> None:
    with time_machine.travel("2026-11-02 09:00:10Z", tick=False):
        code = current_code(enrolled)
        password_login(client, "alice")
        assert client.post(reverse("mfa_verify"), {"code": code}).status_code == 302
        other = Client()
        password_login(other, "alice")
        replay = other.post(reverse("mfa_verify"), {"code": code})
        assert replay.status_code == 200 and b"That code is not valid" in replay.content
    with time_machine.travel("2026-11-02 09:00:40Z", tick=False):
        assert (
            other.post(reverse("mfa_verify"), {"code": current_code(enrolled)}).status_code == 302
        )


def test_wrong_codes_slow_down_further_tries(
    client: Client, member: Any, enrolled: TOTPDevice, mfa_on: Any
) -> None:
    mfa_on.OTP_TOTP_THROTTLE_FACTOR = 1
    with time_machine.travel("2026-11-02 09:00:10Z", tick=False) as traveller:
        password_login(client, "alice")
        right = current_code(enrolled)
        client.post(reverse("mfa_verify"), {"code": f"{(int(right) + 7) % 1_000_000:06d}"})
        # at once: even the right code is refused while throttled
        assert client.post(reverse("mfa_verify"), {"code": right}).status_code == 200
        traveller.shift(1.5)  # the throttle (1 s after one failure) has passed; same 30 s step
        assert client.post(reverse("mfa_verify"), {"code": right}).status_code == 302


def test_an_enrolled_user_cannot_enroll_again_with_only_the_password(
    client: Client, member: Any, enrolled: TOTPDevice, mfa_on: Any
) -> None:
    password_login(client, "alice")
    response = client.get(reverse("mfa_setup"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_verify")
    assert client.post(reverse("mfa_setup"), {"code": "123456"})["Location"] == reverse(
        "mfa_verify"
    )
    assert TOTPDevice.objects.filter(user=member).count() == 1


# -- recovery codes -------------------------------------------------------------------------------


def test_a_recovery_code_works_once(client: Client, member: Any, mfa_on: Any) -> None:
    password_login(client, "alice")
    codes = enroll(client)
    client.post(reverse("logout"))

    password_login(client, "alice")
    used = codes[3]
    response = client.post(reverse("mfa_verify"), {"code": used.upper().replace("-", " ")})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    [recovery] = events("mfa_recovery")
    assert recovery.detail == {"remaining": 9}
    client.post(reverse("logout"))

    password_login(client, "alice")
    again = client.post(reverse("mfa_verify"), {"code": used})
    assert again.status_code == 200 and b"That code is not valid" in again.content
    assert events("mfa_failed")[-1].detail == {"stage": "verify", "device": "recovery"}
    assert client.post(reverse("mfa_verify"), {"code": codes[4]}).status_code == 302
    assert RecoveryCodeDevice.objects.get(user=member).remaining() == 8


def test_new_recovery_codes_replace_the_old_ones(client: Client, member: Any, mfa_on: Any) -> None:
    password_login(client, "alice")
    old = enroll(client)
    response = client.post(reverse("mfa_recovery_codes"))
    new = CODE_RE.findall(response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    client.post(reverse("logout"))
    password_login(client, "alice")
    assert client.post(reverse("mfa_verify"), {"code": old[0]}).status_code == 200
    assert client.post(reverse("mfa_verify"), {"code": new[0]}).status_code == 302


def test_new_recovery_codes_need_a_verified_session(
    client: Client, member: Any, enrolled: TOTPDevice, mfa_on: Any
) -> None:
    password_login(client, "alice")
    response = client.post(reverse("mfa_recovery_codes"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_verify")
    assert not RecoveryCodeDevice.objects.filter(user=member).exists()


# -- what an unverified session reaches -----------------------------------------------------------


def test_password_alone_reaches_only_mfa_pages_and_logout(
    client: Client, member: Any, enrolled: TOTPDevice, mfa_on: Any, practice_a: PracticeWorld
) -> None:
    password_login(client, "alice")
    for url in (
        reverse("home"),
        reverse("patient_list"),
        reverse("patient_detail", args=[practice_a.patient.pk]),
        reverse("claim_detail", args=[practice_a.claim.pk]),
        reverse("admin:index"),
        reverse("login"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_verify")), url
    searched = client.post(reverse("patient_list"), {"q": "Testpatient"})
    assert searched.status_code == 302
    htmx = client.post(reverse("diagnosis_hints"), {"q": "E11"}, headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("mfa_verify")
    assert client.get(reverse("mfa_verify")).status_code == 200
    logout = client.post(reverse("logout"))
    assert logout.status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_the_mfa_page_shows_no_navigation_to_phi(
    client: Client, member: Any, enrolled: TOTPDevice, mfa_on: Any
) -> None:
    password_login(client, "alice")
    html = client.get(reverse("mfa_verify")).content.decode()
    assert reverse("patient_list") not in html
    assert "Sign out" in html
    assert "MFA is switched off" not in html


def test_api_session_calls_need_the_verified_session_and_tokens_are_exempt(
    client: Client, member: Any, enrolled: TOTPDevice, mfa_on: Any, practice_a: PracticeWorld
) -> None:
    password_login(client, "alice")
    refused = client.get("/api/v1/patients")
    assert refused.status_code == 401
    assert "Multi-factor" in refused.json()["detail"]
    assert "no-store" in refused["Cache-Control"]
    # a Basic header does not slip past: only a bearer token is its own factor
    basic = client.get("/api/v1/patients", headers={"Authorization": "Basic YWxpY2U6eA=="})
    assert basic.status_code == 401

    _, key = token_create(user=member, name="ehr")
    api = Client()
    with_token = api.get("/api/v1/patients", headers={"Authorization": f"Bearer {key}"})
    assert with_token.status_code == 200
    assert with_token.json()["count"] == 1

    client.post(reverse("mfa_verify"), {"code": current_code(enrolled)})
    assert client.get("/api/v1/patients").status_code == 200


def test_force_login_sessions_are_not_verified(
    client: Client, member: Any, enrolled: TOTPDevice, mfa_on: Any
) -> None:
    client.force_login(member)
    assert client.get(reverse("home"))["Location"] == reverse("mfa_verify")


def test_every_role_needs_mfa(client: Client, practice_a: PracticeWorld, mfa_on: Any) -> None:
    from openrcm.accounts.services import user_create
    from openrcm.tenancy.permissions import ROLE_ACTIONS
    from tests.apps.conftest import PASSWORD

    for role in ROLE_ACTIONS:
        user = user_create(
            username=f"u-{role}", password=PASSWORD, practice=practice_a.practice, role=role
        )
        c = Client()
        c.force_login(user)
        assert c.get(reverse("patient_list"))["Location"].startswith(reverse("mfa_setup")), role


# -- MFA switched off (development, tests) --------------------------------------------------------


def test_mfa_off_shows_the_banner_on_every_page_and_asks_for_no_code(
    client: Client, member: Any, settings: Any
) -> None:
    settings.OPENRCM_MFA_REQUIRED = False
    assert b"MFA is switched off (development only)" in client.get(reverse("login")).content
    password_login(client, "alice")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert b"MFA is switched off (development only)" in home.content


def test_mfa_on_shows_no_banner(client: Client, db: Any, mfa_on: Any) -> None:
    assert b"MFA is switched off" not in client.get(reverse("login")).content


def test_mfa_reset_removes_every_device(client: Client, member: Any, mfa_on: Any) -> None:
    password_login(client, "alice")
    enroll(client)
    assert mfa.is_enrolled(member)
    assert mfa.mfa_reset(member) == 2
    assert not mfa.is_enrolled(member)
    assert not RecoveryCodeDevice.objects.filter(user=member).exists()


def test_the_admin_never_shows_a_totp_secret_or_a_recovery_code(
    admin_client: Client, member: Any, mfa_on: Any
) -> None:
    mfa_on.OPENRCM_MFA_REQUIRED = False  # the admin user signs in with force_login
    device = TOTPDevice.objects.create(user=member, name="Authenticator app")
    codes = mfa.recovery_codes_issue(member)
    page = admin_client.get(
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    ).content.decode()
    assert device.key not in page
    assert mfa.totp_secret(device) not in page
    listing = admin_client.get(reverse("admin:accounts_recoverycodedevice_changelist"))
    assert listing.status_code == 200
    assert b"alice" in listing.content
    recovery = RecoveryCodeDevice.objects.get(user=member)
    detail = admin_client.get(
        reverse("admin:accounts_recoverycodedevice_change", args=[recovery.pk])
    ).content.decode()
    assert not any(code in detail for code in codes)
