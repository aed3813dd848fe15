"""Through the test client: the request id header, and login, logout and failed-login events.

The admin's login and logout views stand in for any login page: they call Django's
authenticate/login/logout, which send the signals the audit app listens to.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openrcm.audit.context import client_ip_from_meta, trusted_proxies
from openrcm.audit.models import AuditEvent
from openrcm.audit.selectors import audit_verify

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(member: Any) -> Any:
    member.is_staff = True
    member.save(update_fields=["is_staff"])
    return member


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_every_response_carries_a_request_id(client: Client) -> None:
    response = client.get(reverse("admin:login"))
    request_id = response.headers["X-Request-ID"]
    assert str(uuid.UUID(request_id)) == request_id
    again = client.get(reverse("admin:login"))
    assert again.headers["X-Request-ID"] != request_id


def test_a_sane_incoming_request_id_is_kept_and_a_strange_one_replaced(client: Client) -> None:
    kept = client.get(reverse("admin:login"), headers={"X-Request-ID": "lb-4f2a9c1e7d3b"})
    assert kept.headers["X-Request-ID"] == "lb-4f2a9c1e7d3b"
    for strange in ("<script>alert(1)</script>", "short", "x" * 65, "a b c d e f g h"):
        replaced = client.get(reverse("admin:login"), headers={"X-Request-ID": strange})
        assert replaced.headers["X-Request-ID"] != strange
        uuid.UUID(replaced.headers["X-Request-ID"])


def test_even_a_404_carries_the_request_id(client: Client) -> None:
    response = client.get("/no-such-page-here/")
    assert response.status_code == 404
    assert response.headers["X-Request-ID"]


def test_login_and_logout_are_recorded(client: Client, staff: Any) -> None:
    response = client.post(
        reverse("admin:login"),
        {"username": "alice", "password": PASSWORD},
        headers={"X-Request-ID": "login-request-0001"},
    )
    assert response.status_code == 302
    [login] = _events("login")
    assert (login.actor_id, login.actor_name, login.outcome) == (staff.pk, "alice", "success")
    assert login.request_id == "login-request-0001"
    assert login.client_ip == "127.0.0.1"
    assert login.detail == {}

    response = client.post(reverse("admin:logout"))
    assert response.status_code in (200, 302)
    [logout] = _events("logout")
    assert (logout.actor_id, logout.actor_name) == (staff.pk, "alice")
    assert logout.request_id == response.headers["X-Request-ID"]
    assert audit_verify().ok


def test_failed_login_records_the_username_as_typed_and_no_password(
    client: Client, staff: Any
) -> None:
    wrong = "Tr0ub4dor&3-wrong-guess"
    response = client.post(reverse("admin:login"), {"username": "ALICE", "password": wrong})
    assert response.status_code == 200  # the form again
    [failed] = _events("login_failed")
    assert failed.outcome == "failure"
    assert failed.actor_id is None and failed.actor_name == ""
    assert failed.detail == {"username": "ALICE"}  # as given to authenticate()
    assert failed.request_id == response.headers["X-Request-ID"]
    assert failed.client_ip == "127.0.0.1"
    for event in AuditEvent.objects.all():
        assert wrong not in str(event.detail) and "*****" not in str(event.detail)
    assert not _events("login")


def test_failed_login_of_an_unknown_user_is_recorded_too(client: Client, db: Any) -> None:
    client.post(reverse("admin:login"), {"username": "mallory", "password": "x" * 12})
    [failed] = _events("login_failed")
    assert failed.detail == {"username": "mallory"}


def test_test_client_login_helpers_are_recorded(client: Client, member: Any) -> None:
    assert client.login(username="alice", password=PASSWORD)
    assert not client.login(username="alice", password="not-the-password")
    client.logout()
    assert [e.action for e in AuditEvent.objects.order_by("seq")] == [
        "login",
        "login_failed",
        "logout",
    ]


def test_client_ip_ignores_forwarded_for_without_trusted_proxies(
    client: Client, staff: Any
) -> None:
    client.post(
        reverse("admin:login"),
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert _events("login")[0].client_ip == "198.51.100.7"


def test_client_ip_from_forwarded_for_behind_a_trusted_proxy(
    client: Client, staff: Any, settings: Any
) -> None:
    settings.OPENRCM_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client.post(
        reverse("admin:login"),
        {"username": "alice", "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
        HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.9, 10.0.0.7",
    )
    # 10.0.0.7 is our second proxy; 203.0.113.9 reached it; 192.0.2.1 is what the client claimed.
    assert _events("login")[0].client_ip == "203.0.113.9"


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("127.0.0.1", "", [], "127.0.0.1"),
        ("127.0.0.1", "203.0.113.9", [], "127.0.0.1"),
        ("10.0.0.1", "203.0.113.9", ["10.0.0.1"], "203.0.113.9"),
        ("10.0.0.1", "203.0.113.9, 10.0.0.2", ["10.0.0.0/24"], "203.0.113.9"),
        ("10.0.0.1", "10.0.0.3, 10.0.0.2", ["10.0.0.0/24"], "10.0.0.3"),  # all hops trusted
        ("10.0.0.1", "", ["10.0.0.0/24"], "10.0.0.1"),
        ("10.0.0.1", "garbage", ["10.0.0.0/24"], "10.0.0.1"),
        ("10.0.0.1", "203.0.113.9, garbage", ["10.0.0.0/24"], "10.0.0.1"),
        ("::ffff:192.0.2.5", "", [], "192.0.2.5"),
        ("2001:db8:0:0::1", "", [], "2001:db8::1"),
        ("2001:db8::1", "2001:db8::beef", ["2001:db8::/64"], "2001:db8::beef"),
        ("not-an-ip", "", [], ""),
    ],
)
def test_client_ip_rules(
    settings: Any, remote: str, forwarded: str, trusted: list[str], expected: str
) -> None:
    settings.OPENRCM_TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_ip_from_meta(meta, trusted_proxies()) == expected
