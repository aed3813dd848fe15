"""The cron registrations (django-crontask): when the scheduler of `openrcm worker` enqueues
each tick. Imported only by the worker, so web processes register nothing.

Times are UTC (crontask uses Django's TIME_ZONE); each practice's local submission time is
checked by the minute tick itself (due.daily_batches_due)."""

from __future__ import annotations

import datetime as dt

from apscheduler.triggers.interval import IntervalTrigger
from crontask import cron, scheduler

from openrcm.schedules.due import (
    daily_batches_due,
    housekeeping,
    inbound_polls_due,
    monthly_reports_due,
    poll_minutes,
)
from openrcm.schedules.models import Job
from openrcm.schedules.tasks import (
    daily_batches_tick,
    housekeeping_tick,
    inbound_polls_tick,
    monthly_reports_tick,
)

__all__ = ["run_due_now", "scheduler"]

cron("* * * * *")(daily_batches_tick)
_every = poll_minutes()
if 60 % _every == 0:  # aligned on the clock (:00, :05, ...) like the poll slots
    cron(f"*/{_every} * * * *")(inbound_polls_tick)
else:
    cron(IntervalTrigger(minutes=_every))(inbound_polls_tick)
cron("7 * * * *")(housekeeping_tick)
# On the hour: a practice's 1st at OPENRCM_MONTHLY_REPORT_HOUR falls on some UTC hour (zones
# with a half-hour offset are caught at the next hour).
cron("0 * * * *")(monthly_reports_tick)


def run_due_now(*, now: dt.datetime | None = None) -> list[Job]:
    """What the ticks would open now, opened at once (for `openrcm worker --once`)."""
    housekeeping(now=now)
    return daily_batches_due(now=now) + inbound_polls_due(now=now) + monthly_reports_due(now=now)
