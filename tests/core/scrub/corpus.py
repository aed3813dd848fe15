"""The scrubber's acceptance corpus: clean claims of varied specialties that must pass with no
finding, and claims each carrying one known defect with the rule id it must trigger.

Everything here is synthetic: patients, NPIs (valid check digits from ``make_npi``), payers,
and the NCCI files (written in the CMS file layouts but with made-up pairs and limits).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from openrcm.core.codes.hcpcs import HcpcsTable, read_hcpcs_file
from openrcm.core.codes.ncci import MueTable, PtpTable, read_mue_file, read_ptp_file
from openrcm.core.identifiers import make_npi
from openrcm.core.money import Money
from openrcm.core.scrub.conditions import rules_from_json
from openrcm.core.scrub.context import ClaimIndex, ScrubContext, ServiceRecord
from openrcm.core.scrub.snapshot import (
    Adjustment,
    BillingProvider,
    ClaimSnapshot,
    Coverage,
    Patient,
    Payer,
    PriorLineAdjudication,
    PriorPayer,
    ServiceLine,
    Subscriber,
)

TODAY = date(2026, 6, 15)
DOS = date(2026, 6, 1)

BILLING_NPI = make_npi("123456789")
RENDERING_NPI = make_npi("198765432")
REFERRING_NPI = make_npi("155555555")
FACILITY_NPI = make_npi("144444444")
OTHER_RENDERING_NPI = make_npi("133333333")


def bad_npi(npi: str) -> str:
    """The same NPI with a wrong check digit."""
    return npi[:9] + str((int(npi[9]) + 1) % 10)


# -- synthetic NCCI files in the CMS layouts ------------------------------------------------

PTP_FILE = """\
CMS National Correct Coding Initiative: Practitioner PTP edits (synthetic test file)
CPT codes, descriptions and other data only are copyright the American Medical Association.
Column 1\tColumn 2\t* = In existence prior to 1996\tEffective Date\tDeletion Date *=no data\t\
Modifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale
\t\t\t\t\t\t
93000\t93005\t*\t19960101\t*\t0\tMisuse of column two code with column one code
20610\t20605\t\t20100101\t*\t1\tStandards of medical / surgical practice
97530\t97140\t\t20200101\t*\t1\tMutually exclusive procedures
36415\t36416\t\t20100101\t20250101\t0\tDeleted edit (synthetic)
80053\t80048\t\t20100101\t*\t9\tEdit not applicable (synthetic)
"""

MUE_FILE = """\
"Practitioner Services MUE Table (synthetic test file)"
"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator","MUE Rationale"
"20610","1","1 Line Edit","Anatomic Consideration"
"99213","1","2 Date of Service Edit: Policy","Nature of Service/Procedure"
"11721","1","2 Date of Service Edit: Policy","Nature of Service/Procedure"
"96372","4","3 Date of Service Edit: Clinical","Clinical: Data"
"J3301","24","3 Date of Service Edit: Clinical","Clinical: Data"
"80053","1","2 Date of Service Edit: Policy","CMS Policy"
"""

HCPCS_FILE = """\
HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION,ADD DT,ACT EFF DT,TERM DT,ACTION CD
G0008,00100,3,Synthetic: giving a flu vaccine,Flu vaccine admin,20000101,20000101,,N
J1885,00100,3,Synthetic: ketorolac injection per 15 mg,Ketorolac inj,20000101,20000101,,N
J3301,00100,3,Synthetic: triamcinolone injection per 10 mg,Triamcinolone inj,20000101,\
20000101,,N
J0000,00100,3,Synthetic: a drug code terminated at the end of 2025,Old drug,20000101,20000101,\
20251231,D
99213,00100,3,Level I rows are skipped,skipped,20000101,20000101,,N
"""

PAYER_RULES = """\
[
  {
    "id": "PAYER-ACME-001",
    "version": 1,
    "severity": "error",
    "title": "Acme: advanced imaging needs a prior authorization",
    "message": "Line {line}: {payer} pays {procedure} only with a prior authorization number: \
obtain it and enter it on the claim.",
    "citation": "Acme Health provider manual 2026, section 7.3 (synthetic)",
    "payer": "00435",
    "when": {"all": [
      {"field": "line.procedure", "in": ["70551", "70553", "72148"]},
      {"field": "claim.prior_authorization", "exists": false}
    ]}
  },
  {
    "id": "PAYER-MCD-001",
    "version": 2,
    "severity": "error",
    "title": "Medicaid: EPSDT well-child visits carry modifier EP",
    "message": "Line {line}: Medicaid well-child visit {procedure} needs modifier EP.",
    "citation": "State Medicaid EPSDT billing guide 2026, chapter 3 (synthetic)",
    "when": {"all": [
      {"field": "payer.filing_indicator", "eq": "MC"},
      {"field": "patient.age", "lt": 21},
      {"field": "line.procedure", "starts_with": ["9938", "9939"]},
      {"field": "line.modifiers", "not_contains": "EP"}
    ]}
  }
]
"""


@cache
def ptp_table() -> PtpTable:
    return read_ptp_file(PTP_FILE.splitlines(), name="ptp-synthetic.txt")


@cache
def mue_table() -> MueTable:
    return read_mue_file(MUE_FILE.splitlines(), name="mue-synthetic.csv")


@cache
def hcpcs_table() -> HcpcsTable:
    return read_hcpcs_file(HCPCS_FILE.splitlines(), name="hcpcs-synthetic.csv")


# -- builders ---------------------------------------------------------------------------------


def line(
    number: int,
    procedure: str,
    charge: str,
    *,
    units: str = "1",
    modifiers: tuple[str, ...] = (),
    pointers: tuple[int, ...] = (1,),
    day: date | None = DOS,
    **extra: object,
) -> ServiceLine:
    return ServiceLine(
        number=number,
        procedure=procedure,
        charge=Money(Decimal(charge)),
        units=Decimal(units),
        modifiers=modifiers,
        pointers=pointers,
        service_date=day,
        **extra,  # type: ignore[arg-type]
    )


def patient(key: str, birth: date, sex: str, **extra: object) -> Patient:
    return Patient(key=key, birth_date=birth, sex=sex, last_name="Doe", first_name=key, **extra)  # type: ignore[arg-type]


def claim(
    pcn: str,
    *,
    lines: tuple[ServiceLine, ...],
    diagnoses: tuple[str, ...],
    who: Patient,
    pos: str = "11",
    payer: Payer | None = None,
    total: str | None = None,
    **extra: object,
) -> ClaimSnapshot:
    amount = (
        Money(Decimal(total))
        if total is not None
        else sum((ln.charge for ln in lines), Money.zero())
    )
    fields: dict[str, object] = {
        "rendering_npi": RENDERING_NPI,
        "coverage": Coverage(active_from=date(2025, 1, 1), active_to=None),
    }
    fields.update(extra)
    return ClaimSnapshot(
        patient_control_number=pcn,
        total_charge=amount,
        place_of_service=pos,
        diagnoses=diagnoses,
        billing=BillingProvider(
            npi=BILLING_NPI,
            tin="12-3456789",
            taxonomy="207Q00000X",
            zip="787011234",
            address_line="400 Congress Ave Suite 200",
            name="Synthetic Family Practice",
        ),
        patient=who,
        subscriber=Subscriber(member_id=f"MEM{pcn}", relationship="18"),
        payer=payer or Payer(id="00435", name="Acme Health", filing_indicator="CI"),
        lines=lines,
        **fields,  # type: ignore[arg-type]
    )


def replace(base: ClaimSnapshot, **changes: object) -> ClaimSnapshot:
    """A copy with ``changes``; new lines bring their own total unless one is given."""
    lines = changes.get("lines")
    if isinstance(lines, tuple) and "total_charge" not in changes:
        changes["total_charge"] = sum((ln.charge for ln in lines), Money.zero())
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def replace_line(base: ClaimSnapshot, index: int = 0, **changes: object) -> ClaimSnapshot:
    lines = list(base.lines)
    lines[index] = dataclasses.replace(lines[index], **changes)  # type: ignore[arg-type]
    total = sum((ln.charge for ln in lines), Money.zero())
    return dataclasses.replace(base, lines=tuple(lines), total_charge=total)


MEDICARE = Payer(id="04412", name="Medicare Part B (synthetic MAC)", filing_indicator="MB")
MEDICAID = Payer(id="SKTX0", name="State Medicaid", filing_indicator="MC")
BLUES = Payer(id="84980", name="Blue Plan", filing_indicator="BL")
ACME = Payer(id="00435", name="Acme Health", filing_indicator="CI")

ADULT_F = patient("P-ADULT-F", date(1968, 3, 14), "F")
ADULT_M = patient("P-ADULT-M", date(1971, 9, 2), "M")
SENIOR_M = patient("P-SENIOR-M", date(1950, 11, 20), "M")
SENIOR_F = patient("P-SENIOR-F", date(1942, 2, 8), "F")
CHILD = patient("P-CHILD", date(2023, 2, 10), "M")
TEEN_F = patient("P-TEEN-F", date(2011, 5, 30), "F")
YOUNG_F = patient("P-YOUNG-F", date(1996, 7, 7), "F")
NEWBORN = patient("P-NEWBORN", date(2026, 5, 31), "F")

# The base claim most defects start from: an established-patient office visit.
BASE = claim(
    "BASE0001",
    lines=(line(1, "99213", "150.00", pointers=(1, 2)),),
    diagnoses=("E11.9", "I10"),
    who=ADULT_F,
)


# -- clean claims -----------------------------------------------------------------------------

CLEAN: dict[str, ClaimSnapshot] = {
    "family medicine: office visit, diabetes and hypertension": BASE,
    "pediatrics: well child with vaccines": claim(
        "PED00001",
        lines=(
            line(1, "99392", "180.00"),
            line(2, "90460", "30.00", pointers=(2,)),
            line(3, "90461", "20.00", pointers=(2,)),
            line(4, "90707", "95.00", pointers=(2,)),
        ),
        diagnoses=("Z00.129", "Z23"),
        who=CHILD,
        payer=BLUES,
    ),
    "gynecology: annual exam with Pap collection": claim(
        "GYN00001",
        lines=(line(1, "99395", "220.00"), line(2, "Q0091", "45.00", pointers=(2,))),
        diagnoses=("Z01.419", "Z12.4"),
        who=YOUNG_F,
    ),
    "obstetrics: antepartum care": claim(
        "OB000001",
        lines=(line(1, "59425", "900.00", pointers=(1, 2)),),
        diagnoses=("Z34.82", "Z3A.20"),
        who=YOUNG_F,
        payer=BLUES,
    ),
    "cardiology: visit and ECG": claim(
        "CAR00001",
        lines=(line(1, "99214", "210.00", pointers=(1, 2)), line(2, "93000", "60.00")),
        diagnoses=("I48.91", "I10"),
        who=SENIOR_M,
        payer=MEDICARE,
    ),
    "dermatology: separate visit, biopsies": claim(
        "DER00001",
        lines=(
            line(1, "99213", "150.00", modifiers=("25",), pointers=(3,)),
            line(2, "11102", "140.00", pointers=(1,)),
            line(3, "11103", "70.00", pointers=(2,)),
        ),
        diagnoses=("L82.1", "D48.5", "L70.0"),
        who=ADULT_M,
    ),
    "dermatology: destruction of actinic keratoses": claim(
        "DER00002",
        lines=(line(1, "17000", "120.00"), line(2, "17003", "45.00", units="3")),
        diagnoses=("L57.0",),
        who=SENIOR_F,
        payer=MEDICARE,
    ),
    "orthopedics: knee injection with the drug and a separate visit": claim(
        "ORT00001",
        lines=(
            line(1, "99213", "150.00", modifiers=("25",), pointers=(2,)),
            line(2, "20610", "180.00", modifiers=("RT",)),
            line(3, "J3301", "32.00", units="4"),
        ),
        diagnoses=("M17.11", "M79.7"),
        who=ADULT_F,
    ),
    "psychiatry: psychotherapy": claim(
        "PSY00001",
        lines=(line(1, "90834", "160.00"),),
        diagnoses=("F33.1",),
        who=ADULT_M,
        payer=BLUES,
    ),
    "telehealth: video visit from home": claim(
        "TEL00001",
        lines=(line(1, "99213", "150.00", modifiers=("95",)),),
        diagnoses=("J01.90",),
        who=ADULT_M,
        pos="10",
    ),
    "physical therapy: exercise and manual therapy": claim(
        "PT000001",
        lines=(
            line(1, "97110", "90.00", units="2", modifiers=("GP",)),
            line(2, "97140", "50.00", modifiers=("GP",)),
        ),
        diagnoses=("M54.50",),
        who=SENIOR_F,
        payer=MEDICARE,
    ),
    "radiology: chest x-ray reading in the hospital": claim(
        "RAD00001",
        lines=(line(1, "71046", "45.00", modifiers=("26",)),),
        diagnoses=("R05.9",),
        who=ADULT_F,
        pos="22",
        referring_npi=REFERRING_NPI,
    ),
    "laboratory: panel, blood count and draw": claim(
        "LAB00001",
        lines=(
            line(1, "80053", "40.00", pointers=(1, 2)),
            line(2, "85025", "25.00", pointers=(1,)),
            line(3, "36415", "10.00", pointers=(1,)),
        ),
        diagnoses=("E78.5", "E11.9"),
        who=SENIOR_M,
        pos="81",
        payer=MEDICARE,
        referring_npi=REFERRING_NPI,
    ),
    "urology: visit and bladder scan": claim(
        "URO00001",
        lines=(
            line(1, "99214", "210.00", pointers=(1, 2)),
            line(2, "51798", "55.00", pointers=(2,)),
        ),
        diagnoses=("N40.1", "R33.9"),
        who=SENIOR_M,
        payer=MEDICARE,
    ),
    "ophthalmology: established eye exam": claim(
        "OPH00001",
        lines=(line(1, "92014", "160.00"),),
        diagnoses=("H25.13",),
        who=SENIOR_F,
        payer=MEDICARE,
    ),
    "podiatry: nail debridement": claim(
        "POD00001",
        lines=(line(1, "11721", "75.00", pointers=(1, 2)),),
        diagnoses=("B35.1", "E11.9"),
        who=SENIOR_M,
    ),
    "chiropractic: spinal manipulation": claim(
        "CHI00001",
        lines=(line(1, "98941", "65.00", pointers=(1, 2)),),
        diagnoses=("M99.03", "M54.16"),
        who=ADULT_M,
    ),
    "endocrinology: visit with a waived A1c": claim(
        "END00001",
        lines=(
            line(1, "99215", "280.00", pointers=(1, 2, 3)),
            line(2, "83036", "25.00", modifiers=("QW",)),
        ),
        diagnoses=("E11.65", "E66.9", "Z68.30"),
        who=ADULT_F,
    ),
    "gastroenterology: screening colonoscopy in an ASC": claim(
        "GI000001",
        lines=(line(1, "45378", "850.00"),),
        diagnoses=("Z12.11",),
        who=ADULT_M,
        pos="24",
        payer=BLUES,
    ),
    "allergy: antigen preparation and injection": claim(
        "ALG00001",
        lines=(line(1, "95165", "150.00", units="10"), line(2, "95115", "25.00")),
        diagnoses=("J30.1",),
        who=TEEN_F,
        payer=BLUES,
    ),
    "pulmonology: visit and spirometry": claim(
        "PUL00001",
        lines=(line(1, "99214", "210.00"), line(2, "94010", "70.00")),
        diagnoses=("J45.40",),
        who=TEEN_F,
    ),
    "neurology: new patient and EEG": claim(
        "NEU00001",
        lines=(line(1, "99204", "300.00"), line(2, "95816", "400.00")),
        diagnoses=("G40.909",),
        who=ADULT_M,
    ),
    "urgent care: visit and rapid strep": claim(
        "URG00001",
        lines=(line(1, "99203", "190.00"), line(2, "87880", "30.00", modifiers=("QW",))),
        diagnoses=("J02.0",),
        who=TEEN_F,
        pos="20",
    ),
    "behavioral health: diagnostic evaluation": claim(
        "BH000001",
        lines=(line(1, "90791", "250.00"),),
        diagnoses=("F41.1",),
        who=YOUNG_F,
        payer=BLUES,
    ),
    "anesthesia: cholecystectomy case": claim(
        "ANE00001",
        lines=(line(1, "00790", "1200.00", units="75", modifiers=("AA", "P2")),),
        diagnoses=("K80.20",),
        who=ADULT_F,
        pos="22",
    ),
    "oncology: chemotherapy infusion in the office": claim(
        "ONC00001",
        lines=(
            line(1, "96413", "350.00", pointers=(1, 2)),
            line(2, "96415", "90.00", pointers=(1, 2)),
            line(3, "96375", "60.00", pointers=(1, 2)),
            line(4, "J9045", "240.00", units="8", pointers=(1, 2)),
        ),
        diagnoses=("Z51.11", "C50.911"),
        who=SENIOR_F,
        payer=MEDICARE,
    ),
    "Medicaid: injection with the drug's NDC": claim(
        "MCD00001",
        lines=(
            line(1, "96372", "35.00"),
            line(
                2,
                "J1885",
                "20.00",
                units="2",
                ndc="00409379601",
                ndc_quantity=Decimal("2"),
                ndc_unit="ML",
            ),
        ),
        diagnoses=("M54.50",),
        who=ADULT_M,
        payer=MEDICAID,
    ),
    "secondary claim after the primary paid": claim(
        "SEC00001",
        lines=(line(1, "99213", "150.00", pointers=(1, 2)),),
        diagnoses=("E03.9", "E55.9"),
        who=SENIOR_F,
        payer=dataclasses.replace(MEDICAID, responsibility="S"),
        prior_payers=(
            PriorPayer(
                payer_id="04412",
                paid=Money(Decimal("80.00")),
                adjudicated_on=date(2026, 6, 10),
                filing_indicator="MB",
                lines=(
                    PriorLineAdjudication(
                        line=1,
                        paid=Money(Decimal("80.00")),
                        adjustments=(
                            Adjustment("CO", "45", Money(Decimal("50.00"))),
                            Adjustment("PR", "2", Money(Decimal("20.00"))),
                        ),
                    ),
                ),
            ),
        ),
    ),
    "replacement claim with the payer's claim number": claim(
        "REP00001",
        lines=(line(1, "99214", "210.00"),),
        diagnoses=("K21.9",),
        who=ADULT_M,
        frequency="7",
        payer_claim_number="2026152000123",
    ),
    "skilled nursing facility visit": claim(
        "SNF00001",
        lines=(line(1, "99308", "140.00", pointers=(1, 2)),),
        diagnoses=("I50.9", "N18.30"),
        who=SENIOR_M,
        pos="31",
        payer=MEDICARE,
    ),
    "hospitalist: subsequent inpatient visit": claim(
        "HOS00001",
        lines=(line(1, "99232", "160.00"),),
        diagnoses=("J18.9",),
        who=SENIOR_F,
        pos="21",
        payer=MEDICARE,
        service_facility_npi=FACILITY_NPI,
    ),
    "emergency medicine: wrist fracture after a fall": claim(
        "ER000001",
        lines=(line(1, "99284", "450.00", pointers=(1, 2)),),
        diagnoses=("S52.501A", "W19.XXXA"),
        who=SENIOR_F,
        pos="23",
        payer=MEDICARE,
    ),
    "home visit": claim(
        "HOM00001",
        lines=(line(1, "99348", "170.00", pointers=(1, 2)),),
        diagnoses=("J44.9", "G47.33"),
        who=SENIOR_M,
        pos="12",
        payer=MEDICARE,
    ),
    "newborn: initial hospital care": claim(
        "NB000001",
        lines=(line(1, "99460", "250.00"),),
        diagnoses=("Z38.00",),
        who=NEWBORN,
        pos="21",
        payer=MEDICAID,
    ),
    "men's health: prostate cancer screening": claim(
        "MEN00001",
        lines=(line(1, "G0103", "30.00"),),
        diagnoses=("Z12.5",),
        who=SENIOR_M,
        payer=MEDICARE,
    ),
    "Medicaid well child with EPSDT modifier": claim(
        "MCD00002",
        lines=(line(1, "99393", "170.00", modifiers=("EP",)),),
        diagnoses=("Z00.129",),
        who=patient("P-SCHOOL", date(2018, 4, 4), "F"),
        payer=MEDICAID,
    ),
    "advanced imaging with the payer's authorization": claim(
        "MRI00001",
        lines=(line(1, "70553", "1400.00", modifiers=("26",)),),
        diagnoses=("R51.9",),
        who=ADULT_M,
        pos="22",
        prior_authorization="AUTH778812",
        referring_npi=REFERRING_NPI,
    ),
    "same patient, same code, another day than a past claim": claim(
        "DUPOK001",
        lines=(line(1, "99213", "150.00", pointers=(1,)),),
        diagnoses=("R53.83",),
        who=patient("P-HISTORY", date(1980, 1, 1), "F"),
    ),
}


# -- history of the practice (other claims) ---------------------------------------------------

HISTORY_PATIENT = "P-HISTORY"
HISTORY_DOS = date(2026, 5, 20)


def history() -> ClaimIndex:
    return ClaimIndex(
        [
            ServiceRecord("HIST-1", HISTORY_PATIENT, RENDERING_NPI, HISTORY_DOS, "99213"),
            ServiceRecord("HIST-2", HISTORY_PATIENT, RENDERING_NPI, HISTORY_DOS, "11102", ()),
            ServiceRecord("HIST-3", HISTORY_PATIENT, RENDERING_NPI, HISTORY_DOS, "97110", ("GP",)),
        ]
    )


def context(**changes: object) -> ScrubContext:
    """The corpus context: NCCI tables, the history, the payer rules."""
    rules = rules_from_json(PAYER_RULES)
    fields: dict[str, object] = {
        "today": TODAY,
        "ptp": ptp_table(),
        "mue": mue_table(),
        "history": history(),
        "payer_rules": {"00435": (rules[0],), "*": (rules[1],)},
    }
    fields.update(changes)
    return ScrubContext(**fields)  # type: ignore[arg-type]


# -- defects ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Defect:
    name: str
    rule: str
    claim: ClaimSnapshot
    also: frozenset[str] = frozenset()
    """Other rules that fire by the nature of this defect."""
    context: Callable[[], ScrubContext] | None = field(default=None, compare=False)


def _many_lines() -> ClaimSnapshot:
    lines = tuple(
        line(n, "97110", "45.00", modifiers=("GP",), day=date(2026, 4, 10) + timedelta(days=n))
        for n in range(1, 52)
    )
    return claim("MANY0001", lines=lines, diagnoses=("M54.50",), who=SENIOR_F, payer=MEDICARE)


_THIRTEEN = (
    "E11.9", "I10", "E78.5", "K21.9", "E03.9", "J44.9", "N18.30", "D64.9", "G47.33",
    "R73.03", "M54.2", "H10.9", "R07.9",
)  # fmt: skip

_ON = ADULT_F


def _defects() -> list[Defect]:
    d: list[Defect] = []

    def add(
        name: str,
        rule: str,
        snapshot: ClaimSnapshot,
        *also: str,
        ctx: Callable[[], ScrubContext] | None = None,
    ) -> None:
        d.append(Defect(name, rule, snapshot, frozenset(also), ctx))

    # x12
    add("patient control number missing", "X12-001", replace(BASE, patient_control_number=""))
    add(
        "patient control number of 25 characters",
        "X12-002",
        replace(BASE, patient_control_number="ACCT-2026-0000000000012345"),
    )
    add(
        "total charge differs from the lines",
        "X12-003",
        replace(BASE, total_charge=Money(Decimal("140.00"))),
    )
    add("no service lines", "X12-004", replace(BASE, lines=(), total_charge=Money.zero()))
    add("51 service lines", "X12-005", _many_lines())
    add("frequency code 2", "X12-006", replace(BASE, frequency="2"))
    add("replacement without the payer's claim number", "X12-007", replace(BASE, frequency="7"))
    add("no diagnosis", "X12-008", replace(BASE, diagnoses=()), "PTR-002")
    add("13 diagnoses", "X12-009", replace(BASE, diagnoses=_THIRTEEN))
    add(
        "billing NPI missing",
        "X12-010",
        replace(BASE, billing=dataclasses.replace(BASE.billing, npi="")),
    )
    add(
        "billing tax id missing",
        "X12-011",
        replace(BASE, billing=dataclasses.replace(BASE.billing, tin="")),
    )
    add(
        "billing ZIP of 5 digits",
        "X12-012",
        replace(BASE, billing=dataclasses.replace(BASE.billing, zip="78701")),
    )
    add(
        "billing address a PO box",
        "X12-013",
        replace(BASE, billing=dataclasses.replace(BASE.billing, address_line="PO Box 1234")),
    )
    add("member id missing", "X12-014", replace(BASE, subscriber=Subscriber(member_id="")))
    add(
        "birth date missing",
        "X12-015",
        replace(BASE, patient=dataclasses.replace(_ON, birth_date=None)),
    )
    add("sex code X", "X12-016", replace(BASE, patient=dataclasses.replace(_ON, sex="X")))
    add("payer id missing", "X12-017", replace(BASE, payer=Payer(id="", filing_indicator="CI")))
    add(
        "filing indicator QQ",
        "X12-018",
        replace(BASE, payer=dataclasses.replace(ACME, filing_indicator="QQ")),
    )
    add(
        "relationship code 99",
        "X12-019",
        replace(BASE, subscriber=Subscriber(member_id="M1", relationship="99")),
    )
    add("place of service missing", "X12-020", replace(BASE, place_of_service=""))
    add("line without a date", "X12-021", replace_line(BASE, service_date=None))
    add("zero units", "X12-022", replace_line(BASE, units=Decimal(0)))
    add(
        "NDC without quantity",
        "X12-023",
        replace(
            CLEAN["Medicaid: injection with the drug's NDC"],
            lines=(
                line(1, "96372", "35.00"),
                line(2, "J1885", "20.00", units="2", ndc="00409379601", ndc_unit="ML"),
            ),
        ),
    )
    add(
        "NDC of 10 digits",
        "X12-024",
        replace(
            CLEAN["Medicaid: injection with the drug's NDC"],
            lines=(
                line(1, "96372", "35.00"),
                line(
                    2,
                    "J1885",
                    "20.00",
                    units="2",
                    ndc="0409379601",
                    ndc_quantity=Decimal(2),
                    ndc_unit="ML",
                ),
            ),
        ),
    )
    add(
        "taxonomy of 8 characters",
        "X12-025",
        replace(BASE, billing=dataclasses.replace(BASE.billing, taxonomy="207Q0000")),
    )

    # identifiers
    add(
        "billing NPI check digit",
        "NPI-001",
        replace(BASE, billing=dataclasses.replace(BASE.billing, npi=bad_npi(BILLING_NPI))),
    )
    add("rendering NPI check digit", "NPI-002", replace(BASE, rendering_npi=bad_npi(RENDERING_NPI)))
    add("referring NPI of 9 digits", "NPI-003", replace(BASE, referring_npi=REFERRING_NPI[:9]))
    add(
        "facility NPI check digit",
        "NPI-004",
        replace(BASE, service_facility_npi=bad_npi(FACILITY_NPI)),
    )
    add(
        "line rendering NPI check digit",
        "NPI-005",
        replace_line(BASE, rendering_npi=bad_npi(OTHER_RENDERING_NPI)),
    )
    add(
        "tax id all zeros",
        "TIN-001",
        replace(BASE, billing=dataclasses.replace(BASE.billing, tin="00-0000000")),
    )

    # icd10
    add("diagnosis written 1E11", "ICD-001", replace(BASE, diagnoses=("1E11", "I10")))
    add("diagnosis that does not exist", "ICD-002", replace(BASE, diagnoses=("E11.97", "I10")))
    add("header code E11", "ICD-003", replace(BASE, diagnoses=("E11", "I10")))
    add(
        "external cause first",
        "ICD-004",
        replace(
            CLEAN["emergency medicine: wrist fracture after a fall"],
            diagnoses=("W19.XXXA", "S52.501A"),
        ),
        "ICD-009",
    )
    add(
        "manifestation first",
        "ICD-005",
        replace(BASE, diagnoses=("F02.80", "G30.9"), patient=SENIOR_F, payer=MEDICARE),
    )
    add("infectious agent first", "ICD-006", replace(BASE, diagnoses=("B96.20", "N39.0")))
    add(
        "date of service before the loaded release",
        "ICD-007",
        replace(replace_line(BASE, service_date=date(2025, 9, 16)), payer=MEDICARE),
    )
    add(
        "diagnosis listed twice",
        "ICD-008",
        replace(BASE, diagnoses=("I10", "I10"), lines=(line(1, "99213", "150.00"),)),
    )
    add(
        "line points first at the external cause",
        "ICD-009",
        replace_line(CLEAN["emergency medicine: wrist fracture after a fall"], pointers=(2, 1)),
    )

    # demographics
    add(
        "delivery code on a man",
        "DEM-001",
        replace(BASE, diagnoses=("O80",), patient=ADULT_M, lines=(line(1, "99213", "150.00"),)),
    )
    add(
        "pregnancy code at 84",
        "DEM-002",
        replace(
            BASE,
            diagnoses=("O09.90",),
            patient=SENIOR_F,
            payer=MEDICARE,
            lines=(line(1, "99213", "150.00"),),
        ),
    )
    add(
        "perinatal code on an adult",
        "DEM-003",
        replace(BASE, diagnoses=("P27.1",), patient=YOUNG_F, lines=(line(1, "99213", "150.00"),)),
    )
    add(
        "liveborn code at 3 months",
        "DEM-004",
        claim(
            "LIV00001",
            lines=(line(1, "99391", "160.00"),),
            diagnoses=("Z38.00",),
            who=patient("P-BABY", date(2026, 3, 1), "M"),
        ),
    )
    add(
        "menopause on a man",
        "DEM-005",
        replace(BASE, diagnoses=("N95.1",), patient=ADULT_M, lines=(line(1, "99213", "150.00"),)),
    )
    add(
        "prostate enlargement on a woman",
        "DEM-006",
        replace(
            BASE,
            diagnoses=("N40.0",),
            patient=SENIOR_F,
            payer=MEDICARE,
            lines=(line(1, "99213", "150.00"),),
        ),
    )
    add(
        "endometrial biopsy on a man",
        "DEM-007",
        replace(
            BASE,
            diagnoses=("R10.9",),
            patient=ADULT_M,
            lines=(line(1, "58100", "250.00"),),
            total_charge=Money(Decimal("250.00")),
        ),
    )
    add(
        "prostate biopsy on a woman",
        "DEM-008",
        replace(
            BASE,
            diagnoses=("R31.9",),
            patient=ADULT_F,
            lines=(line(1, "55700", "500.00"),),
            total_charge=Money(Decimal("500.00")),
        ),
    )
    add(
        "adult exam code on a 10-year-old",
        "DEM-009",
        claim(
            "KID00001",
            lines=(line(1, "99393", "170.00"),),
            diagnoses=("Z00.00",),
            who=patient("P-KID", date(2016, 1, 15), "M"),
            payer=BLUES,
        ),
    )
    add(
        "child exam code on a 30-year-old",
        "DEM-010",
        claim(
            "ADU00001",
            lines=(line(1, "99395", "220.00"),),
            diagnoses=("Z00.129",),
            who=YOUNG_F,
            payer=BLUES,
        ),
    )
    add(
        "newborn exam code at 2 months",
        "DEM-011",
        claim(
            "INF00001",
            lines=(line(1, "99391", "160.00"),),
            diagnoses=("Z00.110",),
            who=patient("P-INF", date(2026, 4, 1), "F"),
            payer=BLUES,
        ),
    )
    add(
        "toddler preventive code for an adult",
        "DEM-012",
        claim(
            "PRV00001",
            lines=(line(1, "99392", "180.00"),),
            diagnoses=("Z00.00",),
            who=YOUNG_F,
            payer=BLUES,
        ),
    )
    add(
        "service after death",
        "DEM-013",
        replace(BASE, patient=dataclasses.replace(_ON, death_date=date(2026, 5, 28))),
    )

    # procedures
    add("procedure 9921", "PROC-001", replace_line(BASE, procedure="9921"))
    add(
        "terminated HCPCS code",
        "PROC-002",
        replace(BASE, lines=(line(1, "J0000", "20.00"),), total_charge=Money(Decimal("20.00"))),
        ctx=lambda: context(hcpcs=hcpcs_table()),
    )
    add("negative charge", "PROC-003", replace_line(BASE, charge=Money(Decimal("-150.00"))))
    add("zero charge", "PROC-004", replace_line(BASE, charge=Money.zero()))
    add("date in the future", "PROC-005", replace_line(BASE, service_date=date(2026, 7, 1)))
    add(
        "date before birth",
        "PROC-006",
        claim(
            "NB000002",
            lines=(line(1, "99460", "250.00", day=date(2026, 5, 29)),),
            diagnoses=("Z38.00",),
            who=NEWBORN,
            pos="21",
            payer=MEDICAID,
        ),
    )
    add(
        "range ending before it starts",
        "PROC-007",
        replace_line(BASE, service_date_end=date(2026, 5, 30)),
    )
    add(
        "one and a half units of exercise",
        "PROC-008",
        replace_line(CLEAN["physical therapy: exercise and manual therapy"], units=Decimal("1.5")),
    )
    add(
        "Medicaid drug without NDC",
        "PROC-009",
        replace(
            CLEAN["Medicaid: injection with the drug's NDC"],
            lines=(line(1, "96372", "35.00"), line(2, "J1885", "20.00", units="2")),
        ),
    )
    add("no pointer", "PTR-001", replace_line(BASE, pointers=()))
    add("pointer 3 of 2", "PTR-002", replace_line(BASE, pointers=(1, 3)))
    add(
        "five pointers",
        "PTR-003",
        replace(
            BASE,
            diagnoses=("E11.9", "I10", "E78.5", "K21.9", "E03.9"),
            lines=(line(1, "99214", "210.00", pointers=(1, 2, 3, 4, 5)),),
            total_charge=Money(Decimal("210.00")),
        ),
    )
    add("pointer repeated", "PTR-004", replace_line(BASE, pointers=(1, 1)))
    add(
        "modifier 5",
        "MOD-001",
        replace_line(CLEAN["physical therapy: exercise and manual therapy"], modifiers=("GP", "5")),
    )
    add(
        "modifier ZQ",
        "MOD-002",
        replace_line(
            CLEAN["physical therapy: exercise and manual therapy"], modifiers=("GP", "ZQ")
        ),
    )
    add(
        "five modifiers",
        "MOD-003",
        replace_line(
            CLEAN["physical therapy: exercise and manual therapy"],
            modifiers=("GP", "KX", "CQ", "LT", "GA"),
        ),
    )
    add(
        "modifier repeated",
        "MOD-004",
        replace_line(
            CLEAN["physical therapy: exercise and manual therapy"], modifiers=("GP", "GP")
        ),
    )
    add(
        "26 and TC together",
        "MOD-005",
        replace_line(
            CLEAN["radiology: chest x-ray reading in the hospital"], modifiers=("26", "TC")
        ),
    )
    add(
        "25 on the injection",
        "MOD-006",
        replace(
            CLEAN["orthopedics: knee injection with the drug and a separate visit"],
            lines=(
                line(1, "99213", "150.00", modifiers=("25",), pointers=(2,)),
                line(2, "20610", "180.00", modifiers=("RT", "25")),
                line(3, "J3301", "32.00", units="4"),
            ),
        ),
    )
    add("91 on an office visit", "MOD-007", replace_line(BASE, modifiers=("91",)))
    add("AA on an office visit", "MOD-008", replace_line(BASE, modifiers=("AA",)))
    add(
        "59 and XS together",
        "MOD-009",
        replace(
            CLEAN["orthopedics: knee injection with the drug and a separate visit"],
            lines=(
                line(1, "99213", "150.00", modifiers=("25",), pointers=(2,)),
                line(2, "20610", "180.00", modifiers=("59", "XS")),
                line(3, "J3301", "32.00", units="4"),
            ),
        ),
    )
    add(
        "bilateral injection with two units",
        "MOD-010",
        replace(
            CLEAN["orthopedics: knee injection with the drug and a separate visit"],
            lines=(
                line(1, "99213", "150.00", modifiers=("25",), pointers=(2,)),
                line(2, "20610", "300.00", modifiers=("50",), units="2"),
                line(3, "J3301", "32.00", units="4"),
            ),
        ),
        "NCCI-003",
    )
    add("place of service 30", "POS-001", replace(BASE, place_of_service="30"))
    add("office visit in the hospital", "POS-002", replace(BASE, place_of_service="21"))
    add(
        "hospital visit in the office",
        "POS-003",
        replace(CLEAN["hospitalist: subsequent inpatient visit"], place_of_service="11"),
    )
    add(
        "emergency visit in the office",
        "POS-004",
        replace(CLEAN["emergency medicine: wrist fracture after a fall"], place_of_service="11"),
    )
    add(
        "nursing facility visit in the office",
        "POS-005",
        replace(CLEAN["skilled nursing facility visit"], place_of_service="11"),
    )
    add("home visit in the office", "POS-006", replace(CLEAN["home visit"], place_of_service="11"))

    # ncci
    add(
        "ECG and its tracing",
        "NCCI-001",
        replace(
            CLEAN["cardiology: visit and ECG"],
            lines=(
                line(1, "99214", "210.00", pointers=(1, 2)),
                line(2, "93000", "60.00"),
                line(3, "93005", "30.00"),
            ),
            total_charge=Money(Decimal("300.00")),
        ),
    )
    add(
        "two joint injections without a modifier",
        "NCCI-002",
        replace(
            BASE,
            diagnoses=("M17.11", "M25.561"),
            lines=(line(1, "20610", "180.00"), line(2, "20605", "150.00", pointers=(2,))),
            total_charge=Money(Decimal("330.00")),
        ),
    )
    add(
        "two units of a one-per-line injection",
        "NCCI-003",
        replace(
            BASE,
            diagnoses=("M17.11",),
            lines=(line(1, "20610", "360.00", units="2", modifiers=("RT",)),),
            total_charge=Money(Decimal("360.00")),
        ),
    )
    add(
        "two office visits in one day",
        "NCCI-004",
        replace_line(BASE, units=Decimal(2), charge=Money(Decimal("300.00"))),
    )
    add(
        "five injections in one day",
        "NCCI-005",
        replace(
            CLEAN["Medicaid: injection with the drug's NDC"],
            lines=(
                line(1, "96372", "175.00", units="5"),
                line(
                    2,
                    "J1885",
                    "20.00",
                    units="2",
                    ndc="00409379601",
                    ndc_quantity=Decimal(2),
                    ndc_unit="ML",
                ),
            ),
        ),
    )
    add(
        "visit with a biopsy, no 25",
        "NCCI-006",
        replace(
            CLEAN["dermatology: separate visit, biopsies"],
            lines=(
                line(1, "99213", "150.00", pointers=(3,)),
                line(2, "11102", "140.00", pointers=(1,)),
            ),
        ),
    )
    add(
        "preventive and problem visit, no 25",
        "NCCI-007",
        replace(
            CLEAN["gynecology: annual exam with Pap collection"],
            diagnoses=("Z01.419", "Z12.4", "J01.90"),
            lines=(
                line(1, "99395", "220.00"),
                line(2, "Q0091", "45.00", pointers=(2,)),
                line(3, "99213", "150.00", pointers=(3,)),
            ),
        ),
    )
    add(
        "add-on without its primary",
        "NCCI-008",
        replace(
            CLEAN["dermatology: destruction of actinic keratoses"],
            lines=(line(1, "17003", "45.00", units="3"),),
        ),
    )
    add("modifier 25 alone", "NCCI-009", replace_line(BASE, modifiers=("25",)))

    # duplicates
    add(
        "visit already billed",
        "DUP-001",
        replace_line(
            CLEAN["same patient, same code, another day than a past claim"],
            service_date=HISTORY_DOS,
        ),
    )
    add(
        "visit already billed with 25",
        "DUP-002",
        replace_line(
            CLEAN["same patient, same code, another day than a past claim"],
            service_date=HISTORY_DOS,
            modifiers=("25",),
        ),
        "NCCI-009",
    )
    add(
        "exercise on two lines",
        "DUP-003",
        replace(
            CLEAN["physical therapy: exercise and manual therapy"],
            lines=(
                line(1, "97110", "90.00", units="2", modifiers=("GP",)),
                line(2, "97110", "45.00", modifiers=("GP",)),
            ),
        ),
    )

    # timely filing
    add(
        "30-day payer, 45 days late",
        "TF-001",
        replace(
            replace_line(BASE, service_date=date(2026, 5, 1)),
            payer=dataclasses.replace(ACME, timely_filing_days=30),
        ),
    )
    add(
        "20-day payer, 6 days left",
        "TF-002",
        replace(BASE, payer=dataclasses.replace(ACME, timely_filing_days=20)),
    )

    # coverage
    add(
        "before coverage", "COV-001", replace(BASE, coverage=Coverage(active_from=date(2026, 6, 5)))
    )
    add(
        "after coverage",
        "COV-002",
        replace(BASE, coverage=Coverage(active_from=date(2025, 1, 1), active_to=date(2026, 5, 31))),
    )
    add(
        "secondary without the primary",
        "COV-003",
        replace(CLEAN["secondary claim after the primary paid"], prior_payers=()),
    )
    add(
        "primary's line does not balance",
        "COV-004",
        replace(
            CLEAN["secondary claim after the primary paid"],
            prior_payers=(
                PriorPayer(
                    payer_id="04412",
                    paid=Money(Decimal("80.00")),
                    adjudicated_on=date(2026, 6, 10),
                    lines=(
                        PriorLineAdjudication(
                            1,
                            Money(Decimal("80.00")),
                            (Adjustment("CO", "45", Money(Decimal("50.00"))),),
                        ),
                    ),
                ),
            ),
        ),
    )

    # payer rules (data)
    add(
        "MRI without the payer's authorization",
        "PAYER-ACME-001",
        replace(CLEAN["advanced imaging with the payer's authorization"], prior_authorization=""),
    )
    add(
        "Medicaid well child without EP",
        "PAYER-MCD-001",
        replace_line(CLEAN["Medicaid well child with EPSDT modifier"], modifiers=()),
    )
    return d


DEFECTS: list[Defect] = _defects()
