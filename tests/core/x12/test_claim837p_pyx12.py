"""Every 837P our writer produces passes pyx12 4.0.0 (an independent validator) with zero errors.

pyx12 is slow (about 2.5 ms per claim, plus its map loading per file), so the property test
batches several claims per file and keeps ``max_examples`` moderate.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrcm.core.identifiers import npi_is_valid
from openrcm.core.x12.claim837p import (
    Address,
    Adjustment,
    ClaimDate,
    ClaimFrequency,
    Drug,
    LineAdjudication,
    Name,
    OtherPayer,
    ProfessionalClaimBatch,
    Provider,
    RenderingProvider,
    ServiceFacility,
    read_837p,
    split_claims,
)

from .claim837p_strategies import (
    batches,
    interchange,
    luhn_npi,
    pyx12_errors,
    pyx12_validate,
)
from .test_claim837p import batch, billing, child, claim, line, secondary_claim, subscriber

pytest.importorskip("pyx12")


def assert_valid(text: str) -> None:
    ok, report = pyx12_validate(text)
    assert ok, "pyx12 found errors:\n" + "\n".join(pyx12_errors(report)[:40])


def test_npis_of_the_strategies_have_the_right_check_digit() -> None:
    assert luhn_npi("123456789") == "1234567893"  # the textbook example
    for first9 in ("199999666", "112233445", "246813579", "987654321"):
        assert npi_is_valid(luhn_npi(first9))
        wrong = luhn_npi(first9)[:9] + str((int(luhn_npi(first9)[9]) + 1) % 10)
        assert not npi_is_valid(wrong)


def _tertiary_claim() -> object:
    """A tertiary claim: the primary and the secondary's adjudication, line level only."""
    sub = subscriber("W777", responsibility="T")
    payers = []
    for resp, pid in (("P", "PRIM01"), ("S", "SECD02")):
        payers.append(
            OtherPayer(
                responsibility=resp,
                relationship="18",
                subscriber_name=Name(last="SMITH", first="JANE"),
                subscriber_id=f"{pid}-ID",
                subscriber_address=Address(
                    line1="1 A ST", city="AUSTIN", state="TX", postal_code="78701"
                ),
                payer_name=f"PLAN {pid}",
                payer_id=pid,
                payer_address=Address(
                    line1="PO BOX 1", city="DALLAS", state="TX", postal_code="752010001"
                ),
                claim_filing="MB" if resp == "P" else "CI",
                group_number="G1",
                adjustments=[Adjustment(group="OA", reason="23", amount=Decimal("3"))],
                paid_amount=Decimal("10"),
                non_covered_amount=Decimal("0"),
                remaining_patient_liability=Decimal("7"),
                benefits_assigned="Y",
                patient_signature_source="P",
                release_of_information="I",
                claim_control_number=f"CCN{pid}",
            )
        )
    ln = line(
        1,
        "20",
        procedure_code="J3301",
        modifiers=["JW"],
        units=Decimal("2.5"),
        service_end_date=dt.date(2024, 3, 3),
        place_of_service="22",
        emergency=True,
        epsdt=True,
        family_planning=True,
        note="GIVEN IN OFFICE",
        drug=Drug(ndc="00003029305", quantity=Decimal(40), unit="UN"),
        adjudications=[
            LineAdjudication(
                payer_id=pid,
                paid=Decimal("10"),
                procedure_code="J3301",
                modifiers=["JW"],
                description="TRIAMCINOLONE",
                units=Decimal("2.5"),
                bundled_line=1,
                adjudication_date=dt.date(2024, 4, 1),
                adjustments=[
                    Adjustment(group="CO", reason="45", amount=Decimal("5"), quantity=Decimal(1)),
                    Adjustment(group="PR", reason="2", amount=Decimal("5")),
                ],
                remaining_patient_liability=Decimal("5"),
            )
            for pid in ("PRIM01", "SECD02")
        ],
    )
    return claim(
        "TERT-1",
        subscriber=sub,
        patient=child(),
        lines=[ln],
        frequency=ClaimFrequency.VOID,
        payer_claim_number="ORIG-77",
        related_causes=["AA", "EM"],
        accident_state="TX",
        delay_reason="7",
        patient_signature_source="P",
        dates=[
            ClaimDate(qualifier="439", start=dt.date(2024, 2, 28)),
            ClaimDate(qualifier="360", start=dt.date(2024, 2, 28), end=dt.date(2024, 3, 10)),
        ],
        patient_paid=Decimal("5"),
        referral_number="REF1",
        prior_authorization="AUTH2",
        medical_record_number="MRN3",
        note="SEE ATTACHED",
        referring=Provider(name=Name(last="DOE", first="JOHN"), npi=luhn_npi("112233445")),
        primary_care=Provider(name=Name(last="ROE", first="JANE", middle="Q", suffix="JR")),
        rendering=RenderingProvider(
            name=Name(last="WELBY", first="MARCUS"),
            npi=luhn_npi("998877665"),
            taxonomy="207Q00000X",
        ),
        service_facility=ServiceFacility(
            name="CITY CLINIC",
            address=Address(line1="9 B ST", city="AUSTIN", state="TX", postal_code="787010002"),
            npi=luhn_npi("135792468"),
        ),
        supervising=Provider(name=Name(last="HOUSE", first="GREG"), npi=luhn_npi("246813579")),
        other_payers=payers,
    )


def test_every_feature_in_one_file_passes_pyx12() -> None:
    """Secondary with COB loops, tertiary, frequencies 1/7/8 with REF*F8, NDC, 12 diagnoses,
    4 modifiers, patients who are not the subscriber, all 2310 providers, claim dates."""
    b = batch(
        [
            claim("ORIG-1"),
            secondary_claim(),
            _tertiary_claim(),  # type: ignore[list-item]
            claim("SELF-2", billing_provider=billing("OTHER GROUP")),
        ]
    )
    text = interchange([b])
    assert_valid(text)
    assert read_837p(text) == [b]


def test_two_sets_in_one_interchange_pass_pyx12() -> None:
    b = batch([claim(f"P{i}") for i in range(7)] + [secondary_claim()])
    parts = split_claims(b, max_claims=4)
    text = interchange(parts)
    assert_valid(text)
    assert read_837p(text) == parts


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(batches(min_claims=2, max_claims=6, max_lines=5))
def test_written_837p_passes_pyx12(b: ProfessionalClaimBatch) -> None:
    text = interchange([b])
    assert_valid(text)
    assert read_837p(text) == [b]


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(batches(max_claims=3, max_lines=3), min_size=2, max_size=3))
def test_several_sets_pass_pyx12(bs: list[ProfessionalClaimBatch]) -> None:
    assert_valid(interchange(bs))
