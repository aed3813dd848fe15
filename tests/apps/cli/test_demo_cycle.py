"""`openrcm demo` runs the billing cycle: simulated days of batches, acknowledgments, 835s,
secondary claims and worked rejections and denials, on the simulated clock."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

from openrcm.claims.models import Claim, ClaimStatusChange
from openrcm.clearinghouse.models import Batch
from openrcm.operations.demo import demo_load
from openrcm.posting.ledger import ledger_check
from openrcm.posting.models import Denial, LedgerEntry, NextPayerClaim
from tests.apps.cli.helpers import run

pytestmark = pytest.mark.django_db

# A fixed moment (a Thursday afternoon in Kentucky): runs compare alike on any day.
NOW = dt.datetime(2026, 11, 19, 22, 30, tzinfo=dt.UTC)
SIZE = {"patients": 36, "encounters": 110, "cycle_days": 35}


def _restart_sequences() -> None:
    """Ids continue after a rolled-back run on PostgreSQL (sequences are not transactional):
    start them again from the rows there are, so a second run numbers its rows alike."""
    models = list(apps.get_models())
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _load(seed: int) -> dict[str, Any]:
    _restart_sequences()
    result = demo_load(seed=seed, now=NOW, **SIZE)
    assert result.loaded and result.cycle is not None
    return {"status": json.loads(run("status", "--json")), "cycle": result.cycle}


def test_the_cycle_leaves_a_living_book_of_business() -> None:
    loaded = _load(5)
    status, cycle = loaded["status"], loaded["cycle"]
    counts = status["claims_by_status"]
    assert sum(counts.values()) == Claim.objects.count()
    assert status["claims"] == counts
    # Paid, denied and rejected claims; patients owing; secondary claims made and sent.
    assert counts["paid"] > 0
    assert counts["denied"] + Denial.objects.count() > 0
    assert counts["rejected"] + cycle.rejections_fixed > 0
    assert counts["acknowledged"] > 0
    assert status["patient_responsibility_claims"] > 0
    assert float(status["balances"]["patient"]) > 0
    assert float(status["balances"]["insurance"]) > 0
    secondary = Claim.objects.filter(sequence="S")
    assert secondary.count() == NextPayerClaim.objects.count() > 0
    assert secondary.exclude(status__in=["draft", "ready", "void"]).exists()
    assert cycle.batches > 0 and cycle.eras_posted > 0 and cycle.polls > 0
    # The ledger balances after the demo.
    assert ledger_check() == []
    assert run("ledger", "check").startswith("ledger ok:")
    # Times follow the simulated clock.
    first = NOW - dt.timedelta(days=SIZE["cycle_days"] + 1)
    for model, name in [
        (Claim, "created_at"),
        (Claim, "status_changed_at"),
        (ClaimStatusChange, "at"),
        (Batch, "created_at"),
        (Batch, "submitted_at"),
    ]:
        values = list(model.objects.values_list(name, flat=True))
        assert values and all(first <= v <= NOW for v in values), (model, name)
    # Claims are entered after their visit and sent after they were made.
    for claim in Claim.objects.select_related("encounter")[:200]:
        assert claim.created_at.date() >= claim.encounter.date_of_service - dt.timedelta(days=1)
    dates = set(LedgerEntry.objects.values_list("effective_date", flat=True))
    assert dates and max(dates) <= NOW.date() and min(dates) >= first.date()
    # Open claims age across the buckets (by date of service).
    open_days = [
        (NOW.date() - c.encounter.date_of_service).days
        for c in Claim.objects.select_related("encounter").exclude(
            status__in=["paid", "closed", "void"]
        )
    ]
    assert any(d <= 30 for d in open_days) and any(30 < d <= 60 for d in open_days)


def test_the_same_seed_gives_the_same_counts() -> None:
    with transaction.atomic():
        first = _load(8)["status"]
        transaction.set_rollback(True)
    assert Claim.objects.count() == 0
    second = _load(8)["status"]
    assert first == second
