"""Worked examples of issue 7 at the core level: each a named scenario with its 835 (read by our
reader, so it balances), the entries the plan makes and the balances they leave."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from openrcm.core.claims.status import ClaimStatus
from openrcm.core.codes.carc import DenialCategory, NextAction
from openrcm.core.posting.entries import (
    Balances,
    Entry,
    EntryKind,
    PatientReason,
    PostedEntry,
    balances,
)
from openrcm.core.posting.match import MatchMethod, OurLine
from openrcm.core.posting.plan import ClaimPostingPlan, OurClaim, plan_claim_payment

from .builders import ours, read_claims

K = EntryKind
R = PatientReason
PATIENT = "NM1*QC*1*DOE*JANE****MI*M123"


def charges(claim: OurClaim) -> list[Entry]:
    return [Entry(K.CHARGE, line.charge_cents, line_id=line.line_id) for line in claim.lines]


def after(claim: OurClaim, *plans: ClaimPostingPlan) -> Balances:
    entries = charges(claim)
    for plan in plans:
        assert plan.postable, plan.problems
        entries += plan.entries
    return balances(entries)


def line_after(claim: OurClaim, line_id: int, *plans: ClaimPostingPlan) -> Balances:
    entries = charges(claim) + [e for p in plans for e in p.entries]
    return balances(e for e in entries if e.line_id == line_id)


def posted(plan: ClaimPostingPlan, first_id: int = 1) -> list[PostedEntry]:
    return [PostedEntry(first_id + i, e) for i, e in enumerate(plan.entries)]


def brief(entries: Sequence[Entry]) -> list[tuple[object, ...]]:
    return [(e.line_id, e.kind, e.cents, e.group, e.carc, e.reason) for e in entries]


def claim_of(pcn: str, *lines: OurLine) -> OurClaim:
    return OurClaim(claim_id=1, patient_control_number=pcn, lines=lines)


def test_paid_in_full() -> None:
    claim = claim_of("PCN1", ours(1, "99213", 10000, lcn="PCN1-1"))
    (payment,) = read_claims(
        [
            "CLP*PCN1*1*100*100**12*PAY1",
            PATIENT,
            "SVC*HC:99213*100*100**1",
            "DTM*472*20260105",
            "REF*6R*PCN1-1",
        ],
        payment="100",
    )
    plan = plan_claim_payment(claim=claim, payment=payment, has_next_payer=False)
    assert brief(plan.entries) == [(1, K.INSURANCE_PAYMENT, 10000, "", "", None)]
    assert plan.matching.matches[0].method is MatchMethod.LINE_CONTROL_NUMBER
    assert plan.status is ClaimStatus.PAID
    assert not plan.denied and plan.warnings == ()
    assert after(claim, plan) == Balances(0, 0)


PARTIAL = [
    "CLP*PCN2*1*300*148*87*12*PAY2",
    PATIENT,
    "SVC*HC:99214*200*100**1",
    "DTM*472*20260105",
    "CAS*CO*45*40",
    "CAS*PR*1*60",
    "REF*6R*PCN2-1",
    "SVC*HC:93000*80*48**1",
    "DTM*472*20260105",
    "CAS*CO*45*20",
    "CAS*PR*2*12",
    "REF*6R*PCN2-2",
    "SVC*HC:36415*20*0**1",
    "DTM*472*20260105",
    "CAS*CO*45*5",
    "CAS*PR*3*15",
    "REF*6R*PCN2-3",
]


def partial_claim() -> OurClaim:
    return claim_of(
        "PCN2",
        ours(1, "99214", 20000, lcn="PCN2-1"),
        ours(2, "93000", 8000, lcn="PCN2-2"),
        ours(3, "36415", 2000, lcn="PCN2-3"),
    )


def test_partial_with_co45_and_deductible_coinsurance_copay_kept_apart() -> None:
    claim = partial_claim()
    (payment,) = read_claims(PARTIAL, payment="148")
    plan = plan_claim_payment(claim=claim, payment=payment, has_next_payer=False)
    assert brief(plan.entries) == [
        (1, K.INSURANCE_PAYMENT, 10000, "", "", None),
        (1, K.CONTRACTUAL_ADJUSTMENT, 4000, "CO", "45", None),
        (1, K.TRANSFER_TO_PATIENT, 6000, "PR", "1", R.DEDUCTIBLE),
        (2, K.INSURANCE_PAYMENT, 4800, "", "", None),
        (2, K.CONTRACTUAL_ADJUSTMENT, 2000, "CO", "45", None),
        (2, K.TRANSFER_TO_PATIENT, 1200, "PR", "2", R.COINSURANCE),
        (3, K.CONTRACTUAL_ADJUSTMENT, 500, "CO", "45", None),
        (3, K.TRANSFER_TO_PATIENT, 1500, "PR", "3", R.COPAY),
    ]
    assert plan.status is ClaimStatus.PAID
    assert after(claim, plan) == Balances(insurance_cents=0, patient_cents=8700)
    assert line_after(claim, 3, plan) == Balances(0, 1500)


def test_partial_with_a_next_payer_leaves_patient_responsibility_as_insurance_ar() -> None:
    claim = partial_claim()
    (payment,) = read_claims(PARTIAL, payment="148")
    plan = plan_claim_payment(claim=claim, payment=payment, has_next_payer=True)
    moved = [e for e in plan.entries if e.group == "PR"]
    assert {(e.kind, e.reason) for e in moved} == {
        (K.TRANSFER_TO_NEXT_PAYER, R.DEDUCTIBLE),
        (K.TRANSFER_TO_NEXT_PAYER, R.COINSURANCE),
        (K.TRANSFER_TO_NEXT_PAYER, R.COPAY),
    }
    assert after(claim, plan) == Balances(insurance_cents=8700, patient_cents=0)


def test_claim_level_denial_co50_stays_open_as_insurance_ar() -> None:
    claim = claim_of("PCN3", ours(1, "99215", 10000), ours(2, "93000", 5000))
    (payment,) = read_claims(
        ["CLP*PCN3*4*150*0**12*PAY3", "CAS*CO*50*150", PATIENT, "MOA***N115"], payment="0"
    )
    plan = plan_claim_payment(claim=claim, payment=payment, has_next_payer=False)
    assert brief(plan.entries) == [
        (1, K.DENIAL, 10000, "CO", "50", None),
        (2, K.DENIAL, 5000, "CO", "50", None),
    ]
    (denial,) = plan.denials
    assert (denial.carc, denial.rarcs, denial.line_id, denial.amount_cents) == (
        "50",
        ("N115",),
        None,
        15000,
    )
    assert denial.category is DenialCategory.MEDICAL_NECESSITY
    assert denial.next_action is NextAction.APPEAL
    assert plan.status is ClaimStatus.DENIED
    # nothing written off: the whole charge is still insurance A/R
    assert after(claim, plan) == Balances(insurance_cents=15000, patient_cents=0)


def test_one_line_denial_co97_with_a_rarc() -> None:
    claim = claim_of("PCN4", ours(1, "99213", 10000), ours(2, "97140", 4500, mods=("59",)))
    (payment,) = read_claims(
        [
            "CLP*PCN4*1*145*72**12*PAY4",
            PATIENT,
            "SVC*HC:99213*100*72**1",
            "DTM*472*20260105",
            "CAS*CO*45*28",
            "SVC*HC:97140:59*45*0**1",
            "DTM*472*20260105",
            "CAS*CO*97*45",
            "LQ*HE*M15",
        ],
        payment="72",
    )
    plan = plan_claim_payment(claim=claim, payment=payment, has_next_payer=False)
    assert [m.method for m in plan.matching.matches] == [MatchMethod.PROCEDURE] * 2
    (denial,) = plan.denials
    assert (denial.carc, denial.rarcs, denial.line_id, denial.amount_cents) == (
        "97",
        ("M15",),
        2,
        4500,
    )
    assert denial.category is DenialCategory.BUNDLING
    assert plan.status is ClaimStatus.PARTIALLY_PAID
    assert line_after(claim, 1, plan) == Balances(0, 0)
    assert line_after(claim, 2, plan) == Balances(4500, 0)
    denial_entry = plan.entries[-1]
    assert (denial_entry.kind, denial_entry.rarcs) == (K.DENIAL, ("M15",))


def test_all_to_deductible_is_not_a_denial() -> None:
    claim = claim_of("PCN5", ours(1, "99203", 15000))
    (payment,) = read_claims(
        [
            "CLP*PCN5*1*150*0*120*12*PAY5",
            PATIENT,
            "SVC*HC:99203*150*0**1",
            "DTM*472*20260105",
            "CAS*CO*45*30",
            "CAS*PR*1*120",
        ],
        payment="0",
    )
    plan = plan_claim_payment(claim=claim, payment=payment, has_next_payer=False)
    assert plan.denials == ()
    assert plan.status is ClaimStatus.PAID
    assert after(claim, plan) == Balances(insurance_cents=0, patient_cents=12000)


ORIGINAL = [
    "CLP*PCN6*1*100*80**12*PAY6",
    PATIENT,
    "SVC*HC:99213*100*80**1",
    "DTM*472*20260105",
    "CAS*CO*45*20",
]
REVERSAL_AND_CORRECTION = [
    "CLP*PCN6*22*-100*-80**12*PAY6",
    "CAS*CO*45*-20",
    PATIENT,
    "CLP*PCN6*1*100*70*20*12*PAY6B",
    PATIENT,
    "SVC*HC:99213*100*70**1",
    "DTM*472*20260105",
    "CAS*CO*45*10",
    "CAS*PR*2*20",
]


def test_reversal_then_corrected_payment() -> None:
    claim = claim_of("PCN6", ours(1, "99213", 10000))
    (original,) = read_claims(ORIGINAL, payment="80")
    first = plan_claim_payment(claim=claim, payment=original, has_next_payer=False)
    assert after(claim, first) == Balances(0, 0)
    ledger = posted(first, first_id=11)

    reversal, corrected = read_claims(REVERSAL_AND_CORRECTION, payment="-10")
    undo = plan_claim_payment(claim=claim, payment=reversal, has_next_payer=False, earlier=ledger)
    assert undo.is_reversal and undo.status is None
    assert undo.reversed_ids == (11, 12)
    assert brief(undo.entries) == [
        (1, K.INSURANCE_PAYMENT, -8000, "", "", None),
        (1, K.CONTRACTUAL_ADJUSTMENT, -2000, "CO", "45", None),
    ]
    assert [e.reverses for e in undo.entries] == [11, 12]
    assert undo.warnings == ()
    # back exactly to before the first posting
    assert after(claim, first, undo) == Balances(insurance_cents=10000, patient_cents=0)

    redo = plan_claim_payment(claim=claim, payment=corrected, has_next_payer=False)
    assert redo.status is ClaimStatus.PAID
    assert after(claim, first, undo, redo) == Balances(insurance_cents=0, patient_cents=2000)

    # a second reversal of the same payer claim has nothing left in effect to reverse
    again = plan_claim_payment(
        claim=claim, payment=reversal, has_next_payer=False, earlier=ledger + posted(undo, 13)
    )
    assert not again.postable
    assert "nothing posted for it is in effect" in again.problems[0]


def test_secondary_payment_after_the_primary_with_oa23() -> None:
    claim = claim_of("PCN7", ours(1, "99213", 10000))
    (primary,) = read_claims(
        [
            "CLP*PCN7*19*100*60*20*12*PRIM7",
            PATIENT,
            "SVC*HC:99213*100*60**1",
            "DTM*472*20260105",
            "CAS*CO*45*20",
            "CAS*PR*2*20",
        ],
        payment="60",
    )
    first = plan_claim_payment(claim=claim, payment=primary, has_next_payer=True)
    assert after(claim, first) == Balances(insurance_cents=2000, patient_cents=0)
    (secondary,) = read_claims(
        [
            "CLP*PCN7*2*100*16*4*12*SEC7",
            PATIENT,
            "SVC*HC:99213*100*16**1",
            "DTM*472*20260105",
            "CAS*OA*23*80",
            "CAS*PR*2*4",
        ],
        payment="16",
    )
    second = plan_claim_payment(claim=claim, payment=secondary, has_next_payer=False)
    assert brief(second.entries) == [
        (1, K.INSURANCE_PAYMENT, 1600, "", "", None),
        (1, K.PRIOR_PAYER, 8000, "OA", "23", None),
        (1, K.TRANSFER_TO_PATIENT, 400, "PR", "2", R.COINSURANCE),
    ]
    assert second.status is ClaimStatus.PAID
    assert after(claim, first, second) == Balances(insurance_cents=0, patient_cents=400)


def test_claim_level_adjustments_come_out_of_the_line_payments() -> None:
    # CLP03 - (claim CAS + line CAS) = CLP04: the claim-level deductible reduces what the
    # lines' SVC03 say was paid, so the payments posted add up to CLP04.
    claim = claim_of("PCN8", ours(1, "99213", 10000), ours(2, "36415", 2000))
    (payment,) = read_claims(
        [
            "CLP*PCN8*1*120*70*10*12*PAY8",
            "CAS*PR*1*10",
            PATIENT,
            "SVC*HC:99213*100*60**1",
            "DTM*472*20260105",
            "CAS*CO*45*40",
            "SVC*HC:36415*20*20**1",
            "DTM*472*20260105",
        ],
        payment="70",
    )
    plan = plan_claim_payment(claim=claim, payment=payment, has_next_payer=False)
    paid = sum(e.cents for e in plan.entries if e.kind is K.INSURANCE_PAYMENT)
    assert paid == 7000
    assert brief(plan.entries) == [
        (1, K.INSURANCE_PAYMENT, 5250, "", "", None),
        (1, K.CONTRACTUAL_ADJUSTMENT, 4000, "CO", "45", None),
        (1, K.TRANSFER_TO_PATIENT, 750, "PR", "1", R.DEDUCTIBLE),
        (2, K.INSURANCE_PAYMENT, 1750, "", "", None),
        (2, K.TRANSFER_TO_PATIENT, 250, "PR", "1", R.DEDUCTIBLE),
    ]
    assert line_after(claim, 1, plan) == Balances(0, 750)
    assert line_after(claim, 2, plan) == Balances(0, 250)


def test_claim_without_lines_is_allocated_by_charge_and_every_line_closes() -> None:
    claim = claim_of("PCN9", ours(1, "99213", 5000), ours(2, "99213", 5000, day=date(2026, 1, 6)))
    (payment,) = read_claims(
        ["CLP*PCN9*1*100*33.33**12*PAY9", "CAS*CO*45*66.67", PATIENT], payment="33.33"
    )
    plan = plan_claim_payment(claim=claim, payment=payment, has_next_payer=False)
    assert line_after(claim, 1, plan) == Balances(0, 0)
    assert line_after(claim, 2, plan) == Balances(0, 0)
    assert sum(e.cents for e in plan.entries if e.kind is K.INSURANCE_PAYMENT) == 3333


def test_a_claim_we_never_sent_is_not_postable() -> None:
    claim = claim_of("PCN1", ours(1, "99213", 10000))
    (payment,) = read_claims(
        ["CLP*OTHER*1*50*50**12*PAYX", PATIENT, "SVC*HC:93000*50*50**1", "DTM*472*20260105"],
        payment="50",
    )
    plan = plan_claim_payment(claim=claim, payment=payment, has_next_payer=False)
    assert not plan.postable
    assert plan.entries == () and plan.status is None
    assert "CLP01 'OTHER' is not our claim's patient control number 'PCN1'" in plan.problems
    assert any("SVC 1 (HC:93000, $50.00, 2026-01-05): no line" in p for p in plan.problems)
