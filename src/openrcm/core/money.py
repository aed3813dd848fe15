"""Exact money for the billing domain: US dollars as ``Decimal``, always whole cents.

The database stores integer cents (SQLite has no exact decimal type); the domain works with
:class:`Money`. Conversion happens only at the persistence edge, through
:meth:`Money.from_cents` / :attr:`Money.cents` or :func:`cents_to_decimal` /
:func:`decimal_to_cents`.

Rules:

* Never ``float``: every entry point refuses it with ``TypeError``.
* A ``Money`` is exact to the cent. Sub-cent input is refused with ``ValueError`` unless the
  caller asks for rounding explicitly with :meth:`Money.rounded` (``ROUND_HALF_UP``, the
  rounding payers and fee schedules use).
* Addition and subtraction are exact. Multiplication (units times a unit price, a percentage
  of an allowed amount) rounds the product once, half up, to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from typing import Final, Self

__all__ = ["CENT", "Money", "cents_to_decimal", "decimal_to_cents"]

CENT: Final = Decimal("0.01")

# Arithmetic happens in this context, never the thread's default one: 40 digits are far beyond
# any amount a billing system sees (the default 28 would already do), and any operation that
# would have to round raises instead of silently losing cents.
_EXACT: Final = Context(
    prec=40,
    rounding=ROUND_HALF_UP,
    traps=[InvalidOperation, Inexact, Overflow, DivisionByZero],
)

# Explicit rounding (Money.rounded, multiplication) is the one place where Inexact is expected.
_ROUNDING: Final = Context(
    prec=40,
    rounding=ROUND_HALF_UP,
    traps=[InvalidOperation, Overflow, DivisionByZero],
)

# decimal_to_cents works on integers; this bound (the precision above, so every Money converts)
# keeps "1E+999999999" from building a huge int.
_MAX_DIGITS: Final = 40


def _as_decimal(value: object, *, what: str) -> Decimal:
    """Convert ``Decimal``, ``int`` or ``str`` to a finite ``Decimal``; refuse float and bool."""
    if isinstance(value, bool | float):
        raise TypeError(
            f"{what} must be a Decimal, int or str, never {type(value).__name__}: {value!r}"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{what} {value!r} is not a number") from None
    else:
        raise TypeError(
            f"{what} must be a Decimal, int or str, not {type(value).__name__}: {value!r}"
        )
    if not result.is_finite():
        raise ValueError(f"{what} {value!r} is not a finite number")
    return result


def cents_to_decimal(cents: int) -> Decimal:
    """Return the dollar amount of an integer number of cents: ``1234`` -> ``Decimal("12.34")``."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"cents must be an int, not {type(cents).__name__}: {cents!r}")
    return Decimal(cents).scaleb(-2, _EXACT)


def decimal_to_cents(value: Decimal | str | int) -> int:
    """Return the exact number of cents in a dollar amount.

    ``Decimal("12.34")``, ``"12.34"`` and ``"12.340"`` give ``1234``; ``12`` gives ``1200``.

    Raises:
        TypeError: for ``float`` (and ``bool``) or any other type.
        ValueError: naming the value, when it is not a finite number or has a fraction of a cent.
    """
    amount = _as_decimal(value, what="amount")
    sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)  # finite, checked above
    coefficient = int("".join(map(str, digits))) if digits else 0
    shift = exponent + 2  # from the decimal's unit to cents
    if coefficient and len(digits) + shift > _MAX_DIGITS:
        raise ValueError(f"amount {value!r} is too large")
    cents: int
    if shift >= 0:
        cents = coefficient * 10**shift
    else:
        cents, remainder = divmod(coefficient, 10**-shift)
        if remainder:
            raise ValueError(f"amount {value!r} has a fraction of a cent")
    return -cents if sign else cents


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An exact amount of US dollars, whole cents only.

    >>> Money(Decimal("12.34")) + Money.from_cents(66)
    Money(amount=Decimal('13.00'))
    >>> str(Money.from_cents(-500))
    '-$5.00'

    ``Money(Decimal("1.005"))`` raises ``ValueError``; ``Money.rounded(Decimal("1.005"))`` is
    ``$1.01``. The amount is always stored quantized to two places, so equal amounts compare
    and hash equal.
    """

    amount: Decimal

    def __post_init__(self) -> None:
        amount = _as_decimal(self.amount, what="amount")
        try:
            quantized = amount.quantize(CENT, context=_EXACT)
        except Inexact:
            raise ValueError(f"amount {self.amount!r} has a fraction of a cent") from None
        except InvalidOperation:
            raise ValueError(f"amount {self.amount!r} is too large") from None
        if not quantized:
            quantized = Decimal("0.00")  # never keep a negative zero
        object.__setattr__(self, "amount", quantized)

    # -- constructors ---------------------------------------------------------------------

    @classmethod
    def zero(cls) -> Self:
        """Return $0.00."""
        return cls(Decimal("0.00"))

    @classmethod
    def from_cents(cls, cents: int) -> Self:
        """Return the amount of ``cents`` (an ``int``; the database's representation)."""
        return cls(cents_to_decimal(cents))

    @classmethod
    def rounded(cls, value: Decimal | str | int) -> Self:
        """Return ``value`` rounded half up to the cent: the one explicit way to drop sub-cents."""
        amount = _as_decimal(value, what="amount")
        try:
            return cls(amount.quantize(CENT, rounding=ROUND_HALF_UP, context=_ROUNDING))
        except InvalidOperation:
            raise ValueError(f"amount {value!r} is too large") from None

    # -- views ----------------------------------------------------------------------------

    @property
    def cents(self) -> int:
        """The amount as an integer number of cents (what the database stores)."""
        return decimal_to_cents(self.amount)

    def is_zero(self) -> bool:
        """Whether the amount is $0.00."""
        return not self.amount

    def is_negative(self) -> bool:
        """Whether the amount is below $0.00 (a credit, a reversal, a refund)."""
        return self.amount < 0

    def __str__(self) -> str:
        """Format as ``$1,234.56`` or ``-$5.00``."""
        sign = "-" if self.amount < 0 else ""
        return f"{sign}${abs(self.amount):,.2f}"

    # -- arithmetic -----------------------------------------------------------------------

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(_EXACT.add(self.amount, other.amount))

    def __radd__(self, other: Money | int) -> Money:
        # ``sum()`` starts from the int 0; accept exactly that, nothing else.
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        if isinstance(other, Money):
            return other.__add__(self)
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(_EXACT.subtract(self.amount, other.amount))

    def __neg__(self) -> Money:
        return Money(_EXACT.minus(self.amount))

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(_EXACT.abs(self.amount))

    def __mul__(self, factor: int | Decimal) -> Money:
        """Multiply by units or a rate; the product is rounded once, half up, to the cent.

        ``Money(Decimal("10.00")) * 3`` is exact; ``Money(Decimal("0.05")) * Decimal("0.5")``
        is ``$0.03`` (0.025 rounded half up). ``float`` factors are refused (``TypeError``).
        """
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            return NotImplemented
        if isinstance(factor, Decimal) and not factor.is_finite():
            raise ValueError(f"factor {factor!r} is not a finite number")
        try:
            product = _ROUNDING.multiply(self.amount, Decimal(factor))
        except (InvalidOperation, Overflow):
            raise ValueError(f"{self} * {factor!r} is out of range") from None
        return Money.rounded(product)

    def __rmul__(self, factor: int | Decimal) -> Money:
        return self.__mul__(factor)
