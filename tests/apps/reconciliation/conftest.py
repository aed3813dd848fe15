"""Fixtures for reconciliation: practice A with three claims sent, and 835s that pay them,
written by the core's writer and posted by the posting app's `era_import`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from openrcm.claims.models import Claim
from openrcm.core.money import Money
from openrcm.core.x12.era import (
    Address,
    ClaimPayment,
    Contact,
    Party,
    Payment,
    PlbItem,
    ProviderAdjustment,
    Remittance,
    Trace,
)
from openrcm.encounters.services import ChargeLineInput, encounter_create
from openrcm.posting.models import Remittance as RemittanceRow
from openrcm.posting.services import era_import
from tests.apps.conftest import PracticeWorld
from tests.apps.posting.conftest import send
from tests.apps.posting.eras import clp, era, svc

DAY = dt.date(2026, 11, 2)
MEDICARE_ID = "1512345678"
D = Decimal
# BPR05-BPR15 of an ACH payment: the format and both banks' routing and account numbers.
ACH = {
    "format": "CCP",
    "sender_dfi_qualifier": "01",
    "sender_dfi": "011000015",
    "sender_account_qualifier": "DA",
    "sender_account": "144444",
    "originator_id": "1512345678",
    "receiver_dfi_qualifier": "01",
    "receiver_dfi": "071000013",
    "receiver_account_qualifier": "DA",
    "receiver_account": "98765",
}


def lines(claim: Claim) -> list[Any]:
    return list(
        claim.lines.select_related("charge_line", "claim__encounter").order_by("line_number")
    )


def new_claim(world: PracticeWorld, procedure: str, charge: str) -> Claim:
    """Another sent claim of practice A's patient: one line."""
    encounter = encounter_create(
        patient=world.patient,
        provider=world.provider,
        location=world.location,
        date_of_service=dt.date(2026, 10, 5),
        diagnoses=["E11.9"],
        lines=[
            ChargeLineInput(
                procedure_code=procedure, diagnosis_pointers=[1], charge=Money(D(charge))
            )
        ],
    )
    return send(encounter.claims.get())


def remittance(
    claims: list[ClaimPayment],
    *,
    trace: str,
    method: str,
    paid_on: dt.date = DAY,
    payer_id: str = MEDICARE_ID,
    control: str = "0001",
    plb: list[tuple[str, str, str]] | None = None,
) -> Remittance:
    """One 835 set paying `claims` by `method` (ACH or CHK), BPR02 balanced with the PLBs."""
    items = [PlbItem(reason, D(amount), reference) for reason, amount, reference in plb or []]
    plbs = [ProviderAdjustment("1234567893", dt.date(2026, 12, 31), items)] if items else []
    total = sum((c.paid for c in claims), D(0)) - sum((i.amount for i in items), D(0))
    return Remittance(
        control_number=control,
        payment=Payment("I", total, "C", method, paid_on, **(ACH if method == "ACH" else {})),
        trace=Trace(trace, payer_id),
        payer=Party(
            "PR",
            "MEDICARE PART B",
            address=Address("PO BOX 1", city="SPRINGFIELD", state="IL", postal_code="62704"),
            contacts=[Contact("BL", "EDI SUPPORT", [("TE", "8005551212")])],
        ),
        payee=Party("PE", "PRACTICE A", "XX", "1234567893"),
        claims=claims,
        provider_adjustments=plbs,
    )


def post(world: PracticeWorld, set_: Remittance, *, isa: int) -> RemittanceRow:
    result = era_import(data=era(set_, isa=isa), practice=world.practice, name=f"era{isa}.835")
    assert result.errors == [], result.errors
    (remittance_id,) = result.remittance_ids
    return RemittanceRow.objects.get(pk=remittance_id)


@dataclass
class Day:
    """Practice A's 2 November: three 835s posted.

    - `eft`: ACH, trace EFT100234, claim 1 paid 115.00 (99213 100.00 after CO-45 25.00,
      36415 15.00), PLB L6 interest 2.50 added: BPR02 117.50.
    - `check`: check 4417, claim 2 (99214, 200.00) paid 160.00 after CO-45 40.00, PLB WO
      recoupment 30.00 taken back: BPR02 130.00.
    - `lonely`: ACH, trace EFT100999, claim 3 (99212, 90.00) paid 80.00 after CO-45 10.00:
      no deposit arrives for it.
    """

    world: PracticeWorld
    eft: RemittanceRow
    check: RemittanceRow
    lonely: RemittanceRow


@pytest.fixture
def day(practice_a: PracticeWorld) -> Day:
    world = practice_a
    first = send(world.claim)
    one, two = lines(first)
    eft = post(
        world,
        remittance(
            [clp(first, [svc(one, "100", ("CO", "45", "25")), svc(two, "15")], icn="ICN1")],
            trace="EFT100234",
            method="ACH",
            plb=[("L6", "-2.50", "ICN1")],
        ),
        isa=1,
    )
    second = new_claim(world, "99214", "200.00")
    (line,) = lines(second)
    check = post(
        world,
        remittance(
            [clp(second, [svc(line, "160", ("CO", "45", "40"))], icn="ICN2")],
            trace="4417",
            method="CHK",
            control="0002",
            plb=[("WO", "30.00", "ICN-OLD-77")],
        ),
        isa=2,
    )
    third = new_claim(world, "99212", "90.00")
    (line,) = lines(third)
    lonely = post(
        world,
        remittance(
            [clp(third, [svc(line, "80", ("CO", "45", "10"))], icn="ICN3")],
            trace="EFT100999",
            method="ACH",
            control="0003",
        ),
        isa=3,
    )
    return Day(world=world, eft=eft, check=check, lonely=lonely)
