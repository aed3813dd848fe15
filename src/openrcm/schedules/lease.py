"""One scheduler at a time: the worker process holding the lease enqueues the schedule ticks;
the others stand by and take over once it expires (its holder stopped renewing it)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from openrcm.schedules.models import SchedulerLease

LEASE_NAME = "scheduler"


def lease_take(*, holder: str, seconds: int = 30, now: dt.datetime | None = None) -> bool:
    """Take or renew the scheduler lease for ``seconds``; whether ``holder`` holds it now.
    One UPDATE decides, so two processes never both win."""
    moment = now or timezone.now()
    if not SchedulerLease.objects.filter(name=LEASE_NAME).exists():
        try:
            with transaction.atomic():
                SchedulerLease.objects.create(name=LEASE_NAME, holder="", expires_at=moment)
        except IntegrityError:  # created by another process meanwhile
            pass
    won = (
        SchedulerLease.objects.filter(name=LEASE_NAME)
        .filter(Q(holder=holder) | Q(expires_at__lte=moment))
        .update(holder=holder, expires_at=moment + dt.timedelta(seconds=seconds))
    )
    return won == 1


def lease_release(*, holder: str) -> None:
    """Give the lease up at once (a clean stop), so another worker need not wait for it."""
    SchedulerLease.objects.filter(name=LEASE_NAME, holder=holder).update(
        holder="", expires_at=timezone.now()
    )


def lease_holder(*, now: dt.datetime | None = None) -> str:
    """Who holds the lease now ("" when nobody does)."""
    row = SchedulerLease.objects.filter(name=LEASE_NAME).first()
    if row is None or row.expires_at <= (now or timezone.now()):
        return ""
    return row.holder
