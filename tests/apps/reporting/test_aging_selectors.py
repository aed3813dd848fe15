"""The aging's totals from one GROUP BY on the balances (``aging_for``, ``aging_sums``) equal
the per-line aging (``aging_balances`` + ``aging``) cell for cell, cents and counts, in total
and by payer, provider and practice: on the worked book (a reversal, a claim-level denial, a
claim voided before billing) and on a book with a secondary claim, that claim voided and a
new one, at dates before, between and after the payments (as of a past date the entries
effective later are taken back line by line).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openrcm.claims.models import Claim
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.reporting import aging
from openrcm.payers.models import Payer
from openrcm.posting.models import NextPayerClaim
from openrcm.reporting.aging_selectors import LineBalances, aging_for, aging_sums
from openrcm.reporting.selectors import aging_balances
from openrcm.tenancy.models import Practice
from tests.apps.conftest import PracticeWorld
from tests.apps.posting.conftest import send
from tests.apps.posting.eras import clp, era, negate, remittance
from tests.apps.posting.test_secondary_claims import post, primary_payment, secondary_payer
from tests.apps.reporting.test_report_cli import Book, paid_on

__all__ = ["secondary_payer"]  # the fixture, for the tests below

pytestmark = pytest.mark.django_db


def same_aging(practices: list[Practice], as_of: dt.date) -> Any:
    """Assert the grouped aging equals the per-line aging at ``as_of``; the grouped one."""
    grouped = aging_for(practices, as_of)
    per_line = aging(aging_balances(practices, as_of), as_of)
    assert grouped.total == per_line.total, as_of
    assert grouped.by_payer == per_line.by_payer, as_of
    assert grouped.by_provider == per_line.by_provider, as_of
    assert grouped.by_practice == per_line.by_practice, as_of
    # The drill-down reads the lines only when asked, and then the same ones.
    assert isinstance(grouped.balances, LineBalances)
    assert list(grouped.balances) == list(per_line.balances)
    return grouped


def test_the_worked_book_ages_the_same_grouped(book: Book) -> None:
    practices = [book.world.practice]
    for day in (6, 17), (10, 5), (10, 20), (10, 25), (10, 28), (10, 31), (12, 31):
        same_aging(practices, dt.date(2026, *day))
    # The worked cells (test_report_cli): at 10-31 insurance 200 (C2, 26 days) in 0-30 and 100
    # (C3) in 120+, patient 30 (C1 line 1) in 31-60... each once.
    report = aging_for(practices, dt.date(2026, 10, 31))
    assert [(c.cents, c.count) for c in report.total.insurance] == [
        (20000, 1),
        (0, 0),
        (0, 0),
        (0, 0),
        (10000, 1),
    ]
    assert report.total.patient_cents == 3000
    # Between the two 835s (10-25), C1's lines were still open at the first payment's
    # figures: the entries of 10-28 are taken back.
    assert aging_for(practices, dt.date(2026, 10, 25)).total.patient_cents == 2000


def test_the_grouped_read_needs_no_ledger_read_when_nothing_is_later(book: Book) -> None:
    practices = [book.world.practice]
    with CaptureQueriesContext(connection) as queries:
        aging_sums(practices, dt.date(2026, 12, 31))
    assert len(queries) == 2  # the day sums after the date (none), the grouped balances
    assert "ledgerentry" not in " ".join(q["sql"] for q in queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        aging_sums(practices, dt.date(2026, 10, 25))
    assert len(queries) == 5  # and the balances of those dates, their entries by line, claim


@pytest.fixture
def world(practice_a: PracticeWorld) -> PracticeWorld:
    send(practice_a.claim)
    return practice_a


@pytest.fixture
def claim(world: PracticeWorld) -> Claim:
    return world.claim


def test_a_secondary_claim_voided_and_made_again_ages_the_same_grouped(
    claim: Claim, secondary_payer: Payer
) -> None:
    practices = [claim.practice]
    first = primary_payment(claim, icn="ICN-A")
    post(era(paid_on(remittance([first], trace="T-1"), dt.date(2026, 10, 10))), claim)
    reversal = clp(claim, [negate(s) for s in first.lines], status="22", icn="ICN-A", sign=-1)
    corrected = primary_payment(claim, icn="ICN-B", pr="30")
    post(
        era(paid_on(remittance([reversal, corrected], trace="T-2"), dt.date(2026, 11, 5)), isa=2),
        claim,
    )
    links = NextPayerClaim.objects.filter(prior_claim=claim).select_related("claim")
    assert sorted(link.claim.status for link in links) == [ClaimStatus.READY, ClaimStatus.VOID]
    for day in (9, 14), (9, 15), (10, 9), (10, 10), (10, 31), (11, 5), (12, 31):
        same_aging(practices, dt.date(2026, *day))
    # The lines' insurance balance is the secondary payer's (the live secondary claim's).
    report = aging_for(practices, dt.date(2026, 12, 31))
    assert report.by_payer[secondary_payer.pk].insurance_cents == 3300
    assert claim.coverage.payer_id not in report.by_payer
