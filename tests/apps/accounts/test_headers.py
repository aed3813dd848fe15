"""Headers on every answer (CSP without inline script or style, framing, sniffing, referrer),
no-store on signed-in pages and the API, and `check --deploy` with the production settings."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

import openrcm
from tests.apps.conftest import PracticeWorld

pytestmark = pytest.mark.django_db

SRC = Path(openrcm.__file__).parent


def csp(response: Any) -> dict[str, list[str]]:
    policy: dict[str, list[str]] = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


def test_csp_allows_only_our_own_scripts_and_styles(client: Client, db: Any) -> None:
    policy = csp(client.get(reverse("login")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in str(policy) and "'unsafe-eval'" not in str(policy)


def test_security_headers_on_every_kind_of_page(
    member: Any, practice_a: PracticeWorld, client: Client
) -> None:
    signed_in = Client()
    signed_in.force_login(member)
    for c, url in (
        (client, reverse("login")),
        (client, "/no-such-page/"),
        (signed_in, reverse("home")),
        (signed_in, reverse("patient_detail", args=[practice_a.patient.pk])),
        (signed_in, "/api/v1/patients"),
    ):
        response = c.get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert "Content-Security-Policy" in response, url


def test_no_store_on_every_signed_in_page_and_the_api(
    member: Any, practice_a: PracticeWorld, client: Client
) -> None:
    assert "no-store" in client.get("/api/v1/patients")["Cache-Control"]  # even the 401
    client.force_login(member)
    for url in (
        reverse("home"),
        reverse("patient_list"),
        reverse("patient_detail", args=[practice_a.patient.pk]),
        reverse("encounter_detail", args=[practice_a.encounter.pk]),
        reverse("claim_list"),
        reverse("claim_detail", args=[practice_a.claim.pk]),
        reverse("admin:index"),
        "/api/v1/patients",
        "/no-such-page/",
    ):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
    searched = client.post(reverse("patient_list"), {"q": "Testpatient"})
    assert "no-store" in searched["Cache-Control"]


def test_static_files_are_left_cacheable(member: Any, rf: Any) -> None:
    from django.http import HttpResponse

    from openrcm.accounts.middleware import NoStoreMiddleware

    middleware = NoStoreMiddleware(lambda request: HttpResponse("body { }"))
    request = rf.get("/static/web/app.css")
    request.user = member
    assert "Cache-Control" not in middleware(request)
    request = rf.get("/patients/")
    request.user = member
    assert "no-store" in middleware(request)["Cache-Control"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
SCRIPT_TYPES_OK = re.compile(r'type="application/(?:ld\+)?json"', re.IGNORECASE)
EVENT_ATTR = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)


def our_templates() -> list[Path]:
    return sorted(SRC.glob("*/templates/**/*.html"))


def test_our_templates_have_no_inline_script_style_or_handlers() -> None:
    templates = our_templates()
    assert len(templates) > 10
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for match in INLINE_SCRIPT.finditer(text):
            assert SCRIPT_TYPES_OK.search(match.group(0)), f"{path}: inline <script>"
        assert not EVENT_ATTR.search(text), f"{path}: an on...= event handler attribute"
        assert not STYLE_ATTR.search(text), f"{path}: a style= attribute"
        assert "<style" not in text, f"{path}: a <style> element"
        assert "hx-on" not in text, f"{path}: hx-on runs inline code"


def test_htmx_injects_no_styles_and_evaluates_nothing(client: Client, db: Any) -> None:
    html = client.get(reverse("login")).content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    assert match
    config = match.group(1)
    assert '"includeIndicatorStyles": false' in config
    assert '"allowEval": false' in config


def test_the_qr_code_needs_no_inline_style(client: Client, member: Any, settings: Any) -> None:
    settings.OPENRCM_MFA_REQUIRED = True
    client.force_login(member)
    html = client.get(reverse("mfa_setup")).content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "style=" not in svg and "<style" not in svg


# -- production settings, in a subprocess (they read the environment once) ------------------------


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENRCM_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "OPENRCM_ENV": "production",
            "OPENRCM_SECRET_KEY": secrets.token_urlsafe(50)[:50],
            "OPENRCM_ALLOWED_HOSTS": "rcm.example.org",
            "OPENRCM_FILE_KEY": base64.b64encode(os.urandom(32)).decode(),
            "OPENRCM_VAR_DIR": str(tmp_path),
        }
    )
    env.update(extra)
    return env


def openrcm_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", f"from openrcm.cli import main; main({args!r})"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_check_deploy_passes_with_the_production_settings(tmp_path: Path) -> None:
    result = openrcm_cli(["check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_sends_hsts_and_secure_cookies(tmp_path: Path) -> None:
    script = (
        "from openrcm.cli import main; import django; from openrcm.config.settings.selector "
        "import configure; configure(); django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, s.OPENRCM_MFA_REQUIRED, "
        "s.SECURE_SSL_REDIRECT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["31536000", "True", "True", "True", "Lax", "True", "True"]


@pytest.mark.parametrize("value", ["false", "0", "off"])
def test_production_refuses_to_start_with_mfa_off(tmp_path: Path, value: str) -> None:
    result = openrcm_cli(["check"], production_env(tmp_path, OPENRCM_MFA_REQUIRED=value))
    assert result.returncode != 0
    assert "OPENRCM_MFA_REQUIRED=false is refused with OPENRCM_ENV=production" in result.stderr


def test_development_switches_mfa_off_by_default_and_on_when_asked(tmp_path: Path) -> None:
    script = (
        "import django; from openrcm.config.settings.selector import configure; configure(); "
        "django.setup(); from django.conf import settings as s; print(s.OPENRCM_MFA_REQUIRED)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENRCM_", "DJANGO_"))}
    env["OPENRCM_VAR_DIR"] = str(tmp_path)
    off = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert off.stdout.strip() == "False", off.stderr
    env["OPENRCM_MFA_REQUIRED"] = "true"
    on = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert on.stdout.strip() == "True", on.stderr
