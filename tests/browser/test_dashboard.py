"""Acceptance, in a real browser: sign in, open the KPI dashboard over the worked book (tests/
apps/reporting/test_report_cli.py), see the tiles and the inline SVG charts with no CSP
violation, click the insurance 120+ aging bar and land on the drill-down listing exactly its
claims; then the denial-rate tile to its claim."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from openrcm.accounts.services import user_create
from openrcm.reporting.aging_selectors import aging_for
from tests.apps.conftest import PASSWORD
from tests.apps.reporting.test_report_cli import Book, book
from tests.browser.test_security_flows import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

__all__ = ["book"]  # the worked book fixture

AS_OF = dt.date(2026, 11, 15)


def test_dashboard_aging_bar_drills_down_to_its_claims(
    page: Any, live_server: Any, book: Book
) -> None:
    browser_page, console = page
    base = live_server.url
    user_create(
        username="owen", password=PASSWORD, practice=book.world.practice, role="practice_owner"
    )
    sign_in(browser_page, base, "owen", PASSWORD)

    browser_page.click("nav.mainnav >> text=KPIs")
    browser_page.wait_for_load_state()
    assert browser_page.url.startswith(f"{base}/dashboard/")
    browser_page.goto(f"{base}/dashboard/?start=2026-10-01&end=2026-10-31&as_of={AS_OF}")
    assert browser_page.locator("h1").first.inner_text() == "KPI dashboard"
    charges = browser_page.locator('[data-kpi="charges"] .kpi-value').inner_text()
    assert charges == "$340.00"
    assert browser_page.locator("#aging-chart svg").is_visible()
    assert browser_page.locator(".kpi-tile .sparkline").count() == 13

    bar = browser_page.locator('#aging-chart svg a[href*="side=insurance"][href*="bucket=120%2B"]')
    assert bar.count() == 1
    bar.click()
    browser_page.wait_for_load_state()
    assert browser_page.url.startswith(f"{base}/dashboard/claims/?")
    heading = browser_page.locator("h1").first.inner_text()
    assert heading == f"Insurance A/R, 120+ days, as of {AS_OF}"
    listed = browser_page.locator(".drill-table tbody td:first-child a").all_inner_texts()
    expected = aging_for([book.world.practice], AS_OF).drill_down("insurance", "120+").claim_ids
    assert listed == [book.c3.patient_control_number]
    assert list(expected) == [book.c3.pk]

    # the claim link opens the claim
    browser_page.click(f"text={book.c3.patient_control_number}")
    browser_page.wait_for_load_state()
    assert browser_page.url == f"{base}/claims/{book.c3.pk}/"

    browser_page.go_back()
    browser_page.click("text=Back to the dashboard")
    browser_page.wait_for_load_state()
    browser_page.click('[data-kpi="denial_rate"] .kpi-value a')
    browser_page.wait_for_load_state()
    listed = browser_page.locator(".drill-table tbody td:first-child a").all_inner_texts()
    assert listed == [book.c2.patient_control_number]
    assert console.csp_violations() == []
