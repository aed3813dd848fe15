"""Claims read from an 837P file become snapshots the rules scrub as they scrub database claims."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal

import pytest

from openrcm.core.identifiers import make_npi
from openrcm.core.scrub import ScrubContext, scrub
from openrcm.core.scrub.report import scrub_837p_file
from openrcm.core.scrub.snapshot import snapshot_from_837p, snapshots_from_837p_file
from openrcm.core.x12.claim837p import (
    Address,
    Adjustment,
    BillingProvider,
    Contact,
    LineAdjudication,
    Name,
    OtherPayer,
    Patient,
    Payer,
    ProfessionalClaim,
    ProfessionalClaimBatch,
    Receiver,
    RenderingProvider,
    ServiceLine,
    Submitter,
    Subscriber,
    write_837p_interchange,
)
from openrcm.core.x12.errors import X12Error

BILLING = BillingProvider(
    name=Name.organization("Synthetic Family Practice"),
    npi=make_npi("123456789"),
    address=Address(line1="400 Congress Ave", city="Austin", state="TX", postal_code="787011234"),
    tax_id="123456789",
    taxonomy="207Q00000X",
)


def _subscriber(member: str, *, responsibility: str = "P", filing: str = "CI") -> Subscriber:
    return Subscriber(
        name=Name(last="Doe", first="Jane"),
        member_id=member,
        payer=Payer(name="Acme Health", payer_id="00435"),
        responsibility=responsibility,
        claim_filing=filing,
        address=Address(line1="1 Elm St", city="Austin", state="TX", postal_code="78701"),
        birth_date=date(1968, 3, 14),
        sex="F",
    )


def _line(code: str, charge: str, **extra: object) -> ServiceLine:
    return ServiceLine(
        procedure_code=code,
        charge=Decimal(charge),
        units=Decimal(1),
        service_date=date(2026, 6, 1),
        diagnosis_pointers=[1],
        control_number=f"L{code}",
        **extra,  # type: ignore[arg-type]
    )


def _claim(
    pcn: str, diagnoses: list[str], lines: list[ServiceLine], **extra: object
) -> ProfessionalClaim:
    return ProfessionalClaim(
        billing_provider=BILLING,
        subscriber=extra.pop("subscriber", _subscriber(f"M{pcn}")),  # type: ignore[arg-type]
        patient_control_number=pcn,
        total_charge=sum((line.charge for line in lines), Decimal(0)),
        place_of_service="11",
        diagnoses=diagnoses,
        lines=lines,
        rendering=RenderingProvider(
            name=Name(last="Smith", first="Ann"), npi=make_npi("198765432")
        ),
        **extra,  # type: ignore[arg-type]
    )


def _file(claims: list[ProfessionalClaim]) -> str:
    batch = ProfessionalClaimBatch(
        submitter=Submitter(
            name=Name.organization("Synthetic Billing"),
            id="SUB1",
            contacts=[Contact(name="Billing desk", phone="5125550100")],
        ),
        receiver=Receiver(name="Clearinghouse", id="CH1"),
        reference="0001",
        created_date=date(2026, 6, 15),
        created_time=time(9, 30),
        claims=claims,
    )
    return write_837p_interchange(
        [batch],
        set_control_numbers=["0001"],
        sender_id="SUB1",
        receiver_id="CH1",
        isa_control=1,
        gs_control=1,
        now=datetime(2026, 6, 15, 9, 30),
    )


@pytest.fixture(scope="module")
def context() -> ScrubContext:
    return ScrubContext(today=date(2026, 6, 15))


def test_file_claims_are_scrubbed(context: ScrubContext) -> None:
    text = _file(
        [
            _claim("GOOD1", ["E119", "I10"], [_line("99213", "150.00")]),
            _claim("HEADER1", ["E11"], [_line("99213", "150.00")]),
        ]
    )
    snapshots = snapshots_from_837p_file(text, file="batch.837")
    assert [snap.patient_control_number for snap in snapshots] == ["GOOD1", "HEADER1"]
    good, header = snapshots
    assert good.patient.birth_date == date(1968, 3, 14)
    assert good.patient.sex == "F"
    assert good.subscriber.relationship == "18"
    assert good.payer.id == "00435" and good.payer.filing_indicator == "CI"
    assert good.billing.zip == "787011234" and good.billing.tin == "123456789"
    assert good.lines[0].procedure == "99213" and good.lines[0].pointers == (1,)
    assert good.rendering_npi == make_npi("198765432")
    assert scrub(good, context) == []
    assert [finding.rule_id for finding in scrub(header, context)] == ["ICD-003"]


def test_patient_who_is_not_the_subscriber() -> None:
    child = Patient(
        name=Name(last="Doe", first="Sam"),
        relationship="19",
        address=Address(line1="1 Elm St", city="Austin", state="TX", postal_code="78701"),
        birth_date=date(2019, 8, 1),
        sex="M",
    )
    claim = _claim("CHILD1", ["J069"], [_line("99213", "150.00")], patient=child)
    snapshot = snapshot_from_837p(claim, timely_filing_days=180)
    assert snapshot.patient.birth_date == date(2019, 8, 1)
    assert snapshot.patient.key.endswith("|DOE|SAM|2019-08-01")
    assert snapshot.subscriber.relationship == "19"
    assert snapshot.payer.timely_filing_days == 180


def test_secondary_claim_carries_the_primary_adjudication(context: ScrubContext) -> None:
    line = _line(
        "99213",
        "150.00",
        adjudications=[
            LineAdjudication(
                payer_id="04412",
                paid=Decimal("80.00"),
                procedure_code="99213",
                units=Decimal(1),
                adjudication_date=date(2026, 6, 10),
                adjustments=[
                    Adjustment(group="CO", reason="45", amount=Decimal("50.00")),
                    Adjustment(group="PR", reason="2", amount=Decimal("20.00")),
                ],
            )
        ],
    )
    primary = OtherPayer(
        responsibility="P",
        relationship="18",
        subscriber_name=Name(last="Doe", first="Jane"),
        subscriber_id="MB123",
        payer_name="Medicare",
        payer_id="04412",
        claim_filing="MB",
        paid_amount=Decimal("80.00"),
    )
    claim = _claim(
        "SEC1",
        ["E039"],
        [line],
        subscriber=_subscriber("MC1", responsibility="S", filing="MC"),
        other_payers=[primary],
    )
    [snapshot] = snapshots_from_837p_file(_file([claim]))
    assert snapshot.is_secondary
    [prior] = snapshot.prior_payers
    assert prior.payer_id == "04412" and prior.adjudicated_on == date(2026, 6, 10)
    assert [(item.line, item.paid.cents) for item in prior.lines] == [(1, 8000)]
    assert scrub(snapshot, context) == []


def test_unreadable_file_raises_the_x12_error() -> None:
    with pytest.raises(X12Error):
        snapshots_from_837p_file("this is not X12", file="bad.837")


def test_json_report_of_a_file(context: ScrubContext) -> None:
    text = _file([_claim("HEADER2", ["E11"], [_line("99213", "150.00")])])
    [entry] = scrub_837p_file(text, context, file="batch.837")
    assert entry["patient_control_number"] == "HEADER2"
    [finding] = entry["findings"]  # type: ignore[misc]
    assert finding["rule"] == "ICD-003" and finding["severity"] == "error"
    assert finding["line"] is None
    json.dumps(entry)
