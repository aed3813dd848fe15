"""The KPI dashboard over the reporting tests' worked book (tests/apps/reporting/
test_report_cli.py: three claims, two 835s with payments, a claim-level denial and a
reversal): the numbers on the page are the core's for the same facts, every drill-down lists
exactly the claims behind its number, other practices are a 404, practice owners read only.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openrcm.accounts.services import user_create
from openrcm.audit.models import AuditEvent
from openrcm.claims.models import Claim
from openrcm.core.reporting import BUCKETS, FORMULAS
from openrcm.reporting.aging_selectors import aging_for
from openrcm.reporting.selectors import kpi_for
from openrcm.tenancy.services import membership_grant
from tests.apps.conftest import PASSWORD, build_practice
from tests.apps.reporting.test_report_cli import Book, book

__all__ = ["book"]  # the worked book fixture, shared with the reporting CLI's tests

START, END, AS_OF = dt.date(2026, 10, 1), dt.date(2026, 10, 31), dt.date(2026, 11, 15)
PERIOD = f"start={START}&end={END}&as_of={AS_OF}"


def client_for(book: Book, role: str = "biller", username: str = "dana") -> Client:
    user = user_create(
        username=username, password=PASSWORD, practice=book.world.practice, role=role
    )
    client = Client()
    client.force_login(user)
    return client


def dashboard_url(book: Book) -> str:
    return f"{reverse('dashboard')}?practice={book.world.practice.pk}&{PERIOD}"


def tile_values(page: str) -> dict[str, str]:
    """Each KPI tile's key and the number it shows."""
    found = re.findall(
        r'data-kpi="(\w+)">\s*<h2[^>]*>[^<]*</h2>\s*<p class="kpi-value"><a href="[^"]*"[^>]*>'
        r"([^<]*)</a>",
        page,
    )
    return {key: html.unescape(value) for key, value in found}


def listed_pcns(page: str) -> list[str]:
    """The claim PCNs a drill-down page lists, in order."""
    return re.findall(r'<td><a href="/claims/\d+/">([^<]+)</a></td>', page)


def pcns(ids: Any) -> list[str]:
    return sorted(
        Claim.objects.filter(pk__in=list(ids)).values_list("patient_control_number", flat=True)
    )


def test_tiles_show_the_cores_kpis_with_formulas(book: Book) -> None:
    page = client_for(book).get(dashboard_url(book)).content.decode()
    report = kpi_for([book.world.practice], start=START, end=END, as_of=AS_OF)
    tiles = tile_values(page)
    assert tiles["charges"] == f"${report.charges_cents / 100:,.2f}" == "$340.00"
    assert tiles["payments"] == f"${report.payments_cents / 100:,.2f}"
    assert report.net_collection_rate is not None
    assert tiles["net_collection_rate"] == f"{report.net_collection_rate * 100:.1f}%"
    assert report.denial_rate is not None
    assert tiles["denial_rate"] == f"{report.denial_rate * 100:.1f}%" == "50.0%"
    assert tiles["days_in_ar"] == f"{report.days_in_ar} d"
    assert report.ar_over_120 is not None
    assert tiles["ar_over_120"] == f"{report.ar_over_120 * 100:.1f}%"
    assert tiles["first_pass_resolution"] == "50.0%"
    assert len(tiles) == 13
    for key in tiles:
        assert html.escape(FORMULAS[key]) in page
    # a 12-month sparkline per tile, and the five charts, each an accessible SVG
    assert page.count('class="sparkline"') == 13
    assert page.count('class="chart chart-') == 5
    assert "A/R aging as of 2026-11-15" in page


def test_aging_bar_drills_down_to_exactly_its_claims(book: Book) -> None:
    client = client_for(book)
    page = client.get(dashboard_url(book)).content.decode()
    report = aging_for([book.world.practice], AS_OF)
    checked = 0
    for side in ("insurance", "patient"):
        for bucket in BUCKETS:
            cell = report.drill_down(side, bucket)
            links = re.findall(
                rf'<a href="([^"]*metric=aging&amp;side={side}'
                rf'&amp;bucket={re.escape(quote_plus(bucket))})"',
                page,
            )
            assert len(links) == 1, (side, bucket)
            drill = client.get(html.unescape(links[0]))
            assert drill.status_code == 200
            assert sorted(listed_pcns(drill.content.decode())) == pcns(cell.claim_ids)
            checked += bool(cell.claim_ids)
    assert checked >= 2  # the book has balances in more than one cell


def test_tile_and_month_bars_drill_down(book: Book) -> None:
    client = client_for(book)
    page = html.unescape(client.get(dashboard_url(book)).content.decode())
    # the denial-rate tile: the claims denied in October (C2, denied at claim level)
    [denial_tile] = re.findall(r'href="([^"]*metric=denial_rate[^"]*)"', page)
    assert listed_pcns(client.get(denial_tile).content.decode()) == pcns([book.c2.pk])
    # a rate drills to its numerator's claims, and (all=1) to every claim it counted
    [resolution] = re.findall(r'href="([^"]*metric=first_pass_resolution[^"]*)"', page)
    resolved = client.get(resolution).content.decode()
    assert listed_pcns(resolved) == pcns([book.c1.pk])
    [everything] = re.findall(r'href="([^"]*all=1[^"]*)"', html.unescape(resolved))
    assert sorted(listed_pcns(client.get(everything).content.decode())) == pcns(
        [book.c1.pk, book.c2.pk]
    )
    # the charges tile: the claims with a date of service in October
    [charges] = re.findall(r'href="([^"]*metric=charges[^"]*)"', page)
    assert sorted(listed_pcns(client.get(charges).content.decode())) == pcns(
        [book.c1.pk, book.c2.pk]
    )
    # collections by month: October's bar lists the claim paid (C1)
    october = [
        u for u in re.findall(r'href="([^"]*metric=payments[^"]*)"', page) if "2026-10-01" in u
    ]
    assert listed_pcns(client.get(october[0]).content.decode()) == pcns([book.c1.pk])
    # denials by category and by payer: C2
    [category] = re.findall(r'href="([^"]*metric=denials[^"]*category=[^"]*)"', page)
    assert listed_pcns(client.get(category).content.decode()) == pcns([book.c2.pk])
    [payer] = re.findall(r'href="([^"]*metric=denials[^"]*by_payer=1[^"]*)"', page)
    assert parse_qs(urlsplit(payer).query)["payer"] == [str(book.world.payer.pk)]
    assert listed_pcns(client.get(payer).content.decode()) == pcns([book.c2.pk])


def test_drill_down_is_audited_and_refuses_unknown_metrics(book: Book) -> None:
    client = client_for(book)
    before = AuditEvent.objects.count()
    url = f"{reverse('dashboard_drill')}?metric=aging&side=insurance&bucket=120%2B&{PERIOD}"
    assert client.get(url).status_code == 200
    [event] = AuditEvent.objects.filter(seq__gt=before)
    assert (event.action, event.object_type) == ("list", "claims.claim")
    response = client.get(f"{reverse('dashboard_drill')}?metric=bogus")
    assert response.status_code == 400
    assert "Unknown dashboard number" in response.content.decode()


def test_other_practices_are_a_404(book: Book) -> None:
    other = build_practice("zz", "1234567893", payer=book.world.payer)
    outsider = user_create(
        username="oscar", password=PASSWORD, practice=other.practice, role="admin"
    )
    client = Client()
    client.force_login(outsider)
    mine = f"?practice={book.world.practice.pk}&{PERIOD}"
    assert client.get(reverse("dashboard") + mine).status_code == 404
    drill = f"{reverse('dashboard_drill')}{mine}&metric=aging&side=insurance&bucket=120%2B"
    assert client.get(drill).status_code == 404
    # without naming a practice the outsider sees only their own practice: none of the book's
    # claims (and not their own draft claim either: it was never billed, so no charges)
    page = client.get(f"{reverse('dashboard_drill')}?metric=charges&{PERIOD}").content.decode()
    assert listed_pcns(page) == []
    assert other.claim.patient_control_number not in page


def test_practice_owner_sees_the_dashboard_read_only(book: Book) -> None:
    client = client_for(book, role="practice_owner", username="olga")
    response = client.get(dashboard_url(book))
    assert response.status_code == 200
    page = response.content.decode()
    main = page[page.index('<main id="main"') :]
    assert 'method="post"' not in main.lower()  # nothing on the dashboard changes anything
    assert tile_values(page)["charges"] == "$340.00"
    drill = f"{reverse('dashboard_drill')}?metric=charges&{PERIOD}"
    assert len(listed_pcns(client.get(drill).content.decode())) == 2


def test_across_practices_one_row_each_linking_to_its_dashboard(book: Book) -> None:
    client = client_for(book, username="sam")
    other = build_practice("yy", "1234567893", payer=book.world.payer)
    membership_grant(
        user=get_user_model().objects.get(username="sam"), practice=other.practice, role="biller"
    )
    page = html.unescape(client.get(f"{reverse('dashboard_practices')}?{PERIOD}").content.decode())
    for practice in (book.world.practice, other.practice):
        assert f"?start={START}&end={END}&as_of={AS_OF}&practice={practice.pk}" in page
        assert practice.name in page
    report = kpi_for([book.world.practice], start=START, end=END, as_of=AS_OF)
    assert f"${report.charges_cents / 100:,.2f}" in page
    # the practice dashboard links back to this view for a user of several practices
    assert reverse("dashboard_practices") in client.get(dashboard_url(book)).content.decode()


def test_dashboard_queries_are_bounded(book: Book) -> None:
    client = client_for(book)
    client.get(dashboard_url(book))  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(dashboard_url(book)).status_code == 200
    assert len(queries) <= 30, [q["sql"][:120] for q in queries]


pytestmark = pytest.mark.django_db
