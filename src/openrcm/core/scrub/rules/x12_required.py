"""Pack ``x12``: what the 837P implementation guide (ASC X12 005010X222A1) requires of a claim's
content, beyond the syntax a file validator checks: the claim total equal to the lines, a
frequency code with the payer's claim number when it replaces or voids, the billing provider's
nine-digit ZIP and street address, the demographics and identifiers each loop needs.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from openrcm.core.scrub.engine import Finding, Rule, RulePack, Severity
from openrcm.core.scrub.snapshot import BillingProvider, Payer

if TYPE_CHECKING:
    from openrcm.core.scrub.context import ScrubContext
    from openrcm.core.scrub.snapshot import ClaimSnapshot

__all__ = ["PACK"]

_PACK: Final = "x12"
_TR3: Final = "ASC X12 837P implementation guide 005010X222A1"
E, W = Severity.ERROR, Severity.WARNING


def _rule(rule_id: str, severity: Severity, title: str, message: str, citation: str) -> Rule:
    return Rule(rule_id, 1, severity, message, f"{_TR3}, {citation}", _PACK, title)


PCN_MISSING = _rule(
    "X12-001",
    E,
    "Patient control number missing",
    "The claim has no patient control number: give it the practice's account or claim number "
    "(it comes back on the 277CA and 835 to match the claim).",
    "loop 2300 CLM01 (required)",
)
PCN_LONG = _rule(
    "X12-002",
    W,
    "Patient control number longer than 20 characters",
    "Patient control number {value} has {length} characters; payers keep and return only "
    "20, so the 835 may not match this claim: shorten it to 20 or fewer.",
    "loop 2300 CLM01 (receivers store and return up to 20 characters)",
)
TOTAL_MISMATCH = _rule(
    "X12-003",
    E,
    "Claim total differs from the sum of the lines",
    "The claim total charge {total} is not the sum of the line charges {lines}: correct the "
    "line charges or the total so that they agree.",
    "loop 2300 CLM02 (total claim charge = sum of SV102)",
)
NO_LINES = _rule(
    "X12-004",
    E,
    "No service lines",
    "The claim has no service lines: add at least one procedure with its date and charge.",
    "loop 2400 (service line, 1 to 50 per claim)",
)
TOO_MANY_LINES = _rule(
    "X12-005",
    E,
    "More than 50 service lines",
    "The claim has {count} service lines; an 837P claim holds at most 50: split it into "
    "several claims.",
    "loop 2400 (at most 50 repeats)",
)
BAD_FREQUENCY = _rule(
    "X12-006",
    E,
    "Claim frequency code invalid",
    "Claim frequency {value} is not used on professional claims: use 1 (original), 7 "
    "(replacement of a paid or denied claim) or 8 (void).",
    "loop 2300 CLM05-3 (claim frequency type code)",
)
NO_PAYER_CLAIM_NUMBER = _rule(
    "X12-007",
    E,
    "Replacement or void without the payer's claim number",
    "A frequency {value} claim must name the claim it replaces or voids: enter the payer's "
    "claim control number from the remittance (835 CLP07).",
    "loop 2300 REF*F8 (payer claim control number, required for frequency 7 and 8)",
)
NO_DIAGNOSIS = _rule(
    "X12-008",
    E,
    "No diagnosis codes",
    "The claim has no diagnosis: add the ICD-10-CM codes that support the services.",
    "loop 2300 HI (health care diagnosis code, required)",
)
TOO_MANY_DIAGNOSES = _rule(
    "X12-009",
    E,
    "More than 12 diagnosis codes",
    "The claim has {count} diagnoses; an 837P claim carries at most 12: keep the 12 that the "
    "lines point to and split the claim if more are needed.",
    "loop 2300 HI01-HI12 (at most 12 diagnosis codes)",
)
NO_BILLING_NPI = _rule(
    "X12-010",
    E,
    "Billing provider NPI missing",
    "The billing provider has no NPI: enter the group's (or solo provider's) NPI.",
    "loop 2010AA NM109 (billing provider NPI, qualifier XX)",
)
NO_BILLING_TIN = _rule(
    "X12-011",
    E,
    "Billing provider tax id missing",
    "The billing provider has no tax id: enter the EIN (or SSN for a sole proprietor).",
    "loop 2010AA REF*EI (billing provider tax identification number)",
)
BILLING_ZIP = _rule(
    "X12-012",
    E,
    "Billing provider ZIP code not nine digits",
    "Billing provider ZIP code {value} must have nine digits (ZIP+4): look up the +4 for "
    "the billing address.",
    "loop 2010AA N403 (billing provider ZIP code, nine digits)",
)
BILLING_PO_BOX = _rule(
    "X12-013",
    E,
    "Billing provider address is a post office box",
    "The billing provider address {value} is a post office or lock box: use the street "
    "address, and put the box in the pay-to address.",
    "loop 2010AA N301 (billing provider address: a street address; boxes go in loop 2010AB)",
)
NO_MEMBER_ID = _rule(
    "X12-014",
    E,
    "Subscriber member id missing",
    "The subscriber has no member id: enter the id from the insurance card.",
    "loop 2010BA NM109 (subscriber primary identifier)",
)
NO_BIRTH_DATE = _rule(
    "X12-015",
    E,
    "Patient birth date missing",
    "The patient has no birth date: enter it as on the insurance card.",
    "loops 2010BA and 2010CA DMG02 (birth date)",
)
BAD_SEX = _rule(
    "X12-016",
    E,
    "Patient sex code invalid",
    "Patient sex {value} is not a valid code: use F, M or U (unknown).",
    "loops 2010BA and 2010CA DMG03 (F, M or U)",
)
NO_PAYER_ID = _rule(
    "X12-017",
    E,
    "Payer id missing",
    "The payer has no payer id: enter the clearinghouse payer id for this plan.",
    "loop 2010BB NM109 (payer identifier)",
)
BAD_FILING_INDICATOR = _rule(
    "X12-018",
    E,
    "Claim filing indicator invalid",
    "Claim filing indicator {value} is not a valid code: use the payer's type, e.g. MB "
    "(Medicare Part B), MC (Medicaid), BL (Blue Cross Blue Shield), CI (commercial).",
    "loop 2000B SBR09 (claim filing indicator code)",
)
BAD_RELATIONSHIP = _rule(
    "X12-019",
    E,
    "Patient relationship to the subscriber invalid",
    "Relationship code {value} is not valid: use 18 (self), 01 (spouse), 19 (child), "
    "20 (employee), 21 (unknown), 39 (organ donor), 40 (cadaver donor), 53 (life partner) "
    "or G8 (other).",
    "loop 2000B SBR02 and loop 2000C PAT01 (individual relationship code)",
)
NO_PLACE_OF_SERVICE = _rule(
    "X12-020",
    E,
    "Place of service missing",
    "The claim has no place of service: enter where the services were furnished (11 office, "
    "02/10 telehealth, 21 inpatient...).",
    "loop 2300 CLM05-1 (place of service code)",
)
NO_SERVICE_DATE = _rule(
    "X12-021",
    E,
    "Line without a date of service",
    "Line {line} has no date of service: enter the date the service was furnished.",
    "loop 2400 DTP*472 (service date, required)",
)
BAD_UNITS = _rule(
    "X12-022",
    E,
    "Line units not positive",
    "Line {line} bills {units} units: units must be more than zero.",
    "loop 2400 SV104 (service unit count)",
)
NDC_QUANTITY = _rule(
    "X12-023",
    E,
    "Drug line without a valid quantity and unit",
    "Line {line} has NDC {ndc} but {problem}: give the quantity given and its unit (F2 "
    "international units, GR grams, ME milligrams, ML milliliters, UN units).",
    "loop 2410 CTP04 and CTP05-1 (drug quantity and unit of measure)",
)
NDC_SHAPE = _rule(
    "X12-024",
    E,
    "NDC not in the 11-digit form",
    "Line {line} NDC {ndc} is not 11 digits (5-4-2 with leading zeros): write it as the "
    "11-digit NDC, e.g. 00409-4888-02 as 00409488802.",
    "loop 2410 LIN03 (national drug code, qualifier N4, 11 digits)",
)
TAXONOMY_SHAPE = _rule(
    "X12-025",
    E,
    "Taxonomy code malformed",
    "Billing provider taxonomy {value} is not a taxonomy code (10 characters ending in X, "
    "e.g. 207Q00000X): correct it or leave it out.",
    "loop 2000A PRV03 (provider taxonomy code)",
)

_FREQUENCIES: Final = frozenset({"1", "7", "8"})
_FILING: Final = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "AM",
        "BL",
        "CH",
        "CI",
        "DS",
        "FI",
        "HM",
        "LM",
        "MA",
        "MB",
        "MC",
        "OF",
        "TV",
        "VA",
        "WC",
        "ZZ",
    }
)
_RELATIONSHIPS: Final = frozenset({"18", "01", "19", "20", "21", "39", "40", "53", "G8"})
_SEXES: Final = frozenset({"M", "F", "U"})
_NDC_UNITS: Final = frozenset({"F2", "GR", "ME", "ML", "UN"})
_PO_BOX: Final = re.compile(
    r"\b(?:p\.?\s*o\.?\s*box|post\s+office\s+box|lock\s*box|pob\s+\d|box\s+\d+$)", re.IGNORECASE
)
_TAXONOMY: Final = re.compile(r"[0-9]{3}[0-9A-Z]{6}X")
_ZIP9: Final = re.compile(r"[0-9]{9}")
_ZERO: Final = Decimal(0)


@lru_cache(maxsize=4096)
def _billing(billing: BillingProvider) -> tuple[Finding, ...]:
    # The same few billing providers are on every claim of a practice: check each once.
    found: list[Finding] = []
    if not billing.npi.strip():
        found.append(NO_BILLING_NPI.finding(field="billing.npi"))
    if not billing.tin.strip():
        found.append(NO_BILLING_TIN.finding(field="billing.tin"))
    zip_digits = billing.zip.replace("-", "").strip()
    if not _ZIP9.fullmatch(zip_digits):
        found.append(BILLING_ZIP.finding(field="billing.zip", value=billing.zip or "(none)"))
    if billing.address_line and _PO_BOX.search(billing.address_line):
        found.append(
            BILLING_PO_BOX.finding(field="billing.address_line", value=billing.address_line)
        )
    if billing.taxonomy and not _TAXONOMY.fullmatch(billing.taxonomy):
        found.append(TAXONOMY_SHAPE.finding(field="billing.taxonomy", value=billing.taxonomy))
    return tuple(found)


@lru_cache(maxsize=4096)
def _payer(payer: Payer) -> tuple[Finding, ...]:
    found: list[Finding] = []
    if not payer.id.strip():
        found.append(NO_PAYER_ID.finding(field="payer.id"))
    if payer.filing_indicator not in _FILING:
        found.append(
            BAD_FILING_INDICATOR.finding(
                field="payer.filing_indicator", value=payer.filing_indicator or "(none)"
            )
        )
    return tuple(found)


def _claim(claim: ClaimSnapshot, context: ScrubContext) -> list[Finding]:
    found: list[Finding] = []
    pcn = claim.patient_control_number.strip()
    if not pcn:
        found.append(PCN_MISSING.finding(field="patient_control_number"))
    elif len(pcn) > 20:
        found.append(PCN_LONG.finding(field="patient_control_number", value=pcn, length=len(pcn)))
    lines = claim.lines
    if not lines:
        found.append(NO_LINES.finding(field="lines"))
    elif len(lines) > 50:
        found.append(TOO_MANY_LINES.finding(field="lines", count=len(lines)))
    if len(lines) == 1:
        line_total = lines[0].charge.amount
    else:
        line_total = sum([line.charge.amount for line in lines], _ZERO)
    if line_total != claim.total_charge.amount:
        found.append(
            TOTAL_MISMATCH.finding(
                field="total_charge", total=claim.total_charge, lines=f"${line_total:,.2f}"
            )
        )
    frequency = claim.frequency
    if frequency not in _FREQUENCIES:
        found.append(BAD_FREQUENCY.finding(field="frequency", value=frequency or "(none)"))
    elif frequency != "1" and not claim.payer_claim_number.strip():
        found.append(NO_PAYER_CLAIM_NUMBER.finding(field="payer_claim_number", value=frequency))
    count = len(claim.diagnoses)
    if not count:
        found.append(NO_DIAGNOSIS.finding(field="diagnoses"))
    elif count > 12:
        found.append(TOO_MANY_DIAGNOSES.finding(field="diagnoses", count=count))
    if not claim.place_of_service.strip():
        found.append(NO_PLACE_OF_SERVICE.finding(field="place_of_service"))

    found.extend(_billing(claim.billing))
    found.extend(_payer(claim.payer))
    if not claim.subscriber.member_id.strip():
        found.append(NO_MEMBER_ID.finding(field="subscriber.member_id"))
    if claim.subscriber.relationship not in _RELATIONSHIPS:
        found.append(
            BAD_RELATIONSHIP.finding(
                field="subscriber.relationship", value=claim.subscriber.relationship or "(none)"
            )
        )
    if claim.patient.birth_date is None:
        found.append(NO_BIRTH_DATE.finding(field="patient.birth_date"))
    if claim.patient.sex not in _SEXES:
        found.append(BAD_SEX.finding(field="patient.sex", value=claim.patient.sex or "(none)"))
    return found


def _lines(claim: ClaimSnapshot, context: ScrubContext) -> list[Finding]:
    found: list[Finding] = []
    for index, line in enumerate(claim.lines):
        if line.service_date is None:
            found.append(
                NO_SERVICE_DATE.finding(line=line.number, field=f"lines[{index}].service_date")
            )
        if line.units <= _ZERO:
            found.append(
                BAD_UNITS.finding(line=line.number, field=f"lines[{index}].units", units=line.units)
            )
        if line.ndc:
            if not (len(line.ndc) == 11 and line.ndc.isdigit()):
                found.append(
                    NDC_SHAPE.finding(line=line.number, field=f"lines[{index}].ndc", ndc=line.ndc)
                )
            problem = ""
            if line.ndc_quantity is None or line.ndc_quantity <= _ZERO:
                problem = "no quantity"
            elif line.ndc_unit not in _NDC_UNITS:
                problem = f"unit {line.ndc_unit or '(none)'} is not a drug unit"
            if problem:
                found.append(
                    NDC_QUANTITY.finding(
                        line=line.number,
                        field=f"lines[{index}].ndc_quantity",
                        ndc=line.ndc,
                        problem=problem,
                    )
                )
    return found


PACK: Final = RulePack(
    name=_PACK,
    version=1,
    description="Content the 837P implementation guide requires",
    rules=(
        PCN_MISSING,
        PCN_LONG,
        TOTAL_MISMATCH,
        NO_LINES,
        TOO_MANY_LINES,
        BAD_FREQUENCY,
        NO_PAYER_CLAIM_NUMBER,
        NO_DIAGNOSIS,
        TOO_MANY_DIAGNOSES,
        NO_BILLING_NPI,
        NO_BILLING_TIN,
        BILLING_ZIP,
        BILLING_PO_BOX,
        NO_MEMBER_ID,
        NO_BIRTH_DATE,
        BAD_SEX,
        NO_PAYER_ID,
        BAD_FILING_INDICATOR,
        BAD_RELATIONSHIP,
        NO_PLACE_OF_SERVICE,
        NO_SERVICE_DATE,
        BAD_UNITS,
        NDC_QUANTITY,
        NDC_SHAPE,
        TAXONOMY_SHAPE,
    ),
    checks=(_claim, _lines),
)
