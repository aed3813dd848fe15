"""Practice A's 2 November, reconciled: two 835s paid into the bank (an EFT matched by its
trace and amount, a check matched by a person), a deposit no 835 explains, an 835 whose money
has not arrived, PLB interest and a recoupment, and the totals to the cent."""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from openrcm.accounts.services import user_create
from openrcm.audit.models import AuditEvent
from openrcm.reconciliation.models import Deposit, DepositMatch, DepositSource, MatchMethod
from openrcm.reconciliation.selectors import reconciliation_day
from openrcm.reconciliation.services import (
    ReconciliationError,
    deposit_create,
    deposit_match_manual,
    deposit_unmatch,
    deposits_import_csv,
    deposits_match,
)
from tests.apps.conftest import PASSWORD

from .conftest import DAY, Day, new_claim, post, remittance

BANK = (
    b"Date,Description,Amount,Type\n"
    b'11/02/2026,"ORIG CO NAME:MEDICARE PART B ORIG ID:1512345678 DESC DATE:261102 CO ENTRY '
    b'DESCR:HCCLAIMPMT SEC:CCD TRACE#:021000021234567 TRN*1*EFT100234*1512345678\\",117.50,ACH\n'
    b"11/02/2026,DEPOSIT,130.00,DEPOSIT\n"
    b"11/02/2026,MOBILE DEPOSIT,42.00,DEPOSIT\n"
    b"11/02/2026,MONTHLY SERVICE FEE,-12.00,DEBIT\n"
)


@pytest.fixture
def poster(day: Day) -> Any:
    return user_create(
        username="pat", password=PASSWORD, practice=day.world.practice, role="payment_poster"
    )


def by_amount(amount: str) -> Deposit:
    return Deposit.objects.get(cents=int(amount.replace(".", "")))


def test_a_worked_day(day: Day, poster: Any) -> None:
    practice = day.world.practice
    imported = deposits_import_csv(practice=practice, data=BANK, name="nov02.csv", actor=poster)
    assert imported.as_json() | {"sha256": "", "deposit_ids": []} == {
        "practice": "a",
        "file": "nov02.csv",
        "sha256": "",
        "rows": 4,
        "deposits_created": 3,
        "deposits_amount": "289.50",
        "skipped": 1,
        "duplicates": 0,
        "already_imported": False,
        "columns": {
            "date": "Date",
            "amount": "Amount",
            "description": "Description",
            "type": "Type",
        },
        "deposit_ids": [],
        "warnings": [],
    }
    eft, check, mobile = (by_amount(a) for a in ("117.50", "130.00", "42.00"))
    assert (eft.method, eft.trace_number, eft.trace_originator, eft.payer_name) == (
        "eft",
        "EFT100234",
        "1512345678",
        "MEDICARE PART B",
    )
    assert (check.method, check.trace_number, check.row_number) == ("check", "", 3)
    assert mobile.source == DepositSource.CSV

    # The EFT matches by trace and amount; the check's 130.00 is only a suggestion.
    matched = deposits_match(practice=practice)
    assert matched.as_json() == {
        "practice": "a",
        "matched": 1,
        "matches": [
            {
                "deposit_id": eft.pk,
                "amount": "117.50",
                "trace_number": "EFT100234",
                "remittance_ids": [day.eft.pk],
            }
        ],
        "discrepancies": [],
        "suggestions": [
            {
                "deposit_id": check.pk,
                "remittance_id": day.check.pk,
                "amount": "130.00",
                "method": "amount_date",
            }
        ],
        "unmatched_deposits": 2,
        "unmatched_remittances": 2,
    }
    run = AuditEvent.objects.get(object_type="reconciliation.depositmatch")
    assert (run.action, run.practice_id) == ("create", practice.pk)
    assert run.detail | {"first_match_id": 0, "last_match_id": 0} == {
        "method": "trace_amount",
        "deposits": 1,
        "matches": 1,
        "first_match_id": 0,
        "last_match_id": 0,
    }
    assert deposits_match(practice=practice).matched == []  # nothing new the second time
    assert AuditEvent.objects.filter(object_type="reconciliation.depositmatch").count() == 1
    before = reconciliation_day(practice=practice, day=DAY)
    assert [(d.pk, r.pk) for d, r in before.suggestions] == [(check.pk, day.check.pk)]

    # The payment poster matches the check deposit to the check's 835 by hand.
    (row,) = deposit_match_manual(deposit=check, remittances=[day.check], actor=poster)
    assert (row.method, row.matched_by) == (MatchMethod.MANUAL, poster)
    event = AuditEvent.objects.get(
        action="update", object_type="reconciliation.deposit", object_id=str(check.pk)
    )
    assert event.detail["matched"] == [day.check.pk]

    report = reconciliation_day(practice=practice, day=DAY)
    assert [(p.deposit.pk, [r.pk for r in p.remittances], p.method) for p in report.matched] == [
        (eft.pk, [day.eft.pk], "trace_amount"),
        (check.pk, [day.check.pk], "manual"),
    ]
    assert [d.pk for d in report.unmatched_deposits] == [mobile.pk]
    assert [r.pk for r in report.unmatched_remittances] == [day.lonely.pk]
    assert report.discrepancies == [] and report.suggestions == []
    assert [(p.adjustment.reason, p.kind.value, p.effect_cents) for p in report.plbs] == [
        ("L6", "interest", 250),
        ("WO", "recoupment", -3000),
    ]
    data = report.as_json()
    assert data["totals"] == {
        "deposits": "289.50",
        "remittance_payments": "327.50",
        "claim_payments": "355.00",  # 115.00 + 160.00 + 80.00
        "provider_adjustments": "-27.50",  # interest +2.50, recoupment -30.00
        "interest": "2.50",
        "recoupment": "-30.00",
        "forwarding_balance": "0.00",
        "matched_deposits": "247.50",
        "matched_remittances": "247.50",
        "unmatched_deposits": "42.00",
        "unmatched_remittances": "80.00",
        "difference": "-38.00",
    }
    assert data["provider_adjustments"][1] == {
        "remittance_id": day.check.pk,
        "trace_number": "4417",
        "payer": "MEDICARE PART B",
        "reason": "WO",
        "kind": "recoupment",
        "description": "Overpayment recovery",
        "reference": "ICN-OLD-77",
        "amount": "30.00",
        "payment_effect": "-30.00",
    }

    # The CLI prints the same report, as JSON and as a table.
    out = StringIO()
    call_command("reconcile", "--practice", "a", "--day", "2026-11-02", "--json", stdout=out)
    assert json.loads(out.getvalue()) == json.loads(json.dumps(data))
    out = StringIO()
    call_command("reconcile", "--practice", "a", "--day", "2026-11-02", stdout=out)
    text = out.getvalue()
    assert "Reconciliation of a, 2026-11-02" in text
    assert "Unmatched deposits (1)" in text and "Unmatched 835 payments (1)" in text
    assert "Interest owed" in text and "Overpayment recovery" in text
    assert "Difference (deposits - 835 payments)" in text and "-38.00" in text
    assert re.search(r"2026-11-02\s+80\.00\s+EFT100999\s+ACH MEDICARE PART B", text), text
    assert re.search(r"4417\s+WO\s+Overpayment recovery\s+ICN-OLD-77\s+-30\.00", text), text

    # A day later nothing of this shows; the period holds it all.
    assert reconciliation_day(practice=practice, day=DAY.replace(day=3)).matched == []


def test_same_trace_different_amount_is_a_discrepancy_shown_not_matched(day: Day) -> None:
    practice = day.world.practice
    short = deposit_create(
        practice=practice, deposited_on=DAY, cents=7900, method="eft", trace_number="EFT100999"
    )
    result = deposits_match(practice=practice)
    assert result.matched == []
    assert result.discrepancies == [
        {
            "deposit_id": short.pk,
            "trace_number": "EFT100999",
            "deposit_amount": "79.00",
            "remittance_ids": [day.lonely.pk],
            "remittance_amount": "80.00",
            "difference": "-1.00",
        }
    ]
    assert not DepositMatch.objects.exists()
    report = reconciliation_day(practice=practice, day=DAY)
    (row,) = report.discrepancies
    assert (row.deposit.pk, [r.pk for r in row.remittances], row.difference_cents) == (
        short.pk,
        [day.lonely.pk],
        -100,
    )
    # A person may still match it, saying why.
    with pytest.raises(ReconciliationError, match="give a note"):
        deposit_match_manual(deposit=short, remittances=[day.lonely], actor=None)
    deposit_match_manual(deposit=short, remittances=[day.lonely], actor=None, note="bank fee 1.00")
    (pair,) = reconciliation_day(practice=practice, day=DAY).matched
    assert (pair.difference_cents, pair.note) == (-100, "bank fee 1.00")


def test_one_deposit_for_several_remittances_of_the_same_trace(day: Day) -> None:
    world = day.world
    claim = new_claim(world, "99211", "50.00")
    from .conftest import lines, svc, clp  # noqa: I001 - the posting helpers

    (line,) = lines(claim)
    first = post(
        world,
        remittance(
            [clp(claim, [svc(line, "20", ("CO", "45", "30"))], icn="B1")],
            trace="B77",
            method="ACH",
            payer_id="1111111111",
            control="0010",
        ),
        isa=10,
    )
    other = new_claim(world, "99211", "50.00")
    (line,) = lines(other)
    second = post(
        world,
        remittance(
            [clp(other, [svc(line, "30", ("CO", "45", "20"))], icn="B2")],
            trace="B77",
            method="ACH",
            payer_id="2222222222",
            control="0011",
        ),
        isa=11,
    )
    batched = deposit_create(
        practice=world.practice, deposited_on=DAY, cents=5000, method="ach", trace_number="B77"
    )
    result = deposits_match(practice=world.practice)
    assert result.matched[0]["remittance_ids"] == [first.pk, second.pk]
    (pair,) = [
        p
        for p in reconciliation_day(practice=world.practice, day=DAY).matched
        if p.deposit.pk == batched.pk
    ]
    assert pair.remittance_cents == 5000 and pair.difference_cents == 0


def test_unmatch_is_kept_and_audited_and_the_pair_can_match_again(day: Day, poster: Any) -> None:
    practice = day.world.practice
    eft = deposit_create(
        practice=practice,
        deposited_on=DAY,
        cents=11750,
        method="eft",
        trace_number="EFT100234",
        actor=poster,
    )
    deposits_match(practice=practice)
    assert deposit_unmatch(deposit=eft, actor=poster, reason="wrong account") == 1
    ended = DepositMatch.objects.get()
    assert (ended.ended_by, ended.end_reason) == (poster, "wrong account")
    assert ended.ended_at is not None
    event = (
        AuditEvent.objects.filter(action="update", object_type="reconciliation.deposit")
        .order_by("id")
        .last()
    )
    assert event is not None and event.detail["unmatched"] == [day.eft.pk]
    assert [d.pk for d in reconciliation_day(practice=practice, day=DAY).unmatched_deposits] == [
        eft.pk
    ]
    with pytest.raises(ReconciliationError, match="not matched"):
        deposit_unmatch(deposit=eft, actor=poster)
    assert len(deposits_match(practice=practice).matched) == 1
    assert DepositMatch.objects.filter(ended_at__isnull=True).count() == 1


def test_manual_match_refusals(day: Day, practice_b: Any) -> None:
    practice = day.world.practice
    deposit = deposit_create(practice=practice, deposited_on=DAY, cents=13000, method="check")
    deposit_match_manual(deposit=deposit, remittances=[day.check], actor=None)
    with pytest.raises(ReconciliationError, match="already matched: unmatch it first"):
        deposit_match_manual(deposit=deposit, remittances=[day.check], actor=None)
    again = deposit_create(practice=practice, deposited_on=DAY, cents=13000, method="check")
    with pytest.raises(ReconciliationError, match="is already matched"):
        deposit_match_manual(deposit=again, remittances=[day.check], actor=None)
    theirs = deposit_create(
        practice=practice_b.practice, deposited_on=DAY, cents=8000, method="eft"
    )
    with pytest.raises(ReconciliationError, match="not a posted payment of b"):
        deposit_match_manual(deposit=theirs, remittances=[day.lonely], actor=None)
    with pytest.raises(ReconciliationError, match="choose at least one"):
        deposit_match_manual(deposit=again, remittances=[], actor=None)
    with pytest.raises(ReconciliationError, match="manual or amount_date"):
        deposit_match_manual(
            deposit=again, remittances=[day.lonely], actor=None, method="trace_amount"
        )


def test_deposit_create_refusals(day: Day) -> None:
    practice = day.world.practice
    with pytest.raises(ReconciliationError, match=r"more than 0\.00"):
        deposit_create(practice=practice, deposited_on=DAY, cents=0, method="eft")
    with pytest.raises(ReconciliationError, match="method 'cash'"):
        deposit_create(practice=practice, deposited_on=DAY, cents=100, method="cash")
    assert not Deposit.objects.exists()
