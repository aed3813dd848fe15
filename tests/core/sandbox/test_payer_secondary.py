"""Sandbox payers adjudicating secondary and tertiary claims built by
:func:`openrcm.core.claims.secondary.secondary_claim_from` from the prior payer's 835."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from openrcm.core.claims.secondary import secondary_claim_from
from openrcm.core.sandbox import Sandbox, SandboxConfig
from openrcm.core.x12 import era
from openrcm.core.x12.claim837p import Payer, ProfessionalClaim, Subscriber, read_837p
from openrcm.core.x12.era import ClaimPayment, balance_problems, read_835

from .factory import HOME, NOW, PAYERS, SECONDARY, batch, claim, file_837, pyx12_errors, texts

D = Decimal
ZERO = D(0)
CALM = SandboxConfig(
    seed=7,
    denial_rate=D(0),
    reversal_rate=D(0),
    interest_rate=D(0),
    recoupment_rate=D(0),
    unknown_member_rate=D(0),
)
TERTIARY = PAYERS["MC"]


@dataclass
class Paid:
    payment: ClaimPayment
    paid_on: dt.date
    text: str


class Flow:
    """One sandbox over time: each submission is polled 60 days later."""

    def __init__(self, config: SandboxConfig) -> None:
        self.sandbox = Sandbox(config)
        self.moment = NOW
        self.isa = 100

    def submit(self, claims: list[ProfessionalClaim]) -> tuple[str, dict[str, Paid]]:
        self.isa += 1
        sent = batch(claims, reference=f"B{self.isa}")
        data = file_837([sent], isa=self.isa)
        assert read_837p(data) == [sent]  # what we send reads back the same
        response = self.sandbox.receive_837(data, received_at=self.moment)
        assert sorted(response.accepted) == sorted(c.patient_control_number for c in claims)
        self.moment += dt.timedelta(days=60)
        out: dict[str, Paid] = {}
        files: list[object] = list(self.sandbox.poll(as_of=self.moment))
        for text in texts(files, "835"):
            for rem in read_835(text):
                assert balance_problems(rem) == []
                for p in rem.claims:
                    out.setdefault(p.patient_control_number, Paid(p, rem.payment.date, text))
        self.moment += dt.timedelta(days=1)
        return data.decode("ascii"), out


def coverage(prior: ProfessionalClaim, payer: Payer, filing: str = "CI") -> Subscriber:
    """The patient's next coverage: the same subscriber with another plan."""
    sub = prior.subscriber
    return replace(
        sub,
        payer=payer,
        member_id=f"{payer.payer_id}{sub.member_id[-6:]}",
        claim_filing=filing,
        group_number="",
        insurance_type="",
        address=sub.address or HOME,
    )


def next_claim(
    prior: ProfessionalClaim, paid: Paid, payer: Payer, suffix: str, filing: str = "CI"
) -> ProfessionalClaim:
    return secondary_claim_from(
        prior=prior,
        payment=paid.payment,
        subscriber=coverage(prior, payer, filing),
        patient=prior.patient,
        pcn=prior.patient_control_number[:30] + suffix,
        adjudication_date=paid.paid_on,
    )


def cas(line: era.ServiceLine, group: str, reason: str) -> Decimal:
    return sum((a.amount for a in line.adjustments if (a.group, a.reason) == (group, reason)), ZERO)


def prior_patient(sec: ProfessionalClaim, n: int, payer_id: str) -> Decimal:
    [adj] = [a for a in sec.lines[n].adjudications if a.payer_id == payer_id]
    return sum((x.amount for x in adj.adjustments if x.group == "PR"), ZERO)


def assert_pays_the_prior_patient_share(
    sec: ProfessionalClaim, p: ClaimPayment, prior_payer: str, unpaid_group: str = "PR"
) -> None:
    """Per line: OA-23 = charge - what the prior payer left to the patient; of that share the
    payer pays some and leaves the rest (PR-2, CO-45 for Medicaid). A line the payer denied
    (its RARCs in LQ) has its whole charge in the denial's CAS instead."""
    assert p.status in ("2", "3")
    for n, (ln, svc) in enumerate(zip(sec.lines, p.lines, strict=True)):
        share = prior_patient(sec, n, prior_payer)
        assert svc.line_control_number == ln.control_number
        if svc.remarks:
            assert svc.paid == 0 and svc.adjustment_total == ln.charge
            continue
        assert cas(svc, "OA", "23") == ln.charge - share
        rest = cas(svc, unpaid_group, "45" if unpaid_group == "CO" else "2")
        assert svc.paid + rest == share and 0 <= svc.paid <= share
        assert svc.charge - svc.adjustment_total == svc.paid


def test_a_secondary_payment_after_the_primary_through_the_sandbox() -> None:
    """The primary's 835 becomes a secondary claim (passes pyx12); the secondary payer pays
    the patient's share as far as its allowed amount goes, OA-23 holding the primary's impact
    (CLP02 2), in an 835 that balances and passes pyx12."""
    pytest.importorskip("pyx12")
    flow = Flow(CALM)
    primary = claim(random.Random(5), 5, filing="CI", lines=3, secondary=True)
    _, first = flow.submit([primary])
    paid1 = first[primary.patient_control_number]
    assert paid1.payment.status == "1" and paid1.payment.patient_responsibility
    sec = next_claim(primary, paid1, SECONDARY, "S")
    sent, second = flow.submit([sec])
    assert pyx12_errors(sent) == []
    paid2 = second[sec.patient_control_number]
    assert_pays_the_prior_patient_share(sec, paid2.payment, primary.subscriber.payer.payer_id)
    assert paid2.payment.status == "2" and paid2.payment.paid > 0
    assert pyx12_errors(paid2.text) == []


def test_a_tertiary_claim_after_primary_and_secondary() -> None:
    """Medicaid as third payer: the claim carries both payers' 2430 loops; OA-23 is the charge
    less what the secondary left to the patient, and Medicaid writes off what it does not pay
    (CO-45) instead of billing the patient."""
    pytest.importorskip("pyx12")
    flow = Flow(CALM)
    for n in range(20, 40):  # a secondary that leaves something to the patient
        primary = claim(random.Random(n), n, filing="BL", lines=2, secondary=True)
        _, first = flow.submit([primary])
        sec = next_claim(primary, first[primary.patient_control_number], SECONDARY, "S")
        _, second = flow.submit([sec])
        paid2 = second[sec.patient_control_number]
        if paid2.payment.patient_responsibility:
            break
    else:
        pytest.fail("no secondary left a patient share in 20 claims")
    ter = next_claim(sec, paid2, TERTIARY, "T", filing="MC")
    assert [op.responsibility for op in ter.other_payers] == ["P", "S"]
    sent, third = flow.submit([ter])
    assert pyx12_errors(sent) == []
    paid3 = third[ter.patient_control_number]
    assert paid3.payment.status == "3"
    assert_pays_the_prior_patient_share(ter, paid3.payment, SECONDARY.payer_id, "CO")
    assert paid3.payment.patient_responsibility is None
    assert pyx12_errors(paid3.text) == []


def test_oa23_round_trips_from_the_secondary_835_to_the_tertiary_claim() -> None:
    flow = Flow(CALM)
    primary = claim(random.Random(3), 3, filing="CI", lines=2, secondary=True)
    _, first = flow.submit([primary])
    sec = next_claim(primary, first[primary.patient_control_number], SECONDARY, "S")
    _, second = flow.submit([sec])
    paid2 = second[sec.patient_control_number]
    ter = next_claim(sec, paid2, TERTIARY, "T", filing="MC")
    for ln, svc in zip(ter.lines, paid2.payment.lines, strict=True):
        [adj] = [a for a in ln.adjudications if a.payer_id == SECONDARY.payer_id]
        assert [(a.group, a.reason, a.amount) for a in adj.adjustments] == [
            (a.group, a.reason, a.amount) for a in svc.adjustments
        ]
        assert any((a.group, a.reason) == ("OA", "23") for a in adj.adjustments)
        assert adj.paid == svc.paid


def _by_hand(primary: ProfessionalClaim, payment: ClaimPayment) -> tuple[ProfessionalClaim, Paid]:
    flow = Flow(CALM)
    sec = next_claim(primary, Paid(payment, NOW.date(), ""), SECONDARY, "S")
    _, got = flow.submit([sec])
    return sec, got[sec.patient_control_number]


def test_a_primary_adjudicated_at_claim_level_only() -> None:
    """No service lines in the primary's 835: the patient's share (claim-level PR) is spread
    over the lines by charge, and the secondary pays it line by line."""
    primary = claim(random.Random(8), 8, filing="CI", lines=2, secondary=True)
    total = primary.total_charge
    payment = ClaimPayment(
        patient_control_number=primary.patient_control_number,
        status="1",
        charge=total,
        paid=total - D("60.00") - D("25.00"),
        filing_indicator="12",
        payer_claim_number="P0001",
        adjustments=[era.Adjustment("CO", "45", D("60.00")), era.Adjustment("PR", "1", D(25))],
    )
    sec, paid = _by_hand(primary, payment)
    assert all(not ln.adjudications for ln in sec.lines)
    p = paid.payment
    assert p.status == "2"
    assert sum((cas(s, "OA", "23") for s in p.lines), ZERO) == total - D(25)
    assert sum((s.paid + cas(s, "PR", "2") for s in p.lines), ZERO) == D(25)


def test_claim_level_patient_share_beside_line_detail_is_paid_too() -> None:
    """A primary 835 with line detail and a claim-level PR-1: the secondary owes the lines'
    PR amounts plus the claim-level one (spread by charge), and the primary's payment is the
    SVC paid amounts less it."""
    primary = claim(random.Random(9), 9, filing="CI", lines=2, secondary=True)
    lines = []
    for ln in primary.lines:
        co = (ln.charge * D("0.2")).quantize(D("0.01"))
        pr = (ln.charge * D("0.1")).quantize(D("0.01"))
        lines.append(
            era.ServiceLine(
                procedure_qualifier="HC",
                procedure_code=ln.procedure_code,
                charge=ln.charge,
                paid=ln.charge - co - pr,
                dates=[era.DateRef("472", ln.service_date)],
                adjustments=[era.Adjustment("CO", "45", co), era.Adjustment("PR", "2", pr)],
                references=[era.Reference("6R", ln.control_number)],
            )
        )
    line_pr = sum((ln.adjustments[1].amount for ln in lines), ZERO)
    payment = ClaimPayment(
        patient_control_number=primary.patient_control_number,
        status="1",
        charge=primary.total_charge,
        paid=sum((ln.paid for ln in lines), ZERO) - D(10),
        filing_indicator="12",
        payer_claim_number="P0002",
        adjustments=[era.Adjustment("PR", "1", D(10))],
        lines=lines,
    )
    sec, paid = _by_hand(primary, payment)
    p = paid.payment
    owed = line_pr + D(10)
    assert sec.other_payers[0].remaining_patient_liability == owed
    assert sum((s.paid + cas(s, "PR", "2") for s in p.lines), ZERO) == owed
    assert sum((cas(s, "OA", "23") for s in p.lines), ZERO) == primary.total_charge - owed


def test_the_same_seed_gives_the_same_secondary_835() -> None:
    def run() -> str:
        flow = Flow(CALM)
        primary = claim(random.Random(11), 11, filing="CI", lines=2, secondary=True)
        _, first = flow.submit([primary])
        sec = next_claim(primary, first[primary.patient_control_number], SECONDARY, "S")
        _, second = flow.submit([sec])
        return second[sec.patient_control_number].text

    assert run() == run()


def test_secondaries_of_many_primaries_balance_and_pass_pyx12() -> None:
    """Forty primaries of every kind (denials included) and their secondaries: every
    secondary 835 balances, answers CLP02 2 (or 4 when denied), holds OA-23 for the prior
    payer's impact; the secondary 837P file and every 835 pass pyx12."""
    pytest.importorskip("pyx12")
    config = replace(CALM, seed=13, denial_rate=D("0.2"))
    flow = Flow(config)
    rng = random.Random(13)
    primaries = [
        claim(rng, 200 + i, filing=rng.choice(["CI", "BL", "MC", "MB"]), secondary=True)
        for i in range(40)
    ]
    _, first = flow.submit(primaries)
    secondaries = [
        next_claim(p, first[p.patient_control_number], SECONDARY, "S") for p in primaries
    ]
    sent, second = flow.submit(secondaries)
    assert pyx12_errors(sent) == []
    statuses = set()
    for sec in secondaries:
        p = second[sec.patient_control_number].payment
        statuses.add(p.status)
        if p.status == "4":
            continue
        payer = next(op.payer_id for op in sec.other_payers if op.responsibility == "P")
        assert_pays_the_prior_patient_share(sec, p, payer)
    assert "2" in statuses
    for text in {paid.text for paid in second.values()}:
        assert pyx12_errors(text) == []


def test_a_secondary_claim_whose_prior_amounts_do_not_balance_is_returned() -> None:
    """The clearinghouse's COB balancing edit: 277CA A7:672 and never adjudicated."""
    flow = Flow(CALM)
    primary = claim(random.Random(4), 4, filing="CI", lines=1, secondary=True)
    _, first = flow.submit([primary])
    sec = next_claim(primary, first[primary.patient_control_number], SECONDARY, "S")
    [adj] = sec.lines[0].adjudications
    wrong = replace(adj, paid=adj.paid + 1)
    bad = replace(sec, lines=[replace(sec.lines[0], adjudications=[wrong])])
    response = flow.sandbox.receive_837(file_837([batch([bad])], isa=999), received_at=flow.moment)
    [result] = response.claims
    assert not result.accepted
    assert [(c.category, c.code) for r in result.rejections for c in r.codes] == [("A7", "672")]
    files: list[object] = list(response.files)
    assert "STC*A7:672" in "".join(texts(files, "277CA"))
