"""The CMS-1500 (02/12) paper claim: its data per box, and where each box prints.

Pure layout, no Django and no PDF library. The input is :class:`ClaimFacts` (what an 837P
claim carries; see ../shared/DOMAIN.md, "CMS-1500 (02/12) boxes"); :func:`cms1500_forms` turns
it into one :class:`Cms1500Data` per printed form (six service lines each; a longer claim
continues on further forms with the total charge only on the last); :func:`cms1500_fields`
places a form's values on the form's printer grid.

The grid: the 02/12 form is 8.5 x 11 inches and was designed for printers at 10 characters
per inch and 6 lines per inch, so a position is (column, row) with 85 columns and 66 rows,
counted from 0 at the top left corner of the sheet. A value prints on the baseline of its row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

__all__ = [
    "CHECKBOXES",
    "COLUMNS",
    "FORM_BOXES",
    "LINES_PER_FORM",
    "POSITIONS",
    "ROWS",
    "BillingProvider",
    "ClaimFacts",
    "Cms1500Data",
    "Cms1500Line",
    "FormBox",
    "Insured",
    "OtherInsured",
    "PersonName",
    "PlacedText",
    "Position",
    "PostalAddress",
    "ProviderRef",
    "ServiceFacility",
    "ServiceLineFacts",
    "cms1500_fields",
    "cms1500_forms",
    "insurance_type",
    "pointer_letters",
    "split_pages",
]

COLUMNS: Final = 85  # 8.5 in at 10 characters per inch
ROWS: Final = 66  # 11 in at 6 lines per inch
LINES_PER_FORM: Final = 6
ICD10_INDICATOR: Final = "0"
POINTER_LETTERS: Final = "ABCDEFGHIJKL"
SIGNATURE_ON_FILE: Final = "SIGNATURE ON FILE"

# Box 1 by claim filing indicator (SBR09).
_INSURANCE_TYPE: Final = {
    "MB": "medicare",
    "MA": "medicare",
    "MC": "medicaid",
    "CH": "tricare",
    "VA": "champva",
    "CI": "group",
    "BL": "group",
    "HM": "group",
    "12": "group",
    "13": "group",
    "14": "group",
    "15": "group",
    "16": "group",
}
# Box 6 by the patient's relationship to the insured (SBR02 / PAT01).
_RELATIONSHIP: Final = {"18": "self", "01": "spouse", "19": "child"}


# -- facts: what an 837P claim says ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonName:
    last: str
    first: str = ""
    middle: str = ""

    def display(self) -> str:
        """LAST, FIRST, MIDDLE INITIAL as the form asks (organizations: the name alone)."""
        parts = [self.last]
        if self.first:
            parts.append(self.first)
        if self.middle:
            parts.append(self.middle[:1])
        return ", ".join(p for p in parts if p).upper()


@dataclass(frozen=True, slots=True)
class PostalAddress:
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    phone: str = ""

    @property
    def street(self) -> str:
        return " ".join(p for p in (self.line1, self.line2) if p).upper()

    @property
    def zip_display(self) -> str:
        z = self.zip_code
        return f"{z[:5]}-{z[5:]}" if len(z) == 9 else z


@dataclass(frozen=True, slots=True)
class Insured:
    """The subscriber of the coverage billed (2010BA, SBR)."""

    member_id: str
    name: PersonName
    address: PostalAddress = PostalAddress()
    date_of_birth: dt.date | None = None
    sex: str = ""  # M, F or U
    group_number: str = ""
    plan_name: str = ""


@dataclass(frozen=True, slots=True)
class OtherInsured:
    """Another coverage of the patient (2320 / 2330A / 2330B): boxes 9, 9a, 9d and 11d."""

    name: PersonName
    policy_or_group_number: str = ""
    plan_name: str = ""


@dataclass(frozen=True, slots=True)
class ProviderRef:
    """A referring, ordering or supervising provider (box 17: qualifier DN, DK or DQ)."""

    name: PersonName
    npi: str = ""
    qualifier: str = "DN"


@dataclass(frozen=True, slots=True)
class ServiceFacility:
    name: str
    address: PostalAddress = PostalAddress()
    npi: str = ""


@dataclass(frozen=True, slots=True)
class BillingProvider:
    name: str
    address: PostalAddress
    npi: str
    tax_id: str
    tax_id_is_ssn: bool = False


@dataclass(frozen=True, slots=True)
class ServiceLineFacts:
    """One service line (2400): SV1, DTP*472, LIN/CTP."""

    date_from: dt.date
    procedure: str
    charge: Decimal
    pointers: tuple[int, ...]  # diagnosis positions 1-12
    units: Decimal = Decimal(1)
    date_to: dt.date | None = None
    place_of_service: str = ""
    modifiers: tuple[str, ...] = ()
    emergency: bool = False
    epsdt: str = ""
    rendering_npi: str = ""
    ndc: str = ""
    ndc_unit: str = ""
    ndc_quantity: str = ""


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """A claim to one payer as its 837P carries it."""

    payer_name: str
    claim_filing_indicator: str  # SBR09
    insured: Insured
    patient_name: PersonName
    patient_date_of_birth: dt.date | None
    patient_sex: str
    patient_address: PostalAddress
    relationship: str  # SBR02 / PAT01: 18 self, 01 spouse, 19 child, G8 other
    patient_account_number: str  # CLM01
    diagnoses: tuple[str, ...]
    lines: tuple[ServiceLineFacts, ...]
    billing: BillingProvider
    place_of_service: str = "11"  # CLM05-1, for lines without their own
    payer_address: PostalAddress = PostalAddress()
    other_insured: OtherInsured | None = None
    employment_related: bool = False
    auto_accident: bool = False
    auto_accident_state: str = ""
    other_accident: bool = False
    release_of_information: bool = True  # CLM09
    assignment_of_benefits: bool = True  # CLM08
    accept_assignment: bool = True  # CLM07
    referring: ProviderRef | None = None
    additional_information: str = ""  # NTE
    frequency_code: str = "1"  # CLM05-3
    payer_claim_number: str = ""  # REF*F8
    prior_authorization: str = ""  # REF*G1
    amount_paid: Decimal = Decimal("0.00")  # AMT*F5
    facility: ServiceFacility | None = None  # 2310C
    rendering_provider: str = ""  # box 31: the physician or supplier
    signature_date: dt.date | None = None


# -- the form's data ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cms1500Line:
    """Box 24, one service line as printed; `ndc` is the shaded part above it."""

    date_from: dt.date
    date_to: dt.date
    place_of_service: str  # 24B
    emergency: str  # 24C: "Y" or ""
    procedure: str  # 24D
    modifiers: tuple[str, ...]
    pointers: str  # 24E: letters A-L
    charge: Decimal  # 24F
    units: Decimal  # 24G
    epsdt: str  # 24H
    rendering_npi: str  # 24J
    ndc: str  # shaded: "N4" + 11 digits, unit qualifier and quantity


@dataclass(frozen=True, slots=True)
class Cms1500Data:
    """Everything one printed CMS-1500 (02/12) form says, box by box."""

    carrier_name: str
    carrier_address: PostalAddress
    box1_insurance_type: str  # medicare, medicaid, tricare, champva, group, feca, other
    box1a_insured_id: str
    box2_patient_name: str
    box3_patient_birth_date: dt.date | None
    box3_patient_sex: str
    box4_insured_name: str
    box5_patient_address: PostalAddress
    box6_relationship: str  # self, spouse, child, other
    box7_insured_address: PostalAddress
    box9_other_insured_name: str
    box9a_other_insured_policy: str
    box9d_other_plan_name: str
    box10a_employment: bool
    box10b_auto_accident: bool
    box10b_state: str
    box10c_other_accident: bool
    box11_insured_group: str
    box11a_insured_birth_date: dt.date | None
    box11a_insured_sex: str
    box11c_plan_name: str
    box11d_another_plan: bool
    box12_patient_signature: str
    box12_date: dt.date | None
    box13_insured_signature: str
    box17_qualifier: str
    box17_name: str
    box17b_npi: str
    box19_additional_information: str
    box20_outside_lab: bool
    box21_icd_indicator: str
    box21_diagnoses: tuple[str, ...]  # A-L, up to 12
    box22_resubmission_code: str
    box22_original_reference: str
    box23_prior_authorization: str
    box24_lines: tuple[Cms1500Line, ...]  # at most six
    box25_tax_id: str
    box25_is_ssn: bool
    box26_account_number: str
    box27_accept_assignment: bool
    box28_total_charge: Decimal | None  # on the last form of a claim only
    box29_amount_paid: Decimal | None
    box31_signature: str
    box31_date: dt.date | None
    box32_facility_name: str
    box32_facility_address: PostalAddress
    box32a_facility_npi: str
    box33_billing_name: str
    box33_billing_address: PostalAddress
    box33a_billing_npi: str
    page: int = 1
    pages: int = 1


def split_pages[T](lines: Sequence[T], per_page: int = LINES_PER_FORM) -> list[list[T]]:
    """Service lines in pages of `per_page` (six per form); a claim with no lines is one page."""
    if per_page < 1:
        raise ValueError("per_page must be at least 1")
    pages = [list(lines[i : i + per_page]) for i in range(0, len(lines), per_page)]
    return pages or [[]]


def pointer_letters(pointers: Sequence[int]) -> str:
    """Diagnosis positions 1-12 as box 24E's letters: (1, 3) -> "AC"."""
    out = []
    for p in pointers:
        if not 1 <= p <= len(POINTER_LETTERS):
            raise ValueError(f"diagnosis pointer {p} is not 1-12")
        out.append(POINTER_LETTERS[p - 1])
    return "".join(out)


def insurance_type(claim_filing_indicator: str) -> str:
    """Box 1's checkbox for an SBR09 code."""
    return _INSURANCE_TYPE.get(claim_filing_indicator, "other")


def _line(facts: ClaimFacts, line: ServiceLineFacts) -> Cms1500Line:
    ndc = ""
    if line.ndc:
        ndc = f"N4{line.ndc.replace('-', '')} {line.ndc_unit}{line.ndc_quantity}".strip()
    return Cms1500Line(
        date_from=line.date_from,
        date_to=line.date_to or line.date_from,
        place_of_service=line.place_of_service or facts.place_of_service,
        emergency="Y" if line.emergency else "",
        procedure=line.procedure,
        modifiers=tuple(line.modifiers[:4]),
        pointers=pointer_letters(line.pointers[:4]),
        charge=line.charge,
        units=line.units,
        epsdt=line.epsdt,
        rendering_npi=line.rendering_npi,
        ndc=ndc,
    )


def cms1500_forms(facts: ClaimFacts) -> list[Cms1500Data]:
    """The forms a claim prints on: six lines each, the total charge only on the last."""
    if len(facts.diagnoses) > len(POINTER_LETTERS):
        raise ValueError("a CMS-1500 holds at most 12 diagnoses")
    pages = split_pages([_line(facts, line) for line in facts.lines])
    total = sum((line.charge for line in facts.lines), Decimal("0.00"))
    other = facts.other_insured
    insured = facts.insured
    facility = facts.facility
    referring = facts.referring
    resubmission = facts.frequency_code if facts.frequency_code in ("7", "8") else ""
    forms = []
    for number, lines in enumerate(pages, start=1):
        last = number == len(pages)
        forms.append(
            Cms1500Data(
                carrier_name=facts.payer_name.upper(),
                carrier_address=facts.payer_address,
                box1_insurance_type=insurance_type(facts.claim_filing_indicator),
                box1a_insured_id=insured.member_id,
                box2_patient_name=facts.patient_name.display(),
                box3_patient_birth_date=facts.patient_date_of_birth,
                box3_patient_sex=facts.patient_sex,
                box4_insured_name=insured.name.display(),
                box5_patient_address=facts.patient_address,
                box6_relationship=_RELATIONSHIP.get(facts.relationship, "other"),
                box7_insured_address=insured.address,
                box9_other_insured_name=other.name.display() if other else "",
                box9a_other_insured_policy=other.policy_or_group_number if other else "",
                box9d_other_plan_name=other.plan_name.upper() if other else "",
                box10a_employment=facts.employment_related,
                box10b_auto_accident=facts.auto_accident,
                box10b_state=facts.auto_accident_state,
                box10c_other_accident=facts.other_accident,
                box11_insured_group=insured.group_number,
                box11a_insured_birth_date=insured.date_of_birth,
                box11a_insured_sex=insured.sex,
                box11c_plan_name=insured.plan_name.upper(),
                box11d_another_plan=other is not None,
                box12_patient_signature=SIGNATURE_ON_FILE if facts.release_of_information else "",
                box12_date=facts.signature_date if facts.release_of_information else None,
                box13_insured_signature=(SIGNATURE_ON_FILE if facts.assignment_of_benefits else ""),
                box17_qualifier=referring.qualifier if referring else "",
                box17_name=_first_last(referring.name) if referring else "",
                box17b_npi=referring.npi if referring else "",
                box19_additional_information=facts.additional_information.upper(),
                box20_outside_lab=False,
                box21_icd_indicator=ICD10_INDICATOR,
                box21_diagnoses=tuple(facts.diagnoses),
                box22_resubmission_code=resubmission,
                box22_original_reference=facts.payer_claim_number if resubmission else "",
                box23_prior_authorization=facts.prior_authorization,
                box24_lines=tuple(lines),
                box25_tax_id=facts.billing.tax_id,
                box25_is_ssn=facts.billing.tax_id_is_ssn,
                box26_account_number=facts.patient_account_number,
                box27_accept_assignment=facts.accept_assignment,
                box28_total_charge=total if last else None,
                box29_amount_paid=facts.amount_paid if last else None,
                box31_signature=facts.rendering_provider.upper(),
                box31_date=facts.signature_date,
                box32_facility_name=facility.name.upper() if facility else "",
                box32_facility_address=facility.address if facility else PostalAddress(),
                box32a_facility_npi=facility.npi if facility else "",
                box33_billing_name=facts.billing.name.upper(),
                box33_billing_address=facts.billing.address,
                box33a_billing_npi=facts.billing.npi,
                page=number,
                pages=len(pages),
            )
        )
    return forms


def _first_last(name: PersonName) -> str:
    return " ".join(p for p in (name.first, name.middle[:1], name.last) if p).upper()


# -- the printer grid -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Position:
    """Where a value prints: its first column and its row, and how many characters fit."""

    col: int
    row: int
    width: int
    align: str = "left"  # "left" or "right" (right: the value ends at col + width)


@dataclass(frozen=True, slots=True)
class PlacedText:
    key: str
    text: str
    col: int
    row: int


@dataclass(frozen=True, slots=True)
class FormBox:
    """A box of the printed form (for the full-form PDF): its number, label and outline."""

    number: str
    label: str
    col0: float
    row0: float
    col1: float
    row1: float
    shaded: bool = False


CHECKBOXES: Final[set[str]] = set()


def _checks(prefix: str, row: int, cols: dict[str, int]) -> dict[str, Position]:
    CHECKBOXES.update(f"{prefix}.{name}" for name in cols)
    return {f"{prefix}.{name}": Position(col, row, 1) for name, col in cols.items()}


def _build_positions() -> dict[str, Position]:
    p: dict[str, Position] = {
        # carrier block, top right
        "carrier.name": Position(50, 2, 34),
        "carrier.street": Position(50, 3, 34),
        "carrier.city": Position(50, 4, 34),
        "1a": Position(50, 8, 34),
        "2": Position(1, 10, 28),
        "3.mm": Position(31, 10, 2),
        "3.dd": Position(34, 10, 2),
        "3.yy": Position(37, 10, 4),
        "4": Position(50, 10, 34),
        "5.street": Position(1, 12, 28),
        "5.city": Position(1, 14, 24),
        "5.state": Position(26, 14, 2),
        "5.zip": Position(1, 16, 12),
        "5.phone": Position(15, 16, 14),
        "7.street": Position(50, 12, 34),
        "7.city": Position(50, 14, 24),
        "7.state": Position(76, 14, 2),
        "7.zip": Position(50, 16, 12),
        "7.phone": Position(65, 16, 19),
        "9": Position(1, 18, 28),
        "11": Position(50, 18, 34),
        "9a": Position(1, 20, 28),
        "11a.mm": Position(53, 20, 2),
        "11a.dd": Position(56, 20, 2),
        "11a.yy": Position(59, 20, 4),
        "10b.state": Position(45, 22, 2),
        "11c": Position(50, 24, 34),
        "9d": Position(1, 26, 28),
        "12": Position(6, 30, 24),
        "12.date": Position(37, 30, 10),
        "13": Position(56, 30, 28),
        "17.qual": Position(1, 34, 2),
        "17": Position(4, 34, 25),
        "17b": Position(33, 34, 15),
        "19": Position(1, 36, 47),
        "21.ind": Position(44, 36, 1),
        "22.code": Position(50, 38, 6),
        "22.ref": Position(62, 38, 22),
        "23": Position(50, 40, 34),
        "25": Position(1, 57, 15),
        "26": Position(23, 57, 14),
        "28": Position(50, 57, 10, "right"),
        "29": Position(63, 57, 9, "right"),
        "31": Position(1, 60, 21),
        "31.date": Position(1, 62, 21),
        "32.name": Position(23, 59, 26),
        "32.street": Position(23, 60, 26),
        "32.city": Position(23, 61, 26),
        "32a": Position(24, 62, 10),
        "33.phone": Position(68, 58, 16),
        "33.name": Position(50, 59, 34),
        "33.street": Position(50, 60, 34),
        "33.city": Position(50, 61, 34),
        "33a": Position(51, 62, 10),
    }
    p |= _checks(
        "1",
        8,
        {
            "medicare": 1,
            "medicaid": 8,
            "tricare": 15,
            "champva": 24,
            "group": 31,
            "feca": 39,
            "other": 45,
        },
    )
    p |= _checks("3.sex", 10, {"M": 42, "F": 47})
    p |= _checks("6", 12, {"self": 32, "spouse": 37, "child": 42, "other": 47})
    p |= _checks("10a", 20, {"yes": 34, "no": 40})
    p |= _checks("10b", 22, {"yes": 34, "no": 40})
    p |= _checks("10c", 24, {"yes": 34, "no": 40})
    p |= _checks("11a.sex", 20, {"M": 68, "F": 75})
    p |= _checks("11d", 26, {"yes": 51, "no": 57})
    p |= _checks("20", 36, {"yes": 51, "no": 57})
    p |= _checks("25", 57, {"ssn": 17, "ein": 19})
    p |= _checks("27", 57, {"yes": 38, "no": 43})
    for i, letter in enumerate(POINTER_LETTERS):
        p[f"21.{letter}"] = Position(3 + (i % 4) * 12, 38 + i // 4, 8)
    for n in range(LINES_PER_FORM):
        row = 45 + 2 * n
        p |= {
            f"24.{n}.ndc": Position(1, row - 1, 48),
            f"24.{n}.from": Position(1, row, 8),
            f"24.{n}.to": Position(10, row, 8),
            f"24.{n}.pos": Position(19, row, 2),
            f"24.{n}.emg": Position(22, row, 1),
            f"24.{n}.cpt": Position(24, row, 6),
            f"24.{n}.mod": Position(31, row, 11),
            f"24.{n}.ptr": Position(43, row, 4),
            f"24.{n}.charge": Position(48, row, 9, "right"),
            f"24.{n}.units": Position(58, row, 4),
            f"24.{n}.epsdt": Position(63, row, 2),
            f"24.{n}.npi": Position(70, row, 11),
        }
    return p


POSITIONS: Final[dict[str, Position]] = _build_positions()


def _form_boxes() -> list[FormBox]:
    b = FormBox
    boxes = [
        b("1", "MEDICARE  MEDICAID  TRICARE  CHAMPVA  GROUP HEALTH PLAN  FECA  OTHER", 0, 7, 49, 9),
        b("1a", "INSURED'S I.D. NUMBER", 49, 7, 85, 9),
        b("2", "PATIENT'S NAME (Last, First, Middle Initial)", 0, 9, 29, 11),
        b("3", "PATIENT'S BIRTH DATE    SEX", 29, 9, 49, 11),
        b("4", "INSURED'S NAME (Last, First, Middle Initial)", 49, 9, 85, 11),
        b("5", "PATIENT'S ADDRESS (No., Street)", 0, 11, 29, 13),
        b("6", "PATIENT RELATIONSHIP TO INSURED", 29, 11, 49, 13),
        b("7", "INSURED'S ADDRESS (No., Street)", 49, 11, 85, 13),
        b("", "CITY                         STATE", 0, 13, 29, 15),
        b("8", "RESERVED FOR NUCC USE", 29, 13, 49, 17),
        b("", "CITY                                   STATE", 49, 13, 85, 15),
        b("", "ZIP CODE     TELEPHONE", 0, 15, 29, 17),
        b("", "ZIP CODE             TELEPHONE", 49, 15, 85, 17),
        b("9", "OTHER INSURED'S NAME", 0, 17, 29, 19),
        b("10", "IS PATIENT'S CONDITION RELATED TO:", 29, 17, 49, 19),
        b("11", "INSURED'S POLICY GROUP OR FECA NUMBER", 49, 17, 85, 19),
        b("9a", "OTHER INSURED'S POLICY OR GROUP NUMBER", 0, 19, 29, 21),
        b("10a", "EMPLOYMENT?   YES    NO", 29, 19, 49, 21),
        b("11a", "INSURED'S DATE OF BIRTH        SEX", 49, 19, 85, 21),
        b("9b", "RESERVED FOR NUCC USE", 0, 21, 29, 23),
        b("10b", "AUTO ACCIDENT? YES   NO  PLACE", 29, 21, 49, 23),
        b("11b", "OTHER CLAIM ID", 49, 21, 85, 23),
        b("9c", "RESERVED FOR NUCC USE", 0, 23, 29, 25),
        b("10c", "OTHER ACCIDENT? YES  NO", 29, 23, 49, 25),
        b("11c", "INSURANCE PLAN NAME OR PROGRAM NAME", 49, 23, 85, 25),
        b("9d", "INSURANCE PLAN NAME OR PROGRAM NAME", 0, 25, 29, 27),
        b("10d", "CLAIM CODES", 29, 25, 49, 27),
        b("11d", "IS THERE ANOTHER HEALTH BENEFIT PLAN?  YES    NO", 49, 25, 85, 27),
        b("12", "PATIENT'S OR AUTHORIZED PERSON'S SIGNATURE            DATE", 0, 27, 49, 31),
        b("13", "INSURED'S OR AUTHORIZED PERSON'S SIGNATURE", 49, 27, 85, 31),
        b("14", "DATE OF CURRENT ILLNESS", 0, 31, 29, 33),
        b("15", "OTHER DATE", 29, 31, 49, 33),
        b("16", "DATES PATIENT UNABLE TO WORK", 49, 31, 85, 33),
        b("17", "NAME OF REFERRING PROVIDER", 0, 33, 29, 35),
        b("17b", "NPI", 29, 33, 49, 35),
        b("18", "HOSPITALIZATION DATES", 49, 33, 85, 35),
        b("19", "ADDITIONAL CLAIM INFORMATION", 0, 35, 49, 37),
        b("20", "OUTSIDE LAB?  YES    NO     $ CHARGES", 49, 35, 85, 37),
        b("21", "DIAGNOSIS OR NATURE OF ILLNESS OR INJURY      ICD Ind.", 0, 37, 49, 41),
        b("22", "RESUBMISSION CODE     ORIGINAL REF. NO.", 49, 37, 85, 39),
        b("23", "PRIOR AUTHORIZATION NUMBER", 49, 39, 85, 41),
        b("24A", "DATE(S) OF SERVICE  From / To", 0, 41, 19, 44),
        b("B", "POS", 19, 41, 21.5, 44),
        b("C", "EMG", 21.5, 41, 23.5, 44),
        b("D", "PROCEDURES / MODIFIER", 23.5, 41, 42.5, 44),
        b("E", "DX PTR", 42.5, 41, 47.5, 44),
        b("F", "$ CHARGES", 47.5, 41, 57.5, 44),
        b("G", "UNITS", 57.5, 41, 62.5, 44),
        b("H", "EPSDT", 62.5, 41, 65.5, 44),
        b("I", "ID QUAL", 65.5, 41, 69.5, 44),
        b("J", "RENDERING PROVIDER ID #", 69.5, 41, 85, 44),
        b("25", "FEDERAL TAX I.D. NUMBER   SSN EIN", 0, 56, 22, 58),
        b("26", "PATIENT'S ACCOUNT NO.", 22, 56, 37, 58),
        b("27", "ACCEPT ASSIGNMENT? YES NO", 37, 56, 47.5, 58),
        b("28", "TOTAL CHARGE", 47.5, 56, 61, 58),
        b("29", "AMOUNT PAID", 61, 56, 73, 58),
        b("30", "Rsvd for NUCC", 73, 56, 85, 58),
        b("31", "SIGNATURE OF PHYSICIAN OR SUPPLIER", 0, 58, 22, 63),
        b("32", "SERVICE FACILITY LOCATION INFORMATION", 22, 58, 49, 63),
        b("33", "BILLING PROVIDER INFO & PH #", 49, 58, 85, 63),
    ]
    for n in range(LINES_PER_FORM):
        top = 44 + 2 * n
        boxes.append(b(str(n + 1), "", 0, top, 85, top + 1, shaded=True))
        boxes.append(b("", "", 0, top + 1, 85, top + 2))
    return boxes


FORM_BOXES: Final[list[FormBox]] = _form_boxes()
# Column rules drawn through the six service lines (full-form PDF).
LINE_RULES: Final = (9.5, 19, 21.5, 23.5, 30.5, 42.5, 47.5, 57.5, 62.5, 65.5, 69.5)


# -- placing a form's values ----------------------------------------------------------------------


def _date8(day: dt.date | None) -> str:
    return day.strftime("%m %d %y") if day else ""


def _money(amount: Decimal) -> str:
    """Dollars and cents with a space for the point, as the form's split money fields want."""
    text = f"{amount.quantize(Decimal('0.01')):.2f}"
    dollars, cents = text.split(".")
    return f"{dollars} {cents}"


def _units(units: Decimal) -> str:
    return str(units.normalize()) if units == units.to_integral_value() else str(units)


def _city_line(address: PostalAddress) -> tuple[str, str]:
    return address.city.upper(), address.state.upper()


def _phone(phone: str) -> str:
    return f"({phone[:3]}) {phone[3:6]}-{phone[6:]}" if len(phone) == 10 else phone


@dataclass
class _Placer:
    out: list[PlacedText] = field(default_factory=list)

    def put(self, key: str, text: str) -> None:
        if not text:
            return
        pos = POSITIONS[key]
        text = text[: pos.width]
        col = pos.col + pos.width - len(text) if pos.align == "right" else pos.col
        self.out.append(PlacedText(key, text, col, pos.row))

    def check(self, key: str) -> None:
        self.put(key, "X")


def cms1500_fields(data: Cms1500Data) -> list[PlacedText]:
    """Every value of a form at its grid position (truncated to its box's width)."""
    p = _Placer()
    p.put("carrier.name", data.carrier_name)
    p.put("carrier.street", data.carrier_address.street)
    city, state = _city_line(data.carrier_address)
    p.put("carrier.city", " ".join(x for x in (city, state, data.carrier_address.zip_display) if x))
    p.check(f"1.{data.box1_insurance_type}")
    p.put("1a", data.box1a_insured_id)
    p.put("2", data.box2_patient_name)
    if data.box3_patient_birth_date:
        d = data.box3_patient_birth_date
        p.put("3.mm", f"{d:%m}")
        p.put("3.dd", f"{d:%d}")
        p.put("3.yy", f"{d:%Y}")
    if data.box3_patient_sex in ("M", "F"):
        p.check(f"3.sex.{data.box3_patient_sex}")
    p.put("4", data.box4_insured_name)
    for box, address in (("5", data.box5_patient_address), ("7", data.box7_insured_address)):
        p.put(f"{box}.street", address.street)
        city, state = _city_line(address)
        p.put(f"{box}.city", city)
        p.put(f"{box}.state", state)
        p.put(f"{box}.zip", address.zip_display)
        p.put(f"{box}.phone", _phone(address.phone))
    p.check(f"6.{data.box6_relationship}")
    p.put("9", data.box9_other_insured_name)
    p.put("9a", data.box9a_other_insured_policy)
    p.put("9d", data.box9d_other_plan_name)
    p.check("10a.yes" if data.box10a_employment else "10a.no")
    p.check("10b.yes" if data.box10b_auto_accident else "10b.no")
    p.put("10b.state", data.box10b_state)
    p.check("10c.yes" if data.box10c_other_accident else "10c.no")
    p.put("11", data.box11_insured_group)
    if data.box11a_insured_birth_date:
        d = data.box11a_insured_birth_date
        p.put("11a.mm", f"{d:%m}")
        p.put("11a.dd", f"{d:%d}")
        p.put("11a.yy", f"{d:%Y}")
    if data.box11a_insured_sex in ("M", "F"):
        p.check(f"11a.sex.{data.box11a_insured_sex}")
    p.put("11c", data.box11c_plan_name)
    p.check("11d.yes" if data.box11d_another_plan else "11d.no")
    p.put("12", data.box12_patient_signature)
    p.put("12.date", _date8(data.box12_date))
    p.put("13", data.box13_insured_signature)
    p.put("17.qual", data.box17_qualifier if data.box17_name else "")
    p.put("17", data.box17_name)
    p.put("17b", data.box17b_npi)
    p.put("19", data.box19_additional_information)
    p.check("20.yes" if data.box20_outside_lab else "20.no")
    p.put("21.ind", data.box21_icd_indicator)
    for letter, code in zip(POINTER_LETTERS, data.box21_diagnoses, strict=False):
        p.put(f"21.{letter}", code.replace(".", ""))
    p.put("22.code", data.box22_resubmission_code)
    p.put("22.ref", data.box22_original_reference)
    p.put("23", data.box23_prior_authorization)
    for n, line in enumerate(data.box24_lines):
        p.put(f"24.{n}.ndc", line.ndc)
        p.put(f"24.{n}.from", _date8(line.date_from))
        p.put(f"24.{n}.to", _date8(line.date_to))
        p.put(f"24.{n}.pos", line.place_of_service)
        p.put(f"24.{n}.emg", line.emergency)
        p.put(f"24.{n}.cpt", line.procedure)
        p.put(f"24.{n}.mod", " ".join(line.modifiers))
        p.put(f"24.{n}.ptr", line.pointers)
        p.put(f"24.{n}.charge", _money(line.charge))
        p.put(f"24.{n}.units", _units(line.units))
        p.put(f"24.{n}.epsdt", line.epsdt)
        p.put(f"24.{n}.npi", line.rendering_npi)
    p.put("25", data.box25_tax_id)
    p.check("25.ssn" if data.box25_is_ssn else "25.ein")
    p.put("26", data.box26_account_number)
    p.check("27.yes" if data.box27_accept_assignment else "27.no")
    if data.box28_total_charge is not None:
        p.put("28", _money(data.box28_total_charge))
    if data.box29_amount_paid is not None:
        p.put("29", _money(data.box29_amount_paid))
    p.put("31", data.box31_signature)
    p.put("31.date", _date8(data.box31_date))
    p.put("32.name", data.box32_facility_name)
    p.put("32.street", data.box32_facility_address.street)
    city, state = _city_line(data.box32_facility_address)
    p.put("32.city", _city_state_zip(city, state, data.box32_facility_address.zip_display))
    p.put("32a", data.box32a_facility_npi)
    p.put("33.phone", _phone(data.box33_billing_address.phone))
    p.put("33.name", data.box33_billing_name)
    p.put("33.street", data.box33_billing_address.street)
    city, state = _city_line(data.box33_billing_address)
    p.put("33.city", _city_state_zip(city, state, data.box33_billing_address.zip_display))
    p.put("33a", data.box33a_billing_npi)
    return p.out


def _city_state_zip(city: str, state: str, zip_code: str) -> str:
    head = f"{city} {state}".strip()
    return f"{head} {zip_code}".strip()
