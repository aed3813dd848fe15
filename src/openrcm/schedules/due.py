"""What is due now: each practice's daily batch at its own local time, a poll of every
clearinghouse each few minutes, and on the 1st of each month each practice's monthly report.
Each occurrence is opened as a job once (its key is unique), so running these twice, or from two
processes, queues nothing twice."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from openrcm.clearinghouse.models import TradingPartner
from openrcm.core.reporting.periods import add_months
from openrcm.schedules.jobs import job_open, jobs_prune, jobs_recover_stale
from openrcm.schedules.models import ACTIVE, Job, JobKind
from openrcm.schedules.work import default_partner
from openrcm.tenancy.models import Practice


def latest_submission(practice: Practice, now: dt.datetime) -> dt.datetime:
    """The latest moment, at or before ``now``, of the practice's daily submission time in its
    own time zone (today's when that time has passed there, else yesterday's)."""
    zone = zoneinfo.ZoneInfo(practice.time_zone)
    day = now.astimezone(zone).date()
    at = dt.datetime.combine(day, practice.submit_at, tzinfo=zone)
    if at > now:
        at = dt.datetime.combine(day - dt.timedelta(days=1), practice.submit_at, tzinfo=zone)
    return at


def daily_batch_key(practice_id: int, day: dt.date) -> str:
    return f"daily-batch:{practice_id}:{day.isoformat()}"


def catch_up_window() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "OPENRCM_DAILY_BATCH_CATCHUP_HOURS", 12)))


def daily_batches_due(*, now: dt.datetime | None = None) -> list[Job]:
    """Open the daily batch of every practice with daily submission on whose time has come
    today (its local day) and which has none yet for that day. A practice whose time passed
    while no worker ran is caught up, up to ``OPENRCM_DAILY_BATCH_CATCHUP_HOURS`` late."""
    moment = now or timezone.now()
    window = catch_up_window()
    wanted: list[tuple[Practice, dt.date, str]] = []
    for practice in Practice.objects.filter(auto_submit=True).order_by("id"):
        at = latest_submission(practice, moment)
        if moment - at > window:
            continue
        day = at.astimezone(zoneinfo.ZoneInfo(practice.time_zone)).date()
        wanted.append((practice, day, daily_batch_key(practice.pk, day)))
    existing = set(
        Job.objects.filter(key__in=[key for *_, key in wanted]).values_list("key", flat=True)
    )
    opened = []
    for practice, day, key in wanted:
        if key in existing:
            continue
        job = job_open(
            kind=JobKind.DAILY_BATCH,
            key=key,
            practice=practice,
            partner=default_partner(practice),
            run_date=day,
            now=moment,
        )
        if job is not None:
            opened.append(job)
    return opened


def poll_minutes() -> int:
    return int(getattr(settings, "OPENRCM_POLL_MINUTES", 5))


def inbound_polls_due(*, now: dt.datetime | None = None) -> list[Job]:
    """Open a poll of every clearinghouse for the current slot of ``OPENRCM_POLL_MINUTES``,
    unless one of its polls is still waiting, running or retrying (that one covers it)."""
    moment = now or timezone.now()
    slot = int(moment.timestamp()) // (poll_minutes() * 60)
    busy = set(
        Job.objects.filter(kind=JobKind.INBOUND_POLL, status__in=ACTIVE).values_list(
            "partner_id", flat=True
        )
    )
    opened = []
    for partner in TradingPartner.objects.order_by("id"):
        if partner.pk in busy:
            continue
        job = job_open(
            kind=JobKind.INBOUND_POLL,
            key=f"inbound-poll:{partner.pk}:{slot}",
            practice=partner.practice_id,
            partner=partner,
            now=moment,
        )
        if job is not None:
            opened.append(job)
    return opened


def monthly_report_key(practice_id: int, month: dt.date) -> str:
    """The job of the report of ``month`` (its first day) for one practice."""
    return f"monthly-report:{practice_id}:{month:%Y-%m}"


def monthly_report_hour() -> int:
    return int(getattr(settings, "OPENRCM_MONTHLY_REPORT_HOUR", 6))


def monthly_reports_due(*, now: dt.datetime | None = None) -> list[Job]:
    """Open the job of last month's report of every practice whose local time has reached the
    1st of this month at ``OPENRCM_MONTHLY_REPORT_HOUR`` (6:00). Missed (no worker ran), it is
    caught up later in the month; a practice created after last month ended gets none. The key
    names the practice and the month reported, so each report is opened once."""
    moment = now or timezone.now()
    hour = monthly_report_hour()
    wanted: list[tuple[Practice, dt.date, str]] = []
    for practice in Practice.objects.order_by("id"):
        zone = zoneinfo.ZoneInfo(practice.time_zone)
        local = moment.astimezone(zone)
        this_month = local.date().replace(day=1)
        if local.day == 1 and local.hour < hour:
            continue
        if practice.created_at.astimezone(zone).date() >= this_month:
            continue
        month = add_months(this_month, -1)
        wanted.append((practice, month, monthly_report_key(practice.pk, month)))
    existing = set(
        Job.objects.filter(key__in=[key for *_, key in wanted]).values_list("key", flat=True)
    )
    opened = []
    for practice, month, key in wanted:
        if key in existing:
            continue
        job = job_open(
            kind=JobKind.MONTHLY_REPORT, key=key, practice=practice, run_date=month, now=moment
        )
        if job is not None:
            opened.append(job)
    return opened


@dataclass
class Housekeeping:
    recovered: int
    pruned: int


def housekeeping(*, now: dt.datetime | None = None) -> Housekeeping:
    """Retry jobs a stopped worker left running; prune old finished jobs and task rows."""
    return Housekeeping(recovered=jobs_recover_stale(now=now), pruned=jobs_prune(now=now))
