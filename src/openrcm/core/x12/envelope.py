"""Envelope reader: ISA/IEA, GS/GE and ST/SE checked, a file split into transaction sets.

``iter_transaction_sets`` yields one :class:`TransactionSetResult` per ST-SE set. The set's body
(the segments between ST and SE, exclusive) is a lazily consumed iterator, so a file of any size
streams; at its end the iterator checks SE (count and control number) and raises X12Error when
they are wrong. A set whose header is bad carries ``error`` and an empty body. Defects of the
enclosing envelope (GS/GE, ISA/IEA, segments outside any set) are yielded as results of kind
``"group"`` or ``"interchange"`` with ``error`` set, so a bad set or a bad trailer is reported on
its own while the other sets of the file still read.

Whatever the consumer does with a body (reads it all, stops early, raises), asking for the next
result skips the rest of the current set; reading that body afterwards raises RuntimeError (a
programming error: ``list(iter_transaction_sets(...))`` keeps the headers, not the bodies).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Final, Literal

from openrcm.core.x12.delimiters import Delimiters
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.segments import Segment, parse_date, parse_date6, parse_time
from openrcm.core.x12.tokenizer import ENVELOPE_IDS, SegmentReader, Source

C = X12ErrorCode
ID_QUALIFIERS: Final = frozenset({"01", "14", "20", "27", "28", "29", "30", "33", "ZZ"})


@dataclass(frozen=True, slots=True)
class InterchangeHeader:
    """What the ISA segment says."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: date | None
    time: time | None
    control_number: str
    version: str
    ack_requested: str
    usage: str
    delimiters: Delimiters
    segment_number: int = 1
    authorization_qualifier: str = "00"
    authorization: str = ""
    security_qualifier: str = "00"
    security: str = ""


@dataclass(frozen=True, slots=True)
class GroupHeader:
    """What the GS segment says."""

    functional_id: str
    sender: str
    receiver: str
    date: date | None
    time: time | None
    control_number: str
    agency: str
    version: str
    segment_number: int


def _empty() -> Iterator[Segment]:
    return iter(())


def _empty_raw() -> Iterator[list[str]]:
    return iter(())


@dataclass(slots=True)
class TransactionSetResult:
    """One ST-SE set (``kind == "set"``), or an envelope defect (``"group"``/``"interchange"``).

    ``segments`` yields the body between ST and SE; it raises X12Error at its end when SE is
    missing or wrong. ``raw_segments`` is the same body as lists (the segment id first, then the
    elements; the n-th list is segment ``segment_number + n``), for hot loops: read one of the
    two, not both. ``error`` is set when the set (or envelope) is known bad before its body.
    """

    interchange: InterchangeHeader | None
    group: GroupHeader | None
    transaction_set_id: str = ""
    control_number: str = ""
    implementation_reference: str = ""
    segment_number: int = 0
    segments: Iterator[Segment] = field(default_factory=_empty)
    error: X12Error | None = None
    kind: Literal["set", "group", "interchange"] = "set"
    file: str | None = None
    raw_segments: Iterator[list[str]] = field(default_factory=_empty_raw, repr=False)

    @property
    def st01(self) -> str:
        return self.transaction_set_id

    @property
    def st02(self) -> str:
        return self.control_number

    @property
    def st03(self) -> str:
        return self.implementation_reference

    @property
    def version(self) -> str:
        """The implementation guide: ST03, else GS08."""
        if self.implementation_reference:
            return self.implementation_reference
        return self.group.version if self.group else ""

    def position_in_set(self, segment_number: int) -> int:
        """A file segment number as the position inside this set (ST is 1), for IK302."""
        return segment_number - self.segment_number + 1


class _SetState:
    __slots__ = ("count", "finished", "number", "pushback")

    def __init__(self, number: int) -> None:
        self.finished = False
        self.pushback: Segment | None = None
        self.count = 1
        self.number = number  # the last segment consumed


def _same_number(a: str, b: str) -> bool:
    if a == b:
        return True
    return a.isascii() and a.isdigit() and b.isascii() and b.isdigit() and int(a) == int(b)


def _body(
    raw: Iterator[list[str]],
    st: Segment,
    st02: str,
    state: _SetState,
    bad: dict[int, X12Error],
    file: str | None,
    *,
    as_segments: bool,
) -> Iterator[Any]:
    """The segments between ST and SE: Segment objects, or the raw lists (id first)."""
    envelope = ENVELOPE_IDS
    delims = st.delimiters
    count = 1
    number = st.number
    try:
        for parts in raw:
            number += 1
            sid = parts[0]
            if sid in envelope:
                state.finished = True
                seg = Segment(sid, parts[1:], number, delims, bad.get(number) if bad else None)
                if sid == "SE":
                    count += 1
                    state.count = count
                    _check_se(seg, st02, count, file)
                    return
                state.pushback = seg
                raise X12Error(
                    C.SE_MISSING,
                    f"transaction set {st02} (ST at segment {st.number}) has no SE trailer:"
                    f" {sid} follows",
                    segment_number=number,
                    segment_id=sid,
                    file=file,
                    transaction_set=st02,
                )
            if bad and number in bad:
                raise bad[number].replace(transaction_set=st02, file=file)
            count += 1
            yield Segment(sid, parts[1:], number, delims) if as_segments else parts
        state.finished = True
        raise X12Error(
            C.TRUNCATED,
            f"the file ends inside transaction set {st02} (ST at segment {st.number}): no SE",
            segment_number=st.number,
            segment_id="ST",
            file=file,
            transaction_set=st02,
        )
    finally:
        state.number = number


def _check_se(seg: Segment, st02: str, count: int, file: str | None) -> None:
    se01, se02 = seg.el(1), seg.el(2)

    def fail(code: X12ErrorCode, message: str, element: int) -> X12Error:
        return X12Error(
            code,
            message,
            segment_number=seg.number,
            segment_id="SE",
            element=element,
            file=file,
            transaction_set=st02,
        )

    if not se01:
        raise fail(C.ELEMENT_MISSING, "SE01 (number of included segments) is missing", 1)
    if not (se01.isascii() and se01.isdigit()) or int(se01) != count:
        raise fail(
            C.COUNT_MISMATCH, f"SE01 says {se01!r} segments, the set has {count} (ST to SE)", 1
        )
    if se02 != st02:
        raise fail(
            C.CONTROL_NUMBER_MISMATCH, f"SE02 control number {se02!r} differs from ST02 {st02!r}", 2
        )


def parse_isa(seg: Segment, delimiters: Delimiters) -> tuple[InterchangeHeader, list[X12Error]]:
    """The interchange header of an ISA segment, with the problems found in its fields."""
    problems: list[X12Error] = []

    def bad(pos: int, message: str, code: X12ErrorCode = C.ISA_INVALID) -> None:
        problems.append(seg.error_at(code, message, element=pos))

    if len(seg.elements) != 16:
        bad(min(len(seg.elements), 17), f"ISA has {len(seg.elements)} elements, it must have 16")
    e = seg.el
    if e(1) not in ("00", "03"):
        bad(1, f"ISA01 (authorization qualifier) is {e(1)!r}, expected 00 or 03")
    if e(3) not in ("00", "01"):
        bad(3, f"ISA03 (security qualifier) is {e(3)!r}, expected 00 or 01")
    for pos in (5, 7):
        if e(pos) not in ID_QUALIFIERS:
            bad(pos, f"ISA{pos:02d} (id qualifier) {e(pos)!r} is not a valid qualifier")
    for pos in (6, 8):
        if not e(pos).strip():
            bad(pos, f"ISA{pos:02d} ({'sender' if pos == 6 else 'receiver'} id) is blank")
    d = parse_date6(e(9))
    if d is None:
        bad(9, f"ISA09 (interchange date) is {e(9)!r}, not a date YYMMDD", C.ISA_INVALID)
    t = parse_time(e(10)) if len(e(10)) == 4 else None
    if t is None:
        bad(10, f"ISA10 (interchange time) is {e(10)!r}, not a time HHMM", C.ISA_INVALID)
    if e(12) != "00501":
        bad(12, f"ISA12 is {e(12)!r}: only version 00501 is supported", C.VERSION_UNSUPPORTED)
    ctl = e(13)
    if len(ctl) != 9 or not (ctl.isascii() and ctl.isdigit()):
        bad(13, f"ISA13 (control number) is {ctl!r}, it must be 9 digits")
    if e(14) not in ("0", "1"):
        bad(14, f"ISA14 (acknowledgment requested) is {e(14)!r}, expected 0 or 1")
    if e(15) not in ("P", "T", "I"):
        bad(15, f"ISA15 (usage indicator) is {e(15)!r}, expected P, T or I")
    header = InterchangeHeader(
        sender_qualifier=e(5),
        sender_id=e(6).rstrip(),
        receiver_qualifier=e(7),
        receiver_id=e(8).rstrip(),
        date=d,
        time=t,
        control_number=ctl,
        version=e(12),
        ack_requested=e(14),
        usage=e(15),
        delimiters=delimiters,
        segment_number=seg.number,
        authorization_qualifier=e(1),
        authorization=e(2).rstrip(),
        security_qualifier=e(3),
        security=e(4).rstrip(),
    )
    return header, problems


def parse_gs(seg: Segment) -> tuple[GroupHeader, list[X12Error]]:
    """The group header of a GS segment, with the problems found in its fields."""
    problems: list[X12Error] = []
    e = seg.el

    def bad(pos: int, code: X12ErrorCode, message: str) -> None:
        problems.append(seg.error_at(code, message, element=pos))

    names = {
        1: "functional identifier",
        2: "sender code",
        3: "receiver code",
        6: "group control number",
        7: "agency code",
        8: "version",
    }
    for pos, name in names.items():
        if not e(pos):
            bad(pos, C.ELEMENT_MISSING, f"GS{pos:02d} ({name}) is required but missing")
    d = parse_date(e(4))
    if d is None:
        bad(4, C.DATE_INVALID, f"GS04 (group date) is {e(4)!r}, not a date CCYYMMDD")
    t = parse_time(e(5))
    if t is None:
        bad(5, C.TIME_INVALID, f"GS05 (group time) is {e(5)!r}, not a valid time HHMM[SS[DD]]")
    ctl = e(6)
    if ctl and (not (ctl.isascii() and ctl.isdigit()) or len(ctl) > 9):
        bad(6, C.NUMBER_INVALID, f"GS06 (group control number) is {ctl!r}, not 1-9 digits")
    if e(7) and e(7) != "X":
        bad(7, C.CODE_INVALID, f"GS07 (agency) is {e(7)!r}, expected X")
    if e(8) and not e(8).startswith("00501"):
        bad(8, C.VERSION_UNSUPPORTED, f"GS08 (version) {e(8)!r} is not a 5010 version")
    header = GroupHeader(
        functional_id=e(1),
        sender=e(2),
        receiver=e(3),
        date=d,
        time=t,
        control_number=ctl,
        agency=e(7),
        version=e(8),
        segment_number=seg.number,
    )
    return header, problems


def _skipped(st02: str) -> Iterator[Any]:
    raise RuntimeError(
        f"the body of transaction set {st02} was skipped: read each set's segments before"
        " asking for the next set"
    )
    yield  # pragma: no cover - makes this a generator


class _Envelope:
    """The state machine behind iter_transaction_sets."""

    def __init__(self, source: Source, file: str | None) -> None:
        self.reader = SegmentReader(source, file=file, strict=False)
        self.file = self.reader.file
        self.raw = self.reader.raw()
        self.bad = self.reader.bad
        self.delims = self.reader.delimiters
        self.number = 0
        self.pending: Segment | None = None
        self.interchange: InterchangeHeader | None = None
        self.isa: Segment | None = None
        self.group: GroupHeader | None = None
        self.gs: Segment | None = None
        self.group_count = 0
        self.set_count = 0

    def _next(self) -> Segment | None:
        if self.pending is not None:
            seg, self.pending = self.pending, None
            return seg
        parts = next(self.raw, None)
        if parts is None:
            return None
        self.number += 1
        return self._seg(parts, self.number)

    def _seg(self, parts: list[str], number: int) -> Segment:
        bad = self.bad
        return Segment(parts[0], parts[1:], number, self.delims, bad.get(number) if bad else None)

    def _err(self, kind: Literal["group", "interchange"], error: X12Error) -> TransactionSetResult:
        if error.file is None and self.file is not None:
            error = error.with_file(self.file)
        return TransactionSetResult(
            self.interchange, self.group, error=error, kind=kind, file=self.file
        )

    def run(self) -> Iterator[TransactionSetResult]:
        junk = False
        while True:
            seg = self._next()
            if seg is None:
                break
            sid = seg.id
            if sid == "ST":
                junk = False
                yield from self._set(seg)
                continue
            if seg.error is not None:
                yield self._err("interchange", seg.error)
                continue
            if sid == "ISA":
                junk = False
                yield from self._isa(seg)
            elif sid == "IEA":
                junk = False
                yield from self._iea(seg)
            elif sid == "GS":
                junk = False
                yield from self._gs(seg)
            elif sid == "GE":
                junk = False
                yield from self._ge(seg)
            elif sid == "TA1" and self.group is None and self.interchange is not None:
                junk = False  # an interchange acknowledgment: read by ta1.read_ta1
            elif sid == "SE":
                yield self._err(
                    "group", seg.error_at(C.ENVELOPE_INVALID, "SE without a matching ST")
                )
            elif not junk:
                junk = True
                where = "a transaction set (ST ... SE)"
                yield self._err(
                    "group" if self.group else "interchange",
                    seg.error_at(C.ENVELOPE_INVALID, f"segment {seg.id} is outside {where}"),
                )
        yield from self._eof()

    def _isa(self, seg: Segment) -> Iterator[TransactionSetResult]:
        if self.interchange is not None:
            yield from self._close_group(seg, missing=True)
            assert self.isa is not None
            yield self._err(
                "interchange",
                X12Error(
                    C.IEA_MISSING,
                    f"interchange {self.interchange.control_number} (ISA at segment"
                    f" {self.isa.number}) has no IEA trailer before the next ISA",
                    segment_number=seg.number,
                    segment_id="ISA",
                ),
            )
        delims = self.reader.delimiters
        header, problems = parse_isa(seg, delims)
        self.interchange, self.isa = header, seg
        self.group_count = 0
        for p in problems:
            yield self._err("interchange", p)

    def _iea(self, seg: Segment) -> Iterator[TransactionSetResult]:
        yield from self._close_group(seg, missing=True)
        if self.interchange is None or self.isa is None:
            yield self._err(
                "interchange", seg.error_at(C.ENVELOPE_INVALID, "IEA without a matching ISA")
            )
            return
        ctl = self.interchange.control_number
        n = seg.el(1)
        if not (n.isascii() and n.isdigit()) or int(n) != self.group_count:
            yield self._err(
                "interchange",
                seg.error_at(
                    C.INTERCHANGE_COUNT_MISMATCH,
                    f"IEA01 says {n!r} functional groups, the interchange has {self.group_count}",
                    element=1,
                ),
            )
        if not _same_number(seg.el(2), ctl):
            yield self._err(
                "interchange",
                seg.error_at(
                    C.INTERCHANGE_CONTROL_MISMATCH,
                    f"IEA02 control number {seg.el(2)!r} differs from ISA13 {ctl!r}",
                    element=2,
                ),
            )
        self.interchange, self.isa = None, None

    def _gs(self, seg: Segment) -> Iterator[TransactionSetResult]:
        yield from self._close_group(seg, missing=True)
        if self.interchange is None:
            yield self._err(
                "interchange",
                seg.error_at(C.ENVELOPE_INVALID, "GS outside an interchange (no ISA before it)"),
            )
        header, problems = parse_gs(seg)
        self.group, self.gs = header, seg
        self.group_count += 1
        self.set_count = 0
        for p in problems:
            yield self._err("group", p)

    def _ge(self, seg: Segment) -> Iterator[TransactionSetResult]:
        if self.group is None:
            yield self._err("group", seg.error_at(C.ENVELOPE_INVALID, "GE without a matching GS"))
            return
        n = seg.el(1)
        if not (n.isascii() and n.isdigit()) or int(n) != self.set_count:
            yield self._err(
                "group",
                seg.error_at(
                    C.GROUP_COUNT_MISMATCH,
                    f"GE01 says {n!r} transaction sets, the group has {self.set_count}",
                    element=1,
                ),
            )
        if not _same_number(seg.el(2), self.group.control_number):
            yield self._err(
                "group",
                seg.error_at(
                    C.GROUP_CONTROL_MISMATCH,
                    f"GE02 control number {seg.el(2)!r} differs from GS06"
                    f" {self.group.control_number!r}",
                    element=2,
                ),
            )
        self.group, self.gs = None, None

    def _close_group(self, seg: Segment, *, missing: bool) -> Iterator[TransactionSetResult]:
        if self.group is not None and self.gs is not None and missing:
            yield self._err(
                "group",
                X12Error(
                    C.GE_MISSING,
                    f"functional group {self.group.control_number} (GS at segment"
                    f" {self.gs.number}) has no GE trailer before {seg.id}",
                    segment_number=seg.number,
                    segment_id=seg.id,
                ),
            )
            self.group, self.gs = None, None

    def _eof(self) -> Iterator[TransactionSetResult]:
        if self.group is not None and self.gs is not None:
            yield self._err(
                "group",
                X12Error(
                    C.TRUNCATED,
                    f"the file ends inside functional group {self.group.control_number}"
                    f" (GS at segment {self.gs.number}): no GE",
                    segment_number=self.gs.number,
                    segment_id="GS",
                ),
            )
        if self.interchange is not None and self.isa is not None:
            yield self._err(
                "interchange",
                X12Error(
                    C.IEA_MISSING,
                    f"the file ends inside interchange {self.interchange.control_number}: no IEA",
                    segment_number=self.isa.number,
                    segment_id="ISA",
                ),
            )

    def _set(self, st: Segment) -> Iterator[TransactionSetResult]:
        self.set_count += 1
        st01, st02, st03 = st.el(1), st.el(2), st.el(3)
        error: X12Error | None = st.error
        if error is None and self.group is None:
            error = st.error_at(C.ENVELOPE_INVALID, "ST outside a functional group (no GS)")
        if error is None and not st01:
            error = st.error_at(
                C.TRANSACTION_SET_INVALID, "ST01 (transaction set id) is missing", element=1
            )
        if error is None and not (st01.isascii() and st01.isalnum() and len(st01) == 3):
            error = st.error_at(
                C.TRANSACTION_SET_INVALID, f"ST01 {st01!r} is not a transaction set id", element=1
            )
        if error is None and not (4 <= len(st02) <= 9):
            error = st.error_at(
                C.TRANSACTION_SET_INVALID,
                f"ST02 (control number) {st02!r} must be 4-9 characters",
                element=2,
            )
        state = _SetState(st.number)
        file = self.file
        if error is not None:
            if error.file is None and file is not None:
                error = error.with_file(file)
            error = error.replace(transaction_set=st02 or None)
            body: Iterator[Segment] = _empty()
            raw: Iterator[list[str]] = _empty_raw()
        else:
            body = _body(self.raw, st, st02, state, self.bad, file, as_segments=True)
            raw = _body(self.raw, st, st02, state, self.bad, file, as_segments=False)
        result = TransactionSetResult(
            self.interchange,
            self.group,
            st01,
            st02,
            st03,
            st.number,
            body,
            error,
            "set",
            file,
            raw,
        )
        yield result
        # Skip what the consumer left of this set.
        result.segments = _skipped(st02)
        result.raw_segments = _skipped(st02)
        for gen in (body, raw):
            close = getattr(gen, "close", None)
            if close is not None:
                close()
        self.number = state.number
        if not state.finished:
            for parts in self.raw:
                self.number += 1
                if parts[0] in ENVELOPE_IDS:
                    if parts[0] != "SE":
                        self.pending = self._seg(parts, self.number)
                    break
            return
        if state.pushback is not None:
            self.pending = state.pushback


def iter_transaction_sets(
    source: Source, *, file: str | None = None
) -> Iterator[TransactionSetResult]:
    """Split ``source`` into transaction sets, checking the envelopes (see module docstring).

    Raises X12Error only when the input is not X12 at all (no usable ISA header).
    """
    env = _Envelope(source, file)
    return env.run()


def first_error(results: Iterator[TransactionSetResult]) -> X12Error | None:
    """Consume ``results`` (bodies included) and return the first error, or None."""
    for r in results:
        if r.error is not None:
            return r.error
        try:
            for _ in r.segments:
                pass
        except X12Error as exc:
            return exc
    return None
