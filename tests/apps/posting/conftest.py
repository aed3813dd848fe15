"""Fixtures for posting tests: practice A's claim, sent and accepted, ready to be paid."""

from __future__ import annotations

from typing import Any

import pytest

from openrcm.claims.models import Claim
from openrcm.claims.services import claim_transition
from openrcm.core.claims.status import ClaimStatus
from tests.apps.conftest import PracticeWorld

SENT = (ClaimStatus.READY, ClaimStatus.BATCHED, ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED)


def send(claim: Claim) -> Claim:
    """Walk a draft claim through the state machine to accepted (the 999 took it)."""
    for status in SENT:
        claim_transition(claim=claim, to=status)
    return claim


@pytest.fixture
def world(practice_a: PracticeWorld) -> PracticeWorld:
    send(practice_a.claim)
    return practice_a


@pytest.fixture
def claim(world: PracticeWorld) -> Any:
    return world.claim
