"""Match the service lines of an 835 claim payment (SVC, loop 2110) to our claim lines.

The app fills one :class:`OurLine` per line of our claim; :func:`match_lines` pairs each SVC with
one of them and records how (:class:`MatchMethod`):

1. ``6R``: REF*6R, the line item control number we sent in the 837P, echoed by the payer.
   Decided first for every SVC, so a fallback never takes a line another SVC names by 6R.
   Several SVCs may name one line: the payer split (unbundled) it, and each posts to it.
2. ``procedure``: the procedure code, the modifiers (in any order) and the date of service (the
   SVC's DTM*472, or its DTM*150-151 period, else the claim's statement dates DTM*232-233,
   against our line's own date of service, or its range, which must meet the SVC's).
   Several candidates are narrowed by the charge (SVC02), then the units; candidates that are
   still alike in everything we compare are taken in line order (they are interchangeable).
3. ``original_procedure``: as ``procedure``, with the code and modifiers of SVC06, which is
   what we submitted when the payer adjudicated a different code (SVC01).
4. ``procedure_without_modifiers``: the payer dropped or changed modifiers: the procedure, the
   date and the charge must all agree, and only one line may fit.

A person working the exceptions queue can pair lines by hand: ``manual`` maps an SVC's position
to a line id, and those pairs (method ``manual``) are taken before anything else.

An SVC that fits no line, or fits several that differ, is a :class:`MatchProblem` with a
human-readable account of what was tried; the app sends it to the exceptions queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from openrcm.core.money import cents_to_decimal, decimal_to_cents
from openrcm.core.x12.era import ClaimPayment, ServiceLine

__all__ = [
    "LineMatch",
    "LineMatching",
    "MatchMethod",
    "MatchProblem",
    "OurLine",
    "describe_svc",
    "match_lines",
]


SPLIT_DETAIL = "the payer split our line: another 835 line names it too"


class MatchMethod(StrEnum):
    """How an SVC was matched to our line (kept with the posting)."""

    LINE_CONTROL_NUMBER = "6R"
    PROCEDURE = "procedure"
    ORIGINAL_PROCEDURE = "original_procedure"
    PROCEDURE_WITHOUT_MODIFIERS = "procedure_without_modifiers"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        """A human label: ``"Line control number (REF*6R)"``."""
        return _METHOD_LABELS[self]


_METHOD_LABELS = {
    MatchMethod.LINE_CONTROL_NUMBER: "Line control number (REF*6R)",
    MatchMethod.PROCEDURE: "Procedure, modifiers and date",
    MatchMethod.ORIGINAL_PROCEDURE: "Submitted procedure (SVC06), modifiers and date",
    MatchMethod.PROCEDURE_WITHOUT_MODIFIERS: "Procedure, date and charge (modifiers differ)",
    MatchMethod.MANUAL: "Matched by a person",
}


@dataclass(frozen=True, slots=True)
class OurLine:
    """One line of our claim, as the app knows it.

    ``line_control_number`` is what we sent in REF*6R (``None`` if we sent none); ``modifiers``
    in their 837P order; ``service_date`` the line's own date of service (its DTP*472; through
    ``service_end_date`` for a range); ``charge_cents`` the line charge; ``units`` the units
    billed.
    """

    line_id: int
    line_control_number: str | None
    procedure: str
    modifiers: tuple[str, ...]
    service_date: date
    charge_cents: int
    units: Decimal = Decimal(1)
    service_end_date: date | None = None

    @property
    def last_date(self) -> date:
        """The line's last day of service (its first, for a single day)."""
        return self.service_end_date or self.service_date


@dataclass(frozen=True, slots=True)
class LineMatch:
    """An SVC (by its position in the claim payment, from 0) paired with our line."""

    svc_index: int
    svc: ServiceLine
    line: OurLine
    method: MatchMethod
    detail: str = ""


@dataclass(frozen=True, slots=True)
class MatchProblem:
    """An SVC that could not be paired: ``kind`` is ``"unmatched"`` or ``"ambiguous"``;
    ``tried`` lists each attempt in words, ``message`` sums it up for the exceptions queue."""

    svc_index: int
    svc: ServiceLine
    kind: str
    tried: tuple[str, ...]
    candidates: tuple[int, ...] = ()

    @property
    def message(self) -> str:
        head = "no line of our claim fits" if self.kind == "unmatched" else "several lines fit"
        return f"{describe_svc(self.svc_index, self.svc)}: {head}; tried: " + "; ".join(self.tried)


@dataclass(frozen=True, slots=True)
class LineMatching:
    """The result: matches in SVC order, problems, and our lines no SVC mentioned."""

    matches: tuple[LineMatch, ...]
    problems: tuple[MatchProblem, ...]
    unmentioned: tuple[OurLine, ...]

    @property
    def complete(self) -> bool:
        """Whether every SVC found its line."""
        return not self.problems


def _mods(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(m.strip().upper() for m in values if m.strip()))


def _code(value: str) -> str:
    return value.strip().upper()


def describe_svc(index: int, svc: ServiceLine) -> str:
    """``SVC 2 (HC:99213:25, $120.00, 2026-01-05)``: how problems name a service line."""
    parts = [svc.procedure_qualifier, svc.procedure_code, *svc.modifiers]
    when = svc.service_date
    date_text = f", {when.isoformat()}" if when else ""
    return f"SVC {index + 1} ({':'.join(parts)}, ${svc.charge:,.2f}{date_text})"


def _describe_line(line: OurLine) -> str:
    mods = ":".join(line.modifiers)
    code = f"{line.procedure}:{mods}" if mods else line.procedure
    when = line.service_date.isoformat()
    if line.last_date != line.service_date:
        when = f"{when} to {line.last_date.isoformat()}"
    return f"line {line.line_id} {code} on {when} ${cents_to_decimal(line.charge_cents):,.2f}"


@dataclass(frozen=True, slots=True)
class _Window:
    start: date | None
    end: date | None

    def holds(self, line: OurLine) -> bool:
        """Whether our line's dates of service meet the window (a range overlaps it)."""
        if self.start is None:
            return True
        end = self.end or self.start
        return line.service_date <= end and self.start <= line.last_date

    def text(self) -> str:
        if self.start is None:
            return "any date (the 835 gives none)"
        if self.end is None or self.end == self.start:
            return f"on {self.start.isoformat()}"
        return f"from {self.start.isoformat()} to {self.end.isoformat()}"


def _window(svc: ServiceLine, payment: ClaimPayment) -> _Window:
    if svc.date_of("472") is not None:
        return _Window(svc.date_of("472"), None)
    if svc.date_of("150") is not None:
        return _Window(svc.date_of("150"), svc.date_of("151"))
    start = payment.date_of("232")
    return _Window(start, payment.date_of("233") if start else None)


def _charge_cents(svc: ServiceLine) -> int:
    return decimal_to_cents(svc.charge)


def _narrow(svc: ServiceLine, candidates: list[OurLine]) -> tuple[list[OurLine], str]:
    """Narrow several candidates by charge, then units; return those left and what was done."""
    note = ""
    charge = _charge_cents(svc)
    same_charge = [c for c in candidates if c.charge_cents == charge]
    if same_charge and len(same_charge) < len(candidates):
        candidates, note = same_charge, "narrowed by charge"
    if len(candidates) > 1 and (svc.original_units is not None or svc.units is not None):
        units = svc.original_units if svc.original_units is not None else svc.units
        same_units = [c for c in candidates if c.units == units]
        if same_units and len(same_units) < len(candidates):
            candidates = same_units
            note = f"{note} and units" if note else "narrowed by units"
    return candidates, note


def _alike(lines: list[OurLine]) -> bool:
    first = lines[0]
    key = (first.procedure, _mods(first.modifiers), first.service_date, first.last_date)
    return all(
        (line.procedure, _mods(line.modifiers), line.service_date, line.last_date) == key
        and line.charge_cents == first.charge_cents
        and line.units == first.units
        for line in lines
    )


def match_lines(
    lines: Sequence[OurLine],
    payment: ClaimPayment,
    *,
    manual: Mapping[int, int] | None = None,
) -> LineMatching:
    """Pair each SVC of ``payment`` with one of ``lines`` (see the module docstring).

    ``manual`` maps SVC positions (from 0) to line ids a person chose.

    Raises:
        ValueError: ``manual`` names an SVC position or a line id that does not exist, or
            pairs one line twice.
    """
    free: dict[int, OurLine] = {line.line_id: line for line in lines}
    found: dict[int, LineMatch] = {}
    for index, line_id in sorted((manual or {}).items()):
        if not 0 <= index < len(payment.lines):
            raise ValueError(
                f"manual match names SVC {index + 1}, but claim "
                f"{payment.patient_control_number} has {len(payment.lines)} service lines"
            )
        line = free.pop(line_id, None)
        if line is None:
            raise ValueError(
                f"manual match names line {line_id}, which is not a line of this claim "
                "or is paired twice"
            )
        found[index] = LineMatch(index, payment.lines[index], line, MatchMethod.MANUAL)
    by_lcn: dict[str, OurLine] = {}
    for line in lines:
        if line.line_control_number:
            by_lcn.setdefault(line.line_control_number.strip(), line)
    tried: dict[int, list[str]] = {}
    # Pass 1: REF*6R, for every SVC, before any fallback takes a line.
    by_6r: set[int] = set()
    for index, svc in enumerate(payment.lines):
        attempts = tried.setdefault(index, [])
        if index in found:
            continue
        lcn = svc.line_control_number
        if not lcn:
            attempts.append("REF*6R: the 835 gives none")
            continue
        line = by_lcn.get(lcn.strip())
        if line is None:
            attempts.append(f"REF*6R {lcn!r}: none of our lines has it")
        elif line.line_id in free:
            del free[line.line_id]
            by_6r.add(line.line_id)
            found[index] = LineMatch(index, svc, line, MatchMethod.LINE_CONTROL_NUMBER)
        elif line.line_id in by_6r:
            # Several SVCs name one of our lines: the payer split (unbundled) it.
            found[index] = LineMatch(
                index, svc, line, MatchMethod.LINE_CONTROL_NUMBER, SPLIT_DETAIL
            )
        else:
            attempts.append(f"REF*6R {lcn!r}: line {line.line_id} is already paired by hand")
    # Pass 2: fallbacks, in SVC order.
    problems: list[MatchProblem] = []
    for index, svc in enumerate(payment.lines):
        if index in found:
            continue
        attempts = tried[index]
        window = _window(svc, payment)
        outcome = _fallback(svc, window, list(free.values()), attempts)
        if isinstance(outcome, MatchProblem):
            problems.append(
                MatchProblem(index, svc, outcome.kind, tuple(attempts), outcome.candidates)
            )
            continue
        line, method, detail = outcome
        del free[line.line_id]
        found[index] = LineMatch(index, svc, line, method, detail)
    matches = tuple(found[i] for i in sorted(found))
    mentioned = {m.line.line_id for m in matches}
    unmentioned = tuple(line for line in lines if line.line_id not in mentioned)
    return LineMatching(matches, tuple(problems), unmentioned)


def _fallback(
    svc: ServiceLine, window: _Window, free: list[OurLine], attempts: list[str]
) -> tuple[OurLine, MatchMethod, str] | MatchProblem:
    """Try the procedure-based methods in order; append each attempt to ``attempts``."""
    tries: list[tuple[MatchMethod, str, tuple[str, ...]]] = [
        (MatchMethod.PROCEDURE, _code(svc.procedure_code), _mods(svc.modifiers))
    ]
    original = svc.original_procedure
    if original and len(original) > 1 and original[1].strip():
        tries.append((MatchMethod.ORIGINAL_PROCEDURE, _code(original[1]), _mods(original[2:6])))
    ambiguous: list[OurLine] = []
    for method, code, mods in tries:
        mods_text = f"modifiers {', '.join(mods)}" if mods else "no modifiers"
        what = f"{method.label.lower()}: {code} with {mods_text} {window.text()}"
        candidates = [
            line
            for line in free
            if _code(line.procedure) == code
            and _mods(line.modifiers) == mods
            and window.holds(line)
        ]
        if not candidates:
            attempts.append(f"{what}: no free line fits")
            continue
        narrowed, note = _narrow(svc, candidates)
        if len(narrowed) == 1 or _alike(narrowed):
            if len(narrowed) > 1:
                note = f"{len(narrowed)} identical lines, taken in order"
            return narrowed[0], method, note
        attempts.append(
            f"{what}: {len(narrowed)} lines fit ("
            + "; ".join(_describe_line(c) for c in narrowed)
            + ")"
        )
        ambiguous = narrowed
        break
    if ambiguous:
        return MatchProblem(0, svc, "ambiguous", (), tuple(c.line_id for c in ambiguous))
    # Last resort: same procedure (adjudicated or submitted), date and charge; modifiers differ.
    codes = {code for _, code, _ in tries}
    charge = _charge_cents(svc)
    loose = [
        line
        for line in free
        if _code(line.procedure) in codes and window.holds(line) and line.charge_cents == charge
    ]
    what = (
        f"procedure {' or '.join(sorted(codes))} {window.text()} with charge "
        f"${svc.charge:,.2f}, any modifiers"
    )
    if len(loose) == 1 or (loose and _alike(loose)):
        ours = ", ".join(loose[0].modifiers) or "none"
        return loose[0], MatchMethod.PROCEDURE_WITHOUT_MODIFIERS, f"our modifiers: {ours}"
    if loose:
        attempts.append(
            f"{what}: {len(loose)} lines fit (" + "; ".join(_describe_line(c) for c in loose) + ")"
        )
        return MatchProblem(0, svc, "ambiguous", (), tuple(c.line_id for c in loose))
    attempts.append(f"{what}: no free line fits")
    if free:
        attempts.append("our free lines: " + "; ".join(_describe_line(c) for c in free))
    else:
        attempts.append("every line of our claim is already paired")
    return MatchProblem(0, svc, "unmatched", ())
