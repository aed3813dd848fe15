"""999 Implementation Acknowledgment (005010X231A1): reader, writer, and a builder that turns
our own X12Errors into the 999 a receiver would send back.

Structure: AK1 (the group acknowledged), then per transaction set loop 2000 (AK2, loop 2100 of
IK3 segment errors with their CTX contexts and loop 2110 IK4 element errors, then IK5 with the
set's status), then AK9 with the group's status and counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Final

from openrcm.core.x12.envelope import TransactionSetResult, iter_transaction_sets
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.segments import Segment
from openrcm.core.x12.tokenizer import Source
from openrcm.core.x12.writer import InterchangeWriter, SegmentWriter

C = X12ErrorCode
VERSION: Final = "005010X231A1"
FUNCTIONAL_ID: Final = "FA"

FUNCTIONAL_IDS: Final = frozenset({"BE", "HB", "HC", "HI", "HN", "HP", "HR", "HS", "RA"})
SET_IDS: Final = frozenset({"270", "271", "276", "277", "278", "820", "834", "835", "837"})
IK3_CODES: Final = frozenset({"1", "2", "3", "4", "5", "6", "7", "8", "I4", "I6", "I7", "I8", "I9"})
IK4_CODES: Final = frozenset(
    {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "12", "13", "I6", "I9", "I10", "I11",
     "I12", "I13"}
)  # fmt: skip
IK5_STATUS: Final = frozenset({"A", "E", "M", "R", "W", "X"})
IK5_CODES: Final = frozenset(
    {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "15", "16", "17", "18",
     "19", "23", "24", "25", "26", "27", "I5", "I6"}
)  # fmt: skip
AK9_STATUS: Final = frozenset({"A", "E", "M", "P", "R", "W", "X"})
AK9_CODES: Final = frozenset(
    {"1", "2", "3", "4", "5", "6", "10", "11", "12", "13", "14", "15", "16", "17", "18", "19",
     "23", "24", "25", "26"}
)  # fmt: skip

MAX_ELEMENTS: Final[dict[str, int]] = {
    "AK1": 3, "AK2": 3, "IK3": 4, "CTX": 6, "IK4": 4, "IK5": 6, "AK9": 9,
}  # fmt: skip


# -- data -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Context:
    """CTX: a context for an error. ``name`` is "SITUATIONAL TRIGGER" (with the segment that
    triggered a situational rule) or a business unit such as "CLM01" with its value in
    ``reference``."""

    name: str
    reference: str = ""
    segment_id: str = ""
    segment_position: int | None = None
    loop: str = ""
    element_position: int | None = None
    component_position: int | None = None
    repetition_position: int | None = None
    element_reference: str = ""
    element_reference2: str = ""


@dataclass(slots=True)
class ElementNote:
    """IK4 (loop 2110): an element in error."""

    position: int
    code: str
    component: int | None = None
    repetition: int | None = None
    reference_number: str = ""
    bad_value: str = ""
    contexts: list[Context] = field(default_factory=list)


@dataclass(slots=True)
class SegmentNote:
    """IK3 (loop 2100): a segment in error, at ``position`` in its set (ST is 1)."""

    segment_id: str
    position: int
    code: str
    loop: str = ""
    contexts: list[Context] = field(default_factory=list)
    elements: list[ElementNote] = field(default_factory=list)


@dataclass(slots=True)
class SetResponse:
    """Loop 2000: AK2, the segment notes, and IK5 (status A, E, R ... and its codes)."""

    set_id: str
    control_number: str
    status: str
    implementation_reference: str = ""
    codes: list[str] = field(default_factory=list)
    segment_notes: list[SegmentNote] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.status in ("A", "E")


@dataclass(slots=True)
class Ack999:
    """One 999 transaction set: the acknowledgment of one functional group."""

    control_number: str
    functional_id: str
    group_control_number: str
    group_status: str
    sets_included: int
    sets_received: int
    sets_accepted: int
    version: str = ""
    group_codes: list[str] = field(default_factory=list)
    sets: list[SetResponse] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.group_status in ("A", "E")


@dataclass(slots=True)
class Ack999File:
    """What :func:`parse_999` found: the good acknowledgments and the errors of the bad sets."""

    acks: list[Ack999]
    errors: list[X12Error]


# -- reading ----------------------------------------------------------------------------------


def _check(seg: Segment, loop: str | None) -> None:
    top = MAX_ELEMENTS.get(seg.id)
    if top is not None:
        seg.check_max_elements(top, loop)


def _code(seg: Segment, pos: int, allowed: frozenset[str], name: str, loop: str | None) -> str:
    return seg.require_code(pos, allowed, name, loop)


def _opt_int(
    seg: Segment, pos: int, sub: int | None, name: str, loop: str | None, max_digits: int = 6
) -> int | None:
    v = seg.el(pos) if sub is None else seg.comp(pos, sub)
    if not v:
        return None
    if not (v.isascii() and v.isdigit()) or len(v) > max_digits:
        raise X12Error(C.NUMBER_INVALID, f"{seg.id}{pos:02d} ({name}) is {v!r}, not a number",
                       segment_number=seg.number, segment_id=seg.id, element=pos,
                       component=sub, loop=loop)  # fmt: skip
    return int(v)


def _ctx(seg: Segment, loop: str) -> Context:
    _check(seg, loop)
    name = seg.require_comp(1, 1, "context name", loop)
    return Context(
        name=name,
        reference=seg.comp(1, 2),
        segment_id=seg.el(2),
        segment_position=_opt_int(seg, 3, None, "segment position", loop),
        loop=seg.el(4),
        element_position=_opt_int(seg, 5, 1, "element position", loop),
        component_position=_opt_int(seg, 5, 2, "component position", loop),
        repetition_position=_opt_int(seg, 5, 3, "repetition position", loop),
        element_reference=seg.comp(6, 1),
        element_reference2=seg.comp(6, 2),
    )


def _missing(what: str, loop: str | None, seg: Segment | None, last: int) -> X12Error:
    if seg is None:
        return X12Error(C.SEGMENT_MISSING, f"{what} is required but the set ends",
                        segment_number=last + 1, segment_id="SE", loop=loop)  # fmt: skip
    return seg.error_at(C.SEGMENT_MISSING, f"{what} is required, found {seg.id}", loop=loop)


def _read_set(ts: TransactionSetResult) -> Ack999:
    if ts.transaction_set_id != "999":
        raise X12Error(C.TRANSACTION_SET_UNSUPPORTED,
                       f"transaction set {ts.transaction_set_id} is not a 999",
                       segment_number=ts.segment_number, segment_id="ST", element=1)  # fmt: skip
    if ts.version != VERSION:
        raise X12Error(C.VERSION_UNSUPPORTED, f"the 999 is {ts.version!r}, expected {VERSION}",
                       segment_number=ts.segment_number, segment_id="ST", element=3)  # fmt: skip
    it = iter(ts.segments)
    last = ts.segment_number

    def nxt() -> Segment | None:
        nonlocal last
        s = next(it, None)
        if s is not None:
            last = s.number
        return s

    seg = nxt()
    if seg is None or seg.id != "AK1":
        raise _missing("AK1 (functional group response header)", None, seg, last)
    _check(seg, None)
    ack = Ack999(
        control_number=ts.control_number,
        functional_id=_code(seg, 1, FUNCTIONAL_IDS, "functional identifier", None),
        group_control_number=seg.require(2, "group control number"),
        version=seg.require(3, "version"),
        group_status="",
        sets_included=0,
        sets_received=0,
        sets_accepted=0,
    )
    # AK102 echoes GS06, which may have up to 9 digits.
    _opt_int(seg, 2, None, "group control number", None, max_digits=9)
    seg = nxt()
    while seg is not None and seg.id == "AK2":
        loop = "2000"
        _check(seg, loop)
        resp = SetResponse(
            set_id=_code(seg, 1, SET_IDS, "transaction set identifier", loop),
            control_number=seg.require(2, "transaction set control number", loop),
            status="",
            implementation_reference=seg.el(3),
        )
        seg = nxt()
        while seg is not None and seg.id == "IK3":
            loop = "2100"
            _check(seg, loop)
            pos = _opt_int(seg, 2, None, "segment position", loop)
            if pos is None:
                seg.require(2, "segment position in transaction set", loop)
            note = SegmentNote(
                segment_id=seg.require(1, "segment id code", loop),
                position=pos or 0,
                loop=seg.el(3),
                code=seg.code_el(4, IK3_CODES, "segment syntax error code", loop),
            )
            seg = nxt()
            while seg is not None and seg.id == "CTX":
                note.contexts.append(_ctx(seg, loop))
                if len(note.contexts) > 10:
                    raise seg.error_at(C.SEGMENT_REPEATED, "at most 10 CTX in loop 2100",
                                       loop=loop)  # fmt: skip
                seg = nxt()
            while seg is not None and seg.id == "IK4":
                loop = "2110"
                _check(seg, loop)
                position = _opt_int(seg, 1, 1, "element position", loop)
                if position is None:
                    seg.require_comp(1, 1, "element position in segment", loop)
                el = ElementNote(
                    position=position or 0,
                    component=_opt_int(seg, 1, 2, "component position", loop),
                    repetition=_opt_int(seg, 1, 3, "repetition position", loop),
                    reference_number=seg.el(2),
                    code=_code(seg, 3, IK4_CODES, "element syntax error code", loop),
                    bad_value=seg.el(4),
                )
                seg = nxt()
                while seg is not None and seg.id == "CTX":
                    el.contexts.append(_ctx(seg, loop))
                    if len(el.contexts) > 10:
                        raise seg.error_at(C.SEGMENT_REPEATED, "at most 10 CTX in loop 2110",
                                           loop=loop)  # fmt: skip
                    seg = nxt()
                note.elements.append(el)
            resp.segment_notes.append(note)
        if seg is None or seg.id != "IK5":
            raise _missing("IK5 (transaction set response trailer)", "2000", seg, last)
        loop = "2000"
        _check(seg, loop)
        resp.status = _code(seg, 1, IK5_STATUS, "acknowledgment code", loop)
        for pos in range(2, 7):
            if seg.el(pos):
                resp.codes.append(seg.code_el(pos, IK5_CODES, "syntax error code", loop))
        ack.sets.append(resp)
        seg = nxt()
    if seg is None or seg.id != "AK9":
        raise _missing("AK9 (functional group response trailer)", None, seg, last)
    _check(seg, None)
    ack.group_status = _code(seg, 1, AK9_STATUS, "functional group acknowledge code", None)
    ack.sets_included = seg.require_int(2, "number of transaction sets included")
    ack.sets_received = seg.require_int(3, "number of received transaction sets")
    ack.sets_accepted = seg.require_int(4, "number of accepted transaction sets")
    for pos in range(5, 10):
        if seg.el(pos):
            ack.group_codes.append(seg.code_el(pos, AK9_CODES, "group syntax error code"))
    ak9 = seg
    seg = nxt()
    if seg is not None:
        raise seg.error_at(C.SEGMENT_UNEXPECTED, f"{seg.id} is not expected after AK9")
    if ack.sets_accepted > ack.sets_received:
        raise ak9.error_at(C.ELEMENT_INVALID, "AK904 (accepted) is more than AK903 (received)",
                           element=4)  # fmt: skip
    return ack


def iter_999(source: Source, *, file: str | None = None) -> Iterator[Ack999 | X12Error]:
    """Each 999 set of ``source`` as an Ack999, or the X12Error that made it (or an envelope
    around it) unreadable."""
    for ts in iter_transaction_sets(source, file=file):
        if ts.error is not None:
            yield ts.error
            continue
        try:
            yield _read_set(ts)
            for _ in ts.segments:  # pragma: no cover - the reader consumed the body
                pass
        except X12Error as exc:
            err = exc if exc.file is not None or ts.file is None else exc.with_file(ts.file)
            if err.transaction_set is None:
                err = err.replace(transaction_set=ts.control_number)
            yield err


def parse_999(source: Source, *, file: str | None = None) -> Ack999File:
    acks: list[Ack999] = []
    errors: list[X12Error] = []
    for item in iter_999(source, file=file):
        if isinstance(item, X12Error):
            errors.append(item)
        else:
            acks.append(item)
    return Ack999File(acks, errors)


def read_999(source: Source, *, file: str | None = None) -> list[Ack999]:
    """The 999 sets of ``source``; raises the first X12Error."""
    result = parse_999(source, file=file)
    if result.errors:
        raise result.errors[0]
    return result.acks


# -- writing ----------------------------------------------------------------------------------


def _pos(*parts: int | None) -> tuple[str, ...]:
    return tuple("" if p is None else str(p) for p in parts)


def _write_ctx(w: SegmentWriter, c: Context) -> None:
    w.seg(
        "CTX",
        (c.name, c.reference),
        c.segment_id,
        None if c.segment_position is None else str(c.segment_position),
        c.loop,
        _pos(c.element_position, c.component_position, c.repetition_position),
        (c.element_reference, c.element_reference2),
    )


def write_999_set(w: SegmentWriter, ack: Ack999) -> None:
    """The body of one 999 set (between ST and SE)."""
    w.seg("AK1", ack.functional_id, ack.group_control_number, ack.version)
    for r in ack.sets:
        w.seg("AK2", r.set_id, r.control_number, r.implementation_reference)
        for n in r.segment_notes:
            w.seg("IK3", n.segment_id, str(n.position), n.loop, n.code)
            for c in n.contexts:
                _write_ctx(w, c)
            for el in n.elements:
                w.seg("IK4", _pos(el.position, el.component, el.repetition), el.reference_number,
                      el.code, el.bad_value)  # fmt: skip
                for c in el.contexts:
                    _write_ctx(w, c)
        w.seg("IK5", r.status, *r.codes)
    w.seg("AK9", ack.group_status, str(ack.sets_included), str(ack.sets_received),
          str(ack.sets_accepted), *ack.group_codes)  # fmt: skip


def write_999(
    acks: Iterable[Ack999],
    *,
    sender_id: str,
    receiver_id: str,
    isa_control: int | str,
    gs_control: int | str,
    now: datetime | None = None,
    usage: str = "P",
    out: IO[str] | None = None,
) -> str:
    """An interchange with one FA group holding one 999 set per acknowledgment (ST02 is each
    ack's ``control_number``)."""
    iw = InterchangeWriter(out, sender_id=sender_id, receiver_id=receiver_id,
                           isa_control=isa_control, usage=usage, now=now)  # fmt: skip
    iw.begin_group(FUNCTIONAL_ID, VERSION, gs_control, sender=sender_id, receiver=receiver_id)
    for ack in acks:
        w = iw.begin_set("999", ack.control_number, VERSION)
        write_999_set(w, ack)
        iw.end_set()
    return iw.close()


# -- building a 999 from our own reading ----------------------------------------------------


@dataclass(slots=True)
class SetOutcome:
    """What reading one received transaction set gave: its ST ids and its error, if any."""

    set_id: str
    control_number: str
    st_segment_number: int
    error: X12Error | None = None
    implementation_reference: str = ""


def set_response(outcome: SetOutcome) -> SetResponse:
    """The loop 2000 for one received set: accepted, or rejected with IK3/IK4 naming the
    segment and element in error."""
    resp = SetResponse(outcome.set_id, outcome.control_number, "A",
                       outcome.implementation_reference)  # fmt: skip
    err = outcome.error
    if err is None:
        return resp
    resp.status = "R"
    ik5 = err.code.ik5_code or "5"
    if ik5 not in IK5_CODES:  # pragma: no cover - the mapping only yields valid codes
        ik5 = "5"
    resp.codes = [ik5]
    ik3 = err.code.ik3_code
    if ik3 is not None and err.segment_number is not None and err.segment_id:
        note = SegmentNote(
            segment_id=err.segment_id[:3],
            position=max(err.segment_number - outcome.st_segment_number + 1, 1),
            code=ik3,
            loop=(err.loop or "")[:4] if err.loop and err.loop[0].isdigit() else "",
        )
        ik4 = err.code.ik4_code
        if ik4 is not None and err.element is not None:
            note.elements.append(ElementNote(position=err.element, code=ik4,
                                             component=err.component))  # fmt: skip
        resp.segment_notes.append(note)
    return resp


def build_999(
    *,
    control_number: str,
    functional_id: str,
    group_control_number: str,
    version: str,
    outcomes: Sequence[SetOutcome],
    group_error: X12Error | None = None,
) -> Ack999:
    """The 999 acknowledging one received functional group."""
    sets = [set_response(o) for o in outcomes]
    accepted = sum(1 for s in sets if s.accepted)
    codes: list[str] = []
    if group_error is not None:
        codes.append(group_error.code.ak9_code or "1")
        status = "R"
    elif accepted == len(sets):
        status = "A"
    elif accepted == 0:
        status = "R"
    else:
        status = "P"
    return Ack999(
        control_number=control_number,
        functional_id=functional_id,
        group_control_number=group_control_number,
        version=version,
        group_status=status,
        sets_included=len(sets),
        sets_received=len(sets),
        sets_accepted=accepted if group_error is None else 0,
        group_codes=codes,
        sets=sets,
    )
