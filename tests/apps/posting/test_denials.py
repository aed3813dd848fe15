"""Working a denial by hand: appeal, corrected and resubmitted, or written off with a reason.

A denial keeps its amount open as insurance A/R until a person decides; a write-off is ledger
entries (kind write_off) for exactly what the denial left open, and it is audited."""

from __future__ import annotations

from typing import Any

import pytest

from openrcm.audit.models import AuditEvent
from openrcm.claims.models import Claim
from openrcm.posting.denials import DenialWorkError, denial_work
from openrcm.posting.ledger import ledger_check
from openrcm.posting.models import Denial, LedgerEntry
from openrcm.posting.selectors import claim_money
from openrcm.posting.services import era_import

from .eras import clp, era, remittance, svc
from .test_scenarios import balances, lines, status


def _claim_denied(claim: Claim) -> Denial:
    payment = clp(claim, [], status="4", adjustments=(("CO", "50", "140"),), remarks=("N115",))
    era_import(data=era(remittance([payment])), practice=claim.practice)
    return Denial.objects.get()


def _line_denied(claim: Claim) -> Denial:
    one, two = lines(claim)
    svcs = [
        svc(one, "100", ("CO", "45", "25")),
        svc(two, "0", ("CO", "97", "15"), remarks=("M15",)),
    ]
    era_import(data=era(remittance([clp(claim, svcs)])), practice=claim.practice)
    return Denial.objects.get()


def test_a_claim_denial_written_off_with_a_reason_closes_the_claim(
    claim: Claim, member: Any
) -> None:
    denial = _claim_denied(claim)
    assert balances(claim) == [(12500, 0), (1500, 0)]
    denial_work(denial=denial, action="write_off", note="no ABN on file", actor=member)
    assert balances(claim) == [(0, 0), (0, 0)]
    assert ledger_check() == []
    offs = list(LedgerEntry.objects.filter(kind="write_off").order_by("id"))
    assert [(e.cents, e.bucket, e.created_by_id) for e in offs] == [
        (12500, "insurance", member.pk),
        (1500, "insurance", member.pk),
    ]
    assert all(e.note == "denial CO-50 written off: no ABN on file" for e in offs)
    denial.refresh_from_db()
    assert (denial.status, denial.worked_by) == ("written_off", member)
    assert status(claim) == "closed"
    assert claim_money(claim)["denied"] is False
    event = AuditEvent.objects.get(object_type="posting.denial")
    assert event.action == "update" and event.detail["action"] == "write_off"
    assert event.detail["written_off"] == "140.00"


def test_a_write_off_needs_a_reason(claim: Claim) -> None:
    denial = _claim_denied(claim)
    with pytest.raises(DenialWorkError, match="needs a reason"):
        denial_work(denial=denial, action="write_off", note="   ")
    assert not LedgerEntry.objects.filter(kind="write_off").exists()
    denial.refresh_from_db()
    assert denial.status == "open"


def test_a_line_denial_writes_off_only_its_line(claim: Claim) -> None:
    denial = _line_denied(claim)
    assert balances(claim) == [(0, 0), (1500, 0)]
    denial_work(denial=denial, action="write_off", note="bundled, NCCI edit correct")
    assert balances(claim) == [(0, 0), (0, 0)]
    assert LedgerEntry.objects.get(kind="write_off").cents == 1500
    assert status(claim) == "closed"  # partially paid, nothing left: closed


def test_written_off_once(claim: Claim) -> None:
    denial = _claim_denied(claim)
    denial_work(denial=denial, action="write_off", note="timely filing lost")
    with pytest.raises(DenialWorkError, match="written off"):
        denial_work(denial=denial, action="write_off", note="again")
    assert LedgerEntry.objects.filter(kind="write_off").count() == 2  # two lines, once


def test_appeal_keeps_the_balance_open_then_a_lost_appeal_is_written_off(claim: Claim) -> None:
    denial = _claim_denied(claim)
    denial_work(denial=denial, action="appeal", note="records sent")
    denial.refresh_from_db()
    assert denial.status == "appealed"
    assert balances(claim) == [(12500, 0), (1500, 0)]
    assert status(claim) == "denied"
    with pytest.raises(DenialWorkError, match="appealed"):
        denial_work(denial=denial, action="appeal")
    denial_work(denial=denial, action="write_off", note="appeal upheld the denial")
    assert balances(claim) == [(0, 0), (0, 0)]


def test_corrected_and_resubmitted_sends_the_claim_back_to_ready(claim: Claim) -> None:
    denial = _claim_denied(claim)
    denial_work(denial=denial, action="resubmit", note="diagnosis corrected")
    assert status(claim) == "ready"
    assert balances(claim) == [(12500, 0), (1500, 0)]
    change = Claim.objects.get(pk=claim.pk).history.order_by("-id").first()
    assert change is not None and "corrected and resubmitted" in change.note


def test_a_partially_paid_claim_is_not_sent_back_to_ready(claim: Claim) -> None:
    denial = _line_denied(claim)
    with pytest.raises(DenialWorkError, match="cannot go back to ready"):
        denial_work(denial=denial, action="resubmit")
    denial.refresh_from_db()
    assert denial.status == "open"


def test_an_unknown_action_is_refused(claim: Claim) -> None:
    denial = _claim_denied(claim)
    with pytest.raises(DenialWorkError, match="unknown action 'ignore'"):
        denial_work(denial=denial, action="ignore")
