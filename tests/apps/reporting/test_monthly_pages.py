"""The monthly reports page and the PDF download: a practice owner lists and downloads their
practice's reports (the download audited as an export); another practice's owner gets 404 for
the list and the file; the dashboard links the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse

from openrcm.audit.models import AuditEvent
from openrcm.files.services import file_read
from openrcm.reporting.services import monthly_report_generate
from tests.apps.reporting.monthly_book import MonthlyBook

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_owner_lists_and_downloads_their_reports(monthly_book: MonthlyBook) -> None:
    practice = monthly_book.book.world.practice
    september = monthly_report_generate(practice=practice, month=dt.date(2026, 9, 1), now=NOW)
    october = monthly_report_generate(practice=practice, month=dt.date(2026, 10, 1), now=NOW)
    owner = signed_in(monthly_book.owner)

    page = owner.get(reverse("monthly_reports") + f"?practice={practice.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "October 2026" in html and "September 2026" in html
    assert html.index("October 2026") < html.index("September 2026")  # newest first
    link = reverse("monthly_report_download", args=[october.pk])
    assert f'href="{link}"' in html

    response = owner.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="openrcm-monthly-rpt-2026-10.pdf"'
    )
    assert response.content == file_read(stored=october.stored)
    event = AuditEvent.objects.get(object_type="reporting.monthlyreport", action="export")
    assert event.actor_id == monthly_book.owner.pk and event.object_id == str(october.pk)
    assert event.detail == {"format": "pdf", "month": "2026-10"}
    assert september.pk != october.pk

    # The dashboard of the practice links the page.
    dashboard = owner.get(reverse("dashboard") + f"?practice={practice.pk}").content.decode()
    assert f"{reverse('monthly_reports')}?practice={practice.pk}" in dashboard


def test_another_practice_gets_404(monthly_book: MonthlyBook) -> None:
    practice = monthly_book.book.world.practice
    report = monthly_report_generate(practice=practice, month=dt.date(2026, 10, 1), now=NOW)
    stranger = signed_in(monthly_book.stranger)
    assert stranger.get(reverse("monthly_report_download", args=[report.pk])).status_code == 404
    listing = stranger.get(reverse("monthly_reports") + f"?practice={practice.pk}")
    assert listing.status_code == 404
    # Their own practice's page lists nothing of practice rpt.
    own = stranger.get(reverse("monthly_reports")).content.decode()
    assert "No monthly report yet" in own and "October 2026" not in own
    assert not AuditEvent.objects.filter(action="export").exists()
