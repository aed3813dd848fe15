"""The secondary (and tertiary) claim built from the prior claim and the prior payer's 835."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrcm.core.claims.secondary import (
    SecondaryClaimError,
    cob_balance_problems,
    next_responsibility,
    secondary_claim_from,
)
from openrcm.core.scrub.context import ScrubContext
from openrcm.core.scrub.engine import scrub
from openrcm.core.scrub.rules.coverage import PACK
from openrcm.core.scrub.snapshot import snapshot_from_837p
from openrcm.core.x12 import era
from openrcm.core.x12.claim837p import (
    Address,
    BillingProvider,
    Contact,
    Name,
    OtherPayer,
    Patient,
    Payer,
    ProfessionalClaim,
    ProfessionalClaimBatch,
    Receiver,
    ServiceLine,
    Submitter,
    Subscriber,
    read_837p,
)

from ..x12.claim837p_strategies import interchange, pyx12_errors, pyx12_validate

D = Decimal
PAID_ON = dt.date(2024, 4, 12)
DOS = dt.date(2024, 3, 1)
HOME = Address(line1="5 ELM ST", city="AUSTIN", state="TX", postal_code="78701")
PRIMARY = Payer(name="KEY INSURANCE COMPANY", payer_id="999996666")
SECONDARY = Payer(name="GAP PLAN", payer_id="77777")
TERTIARY = Payer(name="STATE MEDICAID", payer_id="SKMD0")


def subscriber(payer: Payer = PRIMARY, member: str = "W123456789", **kw: object) -> Subscriber:
    values: dict[str, object] = {
        "name": Name(last="SMITH", first="JANE"),
        "member_id": member,
        "payer": payer,
        "claim_filing": "CI",
        "group_number": "2222-SJ",
        "birth_date": dt.date(1953, 5, 1),
        "sex": "F",
        "address": HOME,
    }
    values.update(kw)
    return Subscriber(**values)  # type: ignore[arg-type]


def line(n: int, code: str = "99213", charge: str = "100", **kw: object) -> ServiceLine:
    values: dict[str, object] = {
        "procedure_code": code,
        "charge": D(charge),
        "units": D(1),
        "service_date": DOS,
        "diagnosis_pointers": [1],
        "control_number": f"LN{n}",
    }
    values.update(kw)
    return ServiceLine(**values)  # type: ignore[arg-type]


def primary_claim(lines: list[ServiceLine] | None = None, **kw: object) -> ProfessionalClaim:
    lines = lines or [line(1)]
    values: dict[str, object] = {
        "billing_provider": BillingProvider(
            name=Name.organization("KILDARE ASSOCIATES"),
            npi="1234567893",
            address=Address(line1="1 MAIN ST", city="AUSTIN", state="TX", postal_code="787011234"),
            tax_id="587654321",
        ),
        "subscriber": subscriber(),
        "patient_control_number": "PCN100",
        "total_charge": sum((ln.charge for ln in lines), D(0)),
        "place_of_service": "11",
        "diagnoses": ["J069"],
        "lines": lines,
        "other_payers": [
            OtherPayer(
                responsibility="S",
                relationship="18",
                subscriber_name=Name(last="SMITH", first="JANE"),
                subscriber_id="GAP123",
                payer_name=SECONDARY.name,
                payer_id=SECONDARY.payer_id,
                claim_filing="CI",
            )
        ],
    }
    values.update(kw)
    return ProfessionalClaim(**values)  # type: ignore[arg-type]


def svc(
    control: str | None,
    charge: str,
    paid: str,
    *adjustments: tuple[str, str, str],
    code: str = "99213",
    **kw: object,
) -> era.ServiceLine:
    return era.ServiceLine(
        procedure_qualifier="HC",
        procedure_code=code,
        charge=D(charge),
        paid=D(paid),
        dates=[era.DateRef("472", DOS)],
        adjustments=[era.Adjustment(g, r, D(a)) for g, r, a in adjustments],
        references=[era.Reference("6R", control)] if control else [],
        **kw,  # type: ignore[arg-type]
    )


def clp(
    lines: list[era.ServiceLine],
    *,
    charge: str = "100",
    paid: str = "80",
    status: str = "1",
    pcn: str = "PCN100",
    adjustments: list[era.Adjustment] | None = None,
    patient: str | None = None,
) -> era.ClaimPayment:
    return era.ClaimPayment(
        patient_control_number=pcn,
        status=status,
        charge=D(charge),
        paid=D(paid),
        filing_indicator="12",
        payer_claim_number="ICN0001",
        patient_responsibility=D(patient) if patient is not None else None,
        adjustments=adjustments or [],
        lines=lines,
    )


def batch(claims: list[ProfessionalClaim]) -> ProfessionalClaimBatch:
    return ProfessionalClaimBatch(
        submitter=Submitter(
            name=Name.organization("PREMIER BILLING SERVICE"),
            id="TGJ23",
            contacts=[Contact(name="JERRY", phone="3055552222")],
        ),
        receiver=Receiver(name="GAP PLAN", id="77777"),
        reference="244579",
        created_date=dt.date(2024, 4, 15),
        created_time=dt.time(10, 23),
        claims=claims,
    )


def secondary_of(
    prior: ProfessionalClaim, payment: era.ClaimPayment, **kw: object
) -> ProfessionalClaim:
    values: dict[str, object] = {
        "prior": prior,
        "payment": payment,
        "subscriber": subscriber(SECONDARY, "GAP123"),
        "patient": prior.patient,
        "pcn": prior.patient_control_number + "S",
        "adjudication_date": PAID_ON,
    }
    values.update(kw)
    return secondary_claim_from(**values)  # type: ignore[arg-type]


def written(claims: list[ProfessionalClaim]) -> str:
    text = interchange([batch(claims)])
    assert read_837p(text) == [batch(claims)]
    return text


def assert_pyx12(text: str) -> None:
    ok, report = pyx12_validate(text)
    assert ok, "pyx12 found errors:\n" + "\n".join(pyx12_errors(report)[:40])


def segs(text: str, sid: str) -> list[str]:
    return [s for s in text.split("~") if s.split("*")[0] == sid]


# -- worked examples ----------------------------------------------------------------------------


def test_secondary_payment_after_the_primary_worked_example() -> None:
    """$100 billed; the primary allows $90 (CO-45 $10), leaves $10 coinsurance (PR-2) and pays
    $80. The secondary claim carries that: 2320 AMT*D 80 and AMT*EAF 10, 2430 SVD 80 with CAS
    CO-45 10 and PR-2 10 dated the primary's payment date; it balances (100 = 80 + 10 + 10)."""
    primary = primary_claim()
    payment = clp([svc("LN1", "100", "80", ("CO", "45", "10"), ("PR", "2", "10"))], patient="10")
    sec = secondary_of(primary, payment)

    assert sec.subscriber.responsibility == "S"
    assert sec.subscriber.payer == SECONDARY
    assert sec.patient_control_number == "PCN100S"
    [op] = sec.other_payers
    assert (op.responsibility, op.relationship, op.payer_id, op.subscriber_id) == (
        "P",
        "18",
        PRIMARY.payer_id,
        "W123456789",
    )
    assert op.paid_amount == D(80) and op.remaining_patient_liability == D(10)
    assert op.adjustments == [] and op.claim_control_number == "ICN0001"
    assert op.adjudication_date is None  # the date is on the lines (2430 DTP*573)
    [adj] = sec.lines[0].adjudications
    assert (adj.payer_id, adj.paid, adj.procedure_code, adj.units) == (
        PRIMARY.payer_id,
        D(80),
        "99213",
        D(1),
    )
    assert [(a.group, a.reason, a.amount) for a in adj.adjustments] == [
        ("CO", "45", D(10)),
        ("PR", "2", D(10)),
    ]
    assert adj.adjudication_date == PAID_ON and adj.remaining_patient_liability == D(10)
    assert cob_balance_problems(sec) == []

    text = written([sec])
    assert "SBR*S*18*2222-SJ******CI" in text
    assert segs(text, "SBR")[1] == "SBR*P*18*2222-SJ******CI"
    assert segs(text, "AMT") == ["AMT*D*80", "AMT*EAF*10", "AMT*EAF*10"]
    assert segs(text, "SVD") == ["SVD*999996666*80*HC:99213**1"]
    assert segs(text, "CAS") == ["CAS*CO*45*10", "CAS*PR*2*10"]
    assert "DTP*573*D8*20240412" in segs(text, "DTP")
    assert "REF*F8*ICN0001" in segs(text, "REF")
    assert_pyx12(text)


def test_two_lines_matched_by_control_number_and_by_procedure_with_a_recoded_line() -> None:
    """Line 2 comes back without REF*6R, recoded 99214 -> 99213 (SVC06 holds ours): it is
    matched by its original procedure and date, and SVD carries the code as adjudicated."""
    primary = primary_claim([line(1, "36415", "25", units=D(2)), line(2, "99214", "150")])
    payment = clp(
        [
            svc("LN1", "25", "0", ("CO", "97", "25"), code="36415", units=D(2)),
            svc(None, "150", "72", ("CO", "45", "60"), ("PR", "3", "18"),
                original_procedure=["HC", "99214"]),
        ],
        charge="175",
        paid="72",
    )  # fmt: skip
    sec = secondary_of(primary, payment)
    a1, a2 = (ln.adjudications[0] for ln in sec.lines)
    assert (a1.paid, a1.units, a1.procedure_code) == (D(0), D(2), "36415")
    assert (a2.paid, a2.procedure_code) == (D(72), "99213")
    assert sec.other_payers[0].remaining_patient_liability == D(18)
    assert_pyx12(written([sec]))


def test_modifiers_are_matched_and_carried_without_the_procedure_description() -> None:
    """SVC01 with a modifier and a description (component 7): matched by 99213-25, SVD03
    carries HC:99213:25."""
    primary = primary_claim([line(1, modifiers=["25"])])
    described = ["25", "", "", "", "OFFICE VISIT"]
    payment = clp([svc(None, "100", "80", ("CO", "45", "20"), modifiers=described)])
    sec = secondary_of(primary, payment)
    assert sec.lines[0].adjudications[0].modifiers == ["25"]
    assert segs(written([sec]), "SVD") == ["SVD*999996666*80*HC:99213:25**1"]


def test_a_dependent_patient_keeps_the_relationship_to_the_prior_subscriber() -> None:
    kid = Patient(
        name=Name(last="SMITH", first="TED"),
        relationship="19",
        address=HOME,
        birth_date=dt.date(2013, 5, 1),
        sex="M",
    )
    primary = primary_claim(patient=kid)
    payment = clp([svc("LN1", "100", "80", ("CO", "45", "10"), ("PR", "2", "10"))])
    dad = subscriber(SECONDARY, "GAP9", name=Name(last="SMITH", first="JOHN"))
    sec = secondary_of(primary, payment, subscriber=dad)
    assert sec.patient == kid and sec.other_payers[0].relationship == "19"
    assert sec.other_payers[0].subscriber_name == Name(last="SMITH", first="JANE")
    assert_pyx12(written([sec]))


def test_a_claim_adjudicated_without_lines_carries_claim_level_cas_and_the_2330b_date() -> None:
    primary = primary_claim()
    payment = clp(
        [],
        paid="60",
        adjustments=[era.Adjustment("CO", "45", D(25)), era.Adjustment("PR", "1", D(15))],
    )
    sec = secondary_of(primary, payment)
    [op] = sec.other_payers
    assert op.adjudication_date == PAID_ON and op.remaining_patient_liability == D(15)
    assert [(a.group, a.reason, a.amount) for a in op.adjustments] == [
        ("CO", "45", D(25)),
        ("PR", "1", D(15)),
    ]
    assert all(not ln.adjudications for ln in sec.lines)
    text = written([sec])
    assert segs(text, "SVD") == [] and "DTP*573*D8*20240412" in text
    assert_pyx12(text)


def test_medicare_as_prior_payer_sends_no_remaining_liability() -> None:
    primary = primary_claim(subscriber=subscriber(claim_filing="MB", group_number=""))
    payment = clp([svc("LN1", "100", "80", ("CO", "45", "10"), ("PR", "2", "10"))])
    sec = secondary_of(primary, payment)
    assert sec.other_payers[0].remaining_patient_liability is None
    assert sec.lines[0].adjudications[0].remaining_patient_liability is None
    assert "EAF" not in written([sec])


def test_a_denied_primary_claim_is_carried_with_its_denial() -> None:
    payment = clp([svc("LN1", "100", "0", ("PR", "204", "100"))], paid="0", status="4")
    sec = secondary_of(primary_claim(), payment)
    assert sec.other_payers[0].paid_amount == D(0)
    assert sec.lines[0].adjudications[0].adjustments[0].reason == "204"
    assert_pyx12(written([sec]))


def test_tertiary_claim_carries_primary_and_secondary() -> None:
    """The primary pays $80 (CO-45 10, PR-2 10); the secondary pays $6 of the $10 (OA-23 90,
    PR-2 4); the tertiary claim carries both payers' adjudication on the line."""
    primary = primary_claim(
        other_payers=[
            *primary_claim().other_payers,
            OtherPayer(
                responsibility="T",
                relationship="18",
                subscriber_name=Name(last="SMITH", first="JANE"),
                subscriber_id="MCD1",
                payer_name=TERTIARY.name,
                payer_id=TERTIARY.payer_id,
                claim_filing="MC",
            ),
        ]
    )
    sec = secondary_of(
        primary, clp([svc("LN1", "100", "80", ("CO", "45", "10"), ("PR", "2", "10"))])
    )
    assert [op.responsibility for op in sec.other_payers] == ["P", "T"]
    paid2 = clp(
        [svc("LN1", "100", "6", ("OA", "23", "90"), ("PR", "2", "4"))],
        paid="6",
        status="2",
        pcn="PCN100S",
    )
    ter = secondary_of(
        sec,
        paid2,
        subscriber=subscriber(TERTIARY, "MCD1", claim_filing="MC", group_number=""),
        pcn="PCN100T",
        adjudication_date=PAID_ON + dt.timedelta(days=20),
    )
    assert ter.subscriber.responsibility == "T"
    assert [(op.responsibility, op.payer_id) for op in ter.other_payers] == [
        ("P", PRIMARY.payer_id),
        ("S", SECONDARY.payer_id),
    ]
    assert ter.other_payers[1].remaining_patient_liability == D(4)
    first, second = ter.lines[0].adjudications
    assert (first.payer_id, first.paid) == (PRIMARY.payer_id, D(80))
    assert (second.payer_id, second.paid) == (SECONDARY.payer_id, D(6))
    assert [(a.group, a.reason) for a in second.adjustments] == [("OA", "23"), ("PR", "2")]
    assert cob_balance_problems(ter) == []
    text = written([ter])
    assert [s[:5] for s in segs(text, "SBR")] == ["SBR*T", "SBR*P", "SBR*S"]
    assert_pyx12(text)


def test_next_responsibility() -> None:
    assert [next_responsibility(r) for r in "PSTA"] == ["S", "T", "A", "B"]
    for bad in ("H", "U", "", "PS"):
        with pytest.raises(SecondaryClaimError, match="no payer follows"):
            next_responsibility(bad)


# -- errors ----------------------------------------------------------------------------------


GOOD_LINE = ("LN1", "100", "80", ("CO", "45", "10"), ("PR", "2", "10"))


@pytest.mark.parametrize(
    ("payment", "message"),
    [
        (clp([svc(*GOOD_LINE)], pcn="OTHER"), "for patient control number 'OTHER', not 'PCN100'"),
        (clp([svc(*GOOD_LINE)], status="22"), "status \\(CLP02\\) 22 is a reversal"),
        (clp([svc(*GOOD_LINE)], charge="90"), "the 835 charge \\(CLP03\\) 90"),
        (clp([svc(*GOOD_LINE)], paid="81"), "the 835 does not balance"),
        (
            clp([svc("LN9", "100", "80", ("CO", "45", "20"))]),
            "835 service line 1 99213 \\(REF\\*6R LN9\\) names line control number 'LN9'",
        ),
        (
            clp([svc(None, "100", "80", ("CO", "45", "20"), code="99215")]),
            "matches none of the claim's lines by procedure 99215",
        ),
        (
            clp([svc("LN1", "100", "80", *[("CO", str(r), "2") for r in range(40, 50)])]),
            "10 adjustment reasons of group CO; an 837P CAS holds 6",
        ),
        (
            clp([svc("LN1", "90", "80", ("CO", "45", "10"))], charge="100", paid="80",
                adjustments=[era.Adjustment("CO", "45", D(10))]),
            "line 1: payer 999996666 paid 80 and adjusted 10, not the line charge 100",
        ),
    ],
)  # fmt: skip
def test_payments_that_cannot_be_carried_are_refused(
    payment: era.ClaimPayment, message: str
) -> None:
    with pytest.raises(SecondaryClaimError, match=message):
        secondary_of(primary_claim(), payment)


def test_a_line_the_835_left_out_or_two_alike_lines_are_refused() -> None:
    primary = primary_claim([line(1), line(2)])
    with pytest.raises(
        SecondaryClaimError, match="line 2 \\(99213, REF\\*6R LN2\\) has no service"
    ):
        left_out = [era.Adjustment("CO", "45", D(100))]
        secondary_of(primary, clp([svc(*GOOD_LINE)], charge="200", adjustments=left_out))
    bare = svc(None, "100", "80", ("CO", "45", "20"))
    with pytest.raises(SecondaryClaimError, match="matches lines 1, 2 alike"):
        secondary_of(primary, clp([bare, bare], charge="200", paid="160"))


def test_the_next_payer_must_differ_from_the_prior_one() -> None:
    with pytest.raises(SecondaryClaimError, match="is the payer that adjudicated the claim"):
        secondary_of(primary_claim(), clp([svc(*GOOD_LINE)]), subscriber=subscriber())


def test_cob_balance_problems_names_the_line_and_the_claim() -> None:
    sec = secondary_of(primary_claim(), clp([svc(*GOOD_LINE)]))
    bad = replace(sec, other_payers=[replace(sec.other_payers[0], paid_amount=D(70))])
    assert cob_balance_problems(bad) == [
        "claim 'PCN100S': payer 999996666 paid 70 and adjusted 20 (claim 0, lines 20), not the"
        " total charge 100"
    ]


# -- properties ------------------------------------------------------------------------------

CODES = ["99213", "99214", "36415", "85025", "93000", "71046"]


@st.composite
def adjudicated(draw: st.DrawFn) -> tuple[ProfessionalClaim, era.ClaimPayment]:
    """A primary claim of 1-5 lines and a balanced 835 payment of it: per line CO-45 down to
    the allowed amount, PR deductible/coinsurance/copay, paid the rest; sometimes a
    claim-level adjustment taken off the payment."""
    n = draw(st.integers(1, 5))
    lines: list[ServiceLine] = []
    svcs: list[era.ServiceLine] = []
    for i in range(n):
        charge = draw(st.integers(1, 100_000))
        allowed = draw(st.integers(0, charge))
        pr = draw(st.lists(st.integers(0, allowed), min_size=0, max_size=3))
        while sum(pr) > allowed:
            pr.pop()
        paid = allowed - sum(pr)
        code = draw(st.sampled_from(CODES))
        units = draw(st.integers(1, 3))
        lines.append(line(i + 1, code, str(D(charge).scaleb(-2)), units=D(units)))
        adjustments = [("CO", "45", charge - allowed)] if charge > allowed else []
        adjustments += [("PR", r, a) for r, a in zip(("1", "2", "3"), pr, strict=False) if a]
        svcs.append(
            svc(
                f"LN{i + 1}" if draw(st.booleans()) or n == 1 else None,
                str(D(charge).scaleb(-2)),
                str(D(paid).scaleb(-2)),
                *[(g, r, str(D(a).scaleb(-2))) for g, r, a in adjustments],
                code=code,
                units=D(units) if units != 1 else None,
            )
        )
    # Lines without REF*6R are matched by procedure and date: keep those unambiguous.
    codes = [ln.procedure_code for ln in lines]
    for ln, s in zip(lines, svcs, strict=True):
        if not s.references and codes.count(ln.procedure_code) > 1:
            s.references = [era.Reference("6R", ln.control_number)]
    total = sum((ln.charge for ln in lines), D(0))
    claim_paid = sum((s.paid for s in svcs), D(0))
    claim_adj: list[era.Adjustment] = []
    if draw(st.booleans()) and claim_paid > 0:
        amount = D(draw(st.integers(1, int(claim_paid * 100)))).scaleb(-2)
        claim_adj.append(era.Adjustment(draw(st.sampled_from(["OA", "PR", "CO"])), "94", amount))
        claim_paid -= amount
    payment = clp(svcs, charge=str(total), paid=str(claim_paid), adjustments=claim_adj)
    return primary_claim(lines), payment


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(adjudicated())
def test_the_secondary_balances_for_any_balanced_primary_payment(
    case: tuple[ProfessionalClaim, era.ClaimPayment],
) -> None:
    primary, payment = case
    sec = secondary_of(primary, payment)
    assert cob_balance_problems(sec) == []
    [op] = sec.other_payers
    line_cas = sum(
        (x.amount for ln in sec.lines for a in ln.adjudications for x in a.adjustments), D(0)
    )
    claim_cas = sum((a.amount for a in op.adjustments), D(0))
    assert op.paid_amount is not None
    assert sec.total_charge == op.paid_amount + claim_cas + line_cas
    for ln in sec.lines:
        [a] = ln.adjudications
        assert ln.charge == a.paid + sum((x.amount for x in a.adjustments), D(0))
    written([sec])


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(adjudicated(), min_size=3, max_size=3))
def test_secondary_claims_pass_pyx12(
    cases: list[tuple[ProfessionalClaim, era.ClaimPayment]],
) -> None:
    claims = [
        secondary_of(replace(p, patient_control_number=f"PCN{i}"),
                     replace(pay, patient_control_number=f"PCN{i}"))
        for i, (p, pay) in enumerate(cases)
    ]  # fmt: skip
    assert_pyx12(written(claims))


# -- the scrubber agrees -----------------------------------------------------------------------


def test_the_scrubber_finds_the_prior_adjudication_and_its_balance() -> None:
    context = ScrubContext(today=dt.date(2024, 4, 15))
    sec = secondary_of(primary_claim(), clp([svc(*GOOD_LINE)]))
    assert scrub(snapshot_from_837p(sec), context, [PACK]) == []
    [adj] = sec.lines[0].adjudications
    tampered = replace(sec, lines=[replace(sec.lines[0], adjudications=[replace(adj, paid=D(70))])])
    assert cob_balance_problems(tampered)
    found = scrub(snapshot_from_837p(tampered), context, [PACK])
    assert [f.rule_id for f in found] == ["COV-004"]
