"""Pack ``ncci``: the National Correct Coding Initiative edits on a claim's lines.

* Procedure-to-procedure (PTP) pairs on the same date by the same provider: modifier indicator
  0 never pays both; indicator 1 pays both only with an NCCI-associated modifier showing the
  services were distinct (needs the quarter's PTP file loaded, :attr:`ScrubContext.ptp`).
* Medically unlikely edits (MUE): units of a code per line (adjudication indicator 1) or per
  date of service (2, absolute; 3, clinical and appealable) (needs :attr:`ScrubContext.mue`).
* E/M on the same day as a minor procedure (global period 000 or 010) without modifier 25, a
  preventive and a problem-oriented visit the same day without 25, add-on codes without their
  primary code, and modifier 25 with nothing else that day. These need no file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from openrcm.core.codes.modifiers import MODIFIERS, NCCI_PTP_MODIFIERS
from openrcm.core.codes.ncci import MueAdjudication, PtpModifierIndicator
from openrcm.core.codes.procedures import ADD_ON_PRIMARIES, EmKind, em_kind, is_em
from openrcm.core.scrub.context import service_provider
from openrcm.core.scrub.engine import Finding, Rule, RulePack, Severity

if TYPE_CHECKING:
    from openrcm.core.scrub.context import ScrubContext
    from openrcm.core.scrub.snapshot import ClaimSnapshot, ServiceLine

__all__ = ["PACK"]

_PACK: Final = "ncci"
_MANUAL: Final = "NCCI Policy Manual for Medicare Services"
_CPM: Final = "CMS Medicare Claims Processing Manual (Pub. 100-04)"
E, W = Severity.ERROR, Severity.WARNING


def _rule(rule_id: str, severity: Severity, title: str, message: str, citation: str) -> Rule:
    return Rule(rule_id, 1, severity, message, citation, _PACK, title)


PTP_NEVER = _rule(
    "NCCI-001",
    E,
    "NCCI pair never paid together",
    "Line {line}: {column2} is bundled into {column1} (line {other}) on {date} and no modifier "
    "can separate them (NCCI modifier indicator 0): remove {column2}.",
    f"{_MANUAL}, Chapter I, Section E (modifier indicator 0); CMS NCCI practitioner PTP edit "
    "table; X12 CARC 236",
)
PTP_NEEDS_MODIFIER = _rule(
    "NCCI-002",
    E,
    "NCCI pair without a distinct-service modifier",
    "Line {line}: {column2} is bundled into {column1} (line {other}) on {date}: if the services "
    "were truly distinct (another site, session or practitioner), add the fitting modifier "
    "(XS, XE, XP, XU, 59, or an anatomic modifier); otherwise remove {column2}.",
    f"{_MANUAL}, Chapter I, Section E (modifier indicator 1 and NCCI-associated modifiers); "
    "CMS NCCI practitioner PTP edit table; X12 CARC 97",
)
MUE_LINE = _rule(
    "NCCI-003",
    E,
    "Units above the medically unlikely edit for one line",
    "Line {line}: {units} units of {code} exceed the MUE of {limit} per line: correct the "
    "units, or report additional units on another line with a modifier (76, 77, 91, LT/RT) when "
    "they were separate services.",
    f"{_MANUAL}, Chapter I (medically unlikely edits; adjudication indicator 1, per line); CMS "
    "practitioner MUE table; X12 CARC 151",
)
MUE_DAY_POLICY = _rule(
    "NCCI-004",
    E,
    "Units above the medically unlikely edit for the day (absolute)",
    "{code} on {date}: {units} units across the claim exceed the MUE of {limit} per day, a "
    "policy limit that is never exceeded: correct the units.",
    f"{_MANUAL}, Chapter I (medically unlikely edits; adjudication indicator 2, per date of "
    "service, policy); CMS practitioner MUE table; X12 CARC 151",
)
MUE_DAY_CLINICAL = _rule(
    "NCCI-005",
    W,
    "Units above the medically unlikely edit for the day (clinical)",
    "{code} on {date}: {units} units across the claim exceed the MUE of {limit} per day: the "
    "excess is denied unless the records show it was needed; confirm the units and keep the "
    "documentation for an appeal.",
    f"{_MANUAL}, Chapter I (medically unlikely edits; adjudication indicator 3, per date of "
    "service, clinical); CMS practitioner MUE table; X12 CARC 151",
)
EM_WITH_MINOR = _rule(
    "NCCI-006",
    E,
    "E/M with a minor procedure the same day without modifier 25",
    "Line {line}: visit {code} is on the same day as minor procedure {procedure} (line "
    "{other}), whose payment includes the decision to perform it: add modifier 25 to the visit "
    "if it was significant and separately identifiable, or remove the visit.",
    f"{_CPM} Chapter 12, Section 30.6.6 (E/M on the day of a minor procedure; modifier 25); "
    f"{_MANUAL}, Chapter I, Section D (evaluation and management services)",
)
PREVENTIVE_WITH_PROBLEM = _rule(
    "NCCI-007",
    E,
    "Preventive and problem-oriented visits the same day without modifier 25",
    "Line {line}: problem-oriented visit {code} is on the same day as preventive visit "
    "{preventive} (line {other}): add modifier 25 to {code} if a significant separate problem "
    "was addressed, or remove it.",
    f"{_CPM} Chapter 12, Section 30.6.2 (medically necessary visit on the same occasion as a "
    "preventive medicine service)",
)
ADD_ON_ALONE = _rule(
    "NCCI-008",
    E,
    "Add-on code without its primary code",
    "Line {line}: {code} is an add-on code and needs one of its primary codes ({primaries}) on "
    "the same date of service: add the primary service or remove {code}.",
    f"{_MANUAL}, Chapter I (add-on codes); CMS NCCI add-on code edit tables; X12 CARC 107",
)
LONE_MODIFIER_25 = _rule(
    "NCCI-009",
    W,
    "Modifier 25 with nothing else that day",
    "Line {line}: visit {code} carries modifier 25 but no other service is billed on {date}: "
    "remove modifier 25, or add the procedure it separates the visit from.",
    f"{_CPM} Chapter 12, Section 30.6.6.B (modifier 25: a visit on the same day as a procedure "
    "or other service)",
)

_ANATOMIC: Final = frozenset(code for code, entry in MODIFIERS.items() if entry.kind == "anatomic")
_MINOR_GLOBALS: Final = frozenset({"000", "010"})
_ONE: Final = Decimal(1)


def _position(claim: ClaimSnapshot, line: ServiceLine) -> int:
    for index, candidate in enumerate(claim.lines):
        if candidate is line:
            return index
    return -1


def _by_date(lines: Sequence[ServiceLine]) -> dict[date, list[ServiceLine]]:
    grouped: dict[date, list[ServiceLine]] = {}
    for line in lines:
        if line.service_date is not None:
            grouped.setdefault(line.service_date, []).append(line)
    return grouped


def _bypassed(first: ServiceLine, second: ServiceLine) -> bool:
    """Whether NCCI-associated modifiers separate two lines of an indicator-1 pair."""
    one = NCCI_PTP_MODIFIERS.intersection(first.modifiers)
    two = NCCI_PTP_MODIFIERS.intersection(second.modifiers)
    if not one and not two:
        return False
    if (one | two) - _ANATOMIC:
        return True
    return one != two  # different sites (LT and RT, F1 and F2...) are distinct; the same is not


def _ptp(
    claim: ClaimSnapshot, context: ScrubContext, day: date, lines: list[ServiceLine]
) -> list[Finding]:
    found: list[Finding] = []
    table = context.ptp
    if table is None or len(lines) < 2:
        return found
    candidates = [line for line in lines if table.involves(line.procedure)]
    for i, first in enumerate(candidates):
        for second in candidates[i + 1 :]:
            if first.procedure == second.procedure:
                continue
            if service_provider(claim, first) != service_provider(claim, second):
                continue
            edit = table.edit(first.procedure, second.procedure, day)
            column1, column2 = first, second
            if edit is None:
                edit = table.edit(second.procedure, first.procedure, day)
                column1, column2 = second, first
            if edit is None or edit.modifier_indicator is PtpModifierIndicator.NOT_APPLICABLE:
                continue
            if edit.modifier_indicator is PtpModifierIndicator.NOT_ALLOWED:
                rule = PTP_NEVER
            elif _bypassed(column1, column2):
                continue
            else:
                rule = PTP_NEEDS_MODIFIER
            found.append(
                rule.finding(
                    line=column2.number,
                    field=f"lines[{_position(claim, column2)}].procedure",
                    column1=column1.procedure,
                    column2=column2.procedure,
                    other=column1.number,
                    date=day.isoformat(),
                )
            )
    return found


def _mue(
    claim: ClaimSnapshot, context: ScrubContext, day: date, lines: list[ServiceLine]
) -> list[Finding]:
    found: list[Finding] = []
    table = context.mue
    if table is None:
        return found
    per_day: dict[str, tuple[Decimal, ServiceLine]] = {}
    for line in lines:
        edit = table.get(line.procedure)
        if edit is None:
            continue
        if edit.adjudication is MueAdjudication.PER_LINE:
            if line.units > edit.value:
                found.append(
                    MUE_LINE.finding(
                        line=line.number,
                        field=f"lines[{_position(claim, line)}].units",
                        units=line.units,
                        code=line.procedure,
                        limit=edit.value,
                    )
                )
            continue
        total, first = per_day.get(line.procedure, (Decimal(0), line))
        per_day[line.procedure] = (total + line.units, first)
    for code, (total, first) in per_day.items():
        edit = table.get(code)
        assert edit is not None
        if total > edit.value:
            rule = (
                MUE_DAY_POLICY
                if edit.adjudication is MueAdjudication.PER_DAY_POLICY
                else MUE_DAY_CLINICAL
            )
            found.append(
                rule.finding(
                    line=first.number,
                    field=f"lines[{_position(claim, first)}].units",
                    units=total,
                    code=code,
                    limit=edit.value,
                    date=day.isoformat(),
                )
            )
    return found


def _same_day(
    claim: ClaimSnapshot, context: ScrubContext, day: date, lines: list[ServiceLine]
) -> list[Finding]:
    found: list[Finding] = []
    visits = [line for line in lines if is_em(line.procedure)]
    codes = {line.procedure for line in lines}
    for line in lines:
        primaries = ADD_ON_PRIMARIES.get(line.procedure)
        if primaries is not None and not primaries & codes:
            found.append(
                ADD_ON_ALONE.finding(
                    line=line.number,
                    field=f"lines[{_position(claim, line)}].procedure",
                    code=line.procedure,
                    primaries=", ".join(sorted(primaries)),
                )
            )
    if not visits:
        return found
    global_days = context.global_days
    ptp = context.ptp
    minors = [
        line
        for line in lines
        if global_days.get(line.procedure) in _MINOR_GLOBALS and not is_em(line.procedure)
    ]
    preventive = [line for line in visits if em_kind(line.procedure) is EmKind.PREVENTIVE]
    for visit in visits:
        if "25" in visit.modifiers:
            if len(lines) == 1:
                found.append(
                    LONE_MODIFIER_25.finding(
                        line=visit.number,
                        field=f"lines[{_position(claim, visit)}].modifiers",
                        code=visit.procedure,
                        date=day.isoformat(),
                    )
                )
            continue
        if "57" in visit.modifiers:
            continue
        for minor in minors:
            if ptp is not None and (
                ptp.edit(minor.procedure, visit.procedure, day) is not None
                or ptp.edit(visit.procedure, minor.procedure, day) is not None
            ):
                continue  # the PTP edit reports this pair (NCCI-001/002)
            found.append(
                EM_WITH_MINOR.finding(
                    line=visit.number,
                    field=f"lines[{_position(claim, visit)}].modifiers",
                    code=visit.procedure,
                    procedure=minor.procedure,
                    other=minor.number,
                )
            )
            break
        if preventive and em_kind(visit.procedure) is EmKind.OFFICE:
            found.append(
                PREVENTIVE_WITH_PROBLEM.finding(
                    line=visit.number,
                    field=f"lines[{_position(claim, visit)}].modifiers",
                    code=visit.procedure,
                    preventive=preventive[0].procedure,
                    other=preventive[0].number,
                )
            )
    return found


def _check(claim: ClaimSnapshot, context: ScrubContext) -> list[Finding]:
    lines = claim.lines
    if not lines:
        return []
    if len(lines) == 1:
        line = lines[0]
        day = line.service_date
        if day is None:
            return []
        # One line: only MUE, a lone add-on, and a lone modifier 25 can apply.
        found = _mue(claim, context, day, [line]) if context.mue is not None else []
        if line.procedure in ADD_ON_PRIMARIES or "25" in line.modifiers:
            found += _same_day(claim, context, day, [line])
        return found
    found = []
    first = lines[0].service_date
    if first is not None and all(line.service_date == first for line in lines):
        groups: Iterable[tuple[date, list[ServiceLine]]] = ((first, list(lines)),)
    else:
        groups = _by_date(lines).items()
    for day, day_lines in groups:
        found += _ptp(claim, context, day, day_lines)
        found += _mue(claim, context, day, day_lines)
        found += _same_day(claim, context, day, day_lines)
    return found


PACK: Final = RulePack(
    name=_PACK,
    version=1,
    description="NCCI procedure-to-procedure and MUE edits, E/M and add-on code policies",
    rules=(
        PTP_NEVER,
        PTP_NEEDS_MODIFIER,
        MUE_LINE,
        MUE_DAY_POLICY,
        MUE_DAY_CLINICAL,
        EM_WITH_MINOR,
        PREVENTIVE_WITH_PROBLEM,
        ADD_ON_ALONE,
        LONE_MODIFIER_25,
    ),
    checks=(_check,),
)
