"""`openrcm practice list|create`, `openrcm user create`, `openrcm token create`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from openrcm.accounts.services import token_authenticate
from openrcm.tenancy.models import Membership, Organization, Practice
from tests.apps.cli.helpers import run
from tests.apps.conftest import PASSWORD

pytestmark = pytest.mark.django_db

GOOD = (
    "--slug",
    "oak-clinic",
    "--name",
    "Oak Clinic",
    "--npi",
    "1234567893",
    "--tin",
    "12-3456789",
)


def test_practice_list_json(practice_a: Any, practice_b: Any) -> None:
    rows = json.loads(run("practice", "list", "--json"))
    assert [r["slug"] for r in rows] == ["a", "b"]
    assert rows[0]["name"] == "Practice A"
    assert rows[0]["npi"] == "1234567893"
    assert rows[0]["tin"] == "123456789"
    assert rows[0]["time_zone"] == "America/Chicago"


def test_practice_list_table_and_empty() -> None:
    assert "No practices yet" in run("practice", "list")
    assert json.loads(run("practice", "list", "--json")) == []


def test_practice_create_then_list() -> None:
    out = run("practice", "create", *GOOD, "--time-zone", "America/Denver", "--zip", "80202-1234")
    assert "Created practice oak-clinic" in out
    practice = Practice.objects.get(slug="oak-clinic")
    assert practice.group_npi == "1234567893"
    assert practice.tin == "123456789"
    assert practice.zip_code == "802021234"
    assert practice.time_zone == "America/Denver"
    assert practice.organization.slug == "default"
    assert not practice.organization.is_demo
    assert "oak-clinic" in run("practice", "list")


def test_practice_create_with_a_bad_npi_names_the_npi() -> None:
    args = list(GOOD)
    args[args.index("1234567893")] = "1234567890"
    with pytest.raises(CommandError, match=r"npi: .*check digit") as caught:
        run("practice", "create", *args)
    assert caught.value.returncode != 0
    assert not Practice.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (("--time-zone", "Mars/Olympus"), "time-zone"),
        (("--zip", "1234"), "zip"),
        (("--state", "Kentucky"), "state"),
    ],
)
def test_practice_create_errors_name_the_option(extra: tuple[str, ...], field: str) -> None:
    with pytest.raises(CommandError, match=rf"{field}: "):
        run("practice", "create", *GOOD, *extra)


def test_practice_create_bad_tin_and_duplicate_slug() -> None:
    args = list(GOOD)
    args[args.index("12-3456789")] = "00-0000000"
    with pytest.raises(CommandError, match="tin: "):
        run("practice", "create", *args)
    run("practice", "create", *GOOD)
    with pytest.raises(CommandError, match="slug: "):
        run("practice", "create", *GOOD)


def test_practice_create_refuses_the_demo_organization() -> None:
    Organization.objects.create(slug="demo-seed-1", name="Demo", is_demo=True, demo_seed=1)
    with pytest.raises(CommandError, match="synthetic demo"):
        run("practice", "create", *GOOD, "--organization", "demo-seed-1")


def test_user_create_reads_the_password_from_stdin(practice_a: Any) -> None:
    out = run(
        "user",
        "create",
        "dana",
        "--practice",
        "a",
        "--role",
        "coder",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert "Created user dana as coder in a" in out
    user = get_user_model().objects.get(username="dana")
    assert user.check_password(PASSWORD)
    assert Membership.objects.get(user=user).role == "coder"


def test_user_create_without_a_practice() -> None:
    run("user", "create", "erin", "--password-stdin", stdin=PASSWORD)
    user = get_user_model().objects.get(username="erin")
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("--practice", "nope", "--role", "biller"), PASSWORD, "no practice with slug 'nope'"),
        (("--practice", "a", "--role", "wizard"), PASSWORD, "role: 'wizard' is not one of"),
        (("--practice", "a"), PASSWORD, "role: give --role"),
        (("--role", "biller"), PASSWORD, "--role needs --practice"),
        ((), "short\n", "password: .*too short"),
        ((), "\n", "password: standard input held no password"),
    ],
)
def test_user_create_mistakes(
    practice_a: Any, args: tuple[str, ...], stdin: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run("user", "create", "fay", *args, "--password-stdin", stdin=stdin)
    assert not get_user_model().objects.filter(username="fay").exists()


def test_user_create_refuses_an_existing_username(member: Any) -> None:
    with pytest.raises(CommandError, match=r"username: .*already exists"):
        run("user", "create", member.username, "--password-stdin", stdin=PASSWORD)


def test_user_create_needs_a_password_source() -> None:
    with pytest.raises(CommandError, match="--password-stdin"):
        run("user", "create", "gus")


def test_token_create_prints_a_usable_bearer_token_last(member: Any) -> None:
    out = run("token", "create", member.username, "--name", "ehr-import")
    key = out.strip().splitlines()[-1]
    assert token_authenticate(key=key) == member
    assert member.api_tokens.get().name == "ehr-import"


def test_token_create_for_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="no user 'zed'"):
        run("token", "create", "zed")
