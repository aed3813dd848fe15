from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.claims import LineCharge, claim_total
from openrcm.core.money import Money


def usd(text: str) -> Money:
    return Money(Decimal(text))


def test_claim_total() -> None:
    assert claim_total([usd("125.00"), usd("45.50"), usd("0.01")]) == usd("170.51")


def test_claim_total_of_nothing() -> None:
    assert claim_total([]) == Money.zero()


def test_claim_total_from_lines() -> None:
    lines = [
        LineCharge(units=Decimal(1), charge=usd("150.00")),
        LineCharge(units=Decimal(2), charge=usd("60.00")),
    ]
    assert claim_total(line.charge for line in lines) == usd("210.00")


def test_line_from_unit_price() -> None:
    line = LineCharge.from_unit_price(units=Decimal("3"), unit_price=usd("19.99"))
    assert line.charge == usd("59.97")
    fractional = LineCharge.from_unit_price(units=Decimal("1.5"), unit_price=usd("33.33"))
    assert fractional.charge == usd("50.00")  # 49.995 rounds half up


def test_zero_charge_line_is_allowed() -> None:
    assert LineCharge(units=Decimal(1), charge=Money.zero()).charge.is_zero()


@pytest.mark.parametrize("units", [Decimal(0), Decimal("-1"), Decimal("NaN"), Decimal("Infinity")])
def test_units_must_be_positive(units: Decimal) -> None:
    with pytest.raises(ValueError, match="positive"):
        LineCharge(units=units, charge=usd("1.00"))


def test_units_must_be_decimal() -> None:
    with pytest.raises(TypeError):
        LineCharge(units=1.5, charge=usd("1.00"))  # type: ignore[arg-type]


def test_charge_must_be_money() -> None:
    with pytest.raises(TypeError):
        LineCharge(units=Decimal(1), charge=Decimal("1.00"))  # type: ignore[arg-type]


def test_charge_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        LineCharge(units=Decimal(1), charge=usd("-1.00"))


@given(st.lists(st.integers(min_value=0, max_value=10**9), max_size=100))
def test_total_is_exact_sum_of_cents(cents: list[int]) -> None:
    assert claim_total(Money.from_cents(c) for c in cents).cents == sum(cents)


@given(st.lists(st.integers(min_value=0, max_value=10**9), max_size=30))
def test_total_does_not_depend_on_order(cents: list[int]) -> None:
    lines = [Money.from_cents(c) for c in cents]
    assert claim_total(lines) == claim_total(reversed(lines)) == claim_total(sorted(lines))
