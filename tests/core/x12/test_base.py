"""The X12 base: errors, delimiters, segments, tokenizer, envelope and writer."""

from __future__ import annotations

import io
import pickle
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.x12 import tokenizer
from openrcm.core.x12.delimiters import Delimiters
from openrcm.core.x12.envelope import first_error, iter_transaction_sets
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.segments import Segment, parse_decimal
from openrcm.core.x12.tokenizer import iter_segments
from openrcm.core.x12.writer import (
    InterchangeWriter,
    OutgoingSet,
    SegmentWriter,
    fmt_decimal,
    write_interchange,
)

C = X12ErrorCode
NOW = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240301*0930*^*00501*"
    "000000001*0*P*:~"
)


def interchange(*sets: str, ge: str | None = None, iea: str | None = None) -> str:
    body = "GS*HP*SENDER*RECEIVER*20240301*0930*1*X*005010X221A1~" + "".join(sets)
    body += ge if ge is not None else f"GE*{len(sets)}*1~"
    return ISA + body + (iea if iea is not None else "IEA*1*000000001~")


def tset(st02: str = "0001", n: int = 2, se: str | None = None) -> str:
    segs = [f"ST*835*{st02}*005010X221A1"] + [f"ZZ{i % 10}*{i}" for i in range(n)]
    return "".join(s + "~" for s in segs) + (se or f"SE*{n + 2}*{st02}") + "~"


# -- errors -----------------------------------------------------------------------------------


def test_error_text_and_copy() -> None:
    e = X12Error(C.BALANCE, "does not balance", segment_number=12, segment_id="CLP",
                 element=4, loop="2100")  # fmt: skip
    assert str(e) == "segment 12 (CLP), element 4, loop 2100: does not balance"
    f = e.with_file("a.835")
    assert str(f) == "a.835: segment 12 (CLP), element 4, loop 2100: does not balance"
    assert e.file is None
    assert pickle.loads(pickle.dumps(f)).to_dict() == f.to_dict()  # noqa: S301 - our own bytes
    assert str(X12Error(C.NOT_X12, "nothing")) == "nothing"


def test_codes_map_to_acknowledgment_codes() -> None:
    assert C.INTERCHANGE_CONTROL_MISMATCH.ta1_code == "001"
    assert C.SEGMENT_MISSING.ik3_code == "3"
    assert C.SEGMENT_UNEXPECTED.ik3_code == "2"
    assert C.ELEMENT_MISSING.ik3_code == "8" and C.ELEMENT_MISSING.ik4_code == "1"
    assert C.DATE_INVALID.ik4_code == "8"
    assert C.COUNT_MISMATCH.ik5_code == "4"
    assert C.CONTROL_NUMBER_MISMATCH.ik5_code == "3"
    assert C.GROUP_CONTROL_MISMATCH.ak9_code == "4"
    assert C.BALANCE.ik3_code == "8" and C.BALANCE.ik5_code == "I5"
    for code in C:
        assert any(
            x is not None
            for x in (code.ta1_code, code.ik3_code, code.ik4_code, code.ik5_code, code.ak9_code)
        ) or code in (C.WRITE_INVALID, C.UNREADABLE), code


# -- segments ---------------------------------------------------------------------------------


def test_segment_accessors() -> None:
    s = Segment("SVC", ["HC:99213:25", "100", "80", "", "1"], 17, Delimiters())
    assert s.el(1) == "HC:99213:25" and s.el(4) == "" and s.el(9) == "" and s.el(0) == ""
    assert s.comp(1, 2) == "99213" and s.comp(1, 9) == "" and s.comp(4, 1) == ""
    assert s.components(1) == ["HC", "99213", "25"]
    assert s.require_decimal(2) == Decimal(100)
    assert s.decimal_el(4) is None
    with pytest.raises(X12Error) as info:
        s.require(4, "revenue code", "2110")
    assert (info.value.code, info.value.segment_number, info.value.element) == (
        C.ELEMENT_MISSING, 17, 4
    )  # fmt: skip
    r = Segment("EB", ["1", "A^B^C"], 3)
    assert r.reps(2) == ["A", "B", "C"]


@pytest.mark.parametrize("text", ["1e3", "+5", " 5", "NaN", "1_0", "", "-", ".", "1.2.3", "٣"])
def test_numbers_are_x12_numbers(text: str) -> None:
    assert parse_decimal(text) is None


@pytest.mark.parametrize("text", ["0", "-12.50", ".5", "5.", "007"])
def test_valid_numbers(text: str) -> None:
    assert parse_decimal(text) == Decimal(text)


def test_dates_and_times() -> None:
    s = Segment("DTM", ["472", "20240229", "20230229", "1230", "123099", "0930"], 5)
    assert s.require_date(2) == date(2024, 2, 29)
    with pytest.raises(X12Error) as info:
        s.date_el(3)
    assert info.value.code == C.DATE_INVALID and info.value.element == 3
    assert s.time_el(4) == time(12, 30)
    with pytest.raises(X12Error):
        s.time_el(5)


# -- tokenizer --------------------------------------------------------------------------------


def test_delimiters_come_from_isa() -> None:
    text = ISA.replace("*", "|").replace("^", "}").replace(":~", ">!") + "GS|HP|A>B!"
    reader = iter_segments(text)
    assert reader.delimiters == Delimiters("|", "}", ">", "!")
    segs = list(reader)
    assert [s.id for s in segs] == ["ISA", "GS"]
    assert segs[1].comp(2, 2) == "B"


@pytest.mark.parametrize(
    "prefix",
    [b"\xef\xbb\xbf", b"  \r\n\t", b"\xef\xbb\xbf\r\n  "],
)
def test_bom_and_leading_white_space(prefix: bytes) -> None:
    data = prefix + interchange(tset()).encode()
    assert first_error(iter_transaction_sets(data)) is None


def test_line_breaks_between_segments() -> None:
    text = interchange(tset()).replace("~", "~\r\n")
    assert [s.id for s in iter_segments(text)][:3] == ["ISA", "GS", "ST"]
    assert first_error(iter_transaction_sets(text)) is None
    text = interchange(tset()).replace("~", "~\n")
    assert first_error(iter_transaction_sets(text)) is None


def test_newline_as_segment_terminator() -> None:
    text = interchange(tset()).replace("~", "\n")
    assert first_error(iter_transaction_sets(text)) is None
    crlf = interchange(tset()).replace("~", "\r\n")
    assert first_error(iter_transaction_sets(crlf)) is None


def test_sources(tmp_path: Path) -> None:
    text = interchange(tset())
    path = tmp_path / "a.x12"
    path.write_text(text)
    for source in (text, text.encode(), bytearray(text.encode()), path, str(path),
                   io.BytesIO(text.encode()), io.StringIO(text)):  # fmt: skip
        assert [s.id for s in iter_segments(source)][-1] == "IEA"


def test_missing_file_is_an_x12_error(tmp_path: Path) -> None:
    with pytest.raises(X12Error) as info:
        list(iter_segments(tmp_path / "none.x12"))
    assert info.value.code == C.UNREADABLE


def test_streams_in_small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    text = interchange(tset(n=50), tset("0002", n=7))
    expected = [(s.id, s.elements, s.number) for s in iter_segments(text)]
    monkeypatch.setattr(tokenizer, "CHUNK_SIZE", 7)
    got = [(s.id, s.elements, s.number) for s in iter_segments(text.encode())]
    assert got == expected
    got = [(s.id, s.elements, s.number) for s in iter_segments(io.BytesIO(text.encode()))]
    assert got == expected


def test_multibyte_character_split_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    text = interchange(tset()).replace("ZZ0*0", "ZZ0*ÉÉÉÉÉÉÉÉÉ")
    monkeypatch.setattr(tokenizer, "CHUNK_SIZE", 5)
    segs = list(iter_segments(text.encode()))
    assert any(s.el(1) == "ÉÉÉÉÉÉÉÉÉ" for s in segs)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", C.NOT_X12),
        (b"hello world", C.NOT_X12),
        (b"ISA*00*", C.TRUNCATED),
        (
            (ISA.replace("*SENDER         *", "*SENDER*") + "GS*HP" + " " * 99).encode(),
            C.ISA_INVALID,
        ),
        (ISA.replace("00501", "00401").encode(), C.VERSION_UNSUPPORTED),
        (ISA.replace("*^*", "*:*").encode(), C.BAD_DELIMITERS),
        (ISA.replace("ISA*", "ISAA").encode(), C.BAD_DELIMITERS),
        ("ISA".encode("utf-16"), C.NOT_X12),
    ],
)
def test_not_x12(data: bytes, code: X12ErrorCode) -> None:
    with pytest.raises(X12Error) as info:
        iter_transaction_sets(data)
    assert info.value.code == code


def test_isa_width_error_names_the_element() -> None:
    with pytest.raises(X12Error) as info:
        iter_segments(interchange(tset()).replace("*SENDER         *", "*SENDER*"))
    assert (info.value.segment_id, info.value.element) == ("ISA", 6)


def test_invalid_utf8_strict_and_lenient() -> None:
    data = interchange(tset()).encode().replace(b"ZZ1*1", b"ZZ1*\xff")
    with pytest.raises(X12Error) as info:
        list(iter_segments(data))
    assert (info.value.code, info.value.segment_id, info.value.element) == (
        C.INVALID_CHARACTER, "ZZ1", 1
    )  # fmt: skip
    err = first_error(iter_transaction_sets(data))
    assert err is not None and err.code == C.INVALID_CHARACTER


def test_segment_without_terminator_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokenizer, "MAX_SEGMENT_LENGTH", 1000)
    monkeypatch.setattr(tokenizer, "CHUNK_SIZE", 100)
    data = (ISA + "GS*" + "A" * 5000).encode()
    with pytest.raises(X12Error) as info:
        list(iter_segments(data))
    assert info.value.code == C.SEGMENT_TOO_LONG


# -- envelope ---------------------------------------------------------------------------------


def errors_of(text: str) -> list[tuple[X12ErrorCode, str | None, int | None]]:
    out = []
    for r in iter_transaction_sets(text):
        if r.error is not None:
            out.append((r.error.code, r.error.segment_id, r.error.segment_number))
            continue
        try:
            for _ in r.segments:
                pass
        except X12Error as e:
            out.append((e.code, e.segment_id, e.segment_number))
    return out


def test_good_envelope() -> None:
    results = list(iter_transaction_sets(interchange(tset("0001"), tset("0002", n=3))))
    assert [(r.kind, r.st01, r.st02, r.version) for r in results] == [
        ("set", "835", "0001", "005010X221A1"),
        ("set", "835", "0002", "005010X221A1"),
    ]
    r = results[0]
    assert r.interchange is not None and r.interchange.sender_id == "SENDER"
    assert r.interchange.date == date(2024, 3, 1) and r.interchange.usage == "P"
    assert r.group is not None and r.group.functional_id == "HP"
    assert r.group.control_number == "1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (interchange(tset(se="SE*5*0001")), [(C.COUNT_MISMATCH, "SE", 6)]),
        (interchange(tset(se="SE*4*0002")), [(C.CONTROL_NUMBER_MISMATCH, "SE", 6)]),
        (interchange(tset(), ge="GE*2*1~"), [(C.GROUP_COUNT_MISMATCH, "GE", 7)]),
        (interchange(tset(), ge="GE*1*2~"), [(C.GROUP_CONTROL_MISMATCH, "GE", 7)]),
        (interchange(tset(), iea="IEA*2*000000001~"), [(C.INTERCHANGE_COUNT_MISMATCH, "IEA", 8)]),
        (interchange(tset(), iea="IEA*1*000000002~"),
         [(C.INTERCHANGE_CONTROL_MISMATCH, "IEA", 8)]),
        (interchange(tset(), iea=""), [(C.IEA_MISSING, "ISA", 1)]),
        (interchange(tset(), ge="", iea=""), [(C.TRUNCATED, "GS", 2), (C.IEA_MISSING, "ISA", 1)]),
        (interchange(tset(), ge="", iea="IEA*1*000000001~"), [(C.GE_MISSING, "IEA", 7)]),
        (interchange(tset()).replace("SE*4*0001~", ""),
         [(C.SE_MISSING, "GE", 6), (C.GROUP_COUNT_MISMATCH, "GE", 6)][:1]),
        (interchange(tset()).replace("ST*835*0001*005010X221A1~", ""),
         [(C.ENVELOPE_INVALID, "ZZ0", 3), (C.ENVELOPE_INVALID, "SE", 5),
          (C.GROUP_COUNT_MISMATCH, "GE", 6)]),
        (interchange(tset(st02="01")), [(C.TRANSACTION_SET_INVALID, "ST", 3)]),
        (ISA + tset() + "IEA*0*000000001~", [(C.ENVELOPE_INVALID, "ST", 2)]),
    ],
)  # fmt: skip
def test_envelope_errors(text: str, expected: list[tuple[X12ErrorCode, str, int]]) -> None:
    assert errors_of(text) == expected


def test_truncated_inside_a_set() -> None:
    text = interchange(tset(n=5))
    cut = text[: text.index("ZZ3")]
    assert errors_of(cut)[0] == (C.TRUNCATED, "ST", 3)


def test_bad_set_is_reported_alone() -> None:
    text = interchange(tset("0001"), tset("0002", se="SE*9*0002"), tset("0003"))
    outcome = []
    for r in iter_transaction_sets(text):
        try:
            n = sum(1 for _ in r.segments)
            outcome.append((r.st02, n))
        except X12Error as e:
            outcome.append((r.st02, e.code))
    assert outcome == [("0001", 2), ("0002", C.COUNT_MISMATCH), ("0003", 2)]


def test_consumer_may_skip_or_abandon_sets() -> None:
    text = interchange(tset("0001", n=5), tset("0002", n=3), tset("0003"))
    got = []
    for i, r in enumerate(iter_transaction_sets(text)):
        if i == 1:
            next(r.segments)  # take one segment, abandon the rest
        got.append(r.st02)
    assert got == ["0001", "0002", "0003"]


def test_position_in_set() -> None:
    for r in iter_transaction_sets(interchange(tset())):
        segs = list(r.segments)
        assert r.position_in_set(segs[0].number) == 2


def test_a_skipped_body_cannot_be_read_later() -> None:
    results = list(iter_transaction_sets(interchange(tset(), tset("0002"))))
    with pytest.raises(RuntimeError):
        list(results[0].segments)


def test_two_interchanges_in_one_file() -> None:
    text = interchange(tset()) + interchange(tset("0002"))
    assert [r.st02 for r in iter_transaction_sets(text)] == ["0001", "0002"]
    assert errors_of(text) == []


# -- writer -----------------------------------------------------------------------------------


def test_segment_writer() -> None:
    w = SegmentWriter()
    w.seg("SVC", ("HC", "99213", "25", None), Decimal("100.50"), Decimal("80.00"), None, None)
    w.seg("EB", "1", ["A", "B", ("C", "D")], date(2024, 1, 2), time(9, 5))
    w.seg("AMT", "B6", Decimal("-0.00"), 7)
    assert w.getvalue() == "SVC*HC:99213:25*100.5*80~EB*1*A^B^C:D*20240102*0905~AMT*B6*0*7~"
    assert w.count == 3


@pytest.mark.parametrize("value", ["A*B", "A~B", "A:B", "A^B", "A\nB", "A\rB"])
def test_writer_refuses_delimiters_in_values(value: str) -> None:
    with pytest.raises(X12Error) as info:
        SegmentWriter().seg("NM1", "QC", value)
    assert info.value.code == C.WRITE_INVALID


def test_fmt_decimal() -> None:
    assert fmt_decimal(Decimal("1E+2")) == "100"
    assert fmt_decimal(Decimal("0.10")) == "0.1"
    assert fmt_decimal(Decimal("-5.000")) == "-5"
    with pytest.raises(X12Error):
        fmt_decimal(Decimal("NaN"))


def test_write_interchange_reads_back() -> None:
    body = SegmentWriter()
    body.seg("ZZ1", "A")

    def second(w: SegmentWriter) -> None:
        w.seg("ZZ2", "B")
        w.seg("ZZ3", "C")

    text = write_interchange(
        [OutgoingSet("835", "0001", body), OutgoingSet("835", "0002", second)],
        sender_id="S", receiver_id="R", isa_control=42, gs_control=9, functional_id="HP",
        version="005010X221A1", now=NOW,
    )  # fmt: skip
    assert text.startswith("ISA*00*          *00*          *ZZ*S              *ZZ*R              "
                           "*240301*0930*^*00501*000000042*0*P*:~")  # fmt: skip
    assert "ST*835*0002*005010X221A1~ZZ2*B~ZZ3*C~SE*4*0002~GE*2*9~IEA*1*000000042~" in text
    assert errors_of(text) == []
    assert len(iter_segments(text).delimiters.segment) == 1


def test_interchange_writer_streams() -> None:
    out = io.StringIO()
    iw = InterchangeWriter(out, sender_id="S", receiver_id="R", isa_control=1, now=NOW,
                           delimiters=Delimiters("|", "}", ">", "!"), newline=True)  # fmt: skip
    iw.begin_group("HP", "005010X221A1", 5)
    w = iw.begin_set("835", "0001", "005010X221A1")
    w.seg("SVC", ("HC", "1"), "2")
    assert iw.close() == ""
    text = out.getvalue()
    assert "SVC|HC>1|2!\n" in text
    assert errors_of(text) == []


@given(st.lists(st.text("ABC 123.-É", min_size=1, max_size=8), min_size=1, max_size=6))
def test_written_elements_read_back(values: list[str]) -> None:
    body = SegmentWriter()
    body.seg("ZZ1", *values)
    text = write_interchange([OutgoingSet("835", "0001", body)], sender_id="S", receiver_id="R",
                             isa_control=1, gs_control=1, functional_id="HP",
                             version="005010X221A1", now=NOW)  # fmt: skip
    for r in iter_transaction_sets(text.encode()):
        (seg,) = list(r.segments)
        assert seg.elements == values
