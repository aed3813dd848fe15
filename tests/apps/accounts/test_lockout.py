"""Lockout (django-axes): 10 failures per username and IP within 15 minutes lock that pair for 15
minutes, the correct password included; an unknown username gets exactly the same answers."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openrcm.accounts.lockout import LOCKOUT_MESSAGE, LOCKOUT_STATUS
from tests.apps.conftest import PASSWORD

from .conftest import events, password_login

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-at-all"
CSRF_RE = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
GENERIC = b"Please enter a correct username and password"


def fail(client: Client, username: str, times: int, **extra: Any) -> list[Any]:
    return [password_login(client, username, WRONG, **extra) for _ in range(times)]


def comparable(response: Any) -> bytes:
    """The body without the per-response CSRF token."""
    return CSRF_RE.sub(b"csrf", response.content)


def test_ten_failures_lock_out_even_the_correct_password(client: Client, member: Any) -> None:
    answers = fail(client, "alice", 9)
    assert all(r.status_code == 200 and GENERIC in r.content for r in answers)
    tenth = password_login(client, "alice", WRONG)
    assert tenth.status_code == LOCKOUT_STATUS
    assert LOCKOUT_MESSAGE.encode() in tenth.content
    right = password_login(client, "alice", PASSWORD)
    assert right.status_code == LOCKOUT_STATUS
    assert LOCKOUT_MESSAGE.encode() in right.content
    assert b'<label for="id_username"' in right.content  # the login page, not a bare message
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_nine_failures_then_the_right_password_signs_in_and_resets_the_count(
    client: Client, member: Any
) -> None:
    fail(client, "alice", 9)
    assert password_login(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    fail(client, "alice", 9)  # counted from zero again
    assert password_login(client, "alice", PASSWORD).status_code == 302


def test_an_unknown_username_gets_the_same_answers(client: Client, member: Any) -> None:
    other = Client()
    known = fail(client, "alice", 10)
    unknown = fail(other, "mallory", 10)
    for a, b in zip(known, unknown, strict=True):
        assert a.status_code == b.status_code
        assert comparable(a).replace(b"alice", b"USER") == comparable(b).replace(
            b"mallory", b"USER"
        )
    locked_known = password_login(client, "alice", PASSWORD)
    locked_unknown = password_login(other, "mallory", PASSWORD)
    assert locked_known.status_code == locked_unknown.status_code == LOCKOUT_STATUS
    assert comparable(locked_known) == comparable(locked_unknown)


def test_the_lock_is_per_username_and_ip(client: Client, member: Any, outsider: Any) -> None:
    fail(client, "alice", 10, REMOTE_ADDR="198.51.100.7")
    assert password_login(client, "alice", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == (
        LOCKOUT_STATUS
    )
    # alice from another address, and bob from the same address, are not locked
    assert (
        password_login(Client(), "alice", PASSWORD, REMOTE_ADDR="198.51.100.8").status_code == 302
    )
    assert password_login(Client(), "bob", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_the_lockout_ends_after_fifteen_minutes(client: Client, member: Any) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, "alice", 10)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert password_login(client, "alice", PASSWORD).status_code == LOCKOUT_STATUS
    with time_machine.travel(start + timedelta(minutes=15, seconds=5), tick=False):
        assert password_login(client, "alice", PASSWORD).status_code == 302


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(
    client: Client, member: Any
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, "alice", 9)
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        fail(client, "alice", 1)
        assert password_login(client, "alice", PASSWORD).status_code == 302


def test_lockouts_are_audited(client: Client, member: Any) -> None:
    fail(client, "alice", 10, REMOTE_ADDR="198.51.100.7")
    password_login(client, "alice", PASSWORD, REMOTE_ADDR="198.51.100.7")
    started, refused = events("lockout")
    assert started.detail == {"username": "alice", "phase": "start"}
    assert refused.detail == {"username": "alice", "phase": "refused"}
    for event in (started, refused):
        assert event.outcome == "denied" and event.actor_id is None
        assert event.client_ip == "198.51.100.7"
        assert PASSWORD not in str(event.detail)
    assert len(events("login_failed")) == 11
    assert not events("login")


def test_the_admin_login_is_locked_too(client: Client, member: Any) -> None:
    member.is_staff = True
    member.save(update_fields=["is_staff"])
    for _ in range(10):
        client.post(reverse("admin:login"), {"username": "alice", "password": WRONG})
    response = client.post(reverse("admin:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == LOCKOUT_STATUS
    assert LOCKOUT_MESSAGE.encode() in response.content


def test_the_test_client_login_helper_still_works(client: Client, member: Any) -> None:
    assert client.login(username="alice", password=PASSWORD)
    assert client.get(reverse("home")).status_code == 200
