"""Pack ``procedures``: each service line's procedure code, modifiers, place of service,
diagnosis pointers, charge, units and dates.

The modifier and place-of-service edits are data: :data:`~openrcm.core.codes.modifiers.
CONFLICTING_MODIFIERS` lists the modifier pairs that contradict each other, each modifier's
``applies_to`` says which kind of service it belongs on, and :data:`POS_EDITS` lists the E/M
families whose place of service is fixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from openrcm.core.codes.modifiers import CONFLICTING_MODIFIERS
from openrcm.core.codes.procedures import (
    EmKind,
    em_kind,
    is_anesthesia,
    is_category_ii,
    is_em,
    is_hcpcs_level2,
    is_lab,
)
from openrcm.core.scrub.engine import Finding, Rule, RulePack, Severity

if TYPE_CHECKING:
    from openrcm.core.scrub.context import ScrubContext
    from openrcm.core.scrub.snapshot import ClaimSnapshot, ServiceLine

__all__ = ["PACK", "POS_EDITS"]

_PACK: Final = "procedures"
_TR3: Final = "ASC X12 837P 005010X222A1"
_CPM: Final = "CMS Medicare Claims Processing Manual (Pub. 100-04)"
E, W = Severity.ERROR, Severity.WARNING


def _rule(rule_id: str, severity: Severity, title: str, message: str, citation: str) -> Rule:
    return Rule(rule_id, 1, severity, message, citation, _PACK, title)


# -- procedure, charge, units, dates ---------------------------------------------------------

PROC_SHAPE = _rule(
    "PROC-001",
    E,
    "Procedure code malformed",
    "Line {line}: {code} is not a procedure code (CPT: five digits or four digits and F, T or "
    "U; HCPCS Level II: a letter A-V and four digits): correct it.",
    f"{_TR3} loop 2400 SV101-2 (procedure code, qualifier HC); X12 CARC 181",
)
HCPCS_INVALID = _rule(
    "PROC-002",
    E,
    "HCPCS code not valid on the date of service",
    "Line {line}: HCPCS code {code} {problem} on {date}: use the code in effect on the date "
    "of service.",
    "45 CFR 162.1002 (HCPCS is the HIPAA code set, as valid on the date of service); "
    "X12 CARC 181 (procedure code invalid on the date of service)",
)
NEGATIVE_CHARGE = _rule(
    "PROC-003",
    E,
    "Negative line charge",
    "Line {line} charges {charge}: a charge cannot be negative; bill the full charge and let "
    "adjustments and refunds record the rest.",
    f"{_TR3} loop 2400 SV102 (line item charge amount)",
)
ZERO_CHARGE = _rule(
    "PROC-004",
    E,
    "Zero line charge",
    "Line {line} ({code}) charges $0.00: enter the practice's fee for the service (only "
    "quality-reporting codes and state-supplied vaccines, modifier SL, are billed at zero).",
    f"{_TR3} loop 2400 SV102; {_CPM} Chapter 26, item 24F (charges)",
)
FUTURE_DATE = _rule(
    "PROC-005",
    E,
    "Date of service in the future",
    "Line {line} is dated {date}, after today {today}: a service is billed only once it has "
    "been furnished; correct the date or hold the claim.",
    f"X12 CARC 110 (billing date predates the service date); {_TR3} loop 2400 DTP*472",
)
BEFORE_BIRTH = _rule(
    "PROC-006",
    E,
    "Date of service before the patient's birth",
    "Line {line} is dated {date}, before the patient's birth date {birth}: correct the date of "
    "service or the birth date (a newborn's services go on the newborn's own claim).",
    f"X12 CARC 14 (birth date follows the date of service); {_TR3} loop 2010BA/2010CA DMG02",
)
DATE_RANGE = _rule(
    "PROC-007",
    E,
    "Service date range ends before it starts",
    "Line {line} runs from {start} to {end}: the end date cannot be before the start date.",
    f"{_TR3} loop 2400 DTP*472 (RD8 date range)",
)
FRACTIONAL_UNITS = _rule(
    "PROC-008",
    W,
    "Fractional units",
    "Line {line} bills {units} units of {code}: this code is billed in whole units; round as "
    "the code's unit definition says.",
    f"{_TR3} loop 2400 SV104 (service unit count); {_CPM} Chapter 26, item 24G (units)",
)
NDC_REQUIRED = _rule(
    "PROC-009",
    E,
    "Medicaid drug line without an NDC",
    "Line {line}: drug code {code} billed to Medicaid needs the National Drug Code of the "
    "product given: add the NDC, quantity and unit.",
    "Social Security Act §1927(a)(7) (Deficit Reduction Act of 2005 §6002: NDCs on physician-"
    f"administered drugs for Medicaid rebates); {_TR3} loop 2410 LIN03",
)

# -- diagnosis pointers ----------------------------------------------------------------------

NO_POINTER = _rule(
    "PTR-001",
    E,
    "Line without a diagnosis pointer",
    "Line {line} points at no diagnosis: point it at the diagnosis (1-12) that the service treats.",
    f"{_TR3} loop 2400 SV107-1 (diagnosis code pointer, required)",
)
BAD_POINTER = _rule(
    "PTR-002",
    E,
    "Diagnosis pointer to no diagnosis",
    "Line {line} points at diagnosis {pointer} but the claim has {count} diagnoses: point at "
    "one that exists.",
    f"{_TR3} loop 2400 SV107 (pointers to HI positions 1-12 that are present); RARC M76",
)
TOO_MANY_POINTERS = _rule(
    "PTR-003",
    E,
    "More than four diagnosis pointers",
    "Line {line} has {count} diagnosis pointers; a line carries at most four: keep the four "
    "most relevant.",
    f"{_TR3} loop 2400 SV107-1 to SV107-4 (at most four pointers)",
)
REPEATED_POINTER = _rule(
    "PTR-004",
    W,
    "Diagnosis pointer repeated",
    "Line {line} points at diagnosis {pointer} more than once: list each pointer once.",
    f"{_TR3} loop 2400 SV107 (each pointer once)",
)

# -- modifiers --------------------------------------------------------------------------------

MOD_SHAPE = _rule(
    "MOD-001",
    E,
    "Modifier malformed",
    "Line {line}: modifier {modifier} is not two letters or digits: correct it.",
    f"{_TR3} loop 2400 SV101-3 to SV101-6 (procedure modifiers, two characters)",
)
MOD_UNKNOWN = _rule(
    "MOD-002",
    W,
    "Modifier not in the modifier table",
    "Line {line}: modifier {modifier} is not one OpenRCM knows: check it against the payer's "
    "list of valid modifiers.",
    "CMS HCPCS Level II and CPT modifier lists; X12 CARC 182 (modifier invalid on the date of "
    "service)",
)
TOO_MANY_MODIFIERS = _rule(
    "MOD-003",
    E,
    "More than four modifiers",
    "Line {line} has {count} modifiers; a line carries at most four: keep the four that affect "
    "payment first (or use 99 per the payer's policy).",
    f"{_TR3} loop 2400 SV101-3 to SV101-6 (at most four modifiers)",
)
REPEATED_MODIFIER = _rule(
    "MOD-004",
    E,
    "Modifier repeated",
    "Line {line} repeats modifier {modifier}: list each modifier once.",
    f"{_TR3} loop 2400 SV101 (each modifier once); X12 CARC 4",
)
CONFLICTING = _rule(
    "MOD-005",
    E,
    "Conflicting modifiers",
    "Line {line} has both {first} and {second}: {fix}.",
    f"X12 CARC 4 (procedure inconsistent with the modifier); {_CPM} Chapter 12, Section 40.7 "
    "(bilateral procedures)",
)
EM_MODIFIER = _rule(
    "MOD-006",
    E,
    "E/M modifier on a service that is not E/M",
    "Line {line}: modifier {modifier} belongs on an evaluation and management code, not on "
    "{code}: move it to the E/M line or remove it (for a distinct procedure use 59 or "
    "XE/XS/XP/XU).",
    f"{_CPM} Chapter 12, Section 30.6.6 (modifiers 24, 25 and 57 on E/M services); X12 CARC 4",
)
LAB_MODIFIER = _rule(
    "MOD-007",
    E,
    "Laboratory modifier on a service that is not a lab test",
    "Line {line}: modifier {modifier} is for clinical laboratory tests, not {code}: remove it "
    "(a repeated procedure takes 76 or 77).",
    "NCCI Policy Manual for Medicare Services, Chapter I, Section E (modifiers and modifier "
    "indicators: 91 for repeat clinical laboratory tests); X12 CARC 4",
)
ANESTHESIA_MODIFIER = _rule(
    "MOD-008",
    E,
    "Anesthesia modifier on a service that is not anesthesia",
    "Line {line}: modifier {modifier} is for anesthesia services, not {code}: remove it.",
    f"{_CPM} Chapter 12, Section 50 (anesthesiologist and nurse anesthetist services and their "
    "modifiers); X12 CARC 4",
)
MOD_59_AND_X = _rule(
    "MOD-009",
    W,
    "Modifier 59 with an X modifier",
    "Line {line} has 59 and {x}: the X modifiers are the more specific form of 59; report one "
    "of them, not both.",
    "NCCI Policy Manual for Medicare Services, Chapter I, Section E (XE, XS, XP, XU as "
    "subsets of modifier 59)",
)
BILATERAL_UNITS = _rule(
    "MOD-010",
    E,
    "Bilateral procedure with more than one unit",
    "Line {line}: {code} with modifier 50 bills {units} units; a bilateral procedure is one "
    "line with one unit: set the units to 1.",
    f"{_CPM} Chapter 12, Section 40.7.B (bilateral surgery: one line, modifier 50, one unit)",
)

# -- place of service -------------------------------------------------------------------------

POS_UNKNOWN = _rule(
    "POS-001",
    E,
    "Place of service code not assigned",
    "{where} place of service {code} is not an assigned CMS code: use the code for where the "
    "service was furnished (11 office, 02/10 telehealth, 22 outpatient hospital...).",
    f"{_CPM} Chapter 26, Section 10.5 (place of service codes); {_TR3} loop 2300 CLM05-1 and "
    "loop 2400 SV105; RARC M77",
)
POS_OFFICE_EM = _rule(
    "POS-002",
    E,
    "Office visit code billed in an inpatient or facility stay",
    "Line {line}: {code} is an office or outpatient visit but the place of service is {pos} "
    "({pos_name}): use the hospital, emergency or nursing facility visit codes for that "
    "setting, or correct the place of service.",
    f"{_CPM} Chapter 12, Section 30.6 (E/M services by setting); X12 CARC 5",
)
POS_HOSPITAL_EM = _rule(
    "POS-003",
    E,
    "Hospital visit code outside the hospital",
    "Line {line}: {code} is hospital inpatient or observation care but the place of service is "
    "{pos} ({pos_name}): correct the place of service (21, 22, 19) or the visit code.",
    f"{_CPM} Chapter 12, Section 30.6.9 (hospital visits); X12 CARC 5",
)
POS_EMERGENCY_EM = _rule(
    "POS-004",
    W,
    "Emergency department visit code outside the emergency department",
    "Line {line}: {code} is an emergency department visit but the place of service is {pos} "
    "({pos_name}): emergency department visits are billed with place of service 23.",
    f"{_CPM} Chapter 12, Section 30.6.11 (emergency department visits); X12 CARC 5",
)
POS_NURSING_EM = _rule(
    "POS-005",
    E,
    "Nursing facility visit code outside a nursing facility",
    "Line {line}: {code} is nursing facility care but the place of service is {pos} "
    "({pos_name}): use 31 (skilled nursing) or 32 (nursing facility), or the right visit code.",
    f"{_CPM} Chapter 12, Section 30.6.13 (nursing facility services); X12 CARC 5",
)
POS_HOME_EM = _rule(
    "POS-006",
    W,
    "Home visit code outside a home or residence",
    "Line {line}: {code} is a home or residence visit but the place of service is {pos} "
    "({pos_name}): use the place of the patient's residence (12 home, 13 assisted living, 14 "
    "group home, 33 custodial care...) or an office visit code.",
    f"{_CPM} Chapter 12, Section 30.6.14 (home care and domiciliary care visits); X12 CARC 5",
)


@dataclass(frozen=True, slots=True)
class PosEdit:
    """An E/M family whose place of service is fixed: ``allowed`` or ``forbidden`` codes."""

    rule: Rule
    family: EmKind
    allowed: frozenset[str] = frozenset()
    forbidden: frozenset[str] = frozenset()

    def conflicts(self, pos: str) -> bool:
        if self.allowed:
            return pos not in self.allowed
        return pos in self.forbidden


POS_EDITS: Final[dict[EmKind, PosEdit]] = {
    edit.family: edit
    for edit in (
        PosEdit(
            POS_OFFICE_EM,
            EmKind.OFFICE,
            forbidden=frozenset({"21", "23", "31", "32", "51", "61"}),
        ),
        PosEdit(
            POS_HOSPITAL_EM,
            EmKind.HOSPITAL,
            allowed=frozenset({"19", "21", "22", "23", "51", "61"}),
        ),
        PosEdit(POS_EMERGENCY_EM, EmKind.EMERGENCY, allowed=frozenset({"23"})),
        PosEdit(POS_NURSING_EM, EmKind.NURSING_FACILITY, allowed=frozenset({"31", "32"})),
        PosEdit(
            POS_HOME_EM,
            EmKind.HOME,
            allowed=frozenset({"04", "09", "12", "13", "14", "16", "33", "54", "55", "56"}),
        ),
    )
}

_PROCEDURE: Final = re.compile(r"[0-9]{4}[0-9FTU]|[A-V][0-9]{4}")
_MODIFIER: Final = re.compile(r"[A-Z0-9]{2}")
_X_MODIFIERS: Final = ("XE", "XP", "XS", "XU")
_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_CONFLICT_CODES: Final = frozenset(code for pair in CONFLICTING_MODIFIERS for code in pair[:2])


def _quality_code(code: str) -> bool:
    """Quality-reporting codes (Category II, HCPCS G8xxx/G9xxx) are billed at $0.00."""
    return is_category_ii(code) or (code[:2] in ("G8", "G9") and code[2:].isdigit())


def _modifiers(line: ServiceLine, index: int, context: ScrubContext, found: list[Finding]) -> None:
    modifiers = line.modifiers
    code = line.procedure
    field = f"lines[{index}].modifiers"
    number = line.number
    if len(modifiers) > 4:
        found.append(TOO_MANY_MODIFIERS.finding(line=number, field=field, count=len(modifiers)))
    known = context.modifiers
    for modifier in modifiers:
        entry = known.get(modifier)
        if entry is None:
            if not _MODIFIER.fullmatch(modifier):
                found.append(MOD_SHAPE.finding(line=number, field=field, modifier=modifier))
            else:
                found.append(MOD_UNKNOWN.finding(line=number, field=field, modifier=modifier))
            continue
        applies_to = entry.applies_to
        if applies_to:
            if applies_to == "em" and not is_em(code):
                found.append(
                    EM_MODIFIER.finding(line=number, field=field, modifier=modifier, code=code)
                )
            elif applies_to == "lab" and not is_lab(code):
                found.append(
                    LAB_MODIFIER.finding(line=number, field=field, modifier=modifier, code=code)
                )
            elif applies_to == "anesthesia" and not is_anesthesia(code):
                found.append(
                    ANESTHESIA_MODIFIER.finding(
                        line=number, field=field, modifier=modifier, code=code
                    )
                )
    if len(modifiers) < 2:
        if modifiers and modifiers[0] == "50" and line.units > _ONE:
            found.append(
                BILATERAL_UNITS.finding(line=number, field=field, code=code, units=line.units)
            )
        return
    present = set(modifiers)
    if len(present) != len(modifiers):
        for modifier in sorted(present):
            if modifiers.count(modifier) > 1:
                found.append(REPEATED_MODIFIER.finding(line=number, field=field, modifier=modifier))
    if len(present & _CONFLICT_CODES) >= 2:
        for first, second, fix in CONFLICTING_MODIFIERS:
            if first in present and second in present:
                found.append(
                    CONFLICTING.finding(
                        line=number, field=field, first=first, second=second, fix=fix
                    )
                )
    if "59" in present:
        for x in _X_MODIFIERS:
            if x in present:
                found.append(MOD_59_AND_X.finding(line=number, field=field, x=x))
    if "50" in present and line.units > _ONE:
        found.append(BILATERAL_UNITS.finding(line=number, field=field, code=code, units=line.units))


@lru_cache(maxsize=16384)
def _profile(code: str) -> tuple[bool, bool, bool, bool, PosEdit | None]:
    """What the code alone says: (well formed, HCPCS Level II, quality-reporting code billed at
    $0.00, anesthesia, the E/M family's place-of-service edit). Cached: codes repeat."""
    family = em_kind(code)
    return (
        _PROCEDURE.fullmatch(code) is not None,
        is_hcpcs_level2(code),
        _quality_code(code),
        is_anesthesia(code),
        POS_EDITS.get(family) if family is not None else None,
    )


def _check(claim: ClaimSnapshot, context: ScrubContext) -> list[Finding]:
    found: list[Finding] = []
    today = context.today
    birth = claim.patient.birth_date
    count = len(claim.diagnoses)
    places = context.places_of_service
    claim_pos = claim.place_of_service
    if claim_pos and claim_pos not in places:
        found.append(
            POS_UNKNOWN.finding(field="place_of_service", where="The claim's", code=claim_pos)
        )
    hcpcs = context.hcpcs if context.hcpcs.complete else None
    medicaid = claim.payer.filing_indicator == "MC"
    for index, line in enumerate(claim.lines):
        number = line.number
        code = line.procedure
        shape_ok, level2, quality, anesthesia, pos_edit = _profile(code)
        # Procedure code.
        if not shape_ok:
            found.append(
                PROC_SHAPE.finding(line=number, field=f"lines[{index}].procedure", code=code)
            )
        elif hcpcs is not None and level2 and line.service_date is not None:
            entry = hcpcs.get(code)
            problem = ""
            if entry is None:
                problem = "does not exist"
            elif not entry.valid_on(line.service_date):
                problem = "is not in effect"
            if problem:
                found.append(
                    HCPCS_INVALID.finding(
                        line=number,
                        field=f"lines[{index}].procedure",
                        code=code,
                        problem=problem,
                        date=line.service_date.isoformat(),
                    )
                )
        if medicaid and level2 and not line.ndc and code[0] in "JQ":
            drug = context.hcpcs.get(code)
            if drug is not None and drug.drug:
                found.append(
                    NDC_REQUIRED.finding(line=number, field=f"lines[{index}].ndc", code=code)
                )
        # Charge.
        amount = line.charge.amount
        if amount <= _ZERO:
            if amount < _ZERO:
                found.append(
                    NEGATIVE_CHARGE.finding(
                        line=number, field=f"lines[{index}].charge", charge=line.charge
                    )
                )
            elif not quality and "SL" not in line.modifiers:
                # SL: state-supplied vaccine (VFC), billed at $0.00 by design.
                found.append(
                    ZERO_CHARGE.finding(line=number, field=f"lines[{index}].charge", code=code)
                )
        # Units.
        units = line.units
        if (
            units != _ONE
            and not anesthesia
            and units > _ZERO
            and units != units.to_integral_value()
        ):
            found.append(
                FRACTIONAL_UNITS.finding(
                    line=number, field=f"lines[{index}].units", units=units, code=code
                )
            )
        # Dates.
        start = line.service_date
        if start is not None:
            end = line.service_date_end
            if start > today or (end is not None and end > today):
                found.append(
                    FUTURE_DATE.finding(
                        line=number,
                        field=f"lines[{index}].service_date",
                        date=max(start, end or start).isoformat(),
                        today=today.isoformat(),
                    )
                )
            if birth is not None and start < birth:
                found.append(
                    BEFORE_BIRTH.finding(
                        line=number,
                        field=f"lines[{index}].service_date",
                        date=start.isoformat(),
                        birth=birth.isoformat(),
                    )
                )
            if end is not None and end < start:
                found.append(
                    DATE_RANGE.finding(
                        line=number,
                        field=f"lines[{index}].service_date_end",
                        start=start.isoformat(),
                        end=end.isoformat(),
                    )
                )
        # Diagnosis pointers.
        pointers = line.pointers
        if len(pointers) == 1 and 1 <= pointers[0] <= count:
            pass  # the common case
        elif not pointers:
            found.append(NO_POINTER.finding(line=number, field=f"lines[{index}].pointers"))
        else:
            _pointers(pointers, count, number, index, found)
        # Modifiers.
        if line.modifiers:
            _modifiers(line, index, context, found)
        # Place of service.
        pos = line.place_of_service
        if pos and pos not in places:
            found.append(
                POS_UNKNOWN.finding(
                    line=number,
                    field=f"lines[{index}].place_of_service",
                    where=f"Line {number}",
                    code=pos,
                )
            )
        if pos_edit is not None:
            effective = pos or claim_pos
            if effective and pos_edit.conflicts(effective):
                place = places.get(effective)
                found.append(
                    pos_edit.rule.finding(
                        line=number,
                        field=f"lines[{index}].place_of_service" if pos else "place_of_service",
                        code=code,
                        pos=effective,
                        pos_name=place.name if place else "unassigned",
                    )
                )
    return found


def _pointers(
    pointers: tuple[int, ...], count: int, number: int, index: int, found: list[Finding]
) -> None:
    field = f"lines[{index}].pointers"
    if len(pointers) > 4:
        found.append(TOO_MANY_POINTERS.finding(line=number, field=field, count=len(pointers)))
    for pointer in pointers:
        if not 1 <= pointer <= count:
            found.append(
                BAD_POINTER.finding(line=number, field=field, pointer=pointer, count=count)
            )
    if len(set(pointers)) != len(pointers):
        for pointer in sorted(set(pointers)):
            if pointers.count(pointer) > 1:
                found.append(REPEATED_POINTER.finding(line=number, field=field, pointer=pointer))


PACK: Final = RulePack(
    name=_PACK,
    version=1,
    description="Procedure codes, modifiers, places of service, pointers, charges and dates",
    rules=(
        PROC_SHAPE,
        HCPCS_INVALID,
        NEGATIVE_CHARGE,
        ZERO_CHARGE,
        FUTURE_DATE,
        BEFORE_BIRTH,
        DATE_RANGE,
        FRACTIONAL_UNITS,
        NDC_REQUIRED,
        NO_POINTER,
        BAD_POINTER,
        TOO_MANY_POINTERS,
        REPEATED_POINTER,
        MOD_SHAPE,
        MOD_UNKNOWN,
        TOO_MANY_MODIFIERS,
        REPEATED_MODIFIER,
        CONFLICTING,
        EM_MODIFIER,
        LAB_MODIFIER,
        ANESTHESIA_MODIFIER,
        MOD_59_AND_X,
        BILATERAL_UNITS,
        POS_UNKNOWN,
        POS_OFFICE_EM,
        POS_HOSPITAL_EM,
        POS_EMERGENCY_EM,
        POS_NURSING_EM,
        POS_HOME_EM,
    ),
    checks=(_check,),
)
