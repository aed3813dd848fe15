"""Pack ``duplicates``: the same service billed twice, on another claim of the practice or on
two lines of this one.

An exact duplicate (same patient, same provider, same date, same procedure and modifiers) is
denied with CARC 18 and, worse, can look like double billing; the same service with different
modifiers may be a legitimate repeat (76, 77, 91, 59) or a duplicate, so it is a warning.
Replacement (7) and void (8) claims are not checked: they are meant to repeat the original.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from openrcm.core.scrub.context import service_provider
from openrcm.core.scrub.engine import Finding, Rule, RulePack, Severity

if TYPE_CHECKING:
    from openrcm.core.scrub.context import ScrubContext
    from openrcm.core.scrub.snapshot import ClaimSnapshot

__all__ = ["PACK"]

_PACK: Final = "duplicates"
_DUPLICATES: Final = (
    "CMS Medicare Claims Processing Manual (Pub. 100-04) Chapter 1, Section 120 (detection of "
    "duplicate claims); X12 CARC 18 (exact duplicate claim/service)"
)

EXACT = Rule(
    "DUP-001",
    1,
    Severity.ERROR,
    "Line {line}: {code}{modifiers} on {date} for this patient by provider {npi} is already on "
    "claim {other}: do not bill it again; if the first claim was rejected or must change, "
    "correct that claim (a replacement, frequency 7) instead.",
    _DUPLICATES,
    _PACK,
    "Service already billed on another claim",
)
SIMILAR = Rule(
    "DUP-002",
    1,
    Severity.WARNING,
    "Line {line}: {code} on {date} for this patient by provider {npi} is already on claim "
    "{other} with modifiers {other_modifiers}: if this is a repeat service, say so with 76, 77, "
    "91 or a distinct-service modifier; otherwise remove it.",
    _DUPLICATES,
    _PACK,
    "Same service with other modifiers on another claim",
)
REPEATED_LINE = Rule(
    "DUP-003",
    1,
    Severity.WARNING,
    "Lines {first} and {line} bill the same {code}{modifiers} on {date}: bill it once with the "
    "total units, or add a repeat modifier (76, 77, 91) to the second line.",
    "ASC X12 837P 005010X222A1 loop 2400 SV104 (units on one line); " + _DUPLICATES,
    _PACK,
    "Same service on two lines of this claim",
)


def _mods(modifiers: tuple[str, ...]) -> str:
    return "-" + "-".join(modifiers) if modifiers else ""


def _check(claim: ClaimSnapshot, context: ScrubContext) -> list[Finding]:
    found: list[Finding] = []
    if claim.frequency in ("7", "8"):
        return found
    history = context.history
    check_history = len(history) > 0
    patient = claim.patient.key
    lines = claim.lines
    if not check_history and len(lines) < 2:
        return found
    seen: dict[tuple[object, ...], int] = {}
    for index, line in enumerate(lines):
        day = line.service_date
        if day is None:
            continue
        npi = service_provider(claim, line)
        key = (npi, day, line.procedure, line.modifiers)
        first = seen.get(key)
        if first is not None:
            found.append(
                REPEATED_LINE.finding(
                    line=line.number,
                    field=f"lines[{index}]",
                    first=first,
                    code=line.procedure,
                    modifiers=_mods(line.modifiers),
                    date=day.isoformat(),
                )
            )
        else:
            seen[key] = line.number
        if not check_history:
            continue
        similar: tuple[str, tuple[str, ...]] | None = None
        exact: str | None = None
        for other_claim, other_modifiers in history.matches(patient, npi, day, line.procedure):
            if other_claim == claim.claim_id:
                continue
            if sorted(other_modifiers) == sorted(line.modifiers):
                exact = other_claim
                break
            if similar is None:
                similar = (other_claim, other_modifiers)
        if exact is not None:
            found.append(
                EXACT.finding(
                    line=line.number,
                    field=f"lines[{index}]",
                    code=line.procedure,
                    modifiers=_mods(line.modifiers),
                    date=day.isoformat(),
                    npi=npi,
                    other=exact,
                )
            )
        elif similar is not None:
            found.append(
                SIMILAR.finding(
                    line=line.number,
                    field=f"lines[{index}]",
                    code=line.procedure,
                    date=day.isoformat(),
                    npi=npi,
                    other=similar[0],
                    other_modifiers=_mods(similar[1]).lstrip("-") or "none",
                )
            )
    return found


PACK: Final = RulePack(
    name=_PACK,
    version=1,
    description="Duplicate services on other claims and within the claim",
    rules=(EXACT, SIMILAR, REPEATED_LINE),
    checks=(_check,),
)
