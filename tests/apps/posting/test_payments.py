"""A patient's payment by hand: applied to what the patient owes, line by line, never more."""

from __future__ import annotations

import pytest

from openrcm.audit.models import AuditEvent
from openrcm.claims.models import Claim
from openrcm.posting.ledger import ledger_check
from openrcm.posting.models import LedgerEntry
from openrcm.posting.payments import PatientPaymentError, patient_payment_post
from openrcm.posting.selectors import claim_money
from openrcm.posting.services import era_import

from .eras import clp, era, remittance, svc
from .test_scenarios import balances, lines


def _coinsurance(claim: Claim) -> None:
    """Paid with 20.00 coinsurance on line 1 and a 15.00 deductible on line 2."""
    one, two = lines(claim)
    svcs = [svc(one, "80", ("CO", "45", "25"), ("PR", "2", "20")), svc(two, "0", ("PR", "1", "15"))]
    era_import(data=era(remittance([clp(claim, svcs)])), practice=claim.practice)
    assert balances(claim) == [(0, 2000), (0, 1500)]


def test_a_payment_fills_the_lines_in_order(claim: Claim, member: object) -> None:
    _coinsurance(claim)
    rows = patient_payment_post(claim=claim, cents=2500, actor=member, note="card at the desk")
    assert [(r.cents, r.claim_id, r.bucket) for r in rows] == [
        (2000, None, "patient"),
        (500, None, "patient"),
    ]
    assert balances(claim) == [(0, 0), (0, 1000)]
    assert ledger_check() == []
    assert claim_money(claim)["patient_balance"] == "10.00"
    assert all(r.note == "card at the desk" for r in rows)
    event = AuditEvent.objects.get(object_type="posting.ledgerentry")
    assert event.detail == {"kind": "patient_payment", "amount": "25.00", "entries": 2}


def test_more_than_owed_or_nothing_is_refused(claim: Claim) -> None:
    _coinsurance(claim)
    with pytest.raises(PatientPaymentError, match=r"owes 35\.00"):
        patient_payment_post(claim=claim, cents=3501)
    with pytest.raises(PatientPaymentError, match="above zero"):
        patient_payment_post(claim=claim, cents=0)
    assert not LedgerEntry.objects.filter(kind="patient_payment").exists()
