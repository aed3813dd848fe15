"""A practice's daily submission from the command line: `openrcm practice create --submit-at
HH:MM [--no-auto-submit]` and `openrcm practice schedule SLUG [--submit-at HH:MM] [--on|--off]`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.management.base import CommandError

from openrcm.tenancy.models import Practice
from tests.apps.cli.helpers import run

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


def test_create_with_a_submission_time_then_change_it() -> None:
    run("practice", "create", *GOOD, "--time-zone", "America/Denver", "--submit-at", "16:30")
    practice = Practice.objects.get(slug="oak-clinic")
    assert practice.submit_at == dt.time(16, 30) and practice.auto_submit
    out = run("practice", "schedule", "oak-clinic")
    assert out.strip() == "oak-clinic: daily submission on, at 16:30 America/Denver"
    row = json.loads(
        run("practice", "schedule", "oak-clinic", "--off", "--submit-at", "7:05", "--json")
    )
    assert row["auto_submit"] is False and row["submit_at"] == "07:05"
    practice.refresh_from_db()
    assert practice.submit_at == dt.time(7, 5) and not practice.auto_submit
    run("practice", "schedule", "oak-clinic", "--on")
    practice.refresh_from_db()
    assert practice.auto_submit and practice.submit_at == dt.time(7, 5)


def test_defaults_and_off_at_creation() -> None:
    run("practice", "create", *GOOD, "--no-auto-submit")
    practice = Practice.objects.get(slug="oak-clinic")
    assert not practice.auto_submit and practice.submit_at == dt.time(17, 0)


@pytest.mark.parametrize("bad", ["25:00", "5pm", "17:60", ""])
def test_a_bad_time_names_the_option(practice_a: Any, bad: str) -> None:
    with pytest.raises(CommandError, match=r"submit-at: .* is not a time of day"):
        run("practice", "schedule", "a", "--submit-at", bad or " ")


def test_an_unknown_practice_is_named() -> None:
    with pytest.raises(CommandError, match="no practice 'nope'"):
        run("practice", "schedule", "nope")
