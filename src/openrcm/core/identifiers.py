"""Validators for the identifiers on a claim: NPI, TIN, ZIP code, phone number.

Each ``validate_*`` function takes user input, returns the cleaned canonical value (digits
only) and raises :class:`IdentifierError` with a message that names the value and what is
wrong with it. Messages do not name a field: the caller (a model, a form, an importer) knows
which field it is validating and adds that.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "IdentifierError",
    "make_npi",
    "npi_check_digit",
    "npi_is_valid",
    "validate_npi",
    "validate_phone",
    "validate_tin",
    "validate_zip",
]

# The NPI check digit is computed as if the NPI carried the ISO 7812 card-issuer prefix
# 80840 (health applications in the United States), per the CMS NPI standard.
_NPI_PREFIX: Final = "80840"

_NINE_DIGITS: Final = re.compile(r"[0-9]{9}")
_TEN_DIGITS: Final = re.compile(r"[0-9]{10}")
# An EIN as 12-3456789 or an SSN as 123-45-6789 (box 25 of the CMS-1500 accepts either).
_TIN: Final = re.compile(r"[0-9]{2}-?[0-9]{7}|[0-9]{3}-[0-9]{2}-[0-9]{4}")
_ZIP: Final = re.compile(r"([0-9]{5})(?:-?([0-9]{4}))?")
# Phone input may carry the usual punctuation and a leading +1 / 1 country code.
_PHONE_CHARS: Final = re.compile(r"[0-9\s().+-]*")
# NANP: NXX-NXX-XXXX, N being 2-9.
_NANP: Final = re.compile(r"[2-9][0-9]{2}[2-9][0-9]{6}")


class IdentifierError(ValueError):
    """An identifier (NPI, TIN, ZIP code, phone) is malformed or fails its check."""


def _require_str(value: object, *, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}: {value!r}")
    return value.strip()


def _luhn_check_digit(payload: str) -> int:
    """Return the Luhn digit that, appended to ``payload`` (ASCII digits), makes it valid."""
    total = 0
    # From the right, the digit next to the (future) check digit is doubled, then every other.
    for position, char in enumerate(reversed(payload)):
        digit = ord(char) - 48
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def npi_check_digit(first9: str) -> int:
    """Return the NPI check digit for the first nine digits: Luhn over ``"80840" + first9``.

    ``npi_check_digit("123456789")`` is ``3``. Raises :class:`IdentifierError` unless
    ``first9`` is exactly nine ASCII digits.
    """
    digits = _require_str(first9, what="NPI prefix")
    if not _NINE_DIGITS.fullmatch(digits):
        raise IdentifierError(f"NPI prefix {first9!r} must be exactly 9 digits")
    return _luhn_check_digit(_NPI_PREFIX + digits)


def validate_npi(value: str) -> str:
    """Return the NPI (surrounding whitespace removed) or raise :class:`IdentifierError`.

    An NPI is ten digits whose last digit is the check digit of the first nine.
    """
    npi = _require_str(value, what="NPI")
    if not _TEN_DIGITS.fullmatch(npi):
        raise IdentifierError(f"NPI {value!r} must be exactly 10 digits")
    expected = npi_check_digit(npi[:9])
    if int(npi[9]) != expected:
        raise IdentifierError(f"NPI {npi} fails the check digit (expected {expected})")
    return npi


def npi_is_valid(value: str) -> bool:
    """Whether ``value`` is a well-formed NPI with a correct check digit. Never raises."""
    try:
        validate_npi(value)
    except (IdentifierError, TypeError):
        return False
    return True


def make_npi(first9: str) -> str:
    """Return the valid NPI that starts with ``first9`` (for synthetic and test data).

    Real NPIs start with 1 or 2; pass such a prefix to make data that looks real.
    """
    return first9.strip() + str(npi_check_digit(first9))


def validate_tin(value: str) -> str:
    """Return a taxpayer id (EIN ``12-3456789`` or SSN ``123-45-6789``) as nine digits.

    Raises :class:`IdentifierError` for any other shape and for all zeros.
    """
    tin = _require_str(value, what="TIN")
    if not _TIN.fullmatch(tin):
        raise IdentifierError(f"TIN {value!r} must be 9 digits, e.g. 12-3456789")
    digits = tin.replace("-", "")
    if digits == "000000000":
        raise IdentifierError(f"TIN {value!r} cannot be all zeros")
    return digits


def validate_zip(value: str) -> str:
    """Return a US ZIP code (``12345`` or ZIP+4 ``12345-6789``) as 5 or 9 digits.

    Raises :class:`IdentifierError` for any other shape and for the ZIP code 00000.
    """
    zip_code = _require_str(value, what="ZIP code")
    match = _ZIP.fullmatch(zip_code)
    if match is None:
        raise IdentifierError(f"ZIP code {value!r} must be 5 digits or ZIP+4 (12345-6789)")
    base, plus4 = match.groups()
    if base == "00000":
        raise IdentifierError(f"ZIP code {value!r} does not exist (00000)")
    return base + (plus4 or "")


def validate_phone(value: str) -> str:
    """Return a North American (NANP) phone number as its 10 digits.

    Accepts the usual punctuation (``(555) 234-5678``, ``555.234.5678``) and a leading ``1`` or
    ``+1``. The area code and the exchange must not start with 0 or 1. Extensions are refused.
    """
    phone = _require_str(value, what="phone number")
    if not _PHONE_CHARS.fullmatch(phone):
        raise IdentifierError(
            f"phone number {value!r} may contain only digits, spaces and ( ) . - + (no extension)"
        )
    digits = re.sub(r"[^0-9]", "", phone)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    if len(digits) != 10:
        raise IdentifierError(f"phone number {value!r} must have 10 digits")
    if not _NANP.fullmatch(digits):
        raise IdentifierError(
            f"phone number {value!r} is not a valid North American number: "
            "the area code and exchange cannot start with 0 or 1"
        )
    return digits
