"""The monthly report e-mailed to the practice owners through Django's SMTP backend, against a
real SMTP server (aiosmtpd on 127.0.0.1): the owners get it (the PDF attached, no PHI in the
subject or body), a biller of the practice and an owner of another practice do not; a failure
is recorded, raised, keeps the report, and a retry sends only to the owners still waiting."""

from __future__ import annotations

import datetime as dt

import pytest

from openrcm.audit.models import AuditEvent
from openrcm.files.services import file_read
from openrcm.reporting.models import MonthlyReport
from openrcm.reporting.services import (
    MonthlyReportEmailError,
    monthly_report_email,
    monthly_report_generate,
    monthly_report_recipients,
)
from tests.apps.reporting.monthly_book import MonthlyBook, Smtp, free_port, use_smtp

OCTOBER = dt.date(2026, 10, 1)
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
OWNERS = ["olivia.owner@example.org", "oscar@example.org"]


def test_owners_are_the_practice_owner_role_with_an_address(monthly_book: MonthlyBook) -> None:
    practice = monthly_book.book.world.practice
    assert monthly_report_recipients(practice=practice) == OWNERS
    # An owner without an address, or no longer active, gets nothing.
    monthly_book.co_owner.is_active = False
    monthly_book.co_owner.save(update_fields=["is_active"])
    assert monthly_report_recipients(practice=practice) == OWNERS[:1]


def test_owners_receive_the_pdf_and_nobody_else(monthly_book: MonthlyBook, smtp: Smtp) -> None:
    world = monthly_book.book.world
    report = monthly_report_generate(practice=world.practice, month=OCTOBER, now=NOW)
    sent = monthly_report_email(report=report)
    assert sent.sent_to == OWNERS and sent.already == []

    received = smtp.by_recipient()
    assert sorted(received) == OWNERS  # not the biller, not the other practice's owner
    pdf = file_read(stored=report.stored)
    patient = monthly_book.book.c3.encounter.patient
    for message in received.values():
        assert message["Subject"] == f"OpenRCM monthly report: {world.practice.name}, October 2026"
        assert message["From"] == "openrcm@localhost"
        parts = [p for p in message.walk() if not p.is_multipart()]
        body, attachment = parts
        text = body.get_payload(decode=True).decode()
        assert "October 2026" in text
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == "openrcm-monthly-rpt-2026-10.pdf"
        assert attachment.get_payload(decode=True) == pdf
        # No PHI outside the attachment: no patient name, no claim number.
        for phi in (
            patient.last_name,
            patient.first_name,
            monthly_book.book.c3.patient_control_number,
        ):
            assert phi not in text and phi not in message["Subject"]

    report.refresh_from_db()
    assert report.recipients == OWNERS and report.emailed_at is not None
    assert report.email_error == ""
    event = AuditEvent.objects.get(object_type="reporting.monthlyreport", action="export")
    assert event.outcome == "success" and event.detail["via"] == "email"
    assert event.detail["sent"] == 2

    # Sending again sends nothing: both owners have it.
    again = monthly_report_email(report=report)
    assert again.sent_to == [] and again.already == OWNERS
    assert len(smtp.messages) == 2


def test_a_failed_send_keeps_the_report_and_a_retry_sends_it(
    monthly_book: MonthlyBook, settings: object
) -> None:
    world = monthly_book.book.world
    report = monthly_report_generate(practice=world.practice, month=OCTOBER, now=NOW)
    use_smtp(settings, free_port())  # nothing listens there
    with pytest.raises(MonthlyReportEmailError, match="sent to 0 of 2 owners"):
        monthly_report_email(report=report)
    report = MonthlyReport.objects.get()
    assert report.recipients == [] and report.emailed_at is None
    assert "ConnectionRefusedError" in report.email_error
    failed = AuditEvent.objects.get(object_type="reporting.monthlyreport", action="export")
    assert failed.outcome == "failure" and failed.detail["waiting"] == 2
    assert file_read(stored=report.stored).startswith(b"%PDF-")  # the report is kept

    # The SMTP server is back (a fixture started late): the retry sends to both.
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[object] = []

    class Collect(Message):
        def handle_message(self, message: object) -> None:
            received.append(message)

    port = free_port()
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        use_smtp(settings, port)
        sent = monthly_report_email(report=report)
    finally:
        controller.stop()
    assert sent.sent_to == OWNERS and len(received) == 2
    report.refresh_from_db()
    assert report.recipients == OWNERS and report.email_error == ""
    assert report.emailed_at is not None


def test_a_practice_with_no_owner_address_is_stored_and_sends_nothing(
    monthly_book: MonthlyBook, smtp: Smtp
) -> None:
    world = monthly_book.book.world
    for owner in (monthly_book.owner, monthly_book.co_owner):
        owner.email = ""
        owner.save(update_fields=["email"])
    report = monthly_report_generate(practice=world.practice, month=OCTOBER, now=NOW)
    sent = monthly_report_email(report=report)
    assert sent.sent_to == [] and sent.already == [] and smtp.messages == []
    report.refresh_from_db()
    assert report.emailed_at is None and report.recipients == [] and report.email_error == ""
