"""Sessions: idle logoff, the 12-hour limit, a new session id at login, and logout or
deactivation ending every session of the user at once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import checks
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openrcm.accounts.models import UserSession
from openrcm.accounts.sessions import LOGIN_AT_KEY
from tests.apps.conftest import PracticeWorld

from .conftest import events, password_login

pytestmark = pytest.mark.django_db


def signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


# -- a new session id at login --------------------------------------------------------------------


def test_login_gives_a_new_session_id(client: Client, member: Any) -> None:
    client.get(reverse("login"))
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    password_login(client, "alice")
    after = client.session.session_key
    assert before and after and before != after
    assert not Session.objects.filter(session_key=before).exists()
    assert UserSession.objects.get(session_key=after).user == member


def test_login_stamps_the_session(client: Client, member: Any) -> None:
    with time_machine.travel("2026-11-02 09:00Z", tick=False):
        password_login(client, "alice")
        assert client.session[LOGIN_AT_KEY] == timezone.now().timestamp()


# -- idle logoff ----------------------------------------------------------------------------------


def test_idle_for_fifteen_minutes_signs_out(client: Client, member: Any) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_login(client, "alice")
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert signed_in(client)  # activity restarts the clock
    with time_machine.travel(start + timedelta(minutes=28), tick=False):
        assert signed_in(client)
    with time_machine.travel(start + timedelta(minutes=43, seconds=5), tick=False):
        response = client.get(reverse("patient_list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_idle_logoff_is_enforced_and_audited_even_if_the_server_session_lives_on(
    client: Client, member: Any, settings: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 3600  # only the middleware's own clock is left
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_login(client, "alice")
    with time_machine.travel(start + timedelta(minutes=15, seconds=5), tick=False):
        response = client.get(reverse("patient_list"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        page = client.get(response["Location"])
        assert b"signed out after 15 minutes without activity" in page.content
    [expired] = events("session_expired")
    assert expired.actor_id == member.pk and expired.detail == {"reason": "idle"}
    assert not UserSession.objects.filter(user=member).exists()


def test_the_idle_limit_follows_the_setting(client: Client, member: Any, settings: Any) -> None:
    settings.OPENRCM_SESSION_IDLE_MINUTES = 5
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_login(client, "alice")
    with time_machine.travel(start + timedelta(minutes=5, seconds=5), tick=False):
        assert not signed_in(client)


def test_an_expired_api_session_gets_401(client: Client, member: Any, settings: Any) -> None:
    settings.SESSION_COOKIE_AGE = 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_login(client, "alice")
        assert client.get("/api/v1/patients").status_code == 200
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert client.get("/api/v1/patients").status_code == 401


def test_an_expired_htmx_request_redirects_the_whole_page(
    client: Client, member: Any, settings: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_login(client, "alice")
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = client.post(
            reverse("diagnosis_hints"),
            {"q": "E11"},
            headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/encounters/new/"},
        )
    assert response["HX-Redirect"].startswith(reverse("login"))


# -- the absolute limit ---------------------------------------------------------------------------


def test_twelve_hours_after_login_the_session_ends_however_busy(
    client: Client, member: Any
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_login(client, "alice")
    for minutes in range(10, 12 * 60, 10):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert signed_in(client), minutes
    with time_machine.travel(start + timedelta(hours=12, minutes=1), tick=False):
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert b"12-hour limit" in client.get(response["Location"]).content
    assert events("session_expired")[-1].detail == {"reason": "absolute"}


def test_a_session_without_a_login_time_is_refused(client: Client, member: Any) -> None:
    password_login(client, "alice")
    session = client.session
    del session[LOGIN_AT_KEY]
    session.save()
    assert not signed_in(client)
    assert events("session_expired")[-1].detail == {"reason": "unstamped"}


# -- logout and deactivation end every session of the user ----------------------------------------


def test_logout_ends_all_sessions_of_the_user(
    member: Any, outsider: Any, practice_a: PracticeWorld
) -> None:
    laptop, phone, bobs = Client(), Client(), Client()
    password_login(laptop, "alice")
    password_login(phone, "alice")
    password_login(bobs, "bob")
    assert signed_in(laptop) and signed_in(phone) and signed_in(bobs)
    assert UserSession.objects.filter(user=member).count() == 2

    laptop.post(reverse("logout"))
    assert not signed_in(laptop)
    assert not signed_in(phone)
    assert signed_in(bobs)  # another user's session is untouched
    assert not UserSession.objects.filter(user=member).exists()
    assert Session.objects.count() >= 1


def test_deactivating_a_user_ends_their_sessions(client: Client, member: Any) -> None:
    other = Client()
    password_login(client, "alice")
    password_login(other, "alice")
    keys = list(UserSession.objects.filter(user=member).values_list("session_key", flat=True))
    assert len(keys) == 2
    member.is_active = False
    member.save()
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not signed_in(client) and not signed_in(other)


def test_deactivating_in_the_admin_ends_their_sessions(admin_client: Client, member: Any) -> None:
    alice = Client()
    password_login(alice, "alice")
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[member.pk]),
        {
            "username": "alice",
            "is_active": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    member.refresh_from_db()
    assert not member.is_active
    assert not signed_in(alice)


def test_a_bulk_update_deactivation_is_refused_at_the_next_request(
    client: Client, member: Any
) -> None:
    password_login(client, "alice")
    type(member).objects.filter(pk=member.pk).update(is_active=False)  # no signal
    assert not signed_in(client)  # Django's backend refuses inactive users' sessions


def test_other_saves_do_not_end_sessions(client: Client, member: Any) -> None:
    password_login(client, "alice")
    member.first_name = "Alice"
    member.save()
    assert signed_in(client)


# -- configuration --------------------------------------------------------------------------------


def _settings_in_subprocess(env: dict[str, str], tmp_path: Any) -> subprocess.CompletedProcess[str]:
    full = {
        k: v for k, v in os.environ.items() if not k.startswith(("OPENRCM_", "DJANGO_SETTINGS"))
    }
    full.update({"OPENRCM_VAR_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", "from openrcm.cli import main; main(['check'])"],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("minutes", ["45", "31", "0"])
def test_an_idle_limit_outside_1_to_30_minutes_is_refused(minutes: str, tmp_path: Any) -> None:
    result = _settings_in_subprocess({"OPENRCM_SESSION_IDLE_MINUTES": minutes}, tmp_path)
    assert result.returncode != 0
    assert f"OPENRCM_SESSION_IDLE_MINUTES={minutes} is refused" in result.stderr


def test_an_idle_limit_of_30_minutes_is_accepted(tmp_path: Any) -> None:
    result = _settings_in_subprocess({"OPENRCM_SESSION_IDLE_MINUTES": "30"}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_system_check_refuses_an_edited_idle_limit(settings: Any) -> None:
    settings.OPENRCM_SESSION_IDLE_MINUTES = 60
    settings.SESSION_COOKIE_AGE = 3600
    ids = {m.id for m in checks.run_checks(tags=[checks.Tags.security])}
    assert {"openrcm.E001", "openrcm.E002"} <= ids


def test_the_settings_in_use() -> None:
    from openrcm.config.settings import base

    assert base.OPENRCM_SESSION_IDLE_MINUTES == 15
    assert base.SESSION_COOKIE_AGE == 15 * 60
    assert base.OPENRCM_SESSION_MAX_HOURS == 12
    assert base.SESSION_COOKIE_HTTPONLY and base.SESSION_COOKIE_SAMESITE == "Lax"
    assert base.SESSION_SAVE_EVERY_REQUEST
