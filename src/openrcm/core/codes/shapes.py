"""Shape checks for the codes on a claim: is this *written* like an ICD-10-CM code, a CPT or
HCPCS code, a modifier, an NDC, a place of service?

These functions say nothing about whether a code exists or is billable on a date of service;
that needs the code sets and is a separate check. Each ``validate_*`` returns the normalized
value (uppercase, no dots or hyphens; the form X12 wants) or raises :class:`CodeShapeError`
with a message naming the value and what is wrong.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "CodeShapeError",
    "format_icd10cm",
    "validate_icd10cm_shape",
    "validate_modifier",
    "validate_ndc",
    "validate_place_of_service",
    "validate_procedure_shape",
]

# ICD-10-CM: a letter, a digit, a letter or digit (the category), then up to four more
# characters (etiology, anatomic site, severity, 7th-character extension; X placeholders).
_ICD10CM: Final = re.compile(r"[A-Z][0-9][A-Z0-9][A-Z0-9]{0,4}")
# CPT Category I: 5 digits. Category II (F), Category III (T) and PLA codes (U): 4 digits and a
# letter. HCPCS Level II: a letter A-V and 4 digits.
_CPT: Final = re.compile(r"[0-9]{5}|[0-9]{4}[FTU]")
_HCPCS: Final = re.compile(r"[A-V][0-9]{4}")
_MODIFIER: Final = re.compile(r"[A-Z0-9]{2}")
_NDC_11: Final = re.compile(r"[0-9]{11}")
_NDC_HYPHENATED: Final = re.compile(r"([0-9]{4,5})-([0-9]{3,4})-([0-9]{1,2})")
# The hyphenated layouts: the 11-digit 5-4-2 and the three 10-digit ones.
_NDC_LAYOUTS: Final = frozenset({(5, 4, 2), (4, 4, 2), (5, 3, 2), (5, 4, 1)})
_POS: Final = re.compile(r"[0-9]{2}")


class CodeShapeError(ValueError):
    """A code is not written the way its code set writes codes."""


def _clean(value: object, *, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}: {value!r}")
    cleaned = value.strip().upper()
    if not cleaned:
        raise CodeShapeError(f"{what} is empty")
    return cleaned


def validate_icd10cm_shape(code: str) -> str:
    """Return an ICD-10-CM code uppercased and without its dot: ``"e11.9"`` -> ``"E119"``.

    The shape: a letter, a digit, a letter or digit, then up to four letters or digits; 3 to 7
    characters. A dot, if present, must come right after the third character.
    """
    cleaned = _clean(code, what="ICD-10-CM code")
    if "." in cleaned:
        category, _dot, rest = cleaned.partition(".")
        if len(category) != 3 or not rest or "." in rest:
            raise CodeShapeError(
                f"ICD-10-CM code {code!r}: the dot belongs after the third character "
                "and must be followed by more characters (e.g. E11.9)"
            )
        cleaned = category + rest
    if not 3 <= len(cleaned) <= 7:
        raise CodeShapeError(f"ICD-10-CM code {code!r} must have 3 to 7 characters")
    if not _ICD10CM.fullmatch(cleaned):
        raise CodeShapeError(
            f"ICD-10-CM code {code!r} must be a letter, a digit, then letters or digits "
            "(e.g. E11.9, S72.001A)"
        )
    return cleaned


def format_icd10cm(code: str) -> str:
    """Return an ICD-10-CM code for people, with its dot: ``"E119"`` -> ``"E11.9"``."""
    cleaned = validate_icd10cm_shape(code)
    return cleaned if len(cleaned) == 3 else f"{cleaned[:3]}.{cleaned[3:]}"


def validate_procedure_shape(code: str) -> str:
    """Return a CPT or HCPCS Level II procedure code, uppercased.

    CPT: 5 digits (``99213``), or 4 digits and F, T or U (Category II ``3074F``, Category III
    ``0042T``, PLA ``0001U``). HCPCS Level II: a letter A-V and 4 digits (``J3420``).
    """
    cleaned = _clean(code, what="procedure code")
    if _CPT.fullmatch(cleaned) or _HCPCS.fullmatch(cleaned):
        return cleaned
    raise CodeShapeError(
        f"procedure code {code!r} must be a CPT code (5 digits, or 4 digits and F, T or U) "
        "or a HCPCS Level II code (a letter A-V and 4 digits)"
    )


def validate_modifier(code: str) -> str:
    """Return a procedure modifier (two letters or digits), uppercased: ``"lt"`` -> ``"LT"``."""
    cleaned = _clean(code, what="modifier")
    if not _MODIFIER.fullmatch(cleaned):
        raise CodeShapeError(f"modifier {code!r} must be 2 letters or digits (e.g. 25, LT)")
    return cleaned


def validate_ndc(code: str) -> str:
    """Return a National Drug Code in the 11-digit 5-4-2 form that claims use, digits only.

    Accepts 11 digits as they are, and hyphenated 10-digit NDCs as printed on packages, padded
    with a leading zero in the short segment: 4-4-2 -> 0XXXX-XXXX-XX, 5-3-2 -> XXXXX-0XXX-XX,
    5-4-1 -> XXXXX-XXXX-0X. A bare 10-digit NDC is refused: without hyphens it is ambiguous.
    """
    cleaned = _clean(code, what="NDC")
    if _NDC_11.fullmatch(cleaned):
        return cleaned
    match = _NDC_HYPHENATED.fullmatch(cleaned)
    if match is not None:
        labeler, product, package = match.groups()
        if (len(labeler), len(product), len(package)) in _NDC_LAYOUTS:
            return labeler.zfill(5) + product.zfill(4) + package.zfill(2)
    if cleaned.isascii() and cleaned.isdigit() and len(cleaned) == 10:
        raise CodeShapeError(
            f"NDC {code!r} has 10 digits without hyphens, which is ambiguous: give it hyphenated "
            "(4-4-2, 5-3-2 or 5-4-1) or as 11 digits"
        )
    raise CodeShapeError(
        f"NDC {code!r} must be 11 digits (5-4-2) or hyphenated as 4-4-2, 5-3-2, 5-4-1 or 5-4-2"
    )


def validate_place_of_service(code: str) -> str:
    """Return a CMS place-of-service code: two digits, 01 to 99 (``"11"`` for an office)."""
    cleaned = _clean(code, what="place of service")
    if not _POS.fullmatch(cleaned) or cleaned == "00":
        raise CodeShapeError(f"place of service {code!r} must be two digits from 01 to 99")
    return cleaned
