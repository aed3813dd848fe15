"""`openrcm demo` scrubs its claims at the end: ready ones and held ones, deterministically."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openrcm.claims.models import Claim
from openrcm.scrubbing.models import ClaimFinding, ClaimScrub, ScrubRun
from tests.apps.cli.helpers import run

pytestmark = pytest.mark.django_db
SMALL = ("--practices", "2", "--patients", "20", "--encounters", "60", "--cycle-days", "0")


def _outcome() -> list[tuple[str, str, tuple[str, ...]]]:
    return sorted(
        (
            claim.patient_control_number[claim.patient_control_number.index("C") :],
            claim.status,
            tuple(f.rule_id for f in claim.findings.order_by("id")),
        )
        for claim in Claim.objects.prefetch_related("findings")
    )


def test_the_demo_scrubs_its_claims(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 26, 17, tzinfo=dt.UTC))
    out = run("demo", "--seed", "5", *SMALL)
    assert "Scrubbed:" in out
    claims = Claim.objects.count()
    assert claims and ClaimScrub.objects.count() == claims  # every claim scrubbed
    assert ScrubRun.objects.count() == 2  # one batch per practice
    assert Claim.objects.filter(status="ready").exists()
    held = ClaimScrub.objects.filter(error_count__gt=0).count()
    assert held == Claim.objects.filter(status="draft", scrub__error_count__gt=0).count()
    first = _outcome()
    # loading the same seed again changes nothing
    again = run("demo", "--seed", "5", *SMALL)
    assert "already loaded" in again
    assert _outcome() == first and ScrubRun.objects.count() == 2
    assert ClaimFinding.objects.count() == sum(len(rules) for _, _, rules in first)
