"""X12 writer: segments from Python values, and the ISA/GS/ST envelopes around them.

A transaction set writer only writes the segments between ST and SE into a
:class:`SegmentWriter`; :func:`write_interchange` (or :class:`InterchangeWriter`, which streams)
adds ST/SE with the segment count, GS/GE and ISA/IEA.

Element values: ``str`` as is; ``None`` empty; ``Decimal`` and ``int`` as X12 numbers (no
exponent, no trailing zeros after the decimal point); ``date`` as CCYYMMDD; ``time`` as HHMM (or
HHMMSS when it has seconds); a ``tuple`` is a composite (components joined with the component
separator); a ``list`` is a repeated element (repetitions joined with the repetition separator).
Trailing empty elements and components are dropped. A value containing a delimiter or a line
break raises X12Error(WRITE_INVALID): the file would not read back the same.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import IO

from openrcm.core.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from openrcm.core.x12.errors import X12Error, X12ErrorCode

type Scalar = str | Decimal | int | date | time | None
type Element = Scalar | tuple[Scalar, ...] | list[Scalar | tuple[Scalar, ...]]


def fmt_decimal(value: Decimal | int) -> str:
    """An X12 number: ``Decimal("12.50")`` -> ``"12.5"``, ``Decimal("-0")`` -> ``"0"``."""
    if type(value) is not Decimal:
        if isinstance(value, int):
            return str(value)
    elif not value.is_finite():
        raise X12Error(X12ErrorCode.WRITE_INVALID, f"{value} is not a finite number")
    s = str(value)
    if "E" in s:
        s = format(value, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if s in ("-0", ""):
        return "0"
    return s


def fmt_date(value: date) -> str:
    return value.isoformat().replace("-", "")


def fmt_time(value: time) -> str:
    if value.second or value.microsecond:
        return f"{value.hour:02d}{value.minute:02d}{value.second:02d}"
    return f"{value.hour:02d}{value.minute:02d}"


def _scalar(value: Scalar) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return fmt_decimal(value)
    if isinstance(value, datetime):
        return fmt_date(value.date())
    if isinstance(value, date):
        return fmt_date(value)
    if isinstance(value, time):
        return fmt_time(value)
    raise X12Error(X12ErrorCode.WRITE_INVALID, f"cannot write {type(value).__name__} in X12")


class SegmentWriter:
    """Writes segments to ``out`` (a text stream) or to memory (``getvalue()``).

    ``count`` is the number of segments written so far.
    """

    __slots__ = ("_bad", "_buf", "_comp", "_elem", "_end", "_out", "_rep", "count", "delimiters")

    def __init__(
        self,
        delimiters: Delimiters = DEFAULT_DELIMITERS,
        out: IO[str] | None = None,
        *,
        newline: bool = False,
    ) -> None:
        self.delimiters = delimiters
        self._elem = delimiters.element
        self._comp = delimiters.component
        self._rep = delimiters.repetition
        self._end = delimiters.segment + ("\n" if newline else "")
        self._out = out
        self._buf: list[str] = []
        self.count = 0
        forbidden = {delimiters.element, delimiters.component, delimiters.repetition,
                     delimiters.segment, "\r", "\n"}  # fmt: skip
        self._bad = re.compile("[" + re.escape("".join(sorted(forbidden))) + "]").search

    def _text(self, value: Scalar) -> str:
        """One scalar as checked text (no delimiter, no line break)."""
        if type(value) is str:
            if value and not value.isalnum() and self._bad(value) is not None:
                raise X12Error(
                    X12ErrorCode.WRITE_INVALID,
                    f"{value[:60]!r} contains a delimiter or a line break",
                )
            return value
        return _scalar(value)

    def _composite(self, value: tuple[Scalar, ...]) -> str:
        parts = [self._text(v) for v in value]
        while parts and not parts[-1]:
            parts.pop()
        return self._comp.join(parts)

    def seg(self, id: str, *elements: Element) -> None:
        """Write one segment (trailing empty elements dropped)."""
        texts: list[str] = [id]
        append = texts.append
        bad = self._bad
        try:
            for v in elements:
                t = type(v)
                if t is str:
                    if v and not v.isalnum() and bad(v) is not None:  # type: ignore[union-attr,arg-type]
                        raise X12Error(
                            X12ErrorCode.WRITE_INVALID,
                            f"{v[:60]!r} contains a delimiter or a line break",  # type: ignore[index]
                        )
                    append(v)  # type: ignore[arg-type]
                elif v is None:
                    append("")
                elif t is Decimal:
                    append(fmt_decimal(v))  # type: ignore[arg-type]
                elif isinstance(v, tuple):
                    append(self._composite(v))
                elif isinstance(v, list):
                    append(
                        self._rep.join(
                            self._composite(r) if isinstance(r, tuple) else self._text(r) for r in v
                        )
                    )
                else:
                    append(_scalar(v))
        except X12Error as exc:
            raise exc.replace(message=f"segment {id}: {exc.message}", segment_id=id) from None
        while len(texts) > 1 and not texts[-1]:
            texts.pop()
        line = self._elem.join(texts)
        self.count += 1
        if self._out is not None:
            self._out.write(line + self._end)
        else:
            self._buf.append(line)
            self._buf.append(self._end)

    def raw(self, text: str) -> None:
        """Write a segment given as text (without its terminator); no checks."""
        self.count += 1
        if self._out is not None:
            self._out.write(text + self._end)
        else:
            self._buf.append(text)
            self._buf.append(self._end)

    def getvalue(self) -> str:
        """What was written (when writing to memory)."""
        return "".join(self._buf)

    def segment_texts(self) -> list[str]:
        """The segments written to memory, without terminators."""
        return self._buf[0::2]

    def extend(self, other: SegmentWriter) -> None:
        """Copy the segments written to memory by ``other`` (same delimiters)."""
        if other.delimiters != self.delimiters:
            raise X12Error(X12ErrorCode.WRITE_INVALID, "the body was written with other delimiters")
        for text in other.segment_texts():
            self.raw(text)


def _control(value: int | str, width: int, name: str) -> str:
    text = str(value)
    if not text.isdigit() or len(text) > width:
        raise X12Error(X12ErrorCode.WRITE_INVALID, f"{name} {value!r} must be 1-{width} digits")
    return text.zfill(width) if width == 9 and name == "ISA13" else text


def _fixed(value: str, width: int, name: str) -> str:
    if len(value) > width:
        raise X12Error(
            X12ErrorCode.WRITE_INVALID, f"{name} {value!r} is longer than {width} characters"
        )
    return value.ljust(width)


class InterchangeWriter:
    """Streams an interchange: ISA, then groups of sets, then IEA on :meth:`close`.

    ``begin_set`` writes ST and returns the SegmentWriter the set's body goes to; ``end_set``
    writes SE with the right count. ``close`` returns the text when writing to memory.
    """

    def __init__(
        self,
        out: IO[str] | None = None,
        *,
        sender_id: str,
        receiver_id: str,
        isa_control: int | str,
        usage: str = "P",
        now: datetime | None = None,
        sender_qualifier: str = "ZZ",
        receiver_qualifier: str = "ZZ",
        ack_requested: str = "0",
        delimiters: Delimiters = DEFAULT_DELIMITERS,
        newline: bool = False,
    ) -> None:
        self.now = now or datetime.now(tz=UTC)
        self._mem = io.StringIO() if out is None else None
        stream = out if out is not None else self._mem
        assert stream is not None
        self.w = SegmentWriter(delimiters, stream, newline=newline)
        self.isa_control = _control(isa_control, 9, "ISA13")
        self.sender_id = sender_id
        self.receiver_id = receiver_id
        self.groups = 0
        self._group_control: str | None = None
        self._sets = 0
        self._set_start: int | None = None
        self._st02 = ""
        d = delimiters
        if usage not in ("P", "T", "I"):
            raise X12Error(X12ErrorCode.WRITE_INVALID, f"usage {usage!r} must be P, T or I")
        if d.problems():
            raise X12Error(X12ErrorCode.WRITE_INVALID, "; ".join(d.problems()))
        n = self.now
        isa = d.element.join(
            [
                "ISA",
                "00",
                " " * 10,
                "00",
                " " * 10,
                _fixed(sender_qualifier, 2, "ISA05"),
                _fixed(sender_id, 15, "ISA06"),
                _fixed(receiver_qualifier, 2, "ISA07"),
                _fixed(receiver_id, 15, "ISA08"),
                f"{n.year % 100:02d}{n.month:02d}{n.day:02d}",
                f"{n.hour:02d}{n.minute:02d}",
                d.repetition,
                "00501",
                self.isa_control,
                ack_requested,
                usage,
                d.component,
            ]
        )
        self.w.raw(isa)

    def begin_group(
        self,
        functional_id: str,
        version: str,
        gs_control: int | str,
        *,
        sender: str | None = None,
        receiver: str | None = None,
        sender_id: str = "",
        receiver_id: str = "",
    ) -> None:
        if self._group_control is not None:
            self.end_group()
        self._group_control = _control(gs_control, 9, "GS06")
        self._sets = 0
        self.groups += 1
        n = self.now
        self.w.seg(
            "GS",
            functional_id,
            sender or sender_id or self.sender_id,
            receiver or receiver_id or self.receiver_id,
            fmt_date(n.date()),
            f"{n.hour:02d}{n.minute:02d}",
            self._group_control,
            "X",
            version,
        )

    def begin_set(
        self, set_id: str, control_number: str, implementation_reference: str | None = None
    ) -> SegmentWriter:
        if self._group_control is None:
            raise X12Error(X12ErrorCode.WRITE_INVALID, "begin_group before begin_set")
        if self._set_start is not None:
            self.end_set()
        if not 4 <= len(control_number) <= 9:
            raise X12Error(
                X12ErrorCode.WRITE_INVALID, f"ST02 {control_number!r} must be 4-9 characters"
            )
        self._sets += 1
        self._st02 = control_number
        self._set_start = self.w.count
        self.w.seg("ST", set_id, control_number, implementation_reference)
        return self.w

    def end_set(self) -> None:
        if self._set_start is None:
            return
        count = self.w.count - self._set_start + 1
        self.w.seg("SE", str(count), self._st02)
        self._set_start = None

    def end_group(self) -> None:
        if self._group_control is None:
            return
        self.end_set()
        self.w.seg("GE", str(self._sets), self._group_control)
        self._group_control = None

    def close(self) -> str:
        self.end_group()
        self.w.seg("IEA", str(self.groups), self.isa_control)
        return self._mem.getvalue() if self._mem is not None else ""


@dataclass(slots=True)
class OutgoingSet:
    """One transaction set to write: ST01, ST02, and its body (the segments between ST and SE),
    either written already into a SegmentWriter (in memory) or as a function writing them."""

    set_id: str
    control_number: str
    body: SegmentWriter | Callable[[SegmentWriter], None]
    implementation_reference: str | None = None


def write_interchange(
    sets: Iterable[OutgoingSet],
    *,
    sender_id: str,
    receiver_id: str,
    isa_control: int | str,
    gs_control: int | str,
    functional_id: str,
    version: str,
    usage: str = "P",
    now: datetime | None = None,
    sender_qualifier: str = "ZZ",
    receiver_qualifier: str = "ZZ",
    gs_sender: str | None = None,
    gs_receiver: str | None = None,
    ack_requested: str = "0",
    delimiters: Delimiters = DEFAULT_DELIMITERS,
    newline: bool = False,
    out: IO[str] | None = None,
) -> str:
    """One interchange with one functional group holding ``sets``.

    ST03 defaults to ``version`` (GS08), as the 5010 implementation guides require. Returns the
    text (or "" when ``out`` is given and the text went there).
    """
    iw = InterchangeWriter(
        out,
        sender_id=sender_id,
        receiver_id=receiver_id,
        isa_control=isa_control,
        usage=usage,
        now=now,
        sender_qualifier=sender_qualifier,
        receiver_qualifier=receiver_qualifier,
        ack_requested=ack_requested,
        delimiters=delimiters,
        newline=newline,
    )
    iw.begin_group(
        functional_id,
        version,
        gs_control,
        sender=gs_sender or sender_id,
        receiver=gs_receiver or receiver_id,
    )
    for s in sets:
        w = iw.begin_set(s.set_id, s.control_number, s.implementation_reference or version)
        if isinstance(s.body, SegmentWriter):
            w.extend(s.body)
        else:
            s.body(w)
        iw.end_set()
    return iw.close()
