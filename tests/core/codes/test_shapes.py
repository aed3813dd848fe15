import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.codes import (
    CodeShapeError,
    format_icd10cm,
    validate_icd10cm_shape,
    validate_modifier,
    validate_ndc,
    validate_place_of_service,
    validate_procedure_shape,
)

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
icd_codes = st.builds(
    lambda a, b, c, rest: a + b + c + rest,
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    st.sampled_from("0123456789"),
    st.sampled_from(ALNUM),
    st.text(alphabet=ALNUM, max_size=4),
)


class TestIcd10cm:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("E11.9", "E119"),
            ("e11.9", "E119"),
            ("E119", "E119"),
            ("I10", "I10"),
            ("S72.001A", "S72001A"),
            ("T38.3X5A", "T383X5A"),
            ("U07.1", "U071"),
            (" z00.00 ", "Z0000"),
        ],
    )
    def test_valid(self, value: str, expected: str) -> None:
        assert validate_icd10cm_shape(value) == expected

    @pytest.mark.parametrize("value", ["E1", "E11900000", "S72.001AB"])
    def test_length(self, value: str) -> None:
        with pytest.raises(CodeShapeError, match="3 to 7 characters"):
            validate_icd10cm_shape(value)

    @pytest.mark.parametrize("value", ["111.9", "EE1.9", "E1-9", "E11_9", "É11"])
    def test_shape(self, value: str) -> None:
        with pytest.raises(CodeShapeError, match="a letter, a digit") as info:
            validate_icd10cm_shape(value)
        assert repr(value) in str(info.value)

    @pytest.mark.parametrize("value", ["E1.19", "E119.", "E11..9", "E11.9.1", ".E119"])
    def test_misplaced_dot(self, value: str) -> None:
        with pytest.raises(CodeShapeError, match="dot"):
            validate_icd10cm_shape(value)

    def test_empty(self) -> None:
        with pytest.raises(CodeShapeError, match="empty"):
            validate_icd10cm_shape("  ")

    def test_not_a_string(self) -> None:
        with pytest.raises(TypeError):
            validate_icd10cm_shape(None)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("value", "expected"),
        [("E119", "E11.9"), ("E11.9", "E11.9"), ("I10", "I10"), ("s72001a", "S72.001A")],
    )
    def test_format(self, value: str, expected: str) -> None:
        assert format_icd10cm(value) == expected

    @given(icd_codes)
    def test_format_and_validate_round_trip(self, code: str) -> None:
        assert validate_icd10cm_shape(code) == code
        assert validate_icd10cm_shape(format_icd10cm(code)) == code
        assert validate_icd10cm_shape(format_icd10cm(code).lower()) == code

    def test_shape_error_is_value_error(self) -> None:
        assert issubclass(CodeShapeError, ValueError)


class TestProcedure:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("99213", "99213"),
            ("3074F", "3074F"),
            ("0042t", "0042T"),
            ("0001U", "0001U"),
            ("J3420", "J3420"),
            ("g0439", "G0439"),
            ("A0425", "A0425"),
            ("V2020", "V2020"),
        ],
    )
    def test_valid(self, value: str, expected: str) -> None:
        assert validate_procedure_shape(value) == expected

    @pytest.mark.parametrize(
        "value", ["9921", "992131", "W1234", "Z1234", "3074X", "J342", "J34200", "99-213", "1234F5"]
    )
    def test_invalid(self, value: str) -> None:
        with pytest.raises(CodeShapeError, match="CPT") as info:
            validate_procedure_shape(value)
        assert repr(value) in str(info.value)


class TestModifier:
    @pytest.mark.parametrize(("value", "expected"), [("25", "25"), ("lt", "LT"), ("Xs", "XS")])
    def test_valid(self, value: str, expected: str) -> None:
        assert validate_modifier(value) == expected

    @pytest.mark.parametrize("value", ["2", "255", "L-", "-"])
    def test_invalid(self, value: str) -> None:
        with pytest.raises(CodeShapeError, match="2 letters or digits"):
            validate_modifier(value)


class TestNdc:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("00002143380", "00002143380"),
            ("00002-1433-80", "00002143380"),  # 5-4-2
            ("0002-1433-80", "00002143380"),  # 4-4-2: pad the labeler
            ("50242-040-62", "50242004062"),  # 5-3-2: pad the product
            ("60575-4112-1", "60575411201"),  # 5-4-1: pad the package
        ],
    )
    def test_valid(self, value: str, expected: str) -> None:
        assert validate_ndc(value) == expected

    def test_bare_ten_digits_is_ambiguous(self) -> None:
        with pytest.raises(CodeShapeError, match="ambiguous"):
            validate_ndc("0002143380")

    @pytest.mark.parametrize(
        "value",
        ["123", "123456789012", "123-4567-89", "12345-67-890", "1234-567-89", "ABCDE-1234-12"],
    )
    def test_invalid(self, value: str) -> None:
        with pytest.raises(CodeShapeError, match="11 digits") as info:
            validate_ndc(value)
        assert repr(value) in str(info.value)

    @given(
        st.sampled_from([(4, 4, 2), (5, 3, 2), (5, 4, 1), (5, 4, 2)]).flatmap(
            lambda layout: st.tuples(
                *(st.text(alphabet="0123456789", min_size=n, max_size=n) for n in layout)
            )
        )
    )
    def test_hyphenated_pads_to_11(self, parts: tuple[str, ...]) -> None:
        result = validate_ndc("-".join(parts))
        assert len(result) == 11
        assert result == parts[0].zfill(5) + parts[1].zfill(4) + parts[2].zfill(2)


class TestPlaceOfService:
    @pytest.mark.parametrize("value", ["01", "11", "22", "99"])
    def test_valid(self, value: str) -> None:
        assert validate_place_of_service(value) == value

    @pytest.mark.parametrize("value", ["00", "1", "111", "AB", "1A"])
    def test_invalid(self, value: str) -> None:
        with pytest.raises(CodeShapeError, match="01 to 99"):
            validate_place_of_service(value)
