"""The daily batch: fires at the practice's own submission time, once per local day however many
schedulers and workers see it (and across a restart), catches up a missed time, and polling
then takes in the sandbox's acknowledgments."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from openrcm.claims.models import Claim
from openrcm.clearinghouse.models import Batch, BatchClaim, BatchStatus, TradingPartner
from openrcm.schedules.due import daily_batches_due, inbound_polls_due, latest_submission
from openrcm.schedules.models import Job, JobKind, JobStatus
from openrcm.schedules.worker import run_once
from openrcm.tenancy.models import Practice
from tests.apps.conftest import PracticeWorld

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def chicago(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=CHICAGO)


def test_latest_submission_is_local_to_the_practice(world: PracticeWorld) -> None:
    practice = world.practice
    assert practice.submit_at == dt.time(17, 0) and practice.auto_submit
    # 16:59 in Chicago: the latest time was yesterday's 17:00; at 17:00, today's.
    assert latest_submission(practice, chicago(27, 16, 59)) == chicago(26, 17)
    assert latest_submission(practice, chicago(27, 17)) == chicago(27, 17)
    # 17:00 in Chicago is 23:00 UTC in November (CST).
    assert chicago(27, 17).astimezone(dt.UTC).hour == 23


def test_fires_at_the_configured_local_time_and_only_once(
    world: PracticeWorld, sandbox: TradingPartner
) -> None:
    Practice.objects.filter(pk=world.practice.pk).update(submit_at=dt.time(18, 30))
    with time_machine.travel(chicago(27, 18, 29), tick=False) as clock:
        # Yesterday's time is more than the catch-up window ago: nothing is due yet today.
        assert daily_batches_due() == []
        clock.move_to(chicago(27, 18, 30))
        (job,) = daily_batches_due()
        assert job.run_date == dt.date(2026, 11, 27) and job.partner == sandbox
        # A second scheduler (another worker process) at the same minute opens nothing.
        assert daily_batches_due() == []
        # Two workers drain the queue: one runs the job, the other finds nothing left.
        first = run_once(worker_id="worker-1")
        second = run_once(worker_id="worker-2")
        assert first.ran >= 1 and second.ran == 0
        job.refresh_from_db()
        assert job.status == JobStatus.SUCCEEDED and job.attempts == 1
        assert job.result["claims"] == 1 and len(job.result["batches"]) == 1
        world.claim.refresh_from_db()
        assert world.claim.status == "submitted"
        # A restarted worker later that evening: the day's batch exists, nothing is opened.
        clock.move_to(chicago(27, 22))
        assert run_once(worker_id="worker-1-restarted").opened <= 1  # a poll, never a batch
    assert Job.objects.filter(kind=JobKind.DAILY_BATCH).count() == 1
    assert Batch.objects.count() == 1
    assert BatchClaim.objects.filter(claim=world.claim).count() == 1


def test_catches_up_a_time_missed_while_no_worker_ran(world: PracticeWorld) -> None:
    # No worker at 17:00; one starts at 20:00: the day's batch is opened at once.
    with time_machine.travel(chicago(27, 20), tick=False) as clock:
        (job,) = daily_batches_due()
        assert job.run_date == dt.date(2026, 11, 27)
        # A worker down from before 17:00 until 10:00 the next day: 17 hours late is past the
        # 12-hour catch-up window; the next batch (today 17:00) takes the claims instead.
        Job.objects.all().delete()
        clock.move_to(chicago(28, 10))
        assert daily_batches_due() == []
        clock.move_to(chicago(28, 17))
        (job,) = daily_batches_due()
        assert job.run_date == dt.date(2026, 11, 28)


def test_daily_submission_off_or_no_clearinghouse(world: PracticeWorld) -> None:
    with time_machine.travel(chicago(27, 17, 5), tick=False):
        Practice.objects.filter(pk=world.practice.pk).update(auto_submit=False)
        assert daily_batches_due() == []
        Practice.objects.filter(pk=world.practice.pk).update(auto_submit=True)
        (job,) = daily_batches_due()
        assert job.partner is None  # the practice has no clearinghouse set up
        run_once(worker_id="w")
        job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert "no clearinghouse" in job.result["note"]
    world.claim.refresh_from_db()
    assert world.claim.status == "ready"  # nothing sent, nothing invented


def test_polling_takes_the_sandbox_acknowledgments(
    world: PracticeWorld, sandbox: TradingPartner
) -> None:
    with time_machine.travel(chicago(27, 17, 1), tick=False) as clock:
        run_once(worker_id="w")
        world.claim.refresh_from_db()
        assert world.claim.status == "submitted"
        clock.move_to(chicago(28, 9))
        polls = inbound_polls_due()
        assert [p.partner for p in polls] == [sandbox]
        assert inbound_polls_due() == []  # the same slot: nothing new
        run_once(worker_id="w")
        poll = Job.objects.get(pk=polls[0].pk)
        assert poll.status == JobStatus.SUCCEEDED
        assert poll.result["taken"] >= 2  # the 999 and the 277CA
        world.claim.refresh_from_db()
        assert world.claim.status == "acknowledged"
        assert Batch.objects.get().status == BatchStatus.ACCEPTED
        # The next slot polls again and takes nothing new.
        clock.move_to(chicago(28, 9, 6))
        run_once(worker_id="w")
        latest = Job.objects.filter(kind=JobKind.INBOUND_POLL).order_by("-id").first()
        assert latest is not None and latest.pk != poll.pk
        assert latest.status == JobStatus.SUCCEEDED and latest.result["taken"] == 0
        # Weeks later the sandbox payer's 835 is due: the poll takes it and posts it.
        clock.move_to(chicago(28, 9) + dt.timedelta(days=45))
        run_once(worker_id="w")
        paid = Job.objects.filter(kind=JobKind.INBOUND_POLL).order_by("-id").first()
        assert paid is not None and paid.status == JobStatus.SUCCEEDED
        assert paid.result["taken"] >= 1 and paid.result["eras_posted"] >= 1, paid.result
        world.claim.refresh_from_db()
        assert world.claim.status in ("paid", "partially_paid", "denied", "closed")


def test_worker_once_command_end_to_end(world: PracticeWorld, sandbox: TradingPartner) -> None:
    out = StringIO()
    with time_machine.travel(chicago(27, 17, 2), tick=False):
        call_command("worker", "--once", "--worker-id", "cli-test", stdout=out)
    text = out.getvalue()
    assert "opened 2 jobs" in text  # the daily batch and a poll of the sandbox
    assert "0 jobs waiting to retry, 0 failed" in text
    assert Claim.objects.get(pk=world.claim.pk).status in ("submitted", "accepted", "acknowledged")
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
