"""Pack ``icd10``: every diagnosis a valid, billable ICD-10-CM code on the date of service, and
sequenced as the guidelines require.

Header codes (a category such as E11, or a subcategory such as S72.001 that needs its seventh
character) are refused: only the leaves of the classification are billable (E11.9 is). External
cause codes (V00-Y99), manifestation codes ("in diseases classified elsewhere") and infectious
agent codes (B95-B97) may never be the first-listed diagnosis.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from openrcm.core.codes.icd10cm import (
    HEADER_KINDS,
    MANIFESTATION_KINDS,
    SUPPLEMENTARY_KINDS,
)
from openrcm.core.scrub.engine import Finding, Rule, RulePack, Severity

if TYPE_CHECKING:
    from openrcm.core.scrub.context import ScrubContext
    from openrcm.core.scrub.snapshot import ClaimSnapshot

__all__ = ["PACK"]

_PACK: Final = "icd10"
_GUIDELINES: Final = "ICD-10-CM Official Guidelines for Coding and Reporting FY2026"
E, W = Severity.ERROR, Severity.WARNING


def _rule(rule_id: str, severity: Severity, title: str, message: str, citation: str) -> Rule:
    return Rule(rule_id, 1, severity, message, citation, _PACK, title)


SHAPE = _rule(
    "ICD-001",
    E,
    "Diagnosis code malformed",
    "Diagnosis {position} {code} is not written like an ICD-10-CM code (a letter, a digit, "
    "then up to five letters or digits, e.g. E11.9): correct it.",
    f"{_GUIDELINES}, Section I.A (conventions: code format); ASC X12 837P 005010X222A1 "
    "loop 2300 HI (ICD-10-CM code without the dot)",
)
UNKNOWN = _rule(
    "ICD-002",
    E,
    "Diagnosis code not in ICD-10-CM on the date of service",
    "Diagnosis {position} {code} is not in ICD-10-CM ({release}) on {date}: look the code up "
    "again; it may be mistyped, deleted or not yet in effect.",
    "45 CFR 162.1002 (ICD-10-CM is the HIPAA code set for diagnoses, as valid on the date of "
    "service); X12 CARC 146 (diagnosis invalid for the date of service)",
)
HEADER = _rule(
    "ICD-003",
    E,
    "Diagnosis is a header, not a billable code",
    "Diagnosis {position} {code} ({description}) is a category header, not a billable code: "
    "report it with all its characters, e.g. {example}.",
    f"{_GUIDELINES}, Section I.B.2 (level of detail: a code is reported with the highest "
    "number of characters available); X12 CARC 146",
)
EXTERNAL_FIRST = _rule(
    "ICD-004",
    E,
    "External cause code listed first",
    "Diagnosis 1 {code} is an external cause code (V00-Y99), which may never be listed first: "
    "put the injury or condition first and the external cause after it.",
    f"{_GUIDELINES}, Section I.C.20 (external cause codes are never first-listed)",
)
MANIFESTATION_FIRST = _rule(
    "ICD-005",
    E,
    "Manifestation code listed first",
    "Diagnosis 1 {code} ({description}) is a manifestation code, which may never be listed "
    "first: list the underlying condition first, then this code.",
    f"{_GUIDELINES}, Section I.A.13 (etiology/manifestation convention: 'code first' the "
    "underlying condition)",
)
AGENT_FIRST = _rule(
    "ICD-006",
    E,
    "Infectious agent code listed first",
    "Diagnosis 1 {code} names the infectious agent (B95-B97) and is only an additional code: "
    "list the infection or condition first, then the agent.",
    f"{_GUIDELINES}, Section I.C.1.b (infectious agents as the cause of diseases classified "
    "elsewhere)",
)
RELEASE_GAP = _rule(
    "ICD-007",
    W,
    "Date of service outside the loaded ICD-10-CM release",
    "The date of service {date} is outside the fiscal year of the ICD-10-CM release loaded "
    "({release}, {start} to {end}); codes were checked against it: load the release in "
    "effect on that date, or confirm the codes.",
    "45 CFR 162.1002 and 162.1000 (the code set valid on the date of service); CMS updates "
    "ICD-10-CM each October 1 and April 1",
)
DUPLICATE = _rule(
    "ICD-008",
    W,
    "Diagnosis code listed twice",
    "Diagnosis {code} is listed more than once (positions {positions}): keep it once and point "
    "the lines at that position.",
    "ASC X12 837P 005010X222A1 loop 2300 HI (each diagnosis once); CMS Pub. 100-04 "
    "Chapter 26 (CMS-1500 item 21)",
)
LINE_EXTERNAL_FIRST = _rule(
    "ICD-009",
    E,
    "A line's primary diagnosis is an external cause code",
    "Line {line} points first at {code}, an external cause code: point it first at the injury "
    "or condition treated.",
    f"{_GUIDELINES}, Section I.C.20; CMS Pub. 100-04 Chapter 26 (item 24E: the first pointer "
    "is the line's primary diagnosis)",
)

_SHAPE: Final = re.compile(r"[A-Z][0-9][A-Z0-9]{1,5}")
_EXTERNAL: Final = ("V", "W", "X", "Y")


def _dotted(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def _check(claim: ClaimSnapshot, context: ScrubContext) -> list[Finding]:
    found: list[Finding] = []
    diagnoses = claim.diagnoses
    if not diagnoses:
        return found
    dos = claim.first_date or context.today
    release = context.icd10.release_on(dos)
    if not release.covers_fiscal_year(dos):
        found.append(
            RELEASE_GAP.finding(
                field="diagnoses",
                date=dos.isoformat(),
                release=release.name,
                start=release.fiscal_year_start.isoformat(),
                end=release.effective_to.isoformat(),
            )
        )
    kind_of = release.kind
    for index, code in enumerate(diagnoses):
        kind = kind_of(code)
        if kind is None:
            if not _SHAPE.fullmatch(code):
                found.append(
                    SHAPE.finding(field=f"diagnoses[{index}]", position=index + 1, code=code)
                )
            else:
                found.append(
                    UNKNOWN.finding(
                        field=f"diagnoses[{index}]",
                        position=index + 1,
                        code=_dotted(code),
                        release=release.name,
                        date=dos.isoformat(),
                    )
                )
            continue
        if kind in HEADER_KINDS:
            examples = release.billable_under(code, limit=2)
            found.append(
                HEADER.finding(
                    field=f"diagnoses[{index}]",
                    position=index + 1,
                    code=_dotted(code),
                    description=release.description(code) or "",
                    example=" or ".join(_dotted(item) for item in examples) or "a child code",
                )
            )
        if index == 0:
            if code.startswith(_EXTERNAL):
                found.append(EXTERNAL_FIRST.finding(field="diagnoses[0]", code=_dotted(code)))
            elif kind in MANIFESTATION_KINDS:
                found.append(
                    MANIFESTATION_FIRST.finding(
                        field="diagnoses[0]",
                        code=_dotted(code),
                        description=release.description(code) or "",
                    )
                )
            elif kind in SUPPLEMENTARY_KINDS:
                found.append(AGENT_FIRST.finding(field="diagnoses[0]", code=_dotted(code)))
    if len(set(diagnoses)) != len(diagnoses):
        seen: dict[str, list[int]] = {}
        for index, code in enumerate(diagnoses):
            seen.setdefault(code, []).append(index + 1)
        for code, positions in seen.items():
            if len(positions) > 1:
                found.append(
                    DUPLICATE.finding(
                        field="diagnoses",
                        code=_dotted(code),
                        positions=", ".join(map(str, positions)),
                    )
                )
    count = len(diagnoses)
    for index, line in enumerate(claim.lines):
        if line.pointers:
            first = line.pointers[0]
            if 1 <= first <= count and diagnoses[first - 1].startswith(_EXTERNAL):
                found.append(
                    LINE_EXTERNAL_FIRST.finding(
                        line=line.number,
                        field=f"lines[{index}].pointers",
                        code=_dotted(diagnoses[first - 1]),
                    )
                )
    return found


PACK: Final = RulePack(
    name=_PACK,
    version=1,
    description="ICD-10-CM validity on the date of service and sequencing",
    rules=(
        SHAPE,
        UNKNOWN,
        HEADER,
        EXTERNAL_FIRST,
        MANIFESTATION_FIRST,
        AGENT_FIRST,
        RELEASE_GAP,
        DUPLICATE,
        LINE_EXTERNAL_FIRST,
    ),
    checks=(_check,),
)
