"""Choosing our claim for a 277CA acknowledgment when several share its TRN02 (claims imported
from a legacy biller keep its numbers, and may share one)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from openrcm.core.claims.ack_match import AckCandidate, choose_acknowledged_claim
from openrcm.core.posting.claim_match import ClaimCandidate, ClaimCriterion
from openrcm.core.posting.match import OurLine
from openrcm.core.posting.plan import OurClaim
from openrcm.core.x12.ack277ca import ClaimAck, ServiceLineAck
from openrcm.core.x12.hierarchy import Party, Period, Procedure, Status, StatusCode

C = ClaimCriterion
PCN = "ACCT-0042"
OCT = date(2026, 10, 1)
NOV = date(2026, 11, 3)


def claim(
    claim_id: int,
    member_id: str,
    last: str,
    first: str,
    *lines: tuple[str, int, date],
    number: str = "",
    awaiting: bool = False,
) -> AckCandidate:
    our = tuple(
        OurLine(claim_id * 10 + i, None, code, (), day, cents)
        for i, (code, cents, day) in enumerate(lines)
    )
    return AckCandidate(
        ClaimCandidate(OurClaim(claim_id, PCN, our), member_id, last, first),
        payer_claim_number=number,
        awaiting=awaiting,
    )


def ack(
    total: str,
    start: date,
    end: date | None = None,
    *,
    number: str = "",
    lines: tuple[tuple[str, str], ...] = (),
) -> ClaimAck:
    return ClaimAck(
        patient_control_number=PCN,
        statuses=[Status(StatusCode("A2", "20"), start, "WQ", Decimal(total))],
        service_period=Period(start, end or start),
        payer_claim_control_number=number,
        lines=[
            ServiceLineAck(Procedure("HC", code), Decimal(charge), Status(StatusCode("A2", "20")))
            for code, charge in lines
        ],
    )


def patient(last: str = "", first: str = "", member_id: str = "") -> Party:
    return Party(
        "QC", "1", last, first, id_qualifier="MI" if member_id else "", identifier=member_id
    )


SANDY = claim(1, "SJD11112", "Doe", "Sandy", ("99213", 12500, OCT), ("36415", 1500, OCT))
SALLY = claim(2, "SJD11133", "Jones", "Sally", ("99213", 12500, OCT), ("36415", 1500, OCT))


def test_one_claim_with_the_number_is_chosen_without_steps() -> None:
    choice = choose_acknowledged_claim([SANDY], ack("140", OCT), patient("JONES", "SALLY"))
    assert choice.chosen == SANDY.candidate and choice.tried == ()


def test_the_patient_chooses_between_two_patients_claims() -> None:
    for who, member, want in (("DOE", "SJD11112", SANDY), ("JONES", "SJD11133", SALLY)):
        first = "SANDY" if who == "DOE" else "SALLY"
        choice = choose_acknowledged_claim(
            [SANDY, SALLY], ack("140", OCT), patient(who, first, member)
        )
        assert choice.chosen == want.candidate
        assert C.MEMBER_ID in choice.criteria
        assert choice.method.startswith("patient_control_number+member_id")


def test_another_patients_acknowledgment_is_not_applied_by_elimination() -> None:
    choice = choose_acknowledged_claim(
        [SANDY, SALLY], ack("140", OCT), patient("SMITH", "ROBIN", "OTHER999")
    )
    assert choice.chosen is None and choice.kind == "unmatched"
    assert "none is this patient's claim" in choice.message
    assert {c.claim_id for c in choice.candidates} == {1, 2}


def test_charge_dates_and_lines_tell_one_patients_claims_apart() -> None:
    october = claim(3, "SJD11112", "Doe", "Sandy", ("99213", 12500, OCT), ("36415", 1500, OCT))
    november = claim(4, "SJD11112", "Doe", "Sandy", ("99213", 12500, NOV), ("36415", 1500, NOV))
    cheaper = claim(5, "SJD11112", "Doe", "Sandy", ("99212", 9000, NOV))
    who = patient("DOE", "SANDY", "SJD11112")
    by_date = choose_acknowledged_claim([october, november], ack("140", NOV), who)
    assert by_date.chosen == november.candidate and by_date.criteria == (C.SERVICE_DATES,)
    by_charge = choose_acknowledged_claim([november, cheaper], ack("90", NOV), who)
    assert by_charge.chosen == cheaper.candidate and by_charge.criteria == (C.CHARGE,)
    by_lines = choose_acknowledged_claim(
        [
            october,
            claim(6, "SJD11112", "Doe", "Sandy", ("99214", 12500, OCT), ("36415", 1500, OCT)),
        ],
        ack("140", OCT, lines=(("99214", "125"), ("36415", "15"))),
        who,
    )
    assert by_lines.chosen is not None and by_lines.chosen.claim_id == 6
    assert by_lines.criteria == (C.LINES,)


def test_the_payer_claim_number_and_the_batch_awaiting_an_answer_choose() -> None:
    who = patient("DOE", "SANDY", "SJD11112")
    known = claim(7, "SJD11112", "Doe", "Sandy", ("99213", 12500, OCT), number="ICN77")
    twin = claim(8, "SJD11112", "Doe", "Sandy", ("99213", 12500, OCT), number="ICN88")
    by_number = choose_acknowledged_claim([known, twin], ack("125", OCT, number="ICN88"), who)
    assert by_number.chosen == twin.candidate and by_number.criteria == (C.PAYER_CLAIM_NUMBER,)
    # A REF*1K neither claim has yet narrows nothing; the claim awaiting its answer is chosen.
    waiting = claim(9, "SJD11112", "Doe", "Sandy", ("99213", 12500, OCT), awaiting=True)
    done = claim(10, "SJD11112", "Doe", "Sandy", ("99213", 12500, OCT))
    by_batch = choose_acknowledged_claim([done, waiting], ack("125", OCT, number="NEW1"), who)
    assert by_batch.chosen == waiting.candidate
    assert by_batch.criteria == (C.AWAITING_ACKNOWLEDGMENT,)
    assert "payer claim number NEW1 (REF*1K): 0 of 2 claims fit" in by_batch.tried


def test_claims_alike_in_everything_are_ambiguous_and_named() -> None:
    first = claim(11, "SJD11112", "Doe", "Sandy", ("99213", 12500, OCT), awaiting=True)
    second = claim(12, "SJD11112", "Doe", "Sandy", ("99213", 12500, OCT), awaiting=True)
    choice = choose_acknowledged_claim(
        [first, second], ack("125", OCT), patient("DOE", "SANDY", "SJD11112")
    )
    assert choice.chosen is None and choice.kind == "ambiguous"
    assert [c.claim_id for c in choice.candidates] == [11, 12]
    assert "several claims fit" in choice.message
    assert "claim 11 (member SJD11112, Doe, Sandy, $125.00, 2026-10-01)" in choice.message
    assert "claim 12 (member SJD11112" in choice.message


def test_no_claim_with_the_number_is_unmatched() -> None:
    choice = choose_acknowledged_claim([], ack("125", OCT), patient())
    assert choice.chosen is None and choice.kind == "unmatched" and choice.candidates == ()
