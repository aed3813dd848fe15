"""API tokens expire, are revocable, act as their user, and may be narrowed to some practices."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from openrcm.accounts.models import ApiToken
from openrcm.accounts.services import token_authenticate, token_create, token_revoke
from openrcm.audit.models import AuditEvent
from openrcm.tenancy.scoping import practice_ids_for
from openrcm.tenancy.services import membership_grant
from tests.apps.cli.helpers import run
from tests.apps.conftest import PracticeWorld

API = "/api/v1"
pytestmark = pytest.mark.django_db


def get(client: Client, key: str, path: str = "patients") -> Any:
    return client.get(f"{API}/{path}", headers={"Authorization": f"Bearer {key}"})


def test_a_token_lives_90_days_by_default(member: Any) -> None:
    before = timezone.now()
    token, _ = token_create(user=member)
    assert before + dt.timedelta(days=90) <= token.expires_at
    assert token.expires_at <= timezone.now() + dt.timedelta(days=90)
    assert token.is_active


def test_the_lifetime_comes_from_the_setting_or_the_call(member: Any, settings: Any) -> None:
    settings.OPENRCM_API_TOKEN_DAYS = 30
    token, _ = token_create(user=member)
    assert token.expires_at.date() == (timezone.now() + dt.timedelta(days=30)).date()
    week, _ = token_create(user=member, days=7)
    assert week.expires_at.date() == (timezone.now() + dt.timedelta(days=7)).date()


@pytest.mark.parametrize("days", [0, -1, 3651, True, 1.5])
def test_a_lifetime_must_be_1_to_3650_days(member: Any, days: Any) -> None:
    with pytest.raises(ValueError, match="days: a token lives 1 to 3650 days"):
        token_create(user=member, days=days)
    assert not ApiToken.objects.exists()


def test_an_expired_token_is_refused_by_the_api(
    client: Client, member: Any, practice_a: PracticeWorld
) -> None:
    token, key = token_create(user=member, days=1)
    assert get(client, key).status_code == 200
    with time_machine.travel(token.expires_at - dt.timedelta(seconds=1)):
        assert get(client, key).status_code == 200
    with time_machine.travel(token.expires_at):
        response = get(client, key)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked API token."}
    with time_machine.travel(token.expires_at + dt.timedelta(days=400)):
        assert get(client, key).status_code == 401
        assert token_authenticate(key=key) is None
        token.refresh_from_db()
        assert not token.is_active


def test_a_default_token_is_refused_after_90_days(
    client: Client, member: Any, practice_a: PracticeWorld
) -> None:
    _, key = token_create(user=member)
    with time_machine.travel(timezone.now() + dt.timedelta(days=89)):
        assert get(client, key).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=91)):
        assert get(client, key).status_code == 401


def test_a_revoked_token_is_refused_at_once(
    client: Client, member: Any, practice_a: PracticeWorld
) -> None:
    token, key = token_create(user=member)
    assert token_authenticate(key=key) == member
    token_revoke(token=token)
    assert token_authenticate(key=key) is None
    assert get(client, key).status_code == 401
    revoked_at = token.revoked_at
    token_revoke(token=token)  # again: nothing changes
    token.refresh_from_db()
    assert token.revoked_at == revoked_at


def test_create_and_revoke_are_audited_without_the_key(member: Any, nobody: Any) -> None:
    token, key = token_create(user=member, name="ehr", days=10, actor=nobody)
    token_revoke(token=token, actor=nobody)
    events = list(AuditEvent.objects.filter(object_type="accounts.apitoken").order_by("seq"))
    assert [(e.action, e.object_id, e.actor_id) for e in events] == [
        ("token_create", str(token.pk), nobody.pk),
        ("token_revoke", str(token.pk), nobody.pk),
    ]
    assert events[0].detail == {"user_id": member.pk, "days": 10, "practice_ids": None}
    assert key not in str([e.detail for e in events])
    assert key[:12] not in str([e.detail for e in events])


# -- scope -----------------------------------------------------------------------------------


def test_a_token_acts_as_its_user_within_the_users_practices(
    client: Client, member: Any, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    _, key = token_create(user=member)
    listed = get(client, key).json()
    assert [row["id"] for row in listed["items"]] == [practice_a.patient.id]
    assert get(client, key, f"patients/{practice_b.patient.id}").status_code == 404
    assert get(client, key, f"patients/{practice_a.patient.id}").status_code == 200


@pytest.fixture
def two_practice_user(member: Any, practice_b: PracticeWorld) -> Any:
    membership_grant(user=member, practice=practice_b.practice, role="biller")
    return member


def test_a_token_narrowed_to_one_practice_sees_only_that_one(
    client: Client, two_practice_user: Any, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    _, wide = token_create(user=two_practice_user)
    narrow_token, narrow = token_create(user=two_practice_user, practices=[practice_b.practice])
    assert narrow_token.limited_to_practices
    assert {row["id"] for row in get(client, wide).json()["items"]} == {
        practice_a.patient.id,
        practice_b.patient.id,
    }
    assert [row["id"] for row in get(client, narrow).json()["items"]] == [practice_b.patient.id]
    assert get(client, narrow, f"patients/{practice_a.patient.id}").status_code == 404
    assert get(client, narrow, f"patients/{practice_b.patient.id}").status_code == 200
    practices = get(client, narrow, "practices").json()["items"]
    assert [row["id"] for row in practices] == [practice_b.practice.id]


def test_narrowing_lasts_for_the_request_only(
    two_practice_user: Any, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    _, narrow = token_create(user=two_practice_user, practices=[practice_a.practice])
    user = token_authenticate(key=narrow)
    assert practice_ids_for(user) == [practice_a.practice.id]
    assert practice_ids_for(two_practice_user) == sorted(
        [practice_a.practice.id, practice_b.practice.id]
    )


def test_a_narrowed_token_never_widens_when_its_practices_go(
    client: Client, two_practice_user: Any, practice_b: PracticeWorld
) -> None:
    token, key = token_create(user=two_practice_user, practices=[practice_b.practice])
    token.practices.clear()  # as if practice B had been deleted
    assert get(client, key).json()["count"] == 0


def test_narrowing_cannot_reach_beyond_the_users_practices(
    member: Any, practice_b: PracticeWorld
) -> None:
    with pytest.raises(ValueError, match="practices: alice is not a member of b"):
        token_create(user=member, practices=[practice_b.practice])
    assert not ApiToken.objects.exists()


def test_a_narrowed_token_loses_a_practice_the_user_leaves(
    client: Client, two_practice_user: Any, practice_b: PracticeWorld
) -> None:
    _, key = token_create(user=two_practice_user, practices=[practice_b.practice])
    two_practice_user.memberships.filter(practice=practice_b.practice).delete()
    assert get(client, key).json()["count"] == 0


# -- the command -----------------------------------------------------------------------------


def test_token_create_command_with_days_prints_the_token_last(member: Any) -> None:
    out = run("token", "create", member.username, "--days", "7")
    lines = out.strip().splitlines()
    assert token_authenticate(key=lines[-1]) == member
    token = member.api_tokens.get()
    assert f"valid until {token.expires_at:%Y-%m-%d %H:%M} UTC" in lines[0]
    assert token.expires_at.date() == (timezone.now() + dt.timedelta(days=7)).date()


def test_token_create_command_narrowed_to_a_practice(
    two_practice_user: Any, practice_b: PracticeWorld
) -> None:
    out = run("token", "create", two_practice_user.username, "--practice", "b")
    assert "for b only" in out
    user = token_authenticate(key=out.strip().splitlines()[-1])
    assert practice_ids_for(user) == [practice_b.practice.id]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "days: a token lives 1 to 3650 days, not 0"),
        (["--practice", "nope"], "practice: no practice 'nope'"),
        (["--practice", "b"], "practices: alice is not a member of b"),
    ],
)
def test_token_create_command_mistakes(
    member: Any, practice_b: PracticeWorld, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run("token", "create", member.username, *args)
    assert not ApiToken.objects.exists()
