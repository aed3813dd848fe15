"""The scheduler's monthly job: on the 1st at 06:00 in each practice's own time zone, last
month's report of every practice is opened once (its key names the practice and the month),
however many schedulers tick; the job generates, stores and e-mails it; a failed send is
retried by the job machinery without generating the report again."""

from __future__ import annotations

import datetime as dt

import time_machine

from openrcm.reporting.models import MonthlyReport
from openrcm.schedules.due import monthly_report_key, monthly_reports_due
from openrcm.schedules.models import Job, JobKind, JobStatus
from openrcm.schedules.worker import drain_queue
from openrcm.tenancy.models import Practice
from tests.apps.reporting.monthly_book import MonthlyBook, Smtp, free_port, use_smtp

# 1 November 2026, 06:00 in Chicago (CST, UTC-6: DST ended at 02:00 that morning).
CHICAGO_6AM = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
JUNE = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def test_the_first_opens_last_months_report_once_per_practice(monthly_book: MonthlyBook) -> None:
    rpt = monthly_book.book.world.practice
    oth = Practice.objects.get(slug="oth")
    Practice.objects.filter(pk=oth.pk).update(time_zone="America/Los_Angeles", created_at=JUNE)
    # 05:59 in Chicago: not yet.
    assert monthly_reports_due(now=CHICAGO_6AM - dt.timedelta(minutes=1)) == []
    # 06:00 in Chicago: rpt's October report; Los Angeles is still at 04:00.
    (job,) = monthly_reports_due(now=CHICAGO_6AM)
    assert (job.kind, job.practice_id, job.run_date) == (
        JobKind.MONTHLY_REPORT,
        rpt.pk,
        dt.date(2026, 10, 1),
    )
    assert (
        job.key
        == monthly_report_key(rpt.pk, dt.date(2026, 10, 1))
        == f"monthly-report:{rpt.pk}:2026-10"
    )
    # A second scheduler, the same minute or hours later: nothing more for rpt.
    assert monthly_reports_due(now=CHICAGO_6AM) == []
    # 06:00 in Los Angeles (two hours later): oth's, once.
    (other,) = monthly_reports_due(now=CHICAGO_6AM + dt.timedelta(hours=2))
    assert other.practice_id == oth.pk
    assert monthly_reports_due(now=CHICAGO_6AM + dt.timedelta(days=3)) == []
    assert Job.objects.filter(kind=JobKind.MONTHLY_REPORT).count() == 2
    # The 1st of December at 06:00 in Los Angeles (08:00 in Chicago): November's, once each.
    december = CHICAGO_6AM + dt.timedelta(days=30, hours=2)  # 06:00 in Los Angeles
    assert sorted(j.key for j in monthly_reports_due(now=december)) == sorted(
        [f"monthly-report:{rpt.pk}:2026-11", f"monthly-report:{oth.pk}:2026-11"]
    )
    assert monthly_reports_due(now=december) == []


def test_a_practice_created_this_month_gets_no_report_of_last_month(
    monthly_book: MonthlyBook,
) -> None:
    Practice.objects.filter(slug="oth").update(
        created_at=dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    )
    opened = monthly_reports_due(now=CHICAGO_6AM + dt.timedelta(hours=3))
    assert [j.practice.slug for j in opened] == ["rpt"]


def test_the_job_generates_stores_and_emails(
    monthly_book: MonthlyBook, smtp: Smtp, settings: object
) -> None:
    rpt = monthly_book.book.world.practice
    with time_machine.travel(CHICAGO_6AM, tick=False) as clock:
        (job,) = monthly_reports_due()  # oth was created after October: none for it
        # The SMTP server is unreachable on the first attempt.
        use_smtp(settings, free_port())
        drain_queue(worker_id="w")
        job.refresh_from_db()
        assert job.status == JobStatus.RETRYING and "MonthlyReportEmailError" in job.last_error
        report = MonthlyReport.objects.get(practice=rpt)
        first_file = report.stored_id
        assert report.month == dt.date(2026, 10, 1) and report.recipients == []
        # It is back for the retry, a minute later.
        use_smtp(settings, smtp.port)
        assert job.next_attempt_at is not None
        clock.move_to(job.next_attempt_at)
        drain_queue(worker_id="w")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    assert job.result["generated"] is False and job.result["emailed"] == 2
    report.refresh_from_db()
    assert report.stored_id == first_file  # the retry did not generate it again
    assert sorted(smtp.by_recipient()) == ["olivia.owner@example.org", "oscar@example.org"]
