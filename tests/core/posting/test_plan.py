"""Edge cases of plan_claim_payment beyond the worked scenarios."""

from __future__ import annotations

import pytest

from openrcm.core.claims.status import ClaimStatus
from openrcm.core.posting.entries import Bucket, Entry, EntryKind, PostedEntry
from openrcm.core.posting.plan import OurClaim, allocate, plan_claim_payment

from .builders import clp, ours, svc

K = EntryKind


def one_line(charge_cents: int = 10000) -> OurClaim:
    return OurClaim(1, "P1", (ours(1, "99213", charge_cents),))


def test_predetermination_posts_nothing() -> None:
    payment = clp("P1", "25", "100", "0", [svc("99213", "100", "0", "CO-101:100")])
    plan = plan_claim_payment(claim=one_line(), payment=payment, has_next_payer=False)
    assert plan.postable and plan.entries == () and plan.status is None
    assert plan.warnings == ("predetermination (CLP02 25): pricing only, nothing posts",)


def test_a_payer_initiated_reduction_is_taken_off_but_flagged() -> None:
    payment = clp("P1", "1", "100", "90", [svc("99213", "100", "90", "PI-45:10")])
    plan = plan_claim_payment(claim=one_line(), payment=payment, has_next_payer=False)
    last = plan.entries[-1]
    assert (last.kind, last.group, last.cents) == (K.OTHER_ADJUSTMENT, "PI", 1000)
    assert plan.status is ClaimStatus.PAID
    assert "PI-45 $10.00 on line 1: a payer-initiated reduction" in plan.warnings[0]


def test_denied_status_code_without_a_denial_reason_is_said() -> None:
    payment = clp("P1", "4", "100", "0", [svc("99213", "100", "0", "PR-204:100")])
    plan = plan_claim_payment(claim=one_line(), payment=payment, has_next_payer=False)
    assert plan.status is ClaimStatus.DENIED
    assert plan.denials == ()
    assert "CLP02 4 (denied) without a denial reason code" in plan.warnings[0]


def test_a_charge_that_differs_from_ours_is_said_and_stays_open() -> None:
    payment = clp("P1", "1", "90", "90", [svc("99213", "90", "90")])
    plan = plan_claim_payment(claim=one_line(10000), payment=payment, has_next_payer=False)
    assert plan.postable
    assert plan.line_balances()[1].insurance_cents == -9000
    assert any("the difference of $10.00 stays open" in w for w in plan.warnings)


def test_a_line_the_835_leaves_out_is_said() -> None:
    claim = OurClaim(1, "P1", (ours(1, "99213", 10000), ours(2, "36415", 1500)))
    payment = clp("P1", "1", "100", "100", [svc("99213", "100", "100")])
    plan = plan_claim_payment(claim=claim, payment=payment, has_next_payer=False)
    assert plan.postable
    assert "the 835 does not mention our line(s) 2: their balance stays open" in plan.warnings


def test_a_reversal_undoes_only_the_payers_entries() -> None:
    earlier = [
        PostedEntry(1, Entry(K.INSURANCE_PAYMENT, 8000, line_id=1)),
        PostedEntry(2, Entry(K.CONTRACTUAL_ADJUSTMENT, 2000, line_id=1, group="CO", carc="45")),
        PostedEntry(3, Entry(K.PATIENT_PAYMENT, 500, bucket=Bucket.PATIENT, line_id=1)),
        PostedEntry(4, Entry(K.WRITE_OFF, 100, line_id=1)),
    ]
    payment = clp("P1", "22", "-100", "-80", [], "CO-45:-20")
    plan = plan_claim_payment(
        claim=one_line(), payment=payment, has_next_payer=False, earlier=earlier
    )
    assert plan.reversed_ids == (1, 2)
    assert plan.warnings == ()


def test_a_reversal_that_takes_back_a_different_amount_is_said() -> None:
    earlier = [PostedEntry(1, Entry(K.INSURANCE_PAYMENT, 8000, line_id=1))]
    payment = clp("P1", "22", "-100", "-70", [], "CO-45:-30")
    plan = plan_claim_payment(
        claim=one_line(), payment=payment, has_next_payer=False, earlier=earlier
    )
    assert plan.postable
    assert plan.warnings == (
        "the reversal takes back $70.00, but the posting it reverses paid $80.00; "
        "the earlier posting is reversed in full",
    )


def test_a_second_payment_for_the_same_payer_claim_is_said() -> None:
    earlier = [PostedEntry(1, Entry(K.INSURANCE_PAYMENT, 8000, line_id=1))]
    payment = clp("P1", "1", "100", "100", [svc("99213", "100", "100")])
    plan = plan_claim_payment(
        claim=one_line(), payment=payment, has_next_payer=False, earlier=earlier
    )
    assert any("already has a posting in effect" in w for w in plan.warnings)


def test_our_claim_without_lines_is_a_problem() -> None:
    payment = clp("P1", "1", "100", "100", [])
    plan = plan_claim_payment(claim=OurClaim(1, "P1", ()), payment=payment, has_next_payer=False)
    assert plan.problems == ("our claim P1 has no lines to post to",)


def test_allocate_refuses_what_cannot_be_split() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(-100, [0, 0]) == [-50, -50]
    with pytest.raises(ValueError, match="no lines"):
        allocate(1, [])
    with pytest.raises(ValueError, match="must not be negative"):
        allocate(1, [1, -1])


def test_a_line_the_payer_split_posts_every_part_to_it() -> None:
    claim = OurClaim(1, "P1", (ours(1, "80053", 9000, lcn="LAB1"),))
    parts = [
        svc("82947", "30", "20", "CO-45:10", lcn="LAB1"),
        svc("84132", "60", "40", "CO-45:20", lcn="LAB1"),
    ]
    payment = clp("P1", "1", "90", "60", parts)
    plan = plan_claim_payment(claim=claim, payment=payment, has_next_payer=False)
    assert plan.postable and plan.warnings == ()
    assert plan.line_balances()[1].insurance_cents == -9000
