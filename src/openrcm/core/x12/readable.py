"""A readable view of any X12 file, as data a page can render: one line per segment with its
number, loop and indentation depth, the names of the segment and of each element, what a code
means, and dates, times and amounts written for people (``10/01/2026``, ``$125.00``).

It walks the file with the same loop trackers and names as ``openrcm x12 show``
(:mod:`.cli_views`, :mod:`.names`), but returns rows instead of text, one page at a time::

    view = readable(data, start=0, limit=500)
    for line in view.lines: ...        # line.depth, line.name, line.elements
    view.total, view.has_next          # the whole file's segment count; another page follows

A file the tokenizer cannot finish is shown up to the damage, with ``error`` saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from openrcm.core.x12 import names
from openrcm.core.x12.cli_views import _ENVELOPE_DEPTH, _hl_tracker, find_view
from openrcm.core.x12.errors import X12Error
from openrcm.core.x12.segments import Segment, parse_date, parse_date6, parse_decimal, parse_time
from openrcm.core.x12.tokenizer import Source, iter_segments

PAGE_SIZE: Final = 500
_AMOUNT_WORDS: Final = ("amount", "charge", "paid")
_NOT_AMOUNT: Final = ("qualifier", "count", "code", "indicator", "unit", "quantity", "number")
_NOT_DATE: Final = ("qualifier", "format")


@dataclass(frozen=True, slots=True)
class Component:
    """One component of a composite element (``SV101-2`` Procedure Code)."""

    ref: str
    name: str
    value: str
    meaning: str = ""


@dataclass(frozen=True, slots=True)
class Element:
    """One non-empty element: ``ref`` (``CLM02``), its name, the raw value, the value as
    people read it (``shown``: a date, a time or an amount formatted; else the raw value) and
    the meaning of a code."""

    ref: str
    name: str
    value: str
    shown: str
    meaning: str = ""
    components: tuple[Component, ...] = ()
    repetitions: tuple[str, ...] = ()

    @property
    def formatted(self) -> bool:
        """Whether ``shown`` rewrote the value (a date, a time, an amount)."""
        return self.shown.strip() != self.value.strip() and self.shown != "(blank)"


@dataclass(frozen=True, slots=True)
class Line:
    """One segment: its number in the file (ISA is 1), its depth (envelope 0-2, the set's
    loops below), its loop id and name, its own name, its text and its elements."""

    number: int
    depth: int
    segment_id: str
    name: str
    loop: str
    loop_name: str
    text: str
    elements: tuple[Element, ...]
    error: str = ""


@dataclass(frozen=True, slots=True)
class ReadableX12:
    """One page of a file: ``lines`` from segment index ``start`` (0-based), ``total``
    segments in the whole file, the transaction sets it holds (ST01, or TA1)."""

    lines: tuple[Line, ...]
    total: int
    start: int
    limit: int
    sets: tuple[str, ...] = ()
    error: str = ""
    terminator: str = "~"

    @property
    def has_next(self) -> bool:
        return self.start + self.limit < self.total

    @property
    def end(self) -> int:
        """Index after the last line shown."""
        return self.start + len(self.lines)


# -- values as people read them ----------------------------------------------------------------


def _money(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def _date_text(value: str) -> str:
    if "-" in value:  # RD8: a range CCYYMMDD-CCYYMMDD
        first, _, last = value.partition("-")
        start, end = parse_date(first), parse_date(last)
        if start is not None and end is not None:
            return f"{start:%m/%d/%Y} - {end:%m/%d/%Y}"
        return ""
    day = parse_date(value) if len(value) == 8 else parse_date6(value)
    return f"{day:%m/%d/%Y}" if day is not None else ""


def readable_value(name: str, value: str) -> str:
    """``value`` as people read it, judged by the element's ``name``: dates (CCYYMMDD, YYMMDD,
    ranges) as MM/DD/YYYY, times as HH:MM, amounts as dollars; anything else unchanged."""
    lowered = name.lower()
    if "date" in lowered and not any(w in lowered for w in _NOT_DATE):
        return _date_text(value) or value
    if "time" in lowered and "qualifier" not in lowered and len(value) in (4, 6):
        moment = parse_time(value)
        if moment is not None:
            return f"{moment:%H:%M}" if len(value) == 4 else f"{moment:%H:%M:%S}"
        return value
    if any(w in lowered for w in _AMOUNT_WORDS) and not any(w in lowered for w in _NOT_AMOUNT):
        amount = parse_decimal(value)
        if amount is not None:
            return _money(amount)
    return value


# -- segments ----------------------------------------------------------------------------------


def _elements(seg: Segment, set_id: str) -> tuple[Element, ...]:
    comp = seg.delimiters.component
    rep = seg.delimiters.repetition
    out: list[Element] = []
    for pos, value in enumerate(seg.elements, start=1):
        if not value:
            continue
        ref = f"{seg.id}{pos:02d}"
        label = names.element_name(seg.id, pos, set_id=set_id)
        base = (value.rstrip() or "(blank)") if seg.id == "ISA" else value
        components: list[Component] = []
        repetitions: tuple[str, ...] = ()
        if seg.id != "ISA":
            if rep in value and len(value) > 1:
                repetitions = tuple(value.split(rep))
            elif comp in value:
                for i, part in enumerate(value.split(comp), start=1):
                    if part:
                        components.append(
                            Component(
                                ref=f"{ref}-{i}",
                                name=names.component_name(seg.id, pos, i),
                                value=part,
                                meaning=names.code_meaning(
                                    seg.id, pos, part, set_id=set_id, component=i
                                ),
                            )
                        )
        out.append(
            Element(
                ref=ref,
                name=label,
                value=value,
                shown=readable_value(label, base) if not components else base,
                meaning=names.code_meaning(seg.id, pos, value, set_id=set_id),
                components=tuple(components),
                repetitions=repetitions,
            )
        )
    return tuple(out)


class _Walker:
    """The loop state of ``x12 show``: which set, which loop, how deep."""

    def __init__(self) -> None:
        self.set_id = ""
        self.version = ""
        self.tracker: Callable[[Segment], str] | None = None
        self.depth_of: Callable[[str], int] = lambda _loop: 0

    def place(self, seg: Segment) -> tuple[str, int]:
        """(loop, depth) of ``seg``, moving the state along."""
        sid = seg.id
        if sid == "GS":
            self.version = seg.el(8)
        if sid == "ST":
            self.set_id = seg.el(1)
            view = find_view(self.set_id, seg.el(3) or self.version)
            self.tracker = view.loops() if view is not None and view.loops is not None else None
            if self.tracker is None:
                self.tracker = _hl_tracker()
            if view is not None and view.depth is not None:
                self.depth_of = view.depth
            else:
                self.depth_of = lambda loop: 1 if loop.startswith("HL") else 0
        if sid in _ENVELOPE_DEPTH:
            if sid == "SE":
                self.tracker = None
            return "", _ENVELOPE_DEPTH[sid]
        if self.tracker is not None:
            loop = self.tracker(seg)
            return loop, 3 + self.depth_of(loop)
        return "", 3


def _line(seg: Segment, walker: _Walker, loop: str, depth: int) -> Line:
    set_id = walker.set_id
    return Line(
        number=seg.number,
        depth=depth,
        segment_id=seg.id,
        name=names.segment_name(seg.id, set_id=set_id, loop=loop, qualifier=seg.el(1)),
        loop=loop,
        loop_name=names.loop_name(loop, set_id=set_id) if loop else "",
        text=seg.to_text(),
        elements=_elements(seg, set_id),
        error=str(seg.error) if seg.error is not None else "",
    )


def readable(source: Source, *, start: int = 0, limit: int = PAGE_SIZE) -> ReadableX12:
    """Segments ``start`` to ``start + limit`` of an X12 file, readable. The loops are tracked
    up to the end of the page (the page's loop state needs what came before it) and the rest
    is only counted (the total). Raises X12Error only when the input is not X12 at all (no
    readable ISA header)."""
    start = max(0, start)
    limit = max(1, limit)
    reader = iter_segments(source, strict=False)
    walker = _Walker()
    lines: list[Line] = []
    sets: list[str] = []
    total = 0
    error = ""
    try:
        for seg in reader:
            if seg.id == "ST" and seg.el(1) not in sets:
                sets.append(seg.el(1))
            elif seg.id == "TA1" and "TA1" not in sets:
                sets.append("TA1")
            if total < start + limit:  # after the page only the count matters
                loop, depth = walker.place(seg)
                if total >= start:
                    lines.append(_line(seg, walker, loop, depth))
            total += 1
    except X12Error as exc:
        if total == 0:
            raise
        error = str(exc)
    terminator = reader.delimiters.segment
    return ReadableX12(
        lines=tuple(lines),
        total=total,
        start=start,
        limit=limit,
        sets=tuple(sets),
        error=error,
        terminator=terminator,
    )
