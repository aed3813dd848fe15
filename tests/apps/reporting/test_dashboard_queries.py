"""The dashboard reads a fixed number of queries whatever the number of practices (and of
their time zones): the practice dashboard across practices and the row-per-practice view."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openrcm.accounts.services import user_create
from openrcm.reporting.dashboard import dashboard_for
from openrcm.reporting.selectors import kpi_by_practice, kpi_for
from openrcm.tenancy.models import Practice
from openrcm.tenancy.services import membership_grant
from tests.apps.conftest import PASSWORD, PracticeWorld, build_practice
from tests.apps.reporting.test_report_cli import at, scrub, submit

START, END, AS_OF = dt.date(2026, 10, 1), dt.date(2026, 10, 31), dt.date(2026, 11, 15)
ZONES = ("America/Chicago", "America/New_York", "America/Los_Angeles")
SLUGS = ("qa", "qb", "qc")


def practices(count: int) -> list[PracticeWorld]:
    """``count`` practices, each in its own time zone, each with its claim sent on 10-02."""
    worlds: list[PracticeWorld] = []
    for slug, zone in zip(SLUGS[:count], ZONES, strict=False):
        with at(dt.date(2026, 10, 2)):
            world = build_practice(slug, "1234567893", payer=worlds[0].payer if worlds else None)
            Practice.objects.filter(pk=world.practice.pk).update(time_zone=zone)
            world.practice.refresh_from_db()
            scrub(world.claim)
        submit(world.claim, dt.date(2026, 10, 2))
        worlds.append(world)
    return worlds


def dashboard_queries(worlds: list[PracticeWorld]) -> int:
    chosen = [world.practice for world in worlds]
    with CaptureQueriesContext(connection) as queries:
        data = dashboard_for(chosen, start=START, end=END, as_of=AS_OF)
    # Every practice's 140.00 claim is in the charges and the aging: nothing was left out.
    assert data.report.charges_cents == 14000 * len(worlds)
    assert data.aging.total.insurance_cents == 14000 * len(worlds)
    return len(queries)


@pytest.mark.parametrize("count", [1, 3])
def test_the_dashboard_reads_a_fixed_number_of_queries(db: Any, count: int) -> None:
    worlds = practices(count)
    assert dashboard_queries(worlds) <= 12
    assert dashboard_queries(worlds) == dashboard_queries(worlds[:1])


def test_kpis_by_practice_are_each_practices_own(db: Any) -> None:
    worlds = practices(3)
    chosen = [world.practice for world in worlds]
    with CaptureQueriesContext(connection) as queries:
        reports = kpi_by_practice(chosen, start=START, end=END, as_of=AS_OF)
    # The ledger's day sums, the claims' day counts, the claims adjudicated more than once.
    assert len(queries) <= 3
    for practice in chosen:
        alone = kpi_for([practice], start=START, end=END, as_of=AS_OF)
        assert reports[practice.pk] == alone
        assert alone.charges_cents == 14000


def row_view_queries(client: Client) -> list[str]:
    url = f"{reverse('dashboard_practices')}?start={START}&end={END}&as_of={AS_OF}"
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries]


def reads_of_the_books(sql: list[str]) -> list[str]:
    """The queries on claims, their timelines and the ledger (the rest is the session, user
    and navigation)."""
    return [
        q
        for q in sql
        if re.search(r'FROM "(claims_|posting_|reporting_claimtimeline|reporting_claimdaycount)', q)
    ]


def test_the_row_per_practice_view_reads_the_same_queries_for_one_or_three(db: Any) -> None:
    worlds = practices(3)
    user = user_create(username="rowan", password=PASSWORD, practice=worlds[0].practice)
    client = Client()
    client.force_login(user)
    counted = []
    for world in worlds:
        membership_grant(user=user, practice=world.practice, role="biller")
        counted.append(row_view_queries(client))
    one, two, three = counted
    assert len(reads_of_the_books(one)) == len(reads_of_the_books(three)) == 3
    # One practice or several differ only by the practice switcher in the page's navigation.
    assert len(two) == len(three)


pytestmark = pytest.mark.django_db
