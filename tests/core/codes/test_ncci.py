from datetime import date
from pathlib import Path

import pytest

from openrcm.core.codes.ncci import (
    MueAdjudication,
    NcciFileError,
    PtpModifierIndicator,
    read_mue_file,
    read_ptp_file,
)

PTP = [
    "CMS NCCI Practitioner PTP Edits (synthetic)",
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date "
    "*=no data\tModifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale",
    "10000\t10001\t*\t19960101\t*\t0\tMutually exclusive",
    "10000\t10002\t\t20200101\t20240101\t1\tDeleted at the start of 2024",
    "10000\t10002\t\t20240101\t*\t0\tThe same pair again, stricter",
    "10000\t10003\t\t20200101\t*\t9\tNot applicable",
]


def test_ptp_reader_and_dates() -> None:
    table = read_ptp_file(PTP, name="ptp.txt")
    assert len(table) == 4 and table.source == "ptp.txt"
    first = table.edit("10000", "10001", date(2026, 1, 1))
    assert first is not None and first.before_1996
    assert first.modifier_indicator is PtpModifierIndicator.NOT_ALLOWED
    older = table.edit("10000", "10002", date(2023, 12, 31))
    assert older is not None and older.modifier_indicator is PtpModifierIndicator.ALLOWED
    newer = table.edit("10000", "10002", date(2024, 1, 1))  # the deletion date is exclusive
    assert newer is not None and newer.modifier_indicator is PtpModifierIndicator.NOT_ALLOWED
    assert table.edit("10000", "10002", date(2019, 12, 31)) is None
    assert table.edit("10001", "10000", date(2026, 1, 1)) is None  # pairs are ordered
    assert table.involves("10003") and not table.involves("99999")


def test_ptp_reads_csv_too() -> None:
    table = read_ptp_file(['"10000","10001","","20200101","","1","Standards of practice"'])
    edit = table.edit("10000", "10001", date(2021, 1, 1))
    assert edit is not None and edit.rationale == "Standards of practice"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("10000\t10001\t\t2020-01-01\t*\t0\tx", "effective date"),
        ("10000\t10001\t\t20201301\t*\t0\tx", "not a real date"),
        ("10000\t10001\t\t20200101\tnever\t0\tx", "deletion date"),
        ("10000\t10001\t\t20200101\t*\t2\tx", "modifier indicator"),
    ],
)
def test_ptp_bad_rows_name_the_line(row: str, message: str) -> None:
    with pytest.raises(NcciFileError, match=f"ptp.txt: line 2: .*{message}"):
        read_ptp_file(["header", row], name="ptp.txt")


def test_ptp_file_without_edits() -> None:
    with pytest.raises(NcciFileError, match="no PTP edit rows"):
        read_ptp_file(["just a title"])


MUE = [
    '"Practitioner Services MUE Table (synthetic)"',
    '"HCPCS/CPT Code","Practitioner Services MUE Values","MUE Adjudication Indicator",'
    '"MUE Rationale"',
    '"10000","1","1 Line Edit","Anatomic Consideration"',
    '"10001","4","2 Date of Service Edit: Policy","CMS Policy"',
    "J0001\t24\t3 Date of Service Edit: Clinical\tClinical: Data",
]


def test_mue_reader(tmp_path: Path) -> None:
    path = tmp_path / "mue.csv"
    path.write_text("\n".join(MUE), encoding="latin-1")
    table = read_mue_file(path)
    assert len(table) == 3 and table.source == "mue.csv"
    line = table.get("10000")
    assert line is not None and line.value == 1
    assert line.adjudication is MueAdjudication.PER_LINE
    policy = table.get("10001")
    assert policy is not None and policy.adjudication is MueAdjudication.PER_DAY_POLICY
    clinical = table.get("J0001")
    assert clinical is not None and clinical.adjudication is MueAdjudication.PER_DAY_CLINICAL
    assert table.get("99999") is None


def test_mue_bad_rows() -> None:
    with pytest.raises(NcciFileError, match="line 1: MUE value"):
        read_mue_file(['"10000","one","1 Line Edit",""'])
    with pytest.raises(NcciFileError, match="adjudication indicator"):
        read_mue_file(['"10000","1","Line Edit",""'])
    with pytest.raises(NcciFileError, match="no MUE rows"):
        read_mue_file(["title only"])
