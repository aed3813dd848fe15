"""Writes for tenancy: practices, memberships and per-practice sequences."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F

from openrcm.tenancy.models import Counter, Membership, Organization, Practice, Role


def organization_get_or_create(*, slug: str, name: str, is_demo: bool = False) -> Organization:
    """The billing organization with `slug`, created when missing."""
    org, _ = Organization.objects.get_or_create(
        slug=slug, defaults={"name": name, "is_demo": is_demo}
    )
    return org


def practice_create(
    *,
    organization: Organization,
    slug: str,
    name: str,
    group_npi: str,
    tin: str,
    **fields: Any,
) -> Practice:
    """Create a practice after validating every field (NPI check digit, TIN, ZIP, time zone)."""
    practice = Practice(
        organization=organization, slug=slug, name=name, group_npi=group_npi, tin=tin, **fields
    )
    practice.full_clean()
    practice.save()
    return practice


def practice_schedule_set(
    *, practice: Practice, submit_at: dt.time | None = None, auto_submit: bool | None = None
) -> Practice:
    """Change the practice's daily submission (on or off) and its time (in the practice's time
    zone); what is not given stays as it is."""
    if submit_at is not None:
        practice.submit_at = submit_at.replace(second=0, microsecond=0)
    if auto_submit is not None:
        practice.auto_submit = auto_submit
    practice.full_clean()
    practice.save(update_fields=["submit_at", "auto_submit"])
    return practice


def membership_grant(*, user: Any, practice: Practice, role: str) -> Membership:
    """Give `user` the `role` in `practice` (replacing an earlier role there)."""
    if role not in Role.values:
        raise ValueError(f"role {role!r} is not one of: {', '.join(Role.values)}")
    membership, _ = Membership.objects.update_or_create(
        user=user, practice=practice, defaults={"role": role}
    )
    return membership


def practice_next_number(*, practice: Practice, name: str) -> int:
    """The next value of the practice's sequence `name`; safe under concurrent writers."""
    with transaction.atomic():
        counter, _ = Counter.objects.select_for_update().get_or_create(practice=practice, name=name)
        Counter.objects.filter(pk=counter.pk).update(value=F("value") + 1)
        counter.refresh_from_db(fields=["value"])
        return counter.value


def practice_next_numbers(*, practice: Practice, name: str, count: int) -> range:
    """`count` consecutive values of the practice's sequence `name`, in one step (bulk)."""
    if count < 1:
        return range(0)
    with transaction.atomic():
        counter, _ = Counter.objects.select_for_update().get_or_create(practice=practice, name=name)
        Counter.objects.filter(pk=counter.pk).update(value=F("value") + count)
        counter.refresh_from_db(fields=["value"])
        return range(counter.value - count + 1, counter.value + 1)
