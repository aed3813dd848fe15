from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrcm.core.codes import icd10cm
from openrcm.core.codes.icd10cm import (
    Icd10Block,
    Icd10Chapter,
    Icd10CodeSet,
    Icd10Release,
    normalize,
)


class TestShippedRelease:
    def test_release_and_dates(self) -> None:
        release = icd10cm.release()
        assert "April 1, 2026" in release.name
        assert icd10cm.effective_range() == (date(2026, 4, 1), date(2026, 9, 30))
        assert release.covers(date(2026, 6, 1))
        assert not release.covers(date(2026, 10, 1))

    def test_sizes_match_the_cms_release(self) -> None:
        release = icd10cm.release()
        billable = sum(
            1 for code in release.codes() if release.kind(code) in icd10cm.BILLABLE_KINDS
        )
        # CMS FY2026: 74,719 billable codes.
        assert billable == 74_719
        assert len(release) > billable

    @pytest.mark.parametrize("code", ["E11.9", "e11.9", "E119", " E11.9 "])
    def test_billable_leaf(self, code: str) -> None:
        found = icd10cm.lookup(code)
        assert found is not None
        assert found.code == "E119"
        assert found.dotted == "E11.9"
        assert found.billable and not found.is_header
        assert found.description == "Type 2 diabetes mellitus without complications"
        assert found.chapter == 4
        assert found.block == "E08-E13"
        assert icd10cm.is_billable(code, on=date(2026, 5, 4))

    @pytest.mark.parametrize("code", ["E11", "S72.001", "B99", "Z00.0"])
    def test_headers_are_not_billable(self, code: str) -> None:
        found = icd10cm.lookup(code)
        assert found is not None
        assert found.is_header and not found.billable
        assert icd10cm.is_header(code)
        assert not icd10cm.is_billable(code)
        assert icd10cm.is_valid(code)

    def test_seventh_character_codes(self) -> None:
        found = icd10cm.lookup("S72.001A")
        assert found is not None and found.billable
        assert found.description.endswith("initial encounter for closed fracture")
        assert found.chapter == 19

    @pytest.mark.parametrize("code", ["E11.97", "A00.5", "ZZZ", "U99.9"])
    def test_unknown(self, code: str) -> None:
        assert icd10cm.lookup(code) is None
        assert not icd10cm.is_valid(code)
        assert not icd10cm.is_billable(code)

    @pytest.mark.parametrize(
        ("code", "manifestation", "supplementary"),
        [
            ("G63", True, False),
            ("F02.80", True, False),
            ("D63.1", True, False),  # its category is titled "in chronic diseases classified ..."
            ("B96.20", False, True),
            ("E11.42", False, False),
            ("N52.1", False, False),  # "due to", not a manifestation title
        ],
    )
    def test_sequencing_flags(self, code: str, manifestation: bool, supplementary: bool) -> None:
        found = icd10cm.lookup(code)
        assert found is not None
        assert found.manifestation is manifestation
        assert found.supplementary is supplementary

    def test_chapters_and_blocks(self) -> None:
        release = icd10cm.release()
        assert len(release.chapters) == 22
        assert release.chapter_of("V00.01XA") == 20
        assert release.chapter_of("U07.1") == 22
        assert release.chapter_of("O80") == 15
        chapter = release.chapter(21)
        assert chapter is not None and chapter.first == "Z00"
        block = release.block_of("C14.0")
        assert block is not None and block.range == "C00-C14"  # the narrowest of nested blocks
        assert release.block_of("B99.9") == release.block_of("B99")

    def test_suggestions_for_a_header(self) -> None:
        assert icd10cm.release().billable_under("E11", limit=2) == ["E1100", "E1101"]
        assert icd10cm.release().billable_under("S72.001", limit=1) == ["S72001A"]

    def test_iter_codes(self) -> None:
        first = next(icd10cm.release().iter_codes(billable_only=True))
        assert first.billable


def _tiny_release(
    name: str, start: date, end: date, codes: list[tuple[str, str, str]]
) -> Icd10Release:
    return Icd10Release.from_rows(
        name=name,
        effective_from=start,
        effective_to=end,
        codes=codes,
        chapters=[Icd10Chapter(1, "A00", "B99", "Infections")],
        blocks=[Icd10Block("A00", "A09", "Intestinal")],
    )


class TestCodeSetByDate:
    def test_release_in_effect_on_the_date(self) -> None:
        october = _tiny_release(
            "FY2026",
            date(2025, 10, 1),
            date(2026, 3, 31),
            [("A00", "H", "Cholera"), ("A00.0", "B", "Old")],
        )
        april = _tiny_release(
            "FY2026 April",
            date(2026, 4, 1),
            date(2026, 9, 30),
            [("A00", "H", "Cholera"), ("A00.0", "B", "Old"), ("A00.2", "B", "New in April")],
        )
        code_set = Icd10CodeSet([april, october])
        assert code_set.release_on(date(2025, 12, 1)) is october
        assert code_set.release_on(date(2026, 4, 1)) is april
        assert not code_set.is_billable("A00.2", on=date(2026, 3, 31))
        assert code_set.is_billable("A00.2", on=date(2026, 4, 1))
        # Before the first release: the first answers, and covers() says it is a guess.
        assert code_set.release_on(date(2020, 1, 1)) is october
        assert not code_set.covers(date(2020, 1, 1))
        assert code_set.covers(date(2026, 1, 1))
        assert code_set.effective_from == date(2025, 10, 1)
        assert code_set.effective_to == date(2026, 9, 30)
        assert code_set.latest is april

    def test_release_needs_consistent_data(self) -> None:
        with pytest.raises(ValueError, match="ends before it starts"):
            _tiny_release("bad", date(2026, 4, 1), date(2026, 3, 1), [])
        with pytest.raises(ValueError, match="at least one release"):
            Icd10CodeSet([])

    def test_load_from_a_directory(self, tmp_path: Path) -> None:
        import gzip

        (tmp_path / icd10cm.CODES_FILE).write_bytes(
            gzip.compress(
                b"# test\n@release\tTest\t2026-04-01\t2026-09-30\tx\n"
                b"@chapter\t1\tA00\tB99\tInfections\n@block\tA00\tA09\tIntestinal\n"
                b"A00 A000\nHB\n"
            )
        )
        (tmp_path / icd10cm.DESCRIPTIONS_FILE).write_bytes(
            gzip.compress(b"Cholera\nCholera due to Vibrio cholerae 01, biovar cholerae\n")
        )
        release = icd10cm.load_release(tmp_path)
        assert release.name == "Test"
        found = release.lookup("A00.0")
        assert found is not None and found.billable and found.block == "A00-A09"
        assert release.description("A00") == "Cholera"


@settings(max_examples=200)
@given(st.sampled_from(icd10cm.release().codes()[::97]))
def test_every_code_is_exactly_one_of_billable_or_header(code: str) -> None:
    release = icd10cm.release()
    found = release.lookup(code)
    assert found is not None
    assert found.billable is not found.is_header
    assert normalize(found.dotted) == code
    # A header has billable codes under it; a billable code has none but itself.
    under = release.billable_under(code, limit=2)
    if found.billable:
        assert under[0] == code
    else:
        assert under and all(item.startswith(code) and item != code for item in under)


def test_fiscal_year_of_the_april_update() -> None:
    release = icd10cm.release()
    assert release.fiscal_year_start == date(2025, 10, 1)
    assert release.covers_fiscal_year(date(2026, 1, 15))
    assert not release.covers(date(2026, 1, 15))
    assert not release.covers_fiscal_year(date(2025, 9, 30))
    assert not release.covers_fiscal_year(date(2026, 10, 1))
