"""The readable view of an X12 file (the web's X12 viewer): segments with their loops, depths
and names, values written for people, one page at a time."""

from __future__ import annotations

import pytest

from openrcm.core.x12.errors import X12Error
from openrcm.core.x12.readable import Line, readable, readable_value
from openrcm.core.x12.tokenizer import iter_segments
from tests.core.x12.x12_samples import ids, index, samples_dir

# A synthetic 837P as OpenRCM writes it (one claim, two lines).
CLAIM_837P = (
    "ISA*00*          *00*          *ZZ*OPENRCM00000001*ZZ*OPENRCMSANDBOX *261127*0145*^*00501*"
    "000000001*0*T*:~GS*HC*OPENRCM00000001*OPENRCMSANDBOX*20261127*0145*1*X*005010X222A1~"
    "ST*837*0001*005010X222A1~BHT*0019*00*B1-0001*20261127*0145*CH~"
    "NM1*41*2*Practice A*****46*OPENRCM00000001~PER*IC*BILLING OFFICE*TE*0000000000~"
    "NM1*40*2*OPENRCM SANDBOX CLEARINGHOUSE*****46*OPENRCMSANDBOX~HL*1**20*1~"
    "PRV*BI*PXC*207Q00000X~NM1*85*2*Practice A*****XX*1234567893~N3*1 Main St~"
    "N4*Springfield*IL*627041234~REF*EI*123456789~HL*2*1*22*0~SBR*P*18*******MB~"
    "NM1*IL*1*TESTPATIENT*JORDAN****MI*MA0001~N3*12 ELM ST~N4*SPRINGFIELD*IL*62704~"
    "DMG*D8*19580304*F~NM1*PR*2*Medicare Part B*****PI*00435~"
    "CLM*1C00000001*140***11:B:1*Y*A*Y*Y~HI*ABK:E119*ABF:I10~LX*1~SV1*HC:99213*125*UN*1***1:2~"
    "DTP*472*D8*20261001~REF*6R*1L000000001~LX*2~SV1*HC:36415*15*UN*1***1~DTP*472*RD8*"
    "20261001-20261003~REF*6R*1L000000002~SE*30*0001~GE*1*1~IEA*1*000000001~"
).encode("ascii")

ACK_999 = (
    "ISA*00*          *00*          *ZZ*OPENRCMSANDBOX *ZZ*OPENRCM00000001*261127*0147*^*00501*"
    "000000001*0*T*:~GS*FC*OPENRCMSANDBOX*OPENRCM00000001*20261127*0147*1*X*005010X231A1~"
    "ST*999*0001*005010X231A1~AK1*HC*1*005010X222A1~AK2*837*0001*005010X222A1~"
    "IK3*N3*15*2010*8~IK4*1*166*1~IK5*R*5~AK9*R*1*1*0~SE*9*0001~GE*1*1~IEA*1*000000001~"
).encode("ascii")


UNREADABLE_ISA = "837p/x12-parser--x12_complex.txt"  # its ISA's delimiters are unusable


def _find(lines: tuple[Line, ...], segment_id: str, nth: int = 0) -> Line:
    return [line for line in lines if line.segment_id == segment_id][nth]


def test_837p_lines_have_loops_depths_and_names() -> None:
    view = readable(CLAIM_837P)
    assert view.total == 33 and len(view.lines) == 33 and not view.has_next
    assert view.sets == ("837",) and view.error == "" and view.terminator == "~"
    isa, gs, st = view.lines[:3]
    assert (isa.depth, gs.depth, st.depth) == (0, 1, 2)
    assert isa.name == "Interchange Control Header"
    clm = _find(view.lines, "CLM")
    assert clm.loop == "2300" and clm.loop_name == "claim information"
    assert clm.depth > _find(view.lines, "HL", 1).depth > st.depth
    assert _find(view.lines, "SV1").depth > clm.depth
    assert clm.text == "CLM*1C00000001*140***11:B:1*Y*A*Y*Y"
    charge = next(e for e in clm.elements if e.ref == "CLM02")
    assert (charge.name, charge.value, charge.shown) == ("Total Claim Charge", "140", "$140.00")
    place = next(e for e in clm.elements if e.ref == "CLM05")
    assert [c.ref for c in place.components] == ["CLM05-1", "CLM05-2", "CLM05-3"]
    assert place.shown == "11:B:1"  # a composite is shown by its components
    sbr = _find(view.lines, "SBR")
    assert next(e for e in sbr.elements if e.ref == "SBR09").meaning == "Medicare Part B"
    assert [e.shown for e in _find(view.lines, "DMG").elements][:2] == ["D8", "03/04/1958"]
    assert _find(view.lines, "DTP", 0).elements[-1].shown == "10/01/2026"
    assert _find(view.lines, "DTP", 1).elements[-1].shown == "10/01/2026 - 10/03/2026"
    isa_date = next(e for e in isa.elements if e.ref == "ISA09")
    assert (isa_date.shown, next(e for e in isa.elements if e.ref == "ISA10").shown) == (
        "11/27/2026",
        "01:45",
    )
    isa06 = next(e for e in isa.elements if e.ref == "ISA06")
    assert (isa06.shown, isa06.formatted, charge.formatted) == ("OPENRCM00000001", False, True)
    assert next(e for e in isa.elements if e.ref == "ISA02").shown == "(blank)"


def test_999_names_its_errors() -> None:
    view = readable(ACK_999)
    assert view.sets == ("999",)
    ik3 = _find(view.lines, "IK3")
    assert ik3.loop == "2100" and ik3.depth > _find(view.lines, "AK2").depth
    assert _find(view.lines, "IK5").elements[0].meaning != ""


def test_pages_cover_the_file_once() -> None:
    whole = readable(CLAIM_837P).lines
    pages = [readable(CLAIM_837P, start=s, limit=10) for s in range(0, 40, 10)]
    assert [p.has_next for p in pages] == [True, True, True, False]
    assert pages[1].start == 10 and pages[1].end == 20
    assert tuple(line for p in pages for line in p.lines) == whole
    assert readable(CLAIM_837P, start=100).lines == ()


def test_values_for_people() -> None:
    assert readable_value("Line Item Charge Amount", "-5") == "-$5.00"
    assert readable_value("Line Item Charge Amount", "1234.5") == "$1,234.50"
    assert readable_value("Total Claim Count", "12") == "12"
    assert readable_value("Date Format Qualifier", "D8") == "D8"
    assert readable_value("Date or Period", "20261399") == "20261399"  # not a date: as is
    assert readable_value("Interchange Time (HHMM)", "2399") == "2399"
    assert readable_value("Time", "101530") == "10:15:30"
    assert readable_value("Name", "SMITH") == "SMITH"


def test_not_x12_is_an_error_and_damage_stops_the_view() -> None:
    with pytest.raises(X12Error):
        readable(b"hello, this is not an interchange")
    damaged = CLAIM_837P[:300] + b"\xff\xfe" + CLAIM_837P[300:]
    view = readable(damaged)
    assert view.total > 5
    assert any(line.error for line in view.lines) or view.error


@pytest.mark.parametrize("sample", index(), ids=ids(index()))
def test_every_sample_reads_whole(sample) -> None:  # type: ignore[no-untyped-def]
    samples_dir()
    data = sample.path.read_bytes()
    if sample.file == UNREADABLE_ISA:
        with pytest.raises(X12Error, match="delimiters are unusable"):
            readable(data)
        return
    view = readable(data, limit=10_000)
    assert view.total == sum(1 for _ in iter_segments(data, strict=False))
    assert len(view.lines) == view.total and view.lines[0].segment_id == "ISA"
    assert all(line.name or line.segment_id not in ("ISA", "GS", "ST") for line in view.lines)
