import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.identifiers import (
    IdentifierError,
    make_npi,
    npi_check_digit,
    npi_is_valid,
    validate_npi,
    validate_phone,
    validate_tin,
    validate_zip,
)

first9s = st.text(alphabet="0123456789", min_size=9, max_size=9)


class TestNpi:
    def test_documented_example(self) -> None:
        assert npi_check_digit("123456789") == 3
        assert npi_is_valid("1234567893")
        assert not npi_is_valid("1234567890")
        assert make_npi("123456789") == "1234567893"

    def test_known_check_digits(self) -> None:
        # Worked by hand: the prefix 80840 contributes 24 to the Luhn sum.
        assert make_npi("000000000") == "0000000006"
        assert make_npi("199999999") == "1999999992"

    @given(first9s)
    def test_matches_cms_formulation(self, first9: str) -> None:
        # CMS's own description: double every other digit from the right of the nine, add
        # the digits, add the constant 24, the check digit brings the sum to a multiple of 10.
        total = 24
        for position, char in enumerate(reversed(first9)):
            digit = int(char) * (2 if position % 2 == 0 else 1)
            total += digit // 10 + digit % 10
        assert npi_check_digit(first9) == (10 - total % 10) % 10

    def test_validate_returns_cleaned(self) -> None:
        assert validate_npi(" 1234567893\n") == "1234567893"

    def test_bad_check_digit_message(self) -> None:
        with pytest.raises(IdentifierError) as info:
            validate_npi("1234567890")
        assert str(info.value) == "NPI 1234567890 fails the check digit (expected 3)"

    @pytest.mark.parametrize(
        "value",
        [
            "",
            "123456789",
            "12345678933",
            "123456789X",
            "1234-56789",
            "\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff13",  # fullwidth
        ],
    )
    def test_wrong_shape(self, value: str) -> None:
        with pytest.raises(IdentifierError, match="must be exactly 10 digits"):
            validate_npi(value)
        assert not npi_is_valid(value)

    def test_not_a_string(self) -> None:
        with pytest.raises(TypeError):
            validate_npi(1234567893)  # type: ignore[arg-type]
        assert not npi_is_valid(1234567893)  # type: ignore[arg-type]

    @pytest.mark.parametrize("value", ["12345678", "1234567890", "12345678a"])
    def test_check_digit_needs_nine_digits(self, value: str) -> None:
        with pytest.raises(IdentifierError, match="9 digits"):
            npi_check_digit(value)

    def test_identifier_error_is_value_error(self) -> None:
        assert issubclass(IdentifierError, ValueError)

    @given(first9s)
    def test_every_made_npi_is_valid(self, first9: str) -> None:
        npi = make_npi(first9)
        assert npi.startswith(first9)
        assert npi_is_valid(npi)
        assert validate_npi(npi) == npi

    @given(first9s, st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
    def test_any_single_digit_change_invalidates(self, first9: str, pos: int, delta: int) -> None:
        npi = make_npi(first9)
        changed = npi[:pos] + str((int(npi[pos]) + delta) % 10) + npi[pos + 1 :]
        assert changed != npi
        assert not npi_is_valid(changed)

    @given(first9s, st.integers(min_value=0, max_value=8))
    def test_adjacent_transposition_of_distinct_digits_invalidates(
        self, first9: str, pos: int
    ) -> None:
        npi = make_npi(first9)
        a, b = npi[pos], npi[pos + 1]
        # Luhn misses only the 09 <-> 90 swap.
        if a == b or {a, b} == {"0", "9"}:
            return
        swapped = npi[:pos] + b + a + npi[pos + 2 :]
        assert not npi_is_valid(swapped)


class TestTin:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("12-3456789", "123456789"),
            ("123456789", "123456789"),
            (" 98-7654321 ", "987654321"),
            ("123-45-6789", "123456789"),  # an SSN, as box 25 allows
        ],
    )
    def test_valid(self, value: str, expected: str) -> None:
        assert validate_tin(value) == expected

    @pytest.mark.parametrize(
        "value", ["", "12345678", "1234567890", "1-23456789", "12 3456789", "12-345678a"]
    )
    def test_wrong_shape(self, value: str) -> None:
        with pytest.raises(IdentifierError, match="9 digits") as info:
            validate_tin(value)
        assert repr(value) in str(info.value)

    @pytest.mark.parametrize("value", ["000000000", "00-0000000"])
    def test_all_zero(self, value: str) -> None:
        with pytest.raises(IdentifierError, match="all zeros"):
            validate_tin(value)


class TestZip:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("12345", "12345"),
            ("12345-6789", "123456789"),
            ("123456789", "123456789"),
            (" 02134 ", "02134"),
        ],
    )
    def test_valid(self, value: str, expected: str) -> None:
        assert validate_zip(value) == expected

    @pytest.mark.parametrize(
        "value", ["", "1234", "123456", "12345-678", "12345 6789", "ABCDE", "12345-67890"]
    )
    def test_wrong_shape(self, value: str) -> None:
        with pytest.raises(IdentifierError, match="5 digits"):
            validate_zip(value)

    def test_zero_zip(self) -> None:
        with pytest.raises(IdentifierError, match="00000"):
            validate_zip("00000-1234")

    @given(st.text(alphabet="0123456789", min_size=5, max_size=5).filter(lambda z: z != "00000"))
    def test_five_digits_round_trip(self, zip5: str) -> None:
        assert validate_zip(zip5) == zip5


class TestPhone:
    @pytest.mark.parametrize(
        "value",
        [
            "5552345678",
            "555-234-5678",
            "(555) 234-5678",
            "555.234.5678",
            "+1 555 234 5678",
            "1-555-234-5678",
            " 555 234 5678 ",
        ],
    )
    def test_valid(self, value: str) -> None:
        assert validate_phone(value) == "5552345678"

    @pytest.mark.parametrize("value", ["", "234-5678", "55523456789", "+44 20 7946 0958"])
    def test_wrong_length(self, value: str) -> None:
        with pytest.raises(IdentifierError, match="10 digits"):
            validate_phone(value)

    @pytest.mark.parametrize(
        "value", ["155-234-5678", "055-234-5678", "555-134-5678", "555-034-5678"]
    )
    def test_not_nanp(self, value: str) -> None:
        with pytest.raises(IdentifierError, match="North American"):
            validate_phone(value)

    @pytest.mark.parametrize("value", ["555-234-5678 x123", "555-234-5678 ext. 9", "CALL-ME-NOW"])
    def test_letters_and_extensions(self, value: str) -> None:
        with pytest.raises(IdentifierError, match="no extension"):
            validate_phone(value)
