"""Fixtures for the schedules tests: practice A (America/Chicago) with a ready claim and the
sandbox clearinghouse as its default partner."""

from __future__ import annotations

from typing import Any

import pytest

from openrcm.claims.services import claim_transition
from openrcm.clearinghouse.models import TradingPartner
from openrcm.clearinghouse.services import partner_for
from openrcm.core.claims.status import ClaimStatus
from tests.apps.conftest import PracticeWorld, build_practice


@pytest.fixture
def world(db: Any) -> PracticeWorld:
    w = build_practice("a", "1234567893")
    # A full home address (the 837P's N3/N4), so the sandbox accepts the claim.
    type(w.patient).objects.filter(pk=w.patient.pk).update(
        address_line1="12 Elm St", city="Springfield", state="IL"
    )
    # Ready as after a clean scrub (the scrubber's own tests cover how it gets there).
    w.claim = claim_transition(claim=w.claim, to=ClaimStatus.READY, note="scrubbed clean")
    assert w.claim.status == "ready"
    return w


@pytest.fixture
def sandbox(world: PracticeWorld) -> TradingPartner:
    partner = partner_for(practice=world.practice)
    assert partner.transport == "sandbox" and partner.is_default
    return partner
