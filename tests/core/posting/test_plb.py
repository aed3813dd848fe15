from datetime import date

from openrcm.core.posting.entries import Balances, Entry, EntryKind, PostedEntry, balances
from openrcm.core.posting.match import OurLine
from openrcm.core.posting.plan import OurClaim, plan_claim_payment
from openrcm.core.posting.plb import (
    PlbKind,
    ProviderEntry,
    plb_code,
    provider_entries,
    remittance_totals,
)
from openrcm.core.x12.era import read_835

from .builders import era_text, ours

PATIENT = "NM1*QC*1*DOE*JANE****MI*M123"


def test_plb_interest_and_recoupment() -> None:
    """An 835 pays one claim $80.00, adds $2.50 interest (L6, negative: increases the payment)
    and takes back a $30.00 overpayment on an older claim (WO, positive: reduces it):
    BPR02 = 80.00 - (-2.50 + 30.00) = 52.50."""
    text = era_text(
        [
            "CLP*PCN1*1*100*80**12*PAY1",
            PATIENT,
            "SVC*HC:99213*100*80**1",
            "DTM*472*20260105",
            "CAS*CO*45*20",
        ],
        payment="52.5",
        plb=("PLB*1234567893*20261231*L6:PAY1*-2.5*WO:OLDCLAIM9*30",),
    )
    (remittance,) = read_835(text)
    interest, recoupment = provider_entries(remittance.provider_adjustments)
    assert interest == ProviderEntry(
        provider_id="1234567893",
        fiscal_period_date=date(2026, 12, 31),
        code="L6",
        kind=PlbKind.INTEREST,
        description="Interest owed",
        reference="PAY1",
        cents=-250,
    )
    assert interest.payment_effect_cents == 250
    assert interest.label == "Interest owed (L6): +$2.50"
    assert (recoupment.kind, recoupment.reference, recoupment.cents) == (
        PlbKind.RECOUPMENT,
        "OLDCLAIM9",
        3000,
    )
    assert recoupment.label == "Overpayment recovery (WO): -$30.00"
    totals = remittance_totals(remittance)
    assert (totals.claims_paid_cents, totals.provider_effect_cents, totals.payment_cents) == (
        8000,
        -2750,
        5250,
    )
    assert totals.balanced
    assert totals.by_kind == {PlbKind.INTEREST: 250, PlbKind.RECOUPMENT: -3000}
    # the claim itself posts as usual: PLBs are provider level and move no claim balance
    claim = OurClaim(1, "PCN1", (ours(1, "99213", 10000),))
    plan = plan_claim_payment(claim=claim, payment=remittance.claims[0], has_next_payer=False)
    assert balances([Entry(EntryKind.CHARGE, 10000, line_id=1), *plan.entries]) == Balances()


def test_recouped_claim_is_corrected_by_its_reversal() -> None:
    """The claim a WO recovers is corrected by its reversal (CLP02 22); the PLB is cash only."""
    line = OurLine(1, None, "99213", (), date(2026, 1, 5), 10000)
    claim = OurClaim(1, "PCN9", (line,))
    earlier = [
        PostedEntry(1, Entry(EntryKind.INSURANCE_PAYMENT, 10000, line_id=1)),
    ]
    text = era_text(
        [
            "CLP*PCN9*22*-100*-100**12*OLDCLAIM9",
            PATIENT,
            "SVC*HC:99213*-100*-100**1",
            "DTM*472*20260105",
        ],
        payment="0",
        plb=("PLB*1234567893*20261231*FB:OLDCLAIM9*-100",),
    )
    (remittance,) = read_835(text)
    plan = plan_claim_payment(
        claim=claim, payment=remittance.claims[0], has_next_payer=False, earlier=earlier
    )
    charge = Entry(EntryKind.CHARGE, 10000, line_id=1)
    assert balances([charge, earlier[0].entry, *plan.entries]) == Balances(10000, 0)
    (forward,) = provider_entries(remittance.provider_adjustments)
    assert forward.kind is PlbKind.FORWARDING_BALANCE
    assert forward.payment_effect_cents == 10000
    assert remittance_totals(remittance).balanced


def test_every_domain_plb_code_is_known() -> None:
    for code in ("L6", "WO", "FB", "72", "CS", "J1", "50", "90", "WU"):
        assert plb_code(code).description != "Adjustment code not in the OpenRCM table"
    assert plb_code("zz").kind is PlbKind.OTHER
    assert PlbKind.FORWARDING_BALANCE.label == "Forwarding balance"
