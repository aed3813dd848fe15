"""Reading the CMS ICD-10-CM files (order file, codes file) into a release, and the compacted
payload a database keeps."""

from __future__ import annotations

from datetime import date

import pytest

from openrcm.core.codes import icd10cm
from openrcm.core.codes.icd10cm import (
    Icd10FileEntry,
    Icd10FileError,
    dump_release,
    read_release_file,
    release_from_data,
    release_from_file,
)
from tests.core.codes.order_file import (
    ADDED,
    NOW_BILLABLE,
    REMOVED,
    order_line,
    synthetic_order_file,
)

START, END = date(2026, 10, 1), date(2027, 3, 31)


def test_order_file_lines_give_code_flag_and_long_description() -> None:
    text = "\n".join(
        [
            order_line(1, "A00", False, "Cholera"),
            order_line(2, "A000", True, "Cholera due to Vibrio cholerae 01, biovar cholerae"),
        ]
    )
    assert read_release_file(text, name="icd10cm_order_2027.txt") == [
        Icd10FileEntry("A00", False, "Cholera"),
        Icd10FileEntry("A000", True, "Cholera due to Vibrio cholerae 01, biovar cholerae"),
    ]


def test_order_file_columns_are_where_cms_puts_them() -> None:
    line = order_line(7, "E119", True, "Type 2 diabetes mellitus without complications")
    assert line[:5] == "00007" and line[6:13] == "E119   " and line[14] == "1"
    assert line[16:76].rstrip() == "Type 2 diabetes mellitus without complications"
    assert line[77:] == "Type 2 diabetes mellitus without complications"


def test_codes_file_lines_are_all_billable() -> None:
    text = "A000    Cholera due to Vibrio cholerae 01, biovar cholerae\nE119 Type 2 diabetes\n"
    entries = read_release_file(text, name="icd10cm_codes_2027.txt")
    assert [(e.code, e.billable) for e in entries] == [("A000", True), ("E119", True)]
    assert entries[1].description == "Type 2 diabetes"


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        (order_line(2, "A001", True, "x").replace(" 1 ", " 2 ", 1), "column 15"),
        (order_line(2, "A0*1", True, "Bad code"), "not an ICD-10-CM code"),
        (order_line(2, "A000", True, "Again"), "A000 again (first on line 1)"),
        ("A001 Cholera in a codes-file line", "not an order-file line"),
        ("00002 A001    1" + " " * 70, "has no description"),
    ],
)
def test_a_bad_line_is_refused_naming_the_file_and_line(bad: str, says: str) -> None:
    text = order_line(1, "A000", True, "Cholera") + "\n" + bad + "\n"
    with pytest.raises(Icd10FileError, match=r"^f\.txt line 2: ") as error:
        read_release_file(text, name="f.txt")
    assert says in str(error.value)


def test_a_bad_codes_file_line_and_an_empty_file_are_refused() -> None:
    with pytest.raises(Icd10FileError, match=r"c\.txt line 2: expected an ICD-10-CM code"):
        read_release_file("A000 Cholera\n12345\n", name="c.txt")
    with pytest.raises(Icd10FileError, match=r"e\.txt: no ICD-10-CM codes"):
        read_release_file("\n\n", name="e.txt")


def _synthetic_release() -> icd10cm.Icd10Release:
    entries = read_release_file(synthetic_order_file(), name="icd10cm_order_2027.txt")
    return release_from_file(
        name="Synthetic FY2027", effective_from=START, effective_to=END,
        entries=entries, base=icd10cm.release(),
    )  # fmt: skip


def test_release_from_the_order_file_keeps_and_derives_kinds() -> None:
    shipped = icd10cm.release()
    release = _synthetic_release()
    assert len(release) == len(shipped) + len(ADDED) - 1
    assert REMOVED not in release and "J4490" in release
    assert release.is_billable(NOW_BILLABLE) and shipped.is_header(NOW_BILLABLE)
    # Kept from the shipped release: G63 a billable manifestation, B97 an agent header.
    assert release.kind("G63") == "M" and release.kind("B97") == "T"
    # Derived for new codes: from the title, and from the B95-B97 categories.
    assert release.kind("M36Z") == "M" and release.kind("B9790") == "S"
    assert release.kind("J4490") == "B"
    found = release.lookup("J44.90")
    assert found is not None and found.chapter == 10 and found.block == "J40-J4A"
    assert found.description == ADDED["J4490"][1]


def test_the_stored_payload_reads_back_the_same_release() -> None:
    release = _synthetic_release()
    codes, descriptions = dump_release(release, source="icd10cm_order_2027.txt")
    again = release_from_data(codes, lambda: descriptions)
    assert (again.name, again.effective_from, again.effective_to) == (
        "Synthetic FY2027",
        START,
        END,
    )
    assert list(again.codes()) == list(release.codes())
    assert all(again.kind(code) == release.kind(code) for code in release.codes())
    assert again.chapters == release.chapters and again.blocks == release.blocks
    assert again.lookup("B9790") == release.lookup("B9790")
