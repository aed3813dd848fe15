"""NCCI procedure-to-procedure (PTP) edits and medically unlikely edits (MUE): readers for the
CMS quarterly files and the lookups the scrubber uses.

The files carry CPT codes (AMA content), so OpenRCM ships none: a billing team loads the
quarter's practitioner files itself (``openrcm codes import ptp FILE``). Both readers take the
tab-delimited text CMS publishes and the workbooks saved as CSV, skip the title, notice and
header lines, and raise :class:`NcciFileError` naming the line for a row they cannot read.

PTP file (practitioner services), one edit a row:

    Column 1 | Column 2 | * = in existence before 1996 | Effective Date (YYYYMMDD)
    | Deletion Date (YYYYMMDD, * = none) | Modifier indicator 0/1/9 | PTP edit rationale

An edit applies to a date of service on or after its effective date and before its deletion
date. Modifier indicator 0: the pair is never paid together; 1: an NCCI-associated modifier may
bypass the edit when the services were distinct; 9: the edit does not apply.

MUE file (practitioner services), one code a row:

    HCPCS/CPT code | MUE value | MUE adjudication indicator ("1 Line Edit", "2 Date of Service
    Edit: Policy", "3 Date of Service Edit: Clinical") | MUE rationale
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from pathlib import Path
from typing import Final

__all__ = [
    "MueAdjudication",
    "MueEdit",
    "MueTable",
    "NcciFileError",
    "PtpEdit",
    "PtpModifierIndicator",
    "PtpTable",
    "read_mue_file",
    "read_ptp_file",
]

_PROCEDURE: Final = re.compile(r"[0-9A-Z][0-9]{3}[0-9A-Z]")
_YYYYMMDD: Final = re.compile(r"[0-9]{8}")


class NcciFileError(ValueError):
    """A row of an NCCI file could not be read."""


class PtpModifierIndicator(IntEnum):
    NOT_ALLOWED = 0
    ALLOWED = 1
    NOT_APPLICABLE = 9


class MueAdjudication(IntEnum):
    PER_LINE = 1
    """Each claim line is checked on its own (modifiers such as 76, 91, LT/RT split lines)."""
    PER_DAY_POLICY = 2
    """Units of the code on one date of service, all lines together; an absolute limit."""
    PER_DAY_CLINICAL = 3
    """Units on one date of service; exceeding it is rare but may be appealed with records."""


@dataclass(frozen=True, slots=True)
class PtpEdit:
    column1: str
    column2: str
    effective: date
    deleted: date | None
    modifier_indicator: PtpModifierIndicator
    rationale: str = ""
    before_1996: bool = False

    def active_on(self, on: date) -> bool:
        return self.effective <= on and (self.deleted is None or on < self.deleted)


@dataclass(frozen=True, slots=True)
class MueEdit:
    code: str
    value: int
    adjudication: MueAdjudication
    rationale: str = ""


def _rows(source: str | Path | Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    if isinstance(source, str | Path):
        text = Path(source).read_text(encoding="latin-1")
        lines: Iterable[str] = text.splitlines()
    else:
        lines = source
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        cells = line.split("\t") if "\t" in line else next(csv.reader(io.StringIO(line)))
        yield number, [cell.strip().strip('"').strip() for cell in cells]


def _date(text: str, *, number: int, what: str) -> date:
    if not _YYYYMMDD.fullmatch(text):
        raise NcciFileError(f"line {number}: {what} {text!r} is not a date (YYYYMMDD)")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise NcciFileError(f"line {number}: {what} {text!r} is not a real date") from None


class PtpTable:
    """PTP edits by (column 1, column 2); several rows may exist for a pair over time."""

    __slots__ = ("_by_pair", "_codes", "source")

    def __init__(self, edits: Iterable[PtpEdit] = (), *, source: str = "") -> None:
        self._by_pair: dict[tuple[str, str], list[PtpEdit]] = {}
        self._codes: set[str] = set()
        self.source = source
        for edit in edits:
            self.add(edit)

    def add(self, edit: PtpEdit) -> None:
        self._by_pair.setdefault((edit.column1, edit.column2), []).append(edit)
        self._codes.add(edit.column1)
        self._codes.add(edit.column2)

    def __len__(self) -> int:
        return sum(len(edits) for edits in self._by_pair.values())

    def __iter__(self) -> Iterator[PtpEdit]:
        """Every edit, pair by pair in the order they were added."""
        for edits in self._by_pair.values():
            yield from edits

    def involves(self, code: str) -> bool:
        """Whether the code appears in any edit (a cheap filter before pair lookups)."""
        return code in self._codes

    def edit(self, column1: str, column2: str, on: date) -> PtpEdit | None:
        """The edit for this ordered pair in effect on ``on`` (indicator 9 edits included)."""
        for edit in self._by_pair.get((column1, column2), ()):
            if edit.active_on(on):
                return edit
        return None


class MueTable:
    """MUE values by code."""

    __slots__ = ("_by_code", "source")

    def __init__(self, edits: Iterable[MueEdit] = (), *, source: str = "") -> None:
        self._by_code: dict[str, MueEdit] = {edit.code: edit for edit in edits}
        self.source = source

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[MueEdit]:
        return iter(self._by_code.values())

    def get(self, code: str) -> MueEdit | None:
        return self._by_code.get(code)


def read_ptp_file(source: str | Path | Iterable[str], *, name: str = "") -> PtpTable:
    """Read a CMS practitioner PTP edit file (tab-delimited text, or CSV) into a table.

    Lines before the first edit (titles, the copyright notice, the two-line column header) are
    skipped: an edit row is one whose first two cells are procedure codes.
    """
    label = name or (Path(source).name if isinstance(source, str | Path) else "PTP file")
    table = PtpTable(source=label)
    for number, cells in _rows(source):
        if len(cells) < 6 or not (
            _PROCEDURE.fullmatch(cells[0]) and _PROCEDURE.fullmatch(cells[1])
        ):
            continue
        try:
            effective = _date(cells[3], number=number, what="effective date")
            deletion_text = cells[4]
            deleted = (
                None
                if deletion_text in ("", "*")
                else _date(deletion_text, number=number, what="deletion date")
            )
            if cells[5] not in ("0", "1", "9"):
                raise NcciFileError(
                    f"line {number}: modifier indicator {cells[5]!r} must be 0, 1 or 9"
                )
        except NcciFileError as error:
            raise NcciFileError(f"{label}: {error}") from None
        table.add(
            PtpEdit(
                column1=cells[0],
                column2=cells[1],
                effective=effective,
                deleted=deleted,
                modifier_indicator=PtpModifierIndicator(int(cells[5])),
                rationale=cells[6] if len(cells) > 6 else "",
                before_1996=cells[2] == "*",
            )
        )
    if not len(table):
        raise NcciFileError(f"{label}: no PTP edit rows found")
    return table


def read_mue_file(source: str | Path | Iterable[str], *, name: str = "") -> MueTable:
    """Read a CMS practitioner MUE file (CSV as published, or tab-delimited) into a table."""
    label = name or (Path(source).name if isinstance(source, str | Path) else "MUE file")
    edits: list[MueEdit] = []
    for number, cells in _rows(source):
        if len(cells) < 3 or not _PROCEDURE.fullmatch(cells[0]):
            continue
        if not cells[1].isdigit():
            raise NcciFileError(f"{label}: line {number}: MUE value {cells[1]!r} is not a number")
        indicator = cells[2][:1]
        if indicator not in ("1", "2", "3"):
            raise NcciFileError(
                f"{label}: line {number}: adjudication indicator {cells[2]!r} must start "
                "with 1, 2 or 3"
            )
        edits.append(
            MueEdit(
                code=cells[0],
                value=int(cells[1]),
                adjudication=MueAdjudication(int(indicator)),
                rationale=cells[3] if len(cells) > 3 else "",
            )
        )
    if not edits:
        raise NcciFileError(f"{label}: no MUE rows found")
    return MueTable(edits, source=label)
