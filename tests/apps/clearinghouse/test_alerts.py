"""The missing-999 alert: raised once on a batch the clearinghouse has not answered within
OPENRCM_ACK_ALERT_HOURS, audited and logged once, cleared when the 999 arrives."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
from django.utils import timezone

from openrcm.audit.models import AuditEvent
from openrcm.clearinghouse.models import Batch
from openrcm.clearinghouse.services import (
    batch_ack_alerts_raise,
    batch_build,
    batch_send,
    inbound_poll,
    partner_for,
)
from openrcm.tenancy.models import Practice

pytestmark = pytest.mark.django_db


def _alert_events(batch: Batch) -> list[dict[str, object]]:
    return [
        e.detail
        for e in AuditEvent.objects.filter(
            object_type="clearinghouse.batch", object_id=str(batch.pk), action="update"
        ).order_by("seq")
        if "alert" in e.detail
    ]


def test_missing_999_alert_raised_once_and_cleared_by_the_999(
    practice: Practice, caplog: pytest.LogCaptureFixture
) -> None:
    partner = partner_for(practice=practice)
    sent = timezone.now()
    built = batch_build(practice=practice, partner=partner, now=sent)
    assert built.batch is not None
    batch = built.batch
    # Built but not sent: no alert, however old.
    assert batch_ack_alerts_raise(now=sent + dt.timedelta(days=3)) == []
    batch_send(batch=batch, now=sent)
    assert batch_ack_alerts_raise(now=sent + dt.timedelta(hours=23)) == []
    with caplog.at_level(logging.WARNING, logger="openrcm.clearinghouse"):
        raised = batch_ack_alerts_raise(now=sent + dt.timedelta(hours=25))
    assert [b.pk for b in raised] == [batch.pk]
    assert f"batch {batch.pk}" in caplog.text and "no 999" in caplog.text
    batch.refresh_from_db()
    assert batch.alert_open and batch.alert_raised_at == sent + dt.timedelta(hours=25)
    assert "No 999 from sandbox 24 hours after" in batch.alert
    # Once: the next polling round raises nothing new and writes no second event.
    assert batch_ack_alerts_raise(now=sent + dt.timedelta(hours=26), practice=practice) == []
    assert _alert_events(batch) == [{"alert": "missing_999", "hours": "24", "partner": "sandbox"}]
    # The 999 arrives late: the alert clears and stays on record.
    inbound_poll(partner=partner, now=sent + dt.timedelta(hours=27))
    batch.refresh_from_db()
    assert not batch.alert_open and batch.alert_cleared_at == sent + dt.timedelta(hours=27)
    assert batch.alert_raised_at is not None and batch.ack_999_at is not None
    assert [e["alert"] for e in _alert_events(batch)] == ["missing_999", "cleared"]
    assert batch_ack_alerts_raise(now=sent + dt.timedelta(days=5)) == []


def test_alert_hours_follow_the_setting(practice: Practice, settings: Any) -> None:
    settings.OPENRCM_ACK_ALERT_HOURS = 2
    partner = partner_for(practice=practice)
    sent = timezone.now()
    built = batch_build(practice=practice, partner=partner, now=sent)
    assert built.batch is not None
    batch_send(batch=built.batch, now=sent)
    assert batch_ack_alerts_raise(now=sent + dt.timedelta(hours=1)) == []
    (raised,) = batch_ack_alerts_raise(now=sent + dt.timedelta(hours=3))
    assert "2 hours after" in raised.alert
