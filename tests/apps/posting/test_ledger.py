"""The ledger: charges once per charge line, entries immutable (ORM and trigger), balances kept
in step with the entries, and `openrcm ledger check` catching a balance that drifted."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError
from django.db import DatabaseError, connection, transaction

from openrcm.core.posting.entries import Bucket, Entry, EntryKind
from openrcm.posting.ledger import (
    Placement,
    ReferenceDifference,
    entries_write,
    ledger_charges_post,
    ledger_check,
)
from openrcm.posting.models import ChargeBalance, LedgerEntry, LedgerImmutableError
from tests.apps.cli.helpers import run


def _balances(claim: Any) -> list[tuple[int, int]]:
    return [
        (b.insurance_cents, b.patient_cents)
        for b in ChargeBalance.objects.filter(
            charge_line__in=[ln.charge_line_id for ln in claim.lines.all()]
        ).order_by("charge_line__line_number")
    ]


def test_charges_post_once_per_charge_line(claim: Any) -> None:
    assert ledger_charges_post(claims=[claim]) == 2
    assert ledger_charges_post(claims=[claim]) == 0
    assert _balances(claim) == [(12500, 0), (1500, 0)]
    assert LedgerEntry.objects.filter(kind="charge").count() == 2
    assert ledger_check() == []


def test_entries_refuse_update_and_delete_in_the_orm(claim: Any) -> None:
    ledger_charges_post(claims=[claim])
    entry = LedgerEntry.objects.first()
    assert entry is not None
    entry.cents = 1
    with pytest.raises(LedgerImmutableError):
        entry.save()
    with pytest.raises(LedgerImmutableError):
        entry.delete()
    with pytest.raises(LedgerImmutableError):
        LedgerEntry.objects.filter(pk=entry.pk).update(cents=1)
    with pytest.raises(LedgerImmutableError):
        LedgerEntry.objects.all().delete()


@pytest.mark.parametrize(
    "sql", ["UPDATE posting_ledgerentry SET cents = 1", "DELETE FROM posting_ledgerentry"]
)
def test_the_database_refuses_update_and_delete(claim: Any, sql: str) -> None:
    ledger_charges_post(claims=[claim])
    with (
        pytest.raises(DatabaseError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert LedgerEntry.objects.filter(cents=1).count() == 0


def test_balances_follow_the_core_effect(claim: Any) -> None:
    ledger_charges_post(claims=[claim])
    line = claim.lines.order_by("line_number").first()
    where = Placement(claim.practice_id, line.charge_line_id, claim.pk, line.pk)
    rows = entries_write(
        placed=[
            (Entry(EntryKind.INSURANCE_PAYMENT, 8000, line_id=line.pk), where),
            (Entry(EntryKind.CONTRACTUAL_ADJUSTMENT, 2500, group="CO", carc="45"), where),
            (Entry(EntryKind.WRITE_OFF, 500, bucket=Bucket.INSURANCE), where),
        ],
        effective_date=claim.encounter.date_of_service,
        source="manual",
    )
    assert _balances(claim)[0] == (1500, 0)
    entries_write(
        placed=[(Entry(EntryKind.INSURANCE_PAYMENT, -8000, reverses=rows[0].pk), where)],
        effective_date=claim.encounter.date_of_service,
        source="manual",
    )
    assert _balances(claim)[0] == (9500, 0)
    assert ledger_check() == []


def test_ledger_check_names_a_tampered_balance(claim: Any) -> None:
    ledger_charges_post(claims=[claim])
    assert "ledger ok: 2 balances and 1 day sums agree with 2 entries" in run("ledger", "check")
    line = claim.lines.order_by("line_number").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE posting_chargebalance SET insurance_cents = 1 WHERE charge_line_id = %s",
            [line.charge_line_id],
        )
    [difference] = ledger_check()
    text = str(difference)
    assert f"practice a, claim {claim.patient_control_number}, line 1 (99213)" in text
    assert "stored insurance 0.01, patient 0.00, recomputed insurance 125.00" in text
    with pytest.raises(CommandError, match="1 balances and 0 day sums differ"):
        run("ledger", "check")


def test_ledger_check_names_an_entry_whose_references_disagree(claim: Any) -> None:
    ledger_charges_post(claims=[claim])
    one, two = claim.lines.order_by("line_number")
    day = claim.encounter.date_of_service
    [wrong_line] = entries_write(  # line 1's claim line, line 2's charge line
        placed=[
            (
                Entry(EntryKind.WRITE_OFF, 100),
                Placement(claim.practice_id, two.charge_line_id, claim.pk, one.pk),
            )
        ],
        effective_date=day,
        source="manual",
    )
    [no_claim] = entries_write(  # a claim that does not exist (no foreign key in the database)
        placed=[
            (
                Entry(EntryKind.WRITE_OFF, 100),
                Placement(claim.practice_id, one.charge_line_id, 10**9, None),
            )
        ],
        effective_date=day,
        source="manual",
    )
    problems = [str(d) for d in ledger_check() if isinstance(d, ReferenceDifference)]
    assert problems == [
        f"ledger entry {wrong_line.pk}: its claim line bills another charge line",
        f"ledger entry {no_claim.pk}: its claim does not exist",
    ]
    with pytest.raises(CommandError, match="; 2 entries name a missing or disagreeing practice"):
        run("ledger", "check")


def test_backfill_posts_the_charges_of_claims_sent_before_the_ledger(
    claim: Any, practice_a: Any
) -> None:
    assert claim.status == "accepted"
    assert "2 charges posted" in run("ledger", "backfill")
    assert "0 charges posted" in run("ledger", "backfill")
    assert _balances(claim) == [(12500, 0), (1500, 0)]


def test_balances_leave_room_for_updates_in_place_on_postgresql(db: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage setting")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'posting_chargebalance'")
        [options] = cursor.fetchone()
    assert "fillfactor=50" in options
