"""What kind of service a procedure code is, from its number alone: E/M, laboratory, anesthesia,
Category II; the age bands of the preventive medicine visits; which add-on codes need which
primary codes; and global surgery periods.

Only code numbers are kept here: CPT descriptions belong to the AMA and are never shipped. The
ranges are the sections of the code set (e.g. 80047-89398 pathology and laboratory); the age
bands of the preventive visits and the global periods are public CMS payment data.

Global periods (the Medicare physician fee schedule's "GLOB DAYS": 000, 010, 090, XXX, YYY,
ZZZ, MMM) come from the fee schedule's RVU file, which a billing team loads with
:func:`read_global_days`; :data:`DEFAULT_GLOBAL_DAYS` holds a few common minor procedures so
the E/M-with-minor-procedure edit works out of the box.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Final

__all__ = [
    "ADD_ON_PRIMARIES",
    "DEFAULT_GLOBAL_DAYS",
    "PREVENTIVE_AGE_BANDS",
    "EmKind",
    "em_kind",
    "is_anesthesia",
    "is_category_ii",
    "is_em",
    "is_hcpcs_level2",
    "is_lab",
    "read_global_days",
]

_LAB_HCPCS: Final = frozenset({"G0103", "G0480", "G0481", "G0482", "G0483", "G0499", "P9603"})
_EM_HCPCS: Final = frozenset({"G0402", "G0438", "G0439", "G0463"})


# The classifiers below are called for every line of every claim scrubbed, with the same few
# hundred codes: their answers are cached.


def _number(code: str) -> int:
    """The numeric value of a five-digit code, or -1 for anything else."""
    return int(code) if len(code) == 5 and code.isdigit() else -1


def is_hcpcs_level2(code: str) -> bool:
    """A HCPCS Level II code: a letter A-V and four digits."""
    return len(code) == 5 and "A" <= code[0] <= "V" and code[1:].isdigit()


def is_category_ii(code: str) -> bool:
    """A CPT Category II (performance measurement) code: four digits and F."""
    return len(code) == 5 and code[4] == "F" and code[:4].isdigit()


@lru_cache(maxsize=16384)
def is_em(code: str) -> bool:
    """An evaluation and management service (99202-99499, and the Medicare visit G-codes)."""
    return 99202 <= _number(code) <= 99499 or code in _EM_HCPCS


@lru_cache(maxsize=16384)
def is_lab(code: str) -> bool:
    """A clinical laboratory or pathology service (80047-89398 and a few HCPCS codes)."""
    return 80000 <= _number(code) <= 89999 or code in _LAB_HCPCS


@lru_cache(maxsize=16384)
def is_anesthesia(code: str) -> bool:
    """An anesthesia service (00100-01999) or a qualifying circumstance (99100-99140)."""
    number = _number(code)
    return 100 <= number <= 1999 or 99100 <= number <= 99140


class EmKind(StrEnum):
    """The E/M families whose place of service is fixed by the family."""

    OFFICE = "office or outpatient visit"
    HOSPITAL = "hospital inpatient or observation care"
    EMERGENCY = "emergency department visit"
    NURSING_FACILITY = "nursing facility care"
    HOME = "home or residence visit"
    PREVENTIVE = "preventive medicine visit"


_EM_FAMILIES: Final = (
    (99202, 99215, EmKind.OFFICE),
    (99221, 99239, EmKind.HOSPITAL),
    (99281, 99285, EmKind.EMERGENCY),
    (99304, 99316, EmKind.NURSING_FACILITY),
    (99341, 99350, EmKind.HOME),
    (99381, 99397, EmKind.PREVENTIVE),
)


@lru_cache(maxsize=16384)
def em_kind(code: str) -> EmKind | None:
    """The E/M family of a code, or None."""
    number = _number(code)
    if number < 99202:
        return None
    for first, last, kind in _EM_FAMILIES:
        if first <= number <= last:
            return kind
    return None


# Preventive medicine visits, new (99381-99387) and established (99391-99397) patients: the age
# band each code is for, in whole years (minimum inclusive, maximum exclusive).
PREVENTIVE_AGE_BANDS: Final[dict[str, tuple[int, int]]] = {
    f"{base + offset}": band
    for base in (99381, 99391)
    for offset, band in enumerate(
        ((0, 1), (1, 5), (5, 12), (12, 18), (18, 40), (40, 65), (65, 200))
    )
}

# Add-on codes and the primary codes one of which must be on the same date of service.
ADD_ON_PRIMARIES: Final[dict[str, frozenset[str]]] = {
    "G2211": frozenset(str(code) for code in range(99202, 99216)),
    "99417": frozenset({"99205", "99215", "99245", "99345", "99350", "99483"}),
    "99292": frozenset({"99291"}),
    "17003": frozenset({"17000"}),
    "11103": frozenset({"11102", "11104", "11106"}),
    "11105": frozenset({"11104", "11106"}),
    "11107": frozenset({"11106"}),
    "11201": frozenset({"11200"}),
    "11732": frozenset({"11730"}),
    "90461": frozenset({"90460"}),
    "90472": frozenset({"90460", "90471", "90473"}),
    "96366": frozenset({"96365"}),
    "96367": frozenset({"96365", "96374", "96409", "96413"}),
    "96375": frozenset({"96365", "96374", "96409", "96413"}),
    "96415": frozenset({"96413"}),
    "96417": frozenset({"96413"}),
    "64480": frozenset({"64479"}),
    "64484": frozenset({"64483"}),
}

# A few minor procedures with their Medicare global period (000 or 010 days).
DEFAULT_GLOBAL_DAYS: Final[dict[str, str]] = {
    "10060": "010",
    "10061": "010",
    "11055": "000",
    "11102": "000",
    "11104": "000",
    "11106": "000",
    "11200": "010",
    "11720": "000",
    "11721": "000",
    "11730": "000",
    "12001": "000",
    "12002": "000",
    "17000": "010",
    "17110": "010",
    "20550": "000",
    "20552": "000",
    "20553": "000",
    "20610": "000",
    "46600": "000",
    "51702": "000",
    "69210": "000",
}


def read_global_days(source: str | Path | Iterable[str], *, name: str = "") -> Mapping[str, str]:
    """Read code -> global period from the physician fee schedule's RVU file saved as CSV.

    The header row is found by its ``HCPCS`` and ``GLOB DAYS`` columns (title lines before it
    are skipped). Only those two columns are read: the file's descriptions are not kept.
    Raises ValueError when no such header exists.
    """
    label = name or (Path(source).name if isinstance(source, str | Path) else "RVU file")
    if isinstance(source, str | Path):
        text = Path(source).read_text(encoding="latin-1")
    else:
        text = "\n".join(source)
    code_column = days_column = -1
    found: dict[str, str] = {}
    for row in csv.reader(io.StringIO(text)):
        cells = [cell.strip() for cell in row]
        if code_column < 0:
            upper = [cell.upper() for cell in cells]
            if "HCPCS" in upper and "GLOB DAYS" in upper:
                code_column, days_column = upper.index("HCPCS"), upper.index("GLOB DAYS")
            continue
        if len(cells) > max(code_column, days_column) and cells[code_column]:
            found.setdefault(cells[code_column].upper(), cells[days_column].upper())
    if code_column < 0:
        raise ValueError(f"{label}: no header row with HCPCS and GLOB DAYS columns")
    return found
