"""TA1 Interchange Acknowledgment: reader, writer, and the TA1 for an interchange-level error.

A TA1 sits between ISA and IEA, outside any functional group. It acknowledges one received
interchange: TA101 its control number (ISA13), TA102/TA103 its date and time (ISA09/ISA10), TA104
A (accepted), E (accepted with errors) or R (rejected) and TA105 a note code (000 = no error).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Final

from openrcm.core.x12.envelope import InterchangeHeader, parse_isa
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.segments import Segment, parse_date6, parse_time
from openrcm.core.x12.tokenizer import Source, iter_segments
from openrcm.core.x12.writer import InterchangeWriter

C = X12ErrorCode
STATUSES: Final = frozenset({"A", "E", "R"})
NOTE_CODES: Final = frozenset(f"{i:03d}" for i in range(32))

# TA105 for a defect in an ISA element (ISA01 -> 010 ... ISA16 -> 027).
ISA_ELEMENT_NOTES: Final[dict[int, str]] = {
    1: "010", 2: "011", 3: "012", 4: "013", 5: "005", 6: "006", 7: "007", 8: "008",
    9: "014", 10: "015", 11: "026", 12: "017", 13: "018", 14: "019", 15: "020", 16: "027",
}  # fmt: skip


@dataclass(slots=True)
class TA1Ack:
    """One TA1 segment."""

    control_number: str
    date: date
    time: time
    status: str
    note_code: str = "000"

    @property
    def accepted(self) -> bool:
        return self.status in ("A", "E")


def _read_ta1(seg: Segment) -> TA1Ack:
    seg.check_max_elements(5)
    ctl = seg.require(1, "interchange control number")
    if len(ctl) != 9 or not (ctl.isascii() and ctl.isdigit()):
        raise seg.error_at(C.ELEMENT_INVALID, f"TA101 is {ctl!r}, it must be 9 digits", element=1)
    d = parse_date6(seg.require(2, "interchange date"))
    if d is None:
        raise seg.error_at(C.DATE_INVALID, f"TA102 is {seg.el(2)!r}, not a date YYMMDD", element=2)
    t = parse_time(seg.require(3, "interchange time"))
    if t is None or len(seg.el(3)) != 4:
        raise seg.error_at(C.TIME_INVALID, f"TA103 is {seg.el(3)!r}, not a time HHMM", element=3)
    status = seg.require_code(4, STATUSES, "interchange acknowledgment code")
    note = seg.require_code(5, NOTE_CODES, "interchange note code")
    return TA1Ack(ctl, d, t, status, note)


def read_ta1(source: Source, *, file: str | None = None) -> list[TA1Ack]:
    """The TA1 segments of ``source`` (interchanges may also hold groups, which are skipped).

    Raises X12Error on the first defect of the envelope or of a TA1.
    """
    reader = iter_segments(source, file=file)
    name = reader.file
    out: list[TA1Ack] = []
    header: InterchangeHeader | None = None
    groups = 0
    in_group = False
    try:
        for seg in reader:
            sid = seg.id
            if sid == "ISA":
                if header is not None:
                    raise seg.error_at(C.IEA_MISSING, "ISA before the previous interchange's IEA")
                header, problems = parse_isa(seg, reader.delimiters)
                if problems:
                    raise problems[0]
                groups = 0
            elif header is None:
                raise seg.error_at(C.ENVELOPE_INVALID, f"{sid} outside an interchange")
            elif sid == "TA1":
                if in_group:
                    raise seg.error_at(C.ENVELOPE_INVALID, "TA1 inside a functional group")
                out.append(_read_ta1(seg))
            elif sid == "GS":
                in_group = True
                groups += 1
            elif sid == "GE":
                in_group = False
            elif sid == "IEA":
                if in_group:
                    raise seg.error_at(C.GE_MISSING, "IEA before GE")
                if seg.el(1) != str(groups):
                    raise seg.error_at(C.INTERCHANGE_COUNT_MISMATCH,
                                       f"IEA01 says {seg.el(1)!r} groups, the interchange has"
                                       f" {groups}", element=1)  # fmt: skip
                if seg.el(2) != header.control_number:
                    raise seg.error_at(C.INTERCHANGE_CONTROL_MISMATCH,
                                       f"IEA02 {seg.el(2)!r} differs from ISA13"
                                       f" {header.control_number!r}", element=2)  # fmt: skip
                header = None
            elif not in_group:
                raise seg.error_at(C.ENVELOPE_INVALID, f"{sid} is outside a functional group")
        if header is not None:
            raise X12Error(C.IEA_MISSING, "the file ends without IEA",
                           segment_number=header.segment_number, segment_id="ISA")  # fmt: skip
    except X12Error as exc:
        raise (exc if exc.file is not None or name is None else exc.with_file(name)) from None
    return out


def write_ta1(
    acks: Iterable[TA1Ack],
    *,
    sender_id: str,
    receiver_id: str,
    isa_control: int | str,
    now: datetime | None = None,
    usage: str = "P",
    out: IO[str] | None = None,
) -> str:
    """An interchange holding only TA1 segments (IEA01 = 0 groups)."""
    iw = InterchangeWriter(out, sender_id=sender_id, receiver_id=receiver_id,
                           isa_control=isa_control, usage=usage, now=now)  # fmt: skip
    for a in acks:
        iw.w.seg("TA1", a.control_number, f"{a.date:%y%m%d}", f"{a.time:%H%M}", a.status,
                 a.note_code)  # fmt: skip
    return iw.close()


def ta1_note_code(error: X12Error | None) -> str:
    """The TA105 note code for an interchange-level error (000 when there is none)."""
    if error is None:
        return "000"
    if (
        error.segment_id == "ISA"
        and error.element in ISA_ELEMENT_NOTES
        and error.code in (C.ISA_INVALID, C.VERSION_UNSUPPORTED)
    ):
        return ISA_ELEMENT_NOTES[error.element]
    return error.code.ta1_code or "024"


def ta1_for(interchange: InterchangeHeader, error: X12Error | None = None) -> TA1Ack:
    """The TA1 acknowledging ``interchange``: accepted, or rejected with the note for ``error``."""
    return TA1Ack(
        control_number=interchange.control_number,
        date=interchange.date or date(2000, 1, 1),
        time=interchange.time or time(0, 0),
        status="A" if error is None else "R",
        note_code=ta1_note_code(error),
    )
