"""CMS-1500 (02/12) layout: boxes filled from claim facts, pages of six, grid positions."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from openrcm.core.claims.cms1500 import (
    COLUMNS,
    POSITIONS,
    ROWS,
    BillingProvider,
    ClaimFacts,
    Insured,
    OtherInsured,
    PersonName,
    PostalAddress,
    ProviderRef,
    ServiceFacility,
    ServiceLineFacts,
    cms1500_fields,
    cms1500_forms,
    insurance_type,
    pointer_letters,
    split_pages,
)

DOS = dt.date(2026, 3, 9)


def line(n: int, **kw: object) -> ServiceLineFacts:
    base = ServiceLineFacts(
        date_from=DOS,
        procedure="99213",
        charge=Decimal("100.00") + n,
        pointers=(1,),
        rendering_npi="1234567893",
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def facts(lines: int = 2, **kw: object) -> ClaimFacts:
    base = ClaimFacts(
        payer_name="Acme Health",
        payer_address=PostalAddress("PO Box 1", "", "Dallas", "TX", "75201"),
        claim_filing_indicator="CI",
        insured=Insured(
            member_id="XYZ123456",
            name=PersonName("Doe", "John", "Quincy"),
            address=PostalAddress("1 Main St", "", "Austin", "TX", "787010001", "5125550100"),
            date_of_birth=dt.date(1970, 5, 4),
            sex="M",
            group_number="GRP-77",
            plan_name="Acme PPO",
        ),
        patient_name=PersonName("Doe", "Jane"),
        patient_date_of_birth=dt.date(2010, 1, 2),
        patient_sex="F",
        patient_address=PostalAddress("1 Main St", "", "Austin", "TX", "78701"),
        relationship="19",
        patient_account_number="1C00000042",
        diagnoses=("E11.9", "I10", "Z00.00"),
        lines=tuple(line(n) for n in range(lines)),
        billing=BillingProvider(
            "Sunrise Family Medicine",
            PostalAddress("9 Clinic Rd", "", "Austin", "TX", "78702", "5125550199"),
            npi="1881234567",
            tax_id="741234567",
        ),
        facility=ServiceFacility("Sunrise Clinic", PostalAddress("9 Clinic Rd"), "1992345678"),
        referring=ProviderRef(PersonName("Smith", "Ann"), "1112223334"),
        rendering_provider="Ann Lee MD",
        signature_date=dt.date(2026, 3, 10),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def texts(form: object) -> dict[str, str]:
    return {p.key: p.text for p in cms1500_fields(form)}  # type: ignore[arg-type]


def test_boxes_filled_from_facts() -> None:
    [form] = cms1500_forms(facts())
    assert form.box1_insurance_type == "group"
    assert form.box1a_insured_id == "XYZ123456"
    assert form.box2_patient_name == "DOE, JANE"
    assert form.box4_insured_name == "DOE, JOHN, Q"
    assert form.box6_relationship == "child"
    assert form.box11_insured_group == "GRP-77"
    assert form.box11d_another_plan is False
    assert form.box21_icd_indicator == "0"
    assert form.box21_diagnoses == ("E11.9", "I10", "Z00.00")
    assert form.box28_total_charge == Decimal("201.00")
    assert isinstance(form.box28_total_charge, Decimal)
    assert form.box33a_billing_npi == "1881234567"
    placed = texts(form)
    assert placed["1.group"] == "X"
    assert placed["6.child"] == "X"
    assert placed["3.mm"] + placed["3.dd"] + placed["3.yy"] == "01022010"
    assert placed["3.sex.F"] == "X"
    assert placed["11a.sex.M"] == "X"
    assert placed["21.ind"] == "0"
    assert placed["21.A"] == "E119" and placed["21.C"] == "Z0000"
    assert placed["24.0.from"] == "03 09 26"
    assert placed["24.1.charge"] == "101 00"
    assert placed["28"] == "201 00"
    assert placed["25.ein"] == "X" and placed["25"] == "741234567"
    assert placed["7.zip"] == "78701-0001"
    assert placed["33.phone"] == "(512) 555-0199"
    assert placed["17.qual"] == "DN" and placed["17"] == "ANN SMITH"
    assert placed["11d.no"] == "X"


def test_secondary_coverage_fills_box_9_and_11d() -> None:
    other = OtherInsured(PersonName("Doe", "Mary"), "SEC-9", "Medigap Plus")
    [form] = cms1500_forms(facts(other_insured=other))
    placed = texts(form)
    assert placed["9"] == "DOE, MARY"
    assert placed["9a"] == "SEC-9"
    assert placed["9d"] == "MEDIGAP PLUS"
    assert placed["11d.yes"] == "X"


def test_eight_lines_make_two_forms_with_the_total_on_the_last() -> None:
    forms = cms1500_forms(facts(lines=8))
    assert [len(f.box24_lines) for f in forms] == [6, 2]
    assert [(f.page, f.pages) for f in forms] == [(1, 2), (2, 2)]
    assert forms[0].box28_total_charge is None
    assert "28" not in texts(forms[0])
    assert forms[1].box28_total_charge == sum(Decimal("100.00") + n for n in range(8))
    assert texts(forms[1])["28"] == "828 00"
    assert forms[1].box24_lines[0].charge == Decimal("106.00")


def test_split_pages() -> None:
    assert split_pages([]) == [[]]
    assert split_pages(list(range(6))) == [list(range(6))]
    assert split_pages(list(range(13))) == [list(range(6)), list(range(6, 12)), [12]]


def test_pointers_print_as_letters() -> None:
    assert pointer_letters((1, 3, 12)) == "ACL"
    with pytest.raises(ValueError):
        pointer_letters((13,))
    [form] = cms1500_forms(facts(lines=0))
    assert form.box24_lines == ()
    [form] = cms1500_forms(replace(facts(lines=0), lines=(line(0, pointers=(2, 3)),)))
    assert form.box24_lines[0].pointers == "BC"
    assert texts(form)["24.0.ptr"] == "BC"


def test_ndc_in_the_shaded_part_above_its_line() -> None:
    drug = line(0, procedure="J3420", ndc="00409-4888-01", ndc_unit="ML", ndc_quantity="1")
    [form] = cms1500_forms(replace(facts(lines=0), lines=(line(1), drug)))
    placed = {p.key: p for p in cms1500_fields(form)}
    assert "24.0.ndc" not in placed
    ndc = placed["24.1.ndc"]
    assert ndc.text == "N400409488801 ML1"
    assert ndc.row == placed["24.1.cpt"].row - 1  # the shaded strip just above the line


def test_resubmission_and_prior_authorization() -> None:
    [form] = cms1500_forms(
        facts(frequency_code="7", payer_claim_number="PCC-1", prior_authorization="AUTH9")
    )
    placed = texts(form)
    assert (placed["22.code"], placed["22.ref"], placed["23"]) == ("7", "PCC-1", "AUTH9")
    [original] = cms1500_forms(facts(payer_claim_number="PCC-1"))
    assert "22.code" not in texts(original)


def test_insurance_type_by_filing_indicator() -> None:
    assert insurance_type("MB") == "medicare"
    assert insurance_type("MC") == "medicaid"
    assert insurance_type("CH") == "tricare"
    assert insurance_type("VA") == "champva"
    assert insurance_type("WC") == "other"


def test_positions_fit_the_sheet_and_values_fit_their_boxes() -> None:
    for key, pos in POSITIONS.items():
        assert pos.col >= 0 and pos.col + pos.width <= COLUMNS, key
        assert 0 <= pos.row < ROWS, key
    long_name = PersonName("X" * 60, "Y" * 30)
    [form] = cms1500_forms(facts(patient_name=long_name))
    placed = texts(form)
    assert len(placed["2"]) == POSITIONS["2"].width
    # no two values print over each other
    cells: dict[tuple[int, int], str] = {}
    for p in cms1500_fields(form):
        for i in range(len(p.text)):
            assert (p.col + i, p.row) not in cells, (p.key, cells.get((p.col + i, p.row)))
            cells[(p.col + i, p.row)] = p.key
