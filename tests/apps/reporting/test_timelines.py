"""Claim timelines (``reporting.ClaimTimeline``): kept by the writers, equal to the source
tables, and the dashboard's pre-summed claim counts equal the core's count of the claims'
facts.

The worked book (tests/apps/reporting/test_report_cli.py) is built through the real services:
claims created, scrubbed, moved, sent, acknowledged; two 835s with a denial, a reversal and a
corrected payment; a voided claim. Nothing here writes a timeline itself.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openrcm.claims.services import claim_transition
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.reporting.claim_counts import ClaimMeasure, claim_counts
from openrcm.reporting.models import ClaimDayCount, ClaimTimeline
from openrcm.reporting.selectors import kpi_facts
from openrcm.reporting.timelines import (
    claim_facts_read,
    claim_timelines_check,
    claim_timelines_deferred,
    claim_timelines_rebuild,
    claim_timelines_refresh,
)
from tests.apps.reporting.test_report_cli import Book, acknowledge, at, book, new_claim

__all__ = ["book"]  # the worked book's fixture, used below


def _order(count: Any) -> tuple[object, ...]:
    return (count.measure, count.day, repr(count))


def test_the_writers_keep_every_timeline_equal_to_the_source_tables(book: Book) -> None:
    assert claim_timelines_check() == []
    practice = book.world.practice
    rows = dict(ClaimTimeline.objects.values_list("claim_id", "adjudication_count"))
    # C1: paid, reversed and paid again (two adjudications; the reversal is none); C2 denied
    # once; C3 never adjudicated; build_practice's own claim was voided: no row.
    assert rows == {book.c1.pk: 2, book.c2.pk: 1, book.c3.pk: 0}
    assert not ClaimTimeline.objects.filter(claim_id=book.world.claim.pk).exists()
    c2 = ClaimTimeline.objects.get(claim_id=book.c2.pk)
    assert (c2.created_on, c2.submitted_on, c2.charge_lag_days, c2.submission_lag_days) == (
        dt.date(2026, 10, 6),
        dt.date(2026, 10, 7),
        1,
        1,
    )
    assert (c2.adjudicated_on, c2.outcome, c2.denied_cents) == (
        dt.date(2026, 10, 20),
        "denied",
        20000,
    )
    assert c2.first_submission_accepted is True
    del practice


def test_the_counts_read_from_the_timelines_equal_the_cores_count_of_the_facts(
    book: Book,
) -> None:
    practices = [book.world.practice]
    for since in (None, dt.date(2026, 10, 1), dt.date(2026, 10, 21)):
        read = kpi_facts(practices, since=since).counts
        expected = [
            count
            for count in claim_counts(claim_facts_read(practices=practices))
            if since is None or count.day >= since
        ]
        assert sorted(read, key=_order) == sorted(expected, key=_order)
    counts = kpi_facts(practices).counts
    again = [c for c in counts if c.measure == ClaimMeasure.READJUDICATED]
    assert [(c.claims, c.charge_cents, len(c.adjudications)) for c in again] == [(1, 14000, 2)]


def test_a_stale_row_is_named_by_the_check_and_the_rebuild_repairs_it(book: Book) -> None:
    ClaimTimeline.objects.filter(claim_id=book.c2.pk).update(submitted_on=dt.date(2026, 10, 9))
    ClaimTimeline.objects.filter(claim_id=book.c3.pk).delete()
    problems = claim_timelines_check()
    assert sorted(problems) == sorted(
        [
            f"claim {book.c2.pk}: submitted_on datetime.date(2026, 10, 9) "
            "(expected datetime.date(2026, 10, 7))",
            f"claim {book.c3.pk}: no timeline row",
        ]
    )
    out = StringIO()
    with pytest.raises(CommandError, match="2 claim timelines differ"):
        call_command("report", "check", stdout=out)
    assert f"claim {book.c3.pk}: no timeline row" in out.getvalue()
    call_command("report", "rebuild", "--practice", "rpt", stdout=StringIO())
    assert claim_timelines_check() == []
    out = StringIO()
    call_command("report", "check", "--practice", "rpt", stdout=out)
    assert "agree" in out.getvalue()


def test_a_voided_claim_leaves_the_counts(book: Book) -> None:
    with at(dt.date(2026, 11, 2)):
        draft = new_claim(book.world, dt.date(2026, 10, 30), ("99213", "100.00"))
    assert ClaimTimeline.objects.get(claim_id=draft.pk).charge_lag_days == 3
    created = {(c.measure, c.day) for c in kpi_facts([book.world.practice]).counts}
    assert (ClaimMeasure.CREATED.value, dt.date(2026, 11, 2)) in created
    with at(dt.date(2026, 11, 3)):
        claim_transition(claim=draft, to=ClaimStatus.VOID)
    assert not ClaimTimeline.objects.filter(claim_id=draft.pk).exists()
    assert claim_timelines_check() == []
    assert all(c.day != dt.date(2026, 11, 2) for c in kpi_facts([book.world.practice]).counts)


def test_refreshes_inside_a_deferred_block_run_once_at_its_end(book: Book) -> None:
    with claim_timelines_deferred():
        acknowledge(book.c3, dt.date(2026, 6, 20))
        # Not yet: the claim's row still says no answer came.
        assert ClaimTimeline.objects.get(claim_id=book.c3.pk).first_submission_accepted is None
        claim_timelines_refresh(claim_ids=[book.c3.pk])
    assert ClaimTimeline.objects.get(claim_id=book.c3.pk).first_submission_accepted is True
    assert claim_timelines_check() == []


def test_a_rebuild_writes_every_claim_of_the_practice_once(book: Book) -> None:
    ClaimTimeline.objects.all().delete()
    assert claim_timelines_rebuild(practices=[book.world.practice]) == 3
    assert ClaimTimeline.objects.count() == 3
    assert claim_timelines_check() == []


def test_a_day_count_that_drifted_is_named_by_the_check(book: Book) -> None:
    created = ClaimDayCount.objects.get(measure="created", day=dt.date(2026, 10, 6))
    ClaimDayCount.objects.filter(pk=created.pk).update(claims=5)
    [problem] = claim_timelines_check()
    assert problem == (
        f"day count of practice {book.world.practice.pk}, created on 2026-10-06 (lag 1, "
        "passed '', outcome ''): claims, charge, denied [5, 0, 0] (expected [1, 0, 0])"
    )
    claim_timelines_rebuild(practices=[book.world.practice])
    assert claim_timelines_check() == []
