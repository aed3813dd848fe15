"""999 (005010X231A1) and TA1: the samples, error paths, builders and the round trips."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrcm.core.x12.ack999 import (
    Ack999,
    Context,
    ElementNote,
    SegmentNote,
    SetOutcome,
    SetResponse,
    build_999,
    parse_999,
    read_999,
    write_999,
)
from openrcm.core.x12.envelope import iter_transaction_sets
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.ta1 import TA1Ack, read_ta1, ta1_for, ta1_note_code, write_ta1

from .x12_samples import samples_dir

C = X12ErrorCode
NOW = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)

# -- samples ----------------------------------------------------------------------------------


def test_999_sample_with_bom_and_three_sets() -> None:
    (ack,) = read_999(
        samples_dir() / "999/stupidedi--response-to-functional-group-containing-3-837s.edi"
    )
    assert (ack.functional_id, ack.group_control_number, ack.version) == (
        "HC", "17456", "005010X222A2"
    )  # fmt: skip
    assert (ack.group_status, ack.sets_included, ack.sets_received, ack.sets_accepted) == (
        "P", 3, 3, 1
    )  # fmt: skip
    assert [s.status for s in ack.sets] == ["A", "R", "R"]
    note = ack.sets[1].segment_notes[0]
    assert (note.segment_id, note.position, note.code) == ("CLM", 22, "8")
    assert note.contexts[0].name == "CLM01" and note.contexts[0].reference == "123456789"
    assert (note.elements[0].position, note.elements[0].reference_number,
            note.elements[0].code) == (2, "782", "1")  # fmt: skip
    trigger = ack.sets[2].segment_notes[0].contexts[0]
    assert (trigger.name, trigger.segment_id, trigger.segment_position) == (
        "SITUATIONAL TRIGGER", "CLM", 43
    )  # fmt: skip
    assert (trigger.element_position, trigger.component_position) == (5, 3)


def test_999_rejected_sample() -> None:
    (ack,) = read_999(samples_dir() / "999/x12-parser--x12_999_rejected.txt")
    assert ack.group_status == "R" and not ack.accepted
    assert ack.sets[0].segment_notes[0].segment_id == "NM"


def test_999_accepted_sample_names_its_two_defects() -> None:
    """pyx12: GS05 is an invalid time; IEA02 differs from ISA13. We name both, and still read
    the 999 itself (its set is fine)."""
    result = parse_999(samples_dir() / "999/x12-parser--x12_999_accepted.txt")
    assert [(e.code, e.segment_id, e.segment_number, e.element) for e in result.errors] == [
        (C.TIME_INVALID, "GS", 2, 5),
        (C.INTERCHANGE_CONTROL_MISMATCH, "IEA", 10, 2),
    ]
    assert result.acks[0].accepted
    with pytest.raises(X12Error) as info:
        read_999(samples_dir() / "999/x12-parser--x12_999_accepted.txt")
    assert info.value.code == C.TIME_INVALID


# -- hand-made ----------------------------------------------------------------------------

ISA = (
    "ISA*00*          *00*          *ZZ*R              *ZZ*S              *240301*0930*^*00501*"
    "000000005*0*P*:~GS*FA*R*S*20240301*0930*5*X*005010X231A1~"
)


def wrap(body: list[str]) -> str:
    segs = ["ST*999*0001*005010X231A1", *body, f"SE*{len(body) + 2}*0001"]
    return ISA + "".join(s + "~" for s in segs) + "GE*1*5~IEA*1*000000005~"


GOOD = ["AK1*HC*1*005010X222A1", "AK2*837*0001*005010X222A1", "IK5*A", "AK9*A*1*1*1"]


@pytest.mark.parametrize(
    ("body", "code", "seg_id"),
    [
        (GOOD[1:], C.SEGMENT_MISSING, "AK2"),
        (GOOD[:2] + GOOD[3:], C.SEGMENT_MISSING, "AK9"),
        (GOOD[:3], C.SEGMENT_MISSING, "SE"),
        (["AK1*ZZ*1*X", *GOOD[1:]], C.CODE_INVALID, "AK1"),
        ([*GOOD[:2], "IK5*Q", GOOD[3]], C.CODE_INVALID, "IK5"),
        ([*GOOD[:2], "IK3*CLM*X**8", *GOOD[2:]], C.NUMBER_INVALID, "IK3"),
        ([*GOOD[:3], "AK9*A*1*1*2"], C.ELEMENT_INVALID, "AK9"),
        ([*GOOD, "AK9*A*1*1*1"], C.SEGMENT_UNEXPECTED, "AK9"),
    ],
)
def test_999_errors(body: list[str], code: X12ErrorCode, seg_id: str) -> None:
    with pytest.raises(X12Error) as info:
        read_999(wrap(body))
    assert (info.value.code, info.value.segment_id) == (code, seg_id), str(info.value)


def test_build_999_from_our_errors() -> None:
    bad = X12Error(C.ELEMENT_MISSING, "CLM02 missing", segment_number=40, segment_id="CLM",
                   element=2, loop="2300")  # fmt: skip
    ack = build_999(
        control_number="0001", functional_id="HC", group_control_number="17",
        version="005010X222A1",
        outcomes=[SetOutcome("837", "0001", 3), SetOutcome("837", "0002", 30, bad)],
    )  # fmt: skip
    assert (ack.group_status, ack.sets_accepted) == ("P", 1)
    rejected = ack.sets[1]
    assert (rejected.status, rejected.codes) == ("R", ["5"])
    note = rejected.segment_notes[0]
    assert (note.segment_id, note.position, note.code, note.loop) == ("CLM", 11, "8", "2300")
    assert (note.elements[0].position, note.elements[0].code) == (2, "1")
    text = write_999([ack], sender_id="R", receiver_id="S", isa_control=1, gs_control=1, now=NOW)
    assert read_999(text) == [ack]


def test_build_999_for_a_bad_trailer() -> None:
    err = X12Error(C.COUNT_MISMATCH, "SE01", segment_number=9, segment_id="SE", element=1)
    ack = build_999(
        control_number="0002",
        functional_id="HP",
        group_control_number="1",
        version="005010X221A1",
        outcomes=[SetOutcome("835", "0001", 3, err)],
    )
    assert ack.group_status == "R" and ack.sets[0].codes == ["4"]


# -- TA1 --------------------------------------------------------------------------------------


def test_ta1_round_trip_and_envelope() -> None:
    acks = [TA1Ack("000000123", date(2024, 2, 29), time(23, 59), "R", "001"),
            TA1Ack("000000124", date(2024, 3, 1), time(0, 0), "A", "000")]  # fmt: skip
    text = write_ta1(acks, sender_id="R", receiver_id="S", isa_control=9, now=NOW)
    assert "TA1*000000123*240229*2359*R*001~" in text and text.endswith("IEA*0*000000009~")
    assert read_ta1(text) == acks
    assert list(iter_transaction_sets(text)) == []  # the envelope reader accepts TA1


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (("TA1*000000123*", "TA1*123*"), C.ELEMENT_INVALID),
        (("*240229*", "*240230*"), C.DATE_INVALID),
        (("*2359*", "*2360*"), C.TIME_INVALID),
        (("*R*001", "*Q*001"), C.CODE_INVALID),
        (("*R*001", "*R*099"), C.CODE_INVALID),
        (("IEA*0*000000009", "IEA*0*000000008"), C.INTERCHANGE_CONTROL_MISMATCH),
        (("IEA*0*", "IEA*1*"), C.INTERCHANGE_COUNT_MISMATCH),
    ],
)
def test_ta1_errors(change: tuple[str, str], code: X12ErrorCode) -> None:
    text = write_ta1([TA1Ack("000000123", date(2024, 2, 29), time(23, 59), "R", "001")],
                     sender_id="R", receiver_id="S", isa_control=9, now=NOW)  # fmt: skip
    with pytest.raises(X12Error) as info:
        read_ta1(text.replace(*change))
    assert info.value.code == code


def test_ta1_for_errors() -> None:
    text = ("ISA*00*          *00*          *ZZ*S              *ZZ*R              *240301*0930*^*"
            "00501*000000042*0*P*:~GS*HC*S*R*20240301*0930*1*X*005010X222A1~GE*0*1~"
            "IEA*1*000000041~")  # fmt: skip
    errors = [r.error for r in iter_transaction_sets(text) if r.error is not None]
    assert errors and errors[0].code == C.INTERCHANGE_CONTROL_MISMATCH
    header = next(iter_transaction_sets(text)).interchange
    assert header is not None
    ta1 = ta1_for(header, errors[0])
    assert (ta1.control_number, ta1.status, ta1.note_code) == ("000000042", "R", "001")
    assert ta1_for(header).status == "A"
    isa_err = X12Error(C.ISA_INVALID, "bad date", segment_id="ISA", element=9)
    assert ta1_note_code(isa_err) == "014"


# -- round trips ----------------------------------------------------------------------------

codes = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8)
small = st.integers(min_value=1, max_value=9999)


@st.composite
def contexts(draw: st.DrawFn) -> Context:
    if draw(st.booleans()):
        return Context("SITUATIONAL TRIGGER", "", draw(st.sampled_from(["CLM", "SV1", "NM1"])),
                       draw(small), draw(st.sampled_from(["", "2300", "2400"])),
                       draw(st.one_of(st.none(), small)), None, None,
                       draw(st.sampled_from(["", "1028"])))  # fmt: skip
    return Context(draw(st.sampled_from(["CLM01", "TRN02", "NM109"])), draw(codes))


@st.composite
def acks(draw: st.DrawFn) -> Ack999:
    sets = []
    for i in range(draw(st.integers(0, 4))):
        notes = [
            SegmentNote(
                draw(st.sampled_from(["CLM", "NM1", "REF", "SV1"])),
                draw(small),
                draw(st.sampled_from(["1", "2", "3", "8", "I4"])),
                loop=draw(st.sampled_from(["", "2300", "2010BA"])),
                contexts=draw(st.lists(contexts(), max_size=2)),
                elements=draw(st.lists(st.builds(
                    ElementNote, small, st.sampled_from(["1", "7", "8", "I12"]),
                    st.one_of(st.none(), small), st.none(), st.sampled_from(["", "782"]),
                    st.sampled_from(["", "BAD", "É"]), st.lists(contexts(), max_size=1),
                ), max_size=2)),
            )
            for _ in range(draw(st.integers(0, 2)))
        ]  # fmt: skip
        status = "A" if not notes else draw(st.sampled_from(["E", "R"]))
        sets.append(SetResponse(draw(st.sampled_from(["837", "835", "270"])), f"{i + 1:04d}",
                                status, draw(st.sampled_from(["", "005010X222A1"])),
                                ["5"] if status == "R" else [], notes))  # fmt: skip
    accepted = sum(1 for s in sets if s.accepted)
    return Ack999(
        control_number=draw(st.text("0123456789", min_size=4, max_size=9)),
        functional_id=draw(st.sampled_from(["HC", "HP", "HS"])),
        group_control_number=str(draw(small)),
        group_status=draw(st.sampled_from(["A", "E", "P", "R"])),
        sets_included=len(sets),
        sets_received=len(sets),
        sets_accepted=accepted,
        version="005010X222A1",
        group_codes=draw(st.lists(st.sampled_from(["1", "2", "4", "5"]), max_size=2)),
        sets=sets,
    )


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(items=st.lists(acks(), min_size=1, max_size=3, unique_by=lambda a: a.control_number))
def test_999_round_trip(items: list[Ack999]) -> None:
    text = write_999(items, sender_id="R", receiver_id="S", isa_control=1, gs_control=1, now=NOW)
    assert read_999(text) == items
    assert read_999(text.encode()) == items


@given(st.lists(st.builds(
    TA1Ack, st.text("0123456789", min_size=9, max_size=9),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    st.sampled_from(["A", "E", "R"]), st.sampled_from(["000", "001", "022", "024"]),
), min_size=1, max_size=4))  # fmt: skip
def test_ta1_round_trip(items: list[TA1Ack]) -> None:
    text = write_ta1(items, sender_id="R", receiver_id="S", isa_control=1, now=NOW)
    assert read_ta1(text) == items
