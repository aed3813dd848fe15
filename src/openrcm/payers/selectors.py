"""Reads for payers and fee schedules."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from openrcm.core.money import Money
from openrcm.payers.models import FeeScheduleEntry, Payer
from openrcm.tenancy.models import Practice


def fee_for(
    *,
    practice: Practice,
    procedure_code: str,
    on: dt.date,
    modifier: str = "",
    payer: Payer | None = None,
) -> Money | None:
    """The practice's charge (payer None) or a payer's allowance for a code on a date, if any."""
    base = FeeScheduleEntry.objects.filter(
        fee_schedule__practice=practice,
        fee_schedule__payer=payer,
        fee_schedule__effective_from__lte=on,
        procedure_code=procedure_code.strip().upper(),
    ).filter(Q(fee_schedule__effective_to__isnull=True) | Q(fee_schedule__effective_to__gte=on))
    entry = (
        base.filter(modifier__in=[modifier.upper(), ""])
        .order_by("-modifier", "-fee_schedule__effective_from")
        .first()
    )
    return entry.amount if entry else None
