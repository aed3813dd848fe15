"""The ledger's day sums (the reports' summary): every write adds its entries' cents per
practice, effective date, date of service, kind and bucket, in the same transaction;
`openrcm ledger check` names a day sum that drifted and exits non-zero; a rebuild restores it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError
from django.db import connection

from openrcm.core.posting.entries import Bucket, Entry, EntryKind
from openrcm.posting.ledger import (
    RAW_OVER,
    Placement,
    entries_write,
    ledger_charges_post,
    ledger_day_sums_check,
    ledger_day_sums_rebuild,
)
from openrcm.posting.models import LedgerDaySum
from tests.apps.cli.helpers import run

PAID_ON = dt.date(2026, 11, 6)


def _sums() -> dict[tuple[dt.date, dt.date, str, str], int]:
    return {
        (row.effective_date, row.service_date, row.kind, row.bucket): row.cents
        for row in LedgerDaySum.objects.exclude(cents=0)
    }


def _where(claim: Any, line_number: int = 1) -> Placement:
    line = claim.lines.get(line_number=line_number)
    return Placement(claim.practice_id, line.charge_line_id, claim.pk, line.pk)


def test_day_sums_follow_every_write(claim: Any) -> None:
    dos = claim.encounter.date_of_service
    ledger_charges_post(claims=[claim])
    [charged_on] = {row.effective_date for row in LedgerDaySum.objects.all()}
    # Both lines' charges (125.00 + 15.00) in one row: same day, same date of service.
    assert _sums() == {(charged_on, dos, "charge", "insurance"): 14000}
    rows = entries_write(
        placed=[
            (Entry(EntryKind.INSURANCE_PAYMENT, 8000), _where(claim)),
            (Entry(EntryKind.INSURANCE_PAYMENT, 1000), _where(claim, 2)),
            (Entry(EntryKind.PATIENT_PAYMENT, 500, bucket=Bucket.PATIENT), _where(claim)),
        ],
        effective_date=PAID_ON,
        source="manual",
    )
    # A claim-level entry (no charge line) is dated by its claim's date of service.
    entries_write(
        placed=[
            (
                Entry(EntryKind.CONTRACTUAL_ADJUSTMENT, 300, group="CO", carc="45"),
                Placement(claim.practice_id, None, claim.pk, None),
            )
        ],
        effective_date=PAID_ON,
        source="manual",
    )
    assert _sums() == {
        (charged_on, dos, "charge", "insurance"): 14000,
        (PAID_ON, dos, "insurance_payment", "insurance"): 9000,
        (PAID_ON, dos, "patient_payment", "patient"): 500,
        (PAID_ON, dos, "contractual_adjustment", "insurance"): 300,
    }
    # A reversal on a later day counts on its own day, negative; the first day keeps its sum.
    later = PAID_ON + dt.timedelta(days=7)
    entries_write(
        placed=[(Entry(EntryKind.INSURANCE_PAYMENT, -8000, reverses=rows[0].pk), _where(claim))],
        effective_date=later,
        source="manual",
    )
    assert _sums()[(later, dos, "insurance_payment", "insurance")] == -8000
    assert _sums()[(PAID_ON, dos, "insurance_payment", "insurance")] == 9000
    assert ledger_day_sums_check() == []


def test_a_large_write_is_summed_too(claim: Any) -> None:
    # More than RAW_OVER entries go in as plain rows: the day sums still see every cent.
    ledger_charges_post(claims=[claim])
    entries_write(
        placed=[(Entry(EntryKind.INSURANCE_PAYMENT, 1), _where(claim))] * (RAW_OVER + 1),
        effective_date=PAID_ON,
        source="manual",
    )
    dos = claim.encounter.date_of_service
    assert _sums()[(PAID_ON, dos, "insurance_payment", "insurance")] == RAW_OVER + 1
    assert ledger_day_sums_check() == []


def test_ledger_check_names_a_drifted_day_sum_and_rebuild_restores_it(claim: Any) -> None:
    ledger_charges_post(claims=[claim])
    assert "ledger ok: 2 balances and 1 day sums agree with 2 entries" in run("ledger", "check")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE posting_ledgerdaysum SET cents = cents + 1")
    [difference] = ledger_day_sums_check()
    text = str(difference)
    dos = claim.encounter.date_of_service.isoformat()
    assert "practice a, day sum of charge (insurance)" in text
    assert f"served {dos}: stored 140.01, recomputed 140.00" in text
    with pytest.raises(CommandError, match="0 balances and 1 day sums differ"):
        run("ledger", "check")
    assert ledger_day_sums_rebuild() == 1
    assert ledger_day_sums_check() == []
    assert "ledger ok" in run("ledger", "check")


pytestmark = pytest.mark.django_db
