from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.money import Money, cents_to_decimal, decimal_to_cents

# Amounts up to ten billion dollars either way, as integer cents.
cents = st.integers(min_value=-(10**12), max_value=10**12)
monies = cents.map(Money.from_cents)


class TestConstruction:
    def test_from_decimal(self) -> None:
        assert Money(Decimal("12.34")).amount == Decimal("12.34")

    def test_amount_is_quantized_to_cents(self) -> None:
        assert str(Money(Decimal("12.3")).amount) == "12.30"
        assert str(Money(Decimal("12.340")).amount) == "12.34"
        assert str(Money(Decimal("1E+2")).amount) == "100.00"

    def test_from_int_dollars(self) -> None:
        assert Money(5) == Money(Decimal("5.00"))  # type: ignore[arg-type]  # whole dollars

    def test_from_cents(self) -> None:
        assert Money.from_cents(1234) == Money(Decimal("12.34"))
        assert Money.from_cents(-5) == Money(Decimal("-0.05"))

    def test_zero(self) -> None:
        assert Money.zero() == Money.from_cents(0)
        assert Money.zero().is_zero()

    def test_negative_zero_is_zero(self) -> None:
        assert str(Money(Decimal("-0"))) == "$0.00"
        assert not (-Money.zero()).amount.is_signed()

    @pytest.mark.parametrize("value", [Decimal("1.005"), Decimal("0.001"), Decimal("-12.349")])
    def test_refuses_sub_cent(self, value: Decimal) -> None:
        with pytest.raises(ValueError, match="fraction of a cent"):
            Money(value)

    @pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Inf")])
    def test_refuses_non_finite(self, value: Decimal) -> None:
        with pytest.raises(ValueError, match="not a finite number"):
            Money(value)

    def test_refuses_float(self) -> None:
        with pytest.raises(TypeError, match="float"):
            Money(1.5)  # type: ignore[arg-type]

    def test_refuses_bool(self) -> None:
        with pytest.raises(TypeError):
            Money(True)  # type: ignore[arg-type]

    def test_from_cents_refuses_non_int(self) -> None:
        with pytest.raises(TypeError):
            Money.from_cents(Decimal("12"))  # type: ignore[arg-type]

    def test_refuses_absurdly_large(self) -> None:
        with pytest.raises(ValueError, match="too large"):
            Money(Decimal("1E+60"))

    def test_is_frozen(self) -> None:
        money = Money.from_cents(1)
        with pytest.raises(AttributeError):
            money.amount = Decimal("2")  # type: ignore[misc]


class TestRounded:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (Decimal("1.005"), "1.01"),
            (Decimal("1.004"), "1.00"),
            (Decimal("-1.005"), "-1.01"),  # half up means away from zero
            ("2.675", "2.68"),
            (3, "3.00"),
        ],
    )
    def test_half_up(self, value: Decimal | str | int, expected: str) -> None:
        assert Money.rounded(value).amount == Decimal(expected)

    def test_refuses_float(self) -> None:
        with pytest.raises(TypeError):
            Money.rounded(1.005)  # type: ignore[arg-type]


class TestArithmetic:
    def test_add_sub_neg(self) -> None:
        a, b = Money(Decimal("10.10")), Money(Decimal("0.20"))
        assert a + b == Money(Decimal("10.30"))
        assert a - b == Money(Decimal("9.90"))
        assert -a == Money(Decimal("-10.10"))
        assert abs(-a) == a

    def test_famous_float_case_is_exact(self) -> None:
        assert Money(Decimal("0.10")) + Money(Decimal("0.20")) == Money(Decimal("0.30"))

    def test_multiply_by_int_is_exact(self) -> None:
        assert Money(Decimal("19.99")) * 3 == Money(Decimal("59.97"))
        assert 3 * Money(Decimal("19.99")) == Money(Decimal("59.97"))

    def test_multiply_by_decimal_rounds_half_up(self) -> None:
        assert Money(Decimal("0.05")) * Decimal("0.5") == Money(Decimal("0.03"))
        assert Money(Decimal("100.00")) * Decimal("0.8") == Money(Decimal("80.00"))
        assert Money(Decimal("33.33")) * Decimal("1.5") == Money(Decimal("50.00"))  # 49.995

    def test_multiply_refuses_float(self) -> None:
        with pytest.raises(TypeError):
            Money(Decimal("1.00")) * 1.5  # type: ignore[operator]

    def test_multiply_refuses_money(self) -> None:
        with pytest.raises(TypeError):
            Money(Decimal("1.00")) * Money(Decimal("1.00"))  # type: ignore[operator]

    def test_multiply_refuses_nan(self) -> None:
        with pytest.raises(ValueError, match="finite"):
            Money(Decimal("1.00")) * Decimal("NaN")

    def test_add_refuses_numbers(self) -> None:
        with pytest.raises(TypeError):
            Money(Decimal("1.00")) + Decimal("1.00")  # type: ignore[operator]
        with pytest.raises(TypeError):
            Money(Decimal("1.00")) + 1  # type: ignore[operator]
        with pytest.raises(TypeError):
            1 + Money(Decimal("1.00"))  # only the int 0 (sum's start) is accepted

    def test_sum(self) -> None:
        lines = [Money(Decimal("0.10"))] * 10
        assert sum(lines) == Money(Decimal("1.00"))
        assert sum(lines, Money.zero()) == Money(Decimal("1.00"))

    def test_comparisons(self) -> None:
        small, big = Money(Decimal("1.00")), Money(Decimal("2.00"))
        assert small < big <= big
        assert big > small >= small
        assert max(small, big) is big
        assert Money(Decimal("1.0")) == Money(Decimal("1.00"))
        assert hash(Money(Decimal("1.0"))) == hash(Money(Decimal("1.00")))

    def test_is_negative(self) -> None:
        assert Money.from_cents(-1).is_negative()
        assert not Money.zero().is_negative()


class TestStr:
    @pytest.mark.parametrize(
        ("cents_", "text"),
        [
            (123456, "$1,234.56"),
            (-500, "-$5.00"),
            (0, "$0.00"),
            (7, "$0.07"),
            (-1, "-$0.01"),
            (123456789012, "$1,234,567,890.12"),
        ],
    )
    def test_format(self, cents_: int, text: str) -> None:
        assert str(Money.from_cents(cents_)) == text


class TestConversions:
    def test_cents_to_decimal(self) -> None:
        assert cents_to_decimal(1234) == Decimal("12.34")
        assert str(cents_to_decimal(5)) == "0.05"
        assert cents_to_decimal(-100) == Decimal("-1")

    def test_cents_to_decimal_refuses_non_int(self) -> None:
        with pytest.raises(TypeError):
            cents_to_decimal(1.0)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            cents_to_decimal(True)

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (Decimal("12.34"), 1234),
            ("12.34", 1234),
            ("12.340", 1234),
            (" 7.5 ", 750),
            (12, 1200),
            (Decimal("-0.01"), -1),
            (Decimal("1E+2"), 10000),
            ("0", 0),
        ],
    )
    def test_decimal_to_cents(self, value: Decimal | str | int, expected: int) -> None:
        assert decimal_to_cents(value) == expected

    @pytest.mark.parametrize("value", ["12.345", Decimal("0.001"), "-0.005"])
    def test_decimal_to_cents_refuses_sub_cent(self, value: Decimal | str) -> None:
        with pytest.raises(ValueError, match=r"fraction of a cent") as info:
            decimal_to_cents(value)
        assert str(value) in str(info.value)

    @pytest.mark.parametrize("value", ["abc", "", "$12.00", "1,234.00", "NaN", "Infinity"])
    def test_decimal_to_cents_refuses_non_numbers(self, value: str) -> None:
        with pytest.raises(ValueError, match="not a"):
            decimal_to_cents(value)

    def test_decimal_to_cents_refuses_float(self) -> None:
        with pytest.raises(TypeError, match="float"):
            decimal_to_cents(12.34)  # type: ignore[arg-type]

    def test_decimal_to_cents_refuses_bool_and_none(self) -> None:
        with pytest.raises(TypeError):
            decimal_to_cents(True)
        with pytest.raises(TypeError):
            decimal_to_cents(None)  # type: ignore[arg-type]

    def test_decimal_to_cents_refuses_huge_exponent_quickly(self) -> None:
        with pytest.raises(ValueError, match="too large"):
            decimal_to_cents("1E+999999999")


class TestProperties:
    @given(cents)
    def test_cents_round_trip(self, n: int) -> None:
        assert Money.from_cents(n).cents == n
        assert decimal_to_cents(cents_to_decimal(n)) == n
        assert decimal_to_cents(str(cents_to_decimal(n))) == n

    @given(monies, monies)
    def test_addition_is_exact(self, a: Money, b: Money) -> None:
        assert (a + b).cents == a.cents + b.cents
        assert (a - b).cents == a.cents - b.cents
        assert a + b == b + a

    @given(monies, monies, monies)
    def test_addition_is_associative(self, a: Money, b: Money, c: Money) -> None:
        assert (a + b) + c == a + (b + c)

    @given(monies)
    def test_negation_and_zero(self, a: Money) -> None:
        assert a + -a == Money.zero()
        assert a + Money.zero() == a
        negated = -a
        assert -negated == a

    @given(st.lists(monies, max_size=50))
    def test_sum_matches_cents(self, items: list[Money]) -> None:
        assert sum(items, Money.zero()).cents == sum(m.cents for m in items)
        if items:
            total = sum(items)
            assert isinstance(total, Money)
            assert total.cents == sum(m.cents for m in items)

    @given(monies, st.integers(min_value=-1000, max_value=1000))
    def test_int_multiplication_is_exact(self, a: Money, k: int) -> None:
        assert (a * k).cents == a.cents * k

    @given(
        monies,
        st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False),
    )
    def test_decimal_multiplication_rounds_once_half_up(self, a: Money, k: Decimal) -> None:
        exact = a.amount * k  # 2 + 4 places: exact within the default precision
        result = a * k
        assert abs(result.amount - exact) <= Decimal("0.005")
        assert result == Money.rounded(exact)

    @given(monies, monies)
    def test_order_matches_cents(self, a: Money, b: Money) -> None:
        assert (a < b) == (a.cents < b.cents)
        assert (a == b) == (a.cents == b.cents)

    @given(monies)
    def test_str_round_trips(self, a: Money) -> None:
        text = str(a).replace("$", "").replace(",", "")
        assert decimal_to_cents(text) == a.cents
