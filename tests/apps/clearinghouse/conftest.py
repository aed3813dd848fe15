"""Fixtures for the clearinghouse tests: a small demo book of business, scrubbed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from openrcm.claims.models import Claim
from openrcm.scrubbing.services import practice_scrub
from openrcm.tenancy.models import Practice


@pytest.fixture
def practice(db: None) -> Practice:
    """The first practice of a small demo (seed 3), scrubbed: some of its claims are ready."""
    call_command("demo", seed=3, patients=20, encounters=40, cycle_days=0, stdout=StringIO())
    practice = Practice.objects.filter(organization__is_demo=True).order_by("id").first()
    assert practice is not None
    practice_scrub(practice=practice)
    assert Claim.objects.filter(practice=practice, status="ready").exists()
    return practice
