"""One X12 segment as read, with typed accessors that raise located errors.

``Segment.elements[0]`` is the first element after the segment id, so ``seg.el(1)`` is element 01
in the implementation guides' numbering (``CLP01``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from openrcm.core.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from openrcm.core.x12.errors import X12Error, X12ErrorCode

# Caches of parsed values (readers look here first on their hot path; only valid text is stored).
DECIMAL_CACHE: dict[str, Decimal] = {}
DATE_CACHE: dict[str, date] = {}
_DECIMALS = DECIMAL_CACHE
_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)").fullmatch
_DATES = DATE_CACHE
_CACHE_MAX = 1 << 15


def parse_decimal(text: str) -> Decimal | None:
    """X12 type R / N as Decimal, or None when ``text`` is not such a number.

    Accepts an optional leading minus, digits and one decimal point; no exponent, no plus sign,
    no spaces (``Decimal()`` alone would accept all of these and ``NaN``).
    """
    d = _DECIMALS.get(text)
    if d is not None:
        return d
    if len(text) > 30 or _NUMBER(text) is None:
        return None
    d = Decimal(text)
    if len(_DECIMALS) >= _CACHE_MAX:
        _DECIMALS.clear()
    _DECIMALS[text] = d
    return d


def parse_date(text: str) -> date | None:
    """CCYYMMDD as a date, or None when it is not a real calendar date in that form."""
    d = _DATES.get(text)
    if d is not None:
        return d
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        return None
    try:
        d = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None
    if len(_DATES) >= _CACHE_MAX:
        _DATES.clear()
    _DATES[text] = d
    return d


def parse_date6(text: str) -> date | None:
    """YYMMDD (ISA09, TA103) as a date in 2000-2099, or None."""
    if len(text) != 6 or not text.isascii() or not text.isdigit():
        return None
    return parse_date("20" + text)


def parse_time(text: str) -> time | None:
    """HHMM, HHMMSS or HHMMSSD[D] as a time, or None."""
    n = len(text)
    if n not in (4, 6, 7, 8) or not text.isascii() or not text.isdigit():
        return None
    try:
        hh, mm = int(text[:2]), int(text[2:4])
        ss = int(text[4:6]) if n >= 6 else 0
        micro = int(text[6:].ljust(6, "0")) if n > 6 else 0
        return time(hh, mm, ss, micro)
    except ValueError:
        return None


@dataclass(slots=True)
class Segment:
    """A segment: its id, its elements (``elements[0]`` is element 01) and its number in the
    file (ISA is 1). ``delimiters`` are the file's, for composites and repetitions."""

    id: str
    elements: list[str]
    number: int
    delimiters: Delimiters = field(default=DEFAULT_DELIMITERS, compare=False, repr=False)
    error: X12Error | None = field(default=None, compare=False, repr=False)

    # -- raw access -----------------------------------------------------------------------

    def el(self, pos: int) -> str:
        """Element ``pos`` (1-based, as in CLP04), "" when absent."""
        e = self.elements
        return e[pos - 1] if 0 < pos <= len(e) else ""

    def components(self, pos: int) -> list[str]:
        """The components of composite element ``pos`` ([] when the element is empty)."""
        v = self.el(pos)
        return v.split(self.delimiters.component) if v else []

    def comp(self, pos: int, sub: int) -> str:
        """Component ``sub`` (1-based) of composite element ``pos``, "" when absent."""
        v = self.el(pos)
        if not v:
            return ""
        parts = v.split(self.delimiters.component)
        return parts[sub - 1] if 0 < sub <= len(parts) else ""

    def reps(self, pos: int) -> list[str]:
        """The repetitions of element ``pos`` ([] when the element is empty)."""
        v = self.el(pos)
        return v.split(self.delimiters.repetition) if v else []

    def to_text(self) -> str:
        """The segment as X12 text, without the terminator."""
        return self.delimiters.element.join([self.id, *self.elements])

    # -- errors ---------------------------------------------------------------------------

    def error_at(
        self,
        code: X12ErrorCode,
        message: str,
        *,
        element: int | None = None,
        component: int | None = None,
        loop: str | None = None,
    ) -> X12Error:
        """An X12Error located at this segment."""
        return X12Error(
            code,
            message,
            segment_number=self.number,
            segment_id=self.id,
            element=element,
            component=component,
            loop=loop,
        )

    def _name(self, pos: int, name: str) -> str:
        ref = f"{self.id}{pos:02d}"
        return f"{ref} ({name})" if name else ref

    def require(self, pos: int, name: str = "", loop: str | None = None) -> str:
        """Element ``pos``; X12Error(ELEMENT_MISSING) when it is empty or absent."""
        v = self.el(pos)
        if not v:
            raise self.error_at(
                X12ErrorCode.ELEMENT_MISSING,
                f"{self._name(pos, name)} is required but missing",
                element=pos,
                loop=loop,
            )
        return v

    def require_comp(self, pos: int, sub: int, name: str = "", loop: str | None = None) -> str:
        """Component ``sub`` of element ``pos``; X12Error(ELEMENT_MISSING) when empty."""
        v = self.comp(pos, sub)
        if not v:
            raise self.error_at(
                X12ErrorCode.ELEMENT_MISSING,
                f"{self._name(pos, name)} component {sub} is required but missing",
                element=pos,
                component=sub,
                loop=loop,
            )
        return v

    def code_el(
        self, pos: int, allowed: frozenset[str] | set[str], name: str = "", loop: str | None = None
    ) -> str:
        """Element ``pos`` when empty or one of ``allowed``; else X12Error(CODE_INVALID)."""
        v = self.el(pos)
        if v and v not in allowed:
            raise self.error_at(
                X12ErrorCode.CODE_INVALID,
                f"{self._name(pos, name)} has code {v!r}, expected one of "
                + ", ".join(sorted(allowed)),
                element=pos,
                loop=loop,
            )
        return v

    def require_code(
        self, pos: int, allowed: frozenset[str] | set[str], name: str = "", loop: str | None = None
    ) -> str:
        """Element ``pos``, required and one of ``allowed``."""
        self.require(pos, name, loop)
        return self.code_el(pos, allowed, name, loop)

    # -- typed values ---------------------------------------------------------------------

    def decimal_el(self, pos: int, name: str = "", loop: str | None = None) -> Decimal | None:
        """Element ``pos`` as a Decimal (None when empty); X12Error(NUMBER_INVALID) if not a
        number."""
        v = self.el(pos)
        if not v:
            return None
        d = parse_decimal(v)
        if d is None:
            raise self.error_at(
                X12ErrorCode.NUMBER_INVALID,
                f"{self._name(pos, name)} is {v!r}, not a number",
                element=pos,
                loop=loop,
            )
        return d

    def require_decimal(self, pos: int, name: str = "", loop: str | None = None) -> Decimal:
        """Element ``pos`` as a Decimal, required."""
        self.require(pos, name, loop)
        d = self.decimal_el(pos, name, loop)
        assert d is not None
        return d

    def int_el(self, pos: int, name: str = "", loop: str | None = None) -> int | None:
        """Element ``pos`` as an unsigned integer (None when empty)."""
        v = self.el(pos)
        if not v:
            return None
        if not (v.isascii() and v.isdigit()) or len(v) > 18:
            raise self.error_at(
                X12ErrorCode.NUMBER_INVALID,
                f"{self._name(pos, name)} is {v!r}, not a whole number",
                element=pos,
                loop=loop,
            )
        return int(v)

    def require_int(self, pos: int, name: str = "", loop: str | None = None) -> int:
        """Element ``pos`` as an unsigned integer, required."""
        self.require(pos, name, loop)
        i = self.int_el(pos, name, loop)
        assert i is not None
        return i

    def date_el(self, pos: int, name: str = "", loop: str | None = None) -> date | None:
        """Element ``pos`` (CCYYMMDD) as a date (None when empty); X12Error(DATE_INVALID)."""
        v = self.el(pos)
        if not v:
            return None
        d = parse_date(v)
        if d is None:
            raise self.error_at(
                X12ErrorCode.DATE_INVALID,
                f"{self._name(pos, name)} is {v!r}, not a date in the form CCYYMMDD",
                element=pos,
                loop=loop,
            )
        return d

    def require_date(self, pos: int, name: str = "", loop: str | None = None) -> date:
        """Element ``pos`` (CCYYMMDD) as a date, required."""
        self.require(pos, name, loop)
        d = self.date_el(pos, name, loop)
        assert d is not None
        return d

    def time_el(self, pos: int, name: str = "", loop: str | None = None) -> time | None:
        """Element ``pos`` (HHMM[SS[D[D]]]) as a time (None when empty)."""
        v = self.el(pos)
        if not v:
            return None
        t = parse_time(v)
        if t is None:
            raise self.error_at(
                X12ErrorCode.TIME_INVALID,
                f"{self._name(pos, name)} is {v!r}, not a time in the form HHMM[SS]",
                element=pos,
                loop=loop,
            )
        return t

    def require_time(self, pos: int, name: str = "", loop: str | None = None) -> time:
        """Element ``pos`` as a time, required."""
        self.require(pos, name, loop)
        t = self.time_el(pos, name, loop)
        assert t is not None
        return t

    def check_max_elements(self, count: int, loop: str | None = None) -> None:
        """X12Error(TOO_MANY_ELEMENTS) when the segment has more than ``count`` elements
        (trailing empty elements are not counted)."""
        e = self.elements
        if len(e) > count:
            last = len(e)
            while last > count and not e[last - 1]:
                last -= 1
            if last > count:
                raise self.error_at(
                    X12ErrorCode.TOO_MANY_ELEMENTS,
                    f"{self.id} has {last} elements, at most {count} are defined",
                    element=last,
                    loop=loop,
                )
