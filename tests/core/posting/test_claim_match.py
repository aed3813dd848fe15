"""Choosing our claim when several share the 835's CLP01 (claims imported from a legacy system)."""

from __future__ import annotations

from datetime import date

from openrcm.core.posting.claim_match import (
    ClaimCandidate,
    ClaimCriterion,
    choose_claim,
)
from openrcm.core.posting.plan import OurClaim
from openrcm.core.x12.era import ClaimPayment, DateRef, EntityName

from .builders import DOS, clp, ours, svc

C = ClaimCriterion
PCN = "7722337"


def candidate(
    claim_id: int,
    member_id: str,
    last: str,
    first: str,
    *lines: tuple[str, int, date],
) -> ClaimCandidate:
    our_lines = tuple(
        ours(claim_id * 10 + i, code, cents, day=day) for i, (code, cents, day) in enumerate(lines)
    )
    return ClaimCandidate(OurClaim(claim_id, PCN, our_lines), member_id, last, first)


def patient(payment: ClaimPayment, last: str, first: str, member_id: str) -> ClaimPayment:
    payment.names = [EntityName("QC", "1", last, first, id_qualifier="MI", id=member_id)]
    return payment


SANDY = candidate(1, "SJD11112", "Doe", "Sandy", ("D0120", 4600, DOS), ("D1110", 7300, DOS))
SALLY = candidate(2, "SJD11133", "Jones", "Sally", ("D0120", 4600, DOS), ("D1110", 7300, DOS))
SAM = candidate(3, "SJD11122", "Jones", "Sam", ("D4342", 12500, date(2026, 1, 2)))


def _paying_d0120_and_d1110() -> ClaimPayment:
    return clp(PCN, "1", "119", "74", [svc("D0120", "46", "25", "CO-131:21"),
                                       svc("D1110", "73", "49", "CO-131:24")])  # fmt: skip


def test_one_claim_with_the_number_is_chosen_by_the_number_alone() -> None:
    choice = choose_claim([SANDY], _paying_d0120_and_d1110())
    assert choice.chosen is SANDY
    assert choice.method == "patient_control_number"
    assert choice.tried == ()


def test_the_member_id_tells_apart_claims_alike_in_everything_else() -> None:
    # Sandy's and Sally's claims bill the same services for the same charge on the same day.
    payment = patient(_paying_d0120_and_d1110(), "JONES", "SALLY", "SJD11133")
    choice = choose_claim([SANDY, SALLY, SAM], payment)
    assert choice.chosen is SALLY
    assert choice.criteria == (C.MEMBER_ID,)
    assert choice.method == "patient_control_number+member_id"
    assert "member id SJD11133: 1 of 3 claims fit" in choice.message


def test_the_name_tells_apart_dependents_under_the_subscribers_member_id() -> None:
    kid_a = candidate(4, "123456", "Doe", "Sally", ("D0120", 4600, DOS))
    kid_b = candidate(5, "123456", "Doe", "John", ("D0120", 4600, DOS))
    payment = clp(PCN, "1", "46", "25", [svc("D0120", "46", "25", "CO-131:21")])
    payment.names = [
        EntityName("QC", "1", "DOE", "SALLY", id_qualifier="MI", id="SJD11111"),
        EntityName("IL", "1", "DOE", "JOHN", id_qualifier="MI", id="123456"),
    ]
    choice = choose_claim([kid_a, kid_b], payment)
    assert choice.chosen is kid_a
    assert choice.criteria == (C.PATIENT_NAME,)


def test_charge_then_lines_and_their_dates_narrow_one_patients_claims() -> None:
    first = candidate(6, "SJD11112", "Doe", "Sandy", ("D0120", 4600, date(2026, 1, 5)))
    second = candidate(7, "SJD11112", "Doe", "Sandy", ("D0120", 4600, date(2026, 2, 9)))
    third = candidate(8, "SJD11112", "Doe", "Sandy", ("D1110", 7300, date(2026, 2, 9)))
    payment = patient(
        clp(PCN, "1", "46", "25", [svc("D0120", "46", "25", "CO-131:21", day=date(2026, 2, 9))]),
        "DOE",
        "SANDY",
        "SJD11112",
    )
    choice = choose_claim([first, second, third], payment)
    assert choice.chosen is second
    assert choice.criteria == (C.CHARGE, C.LINES)


def test_a_reversal_compares_its_negated_charge_as_positive() -> None:
    payment = patient(
        clp(PCN, "22", "-119", "-74", [svc("D0120", "-46", "-25", "CO-131:-21"),
                                       svc("D1110", "-73", "-49", "CO-131:-24")]),
        "DOE", "SANDY", "SJD11112",
    )  # fmt: skip
    other = candidate(9, "SJD11112", "Doe", "Sandy", ("D0120", 9900, DOS))
    choice = choose_claim([other, SANDY], payment)
    assert choice.chosen is SANDY
    assert choice.criteria == (C.CHARGE,)


def test_a_claim_level_payment_compares_its_statement_dates() -> None:
    early = candidate(10, "M1", "Doe", "Sandy", ("99213", 10000, date(2026, 1, 5)))
    late = candidate(11, "M1", "Doe", "Sandy", ("99213", 10000, date(2026, 3, 5)))
    payment = patient(clp(PCN, "1", "100", "80", []), "DOE", "SANDY", "M1")
    payment.dates = [DateRef("232", date(2026, 3, 5)), DateRef("233", date(2026, 3, 5))]
    choice = choose_claim([early, late], payment)
    assert choice.chosen is late
    assert choice.criteria == (C.LINES,)


def test_claims_alike_in_everything_the_835_says_are_ambiguous_and_named() -> None:
    twin = candidate(12, "SJD11112", "Doe", "Sandy", ("D0120", 4600, DOS), ("D1110", 7300, DOS))
    payment = patient(_paying_d0120_and_d1110(), "DOE", "SANDY", "SJD11112")
    choice = choose_claim([SANDY, twin, SAM], payment)
    assert choice.chosen is None
    assert choice.kind == "ambiguous"
    assert [c.claim_id for c in choice.candidates] == [1, 12]
    assert "several claims fit" in choice.message
    assert "claim 1 (member SJD11112, Doe, Sandy, $119.00, 2026-01-05)" in choice.message
    assert "claim 12 (member SJD11112" in choice.message


def test_another_patients_claim_is_never_paid_by_elimination() -> None:
    # The 835 pays Donna, whose claim we do not have; Sam's alone has the same charge.
    payment = patient(
        clp(PCN, "1", "125", "0", [svc("D4342", "125", "0", "CO-131:125", day=date(2026, 1, 2))]),
        "DOE",
        "DONNA",
        "SJD77777",
    )
    choice = choose_claim([SANDY, SAM], payment)
    assert choice.chosen is None
    assert choice.kind == "unmatched"
    assert "none is this patient's claim" in choice.message
    assert {c.claim_id for c in choice.candidates} == {1, 3}


def test_a_step_no_claim_passes_narrows_nothing() -> None:
    # The payer reports a charge none of the claims has; the lines still decide.
    payment = patient(
        clp(PCN, "1", "50", "25", [svc("D0120", "50", "25", "CO-131:25", day=date(2026, 2, 9))]),
        "DOE",
        "SANDY",
        "SJD11112",
    )
    a = candidate(13, "SJD11112", "Doe", "Sandy", ("D0120", 4600, date(2026, 1, 5)))
    b = candidate(14, "SJD11112", "Doe", "Sandy", ("D0120", 4600, date(2026, 2, 9)))
    choice = choose_claim([a, b], payment)
    assert choice.chosen is b
    assert choice.criteria == (C.LINES,)
    assert "total charge $50.00 (CLP03): 0 of 2 claims fit" in choice.tried


def test_no_candidates_chooses_nothing() -> None:
    choice = choose_claim([], _paying_d0120_and_d1110())
    assert choice.chosen is None and choice.kind == "unmatched"
