"""Reads for payers and fee schedules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

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


def payer_list(*, user: Any, practice: Practice | None = None) -> QuerySet[Payer]:
    """Payers the user may see: those of their practices' organizations (or of one practice's)."""
    qs = Payer.objects.for_user(user)
    if practice is not None:
        qs = qs.filter(organization_id=practice.organization_id)
    return qs.order_by("name", "id")


def fee_schedule_code_search(
    *, practice: Practice, on: dt.date, query: str = "", limit: int = 25
) -> list[FeeScheduleEntry]:
    """The practice's own charges (payer-less fee schedules in force on `on`) whose code starts
    with `query`: one entry per code and modifier, the newest schedule winning."""
    qs = (
        FeeScheduleEntry.objects.filter(
            fee_schedule__practice=practice,
            fee_schedule__payer__isnull=True,
            fee_schedule__effective_from__lte=on,
            procedure_code__istartswith=query.strip().upper(),
        )
        .filter(Q(fee_schedule__effective_to__isnull=True) | Q(fee_schedule__effective_to__gte=on))
        .select_related("fee_schedule")
        .order_by("procedure_code", "modifier", "-fee_schedule__effective_from")
    )
    seen: set[tuple[str, str]] = set()
    found: list[FeeScheduleEntry] = []
    for entry in qs[: limit * 4]:
        key = (entry.procedure_code, entry.modifier)
        if key not in seen:
            seen.add(key)
            found.append(entry)
        if len(found) >= limit:
            break
    return found
