"""Reads for the clearinghouse: the correction worklist and batches waiting for their 999."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from openrcm.claims.models import Claim
from openrcm.clearinghouse.models import Acknowledgment, Batch, BatchStatus
from openrcm.core.claims.status import ClaimStatus
from openrcm.tenancy.models import Practice


def ack_alert_hours() -> float:
    return float(getattr(settings, "OPENRCM_ACK_ALERT_HOURS", 24))


def rejection_worklist(*, practice: Practice) -> QuerySet[Claim]:
    """Rejected claims of the practice, each annotated with ``rejection_reason`` (the newest
    acknowledgment that rejected it), oldest rejection first."""
    reason = (
        Acknowledgment.objects.filter(claim=OuterRef("pk"))
        .exclude(reason="")
        .order_by("-created_at", "-id")
        .values("reason")[:1]
    )
    return (
        Claim.objects.filter(practice=practice, status=ClaimStatus.REJECTED.value)
        .annotate(rejection_reason=Subquery(reason))
        .select_related("encounter__patient", "coverage__payer")
        .order_by("status_changed_at", "id")
    )


def batches_missing_999(
    *, practice: Practice | None = None, now: dt.datetime | None = None
) -> QuerySet[Batch]:
    """Submitted batches with no 999 after ``OPENRCM_ACK_ALERT_HOURS`` (default 24)."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=ack_alert_hours())
    qs = Batch.objects.filter(
        status=BatchStatus.SUBMITTED, ack_999_at__isnull=True, submitted_at__lt=cutoff
    )
    if practice is not None:
        qs = qs.filter(practice=practice)
    return qs.order_by("submitted_at", "id")


def batch_ack_overdue(batch: Batch, *, now: dt.datetime | None = None) -> bool:
    """Whether ``batch`` raises the missing-999 alert."""
    if batch.status != BatchStatus.SUBMITTED or batch.ack_999_at or not batch.submitted_at:
        return False
    cutoff = (now or timezone.now()) - dt.timedelta(hours=ack_alert_hours())
    return batch.submitted_at < cutoff
