"""Acceptance, in a real browser: first login with MFA enrollment (QR code and secret, a code
computed from the secret shown on the page, recovery codes), idle logoff, and the lockout after
10 failed logins (the correct password refused too, an unknown username answered the same)."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from django_otp.oath import totp

from openrcm.accounts.lockout import LOCKOUT_MESSAGE
from openrcm.accounts.services import user_create
from openrcm.audit.models import AuditEvent
from tests.apps.conftest import PASSWORD, build_practice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GENERIC = "Please enter a correct username and password"


@pytest.fixture
def alice(transactional_db: Any) -> Any:
    world = build_practice("a", "1234567893")
    return user_create(username="alice", password=PASSWORD, practice=world.practice, role="biller")


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


def code_from_secret(secret: str) -> str:
    compact = secret.replace(" ", "")
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    return f"{totp(key):06d}"


def test_first_login_enrolls_mfa_then_idle_logoff(
    page: Any, live_server: Any, alice: Any, settings: Any
) -> None:
    browser_page, console = page
    settings.OPENRCM_MFA_REQUIRED = True
    base = live_server.url

    sign_in(browser_page, base, "alice", PASSWORD)
    assert browser_page.url.startswith(f"{base}/account/mfa/setup/")
    assert browser_page.locator(".qr svg").is_visible()
    assert browser_page.locator("text=MFA is switched off").count() == 0
    secret = browser_page.inner_text("#mfa-secret")
    assert re.fullmatch(r"[A-Z2-7 ]{32,}", secret)

    browser_page.fill("#id_code", code_from_secret(secret))
    browser_page.click("button[type=submit]:has-text('Confirm and continue')")
    browser_page.wait_for_load_state()
    codes = browser_page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10

    browser_page.click("text=I have saved them: continue")
    browser_page.wait_for_load_state()
    assert browser_page.url == f"{base}/"
    assert browser_page.locator("nav.mainnav").is_visible()
    browser_page.goto(f"{base}/patients/")
    assert browser_page.locator("h1").first.inner_text().startswith("Patients")
    browser_page.goto(f"{base}/encounters/new/")  # the htmx page: no inline script or style
    assert AuditEvent.objects.filter(action="mfa_enroll", actor_id=alice.pk).exists()

    # idle logoff: a short limit for the test (the setting is read on every request)
    settings.OPENRCM_SESSION_IDLE_MINUTES = 0.05  # 3 seconds
    browser_page.goto(f"{base}/patients/")
    assert browser_page.url == f"{base}/patients/"
    browser_page.wait_for_timeout(3500)
    browser_page.goto(f"{base}/patients/")
    assert browser_page.url.startswith(f"{base}/login/?next=")
    assert "without activity" in browser_page.inner_text(".messages")
    assert AuditEvent.objects.filter(action="session_expired", actor_id=alice.pk).exists()

    assert console.csp_violations() == []
    # and the policy is enforced: an injected inline script does not run
    browser_page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.head.appendChild(s); }"
    )
    assert browser_page.evaluate("() => window.injected === undefined")
    assert len(console.csp_violations()) == 1


def test_ten_failures_lock_out_the_correct_password_and_unknown_users_alike(
    page: Any, live_server: Any, alice: Any
) -> None:
    browser_page, console = page
    base = live_server.url

    for _ in range(9):
        sign_in(browser_page, base, "alice", "wrong-password-guess")
        assert GENERIC in browser_page.inner_text(".alert-error")
    sign_in(browser_page, base, "alice", "wrong-password-guess")
    assert LOCKOUT_MESSAGE in browser_page.inner_text(".alert-error")

    sign_in(browser_page, base, "alice", PASSWORD)  # right password, still locked
    assert browser_page.url.startswith(f"{base}/login/")
    assert LOCKOUT_MESSAGE in browser_page.inner_text(".alert-error")
    assert browser_page.locator("nav.mainnav").count() == 0

    answers = []
    for _ in range(10):
        sign_in(browser_page, base, "nobody-by-this-name", "wrong-password-guess")
        answers.append(browser_page.inner_text(".alert-error"))
    assert all(GENERIC in a for a in answers[:9])
    assert LOCKOUT_MESSAGE in answers[9]

    assert AuditEvent.objects.filter(action="lockout").count() >= 2
    assert console.csp_violations() == []
