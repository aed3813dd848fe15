"""Claim and line amounts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from openrcm.core.money import Money

__all__ = ["LineCharge", "claim_total"]


@dataclass(frozen=True, slots=True)
class LineCharge:
    """A service line's units (837P SV104) and its total charge for those units (SV102).

    Units are a positive ``Decimal`` (anesthesia minutes and some drugs are fractional);
    the charge is not negative (a $0.00 line is allowed, e.g. a Category II code).
    """

    units: Decimal
    charge: Money

    def __post_init__(self) -> None:
        if not isinstance(self.units, Decimal):
            raise TypeError(f"units must be a Decimal, not {type(self.units).__name__}")
        if not self.units.is_finite() or self.units <= 0:
            raise ValueError(f"units {self.units} must be a positive number")
        if not isinstance(self.charge, Money):
            raise TypeError(f"charge must be Money, not {type(self.charge).__name__}")
        if self.charge.is_negative():
            raise ValueError(f"charge {self.charge} cannot be negative")

    @classmethod
    def from_unit_price(cls, *, units: Decimal, unit_price: Money) -> LineCharge:
        """Return the line for ``units`` at ``unit_price``; the product rounds half up to cents."""
        return cls(units=units, charge=unit_price * units)


def claim_total(lines: Iterable[Money]) -> Money:
    """Return the claim's total charge (837P CLM02): the exact sum of its line charges.

    ``claim_total([])`` is $0.00.
    """
    return sum(lines, Money.zero())
