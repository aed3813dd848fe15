"""Failures: a clearinghouse that cannot be reached is retried after 1, 2, 4, 8 and 16 minutes,
each attempt recorded; after the last the job is failed (and shows so on the jobs page); "retry
now" sends the batch left built, once. One scheduler at a time holds the lease."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from openrcm.accounts.services import user_create
from openrcm.audit.models import AuditEvent
from openrcm.clearinghouse.models import Batch, BatchClaim, BatchStatus, TradingPartner
from openrcm.schedules.due import daily_batches_due
from openrcm.schedules.jobs import job_retry_now, retry_delay
from openrcm.schedules.lease import lease_holder, lease_release, lease_take
from openrcm.schedules.models import JobStatus
from openrcm.schedules.worker import run_once
from tests.apps.conftest import PASSWORD, PracticeWorld, build_practice

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 27, 17, 0, tzinfo=zoneinfo.ZoneInfo("America/Chicago"))


def test_backoff_doubles_from_one_minute() -> None:
    assert [retry_delay(n).total_seconds() / 60 for n in range(1, 6)] == [1, 2, 4, 8, 16]


def test_transport_down_retried_with_backoff_then_failed(
    world: PracticeWorld, sandbox: TradingPartner
) -> None:
    # The clearinghouse is "down": a folder transport with no folders configured.
    TradingPartner.objects.filter(pk=sandbox.pk).update(transport="folder", settings={})
    with time_machine.travel(START, tick=False) as clock:
        (job,) = daily_batches_due()
        run_once(worker_id="w")
        gaps = []
        for _ in range(10):
            job.refresh_from_db()
            if job.status != JobStatus.RETRYING:
                break
            assert job.next_attempt_at is not None
            gaps.append((job.next_attempt_at - dt.datetime.now(dt.UTC)).total_seconds())
            # Not a moment early: the retry waits for its time.
            clock.move_to(job.next_attempt_at - dt.timedelta(seconds=1))
            assert run_once(worker_id="w").ran == 0
            clock.move_to(job.next_attempt_at)
            run_once(worker_id="w")
        job.refresh_from_db()
        assert [round(g / 60) for g in gaps] == [1, 2, 4, 8, 16]
        assert job.status == JobStatus.FAILED and job.attempts == job.max_attempts == 6
        attempts = list(job.attempt_log.order_by("number"))
        assert [a.number for a in attempts] == [1, 2, 3, 4, 5, 6]
        assert all(a.succeeded is False and "TransportError" in a.error for a in attempts)
        assert "out_dir" in job.last_error
        # The first attempt built the batch; none was sent, and no second batch was built.
        assert Batch.objects.get().status == BatchStatus.BUILT

        # The jobs page shows the failure to the practice's biller, not to another practice.
        biller = user_create(
            username="biller-a", password=PASSWORD, practice=world.practice, role="biller"
        )
        other = build_practice("b", "1245319599", payer=world.payer)
        outsider = user_create(
            username="biller-b", password=PASSWORD, practice=other.practice, role="biller"
        )
        page = _signed_in(biller).get(reverse("job_list") + "?status=failed")
        assert page.status_code == 200
        text = page.content.decode()
        assert 'class="finding-error"' in text and "TransportError" in text
        assert "Retry now" in text
        elsewhere = _signed_in(outsider).get(reverse("job_list")).content.decode()
        assert "TransportError" not in elsewhere
        assert _signed_in(outsider).post(reverse("job_retry", args=[job.pk])).status_code == 404

        # The clearinghouse is back; "retry now" sends the batch left built, exactly once.
        TradingPartner.objects.filter(pk=sandbox.pk).update(transport="sandbox")
        clock.move_to(START + dt.timedelta(hours=1))
        response = _signed_in(biller).post(reverse("job_retry", args=[job.pk]))
        assert response.status_code == 302
        retried = AuditEvent.objects.get(object_type="schedules.job", action="update")
        assert retried.actor_id == biller.pk and retried.object_id == str(job.pk)
        run_once(worker_id="w")
        job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 7
    assert job.result["claims"] == 1
    assert Batch.objects.get().status == BatchStatus.SUBMITTED
    assert BatchClaim.objects.filter(claim=world.claim).count() == 1
    world.claim.refresh_from_db()
    assert world.claim.status == "submitted"


def test_a_stale_task_does_not_run_the_job_again(
    world: PracticeWorld, sandbox: TradingPartner
) -> None:
    with time_machine.travel(START, tick=False):
        (job,) = daily_batches_due()
        job_retry_now(job=job)  # a second task for the same waiting job: the first is stale
        report = run_once(worker_id="w")
        job.refresh_from_db()
    assert report.ran == 3  # both tasks of the job (and a poll) ran; one made an attempt
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 1
    assert Batch.objects.count() == 1


def test_one_scheduler_holds_the_lease(db: None) -> None:
    with time_machine.travel(START, tick=False) as clock:
        assert lease_take(holder="worker-1") is True
        assert lease_take(holder="worker-2") is False
        assert lease_holder() == "worker-1"
        assert lease_take(holder="worker-1") is True  # renewed
        # worker-1 stops renewing (killed): after the lease time, worker-2 takes over.
        clock.move_to(START + dt.timedelta(seconds=31))
        assert lease_take(holder="worker-2") is True
        assert lease_take(holder="worker-1") is False
        # A clean stop gives it up at once.
        lease_release(holder="worker-2")
        assert lease_holder() == ""
        assert lease_take(holder="worker-1") is True


def _signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_housekeeping_retries_a_lost_attempt_and_prunes_old_jobs(
    world: PracticeWorld, sandbox: TradingPartner
) -> None:
    from openrcm.schedules.due import housekeeping
    from openrcm.schedules.jobs import job_open
    from openrcm.schedules.models import Job, JobAttempt, JobKind

    with time_machine.travel(START, tick=False) as clock:
        lost = job_open(kind=JobKind.DAILY_BATCH, key="lost", practice=world.practice)
        old = job_open(kind=JobKind.DAILY_BATCH, key="old", practice=world.practice)
        idle = job_open(kind=JobKind.INBOUND_POLL, key="idle", practice=world.practice)
        assert lost and old and idle
        # A worker took `lost` and was killed mid-attempt: it stays "running" with no end.
        Job.objects.filter(pk=lost.pk).update(status=JobStatus.RUNNING, attempts=1)
        JobAttempt.objects.create(job=lost, number=1, worker_id="killed", started_at=START)
        Job.objects.filter(pk=old.pk).update(status=JobStatus.SUCCEEDED, finished_at=START)
        Job.objects.filter(pk=idle.pk).update(
            status=JobStatus.SUCCEEDED, attempts=1, result={"taken": 0}, finished_at=START
        )
        clock.move_to(START + dt.timedelta(minutes=30))
        assert housekeeping().recovered == 0  # half an hour may be a long attempt
        clock.move_to(START + dt.timedelta(days=2))
        done = housekeeping()
        assert done.recovered == 1 and done.pruned == 1  # the idle poll, after a day
        lost.refresh_from_db()
        assert lost.status == JobStatus.RETRYING and "worker stopped" in lost.last_error
        assert lost.attempt_log.get().succeeded is False
        clock.move_to(START + dt.timedelta(days=31))
        assert housekeeping().pruned == 1  # the old succeeded job, after 30 days
    assert set(Job.objects.values_list("key", flat=True)) == {"lost"}
