"""Readers for the code lists the core has no reader for: CARC and RARC lists, and a practice's
own CPT list. Plain Python (no Django), like the core's NCCI and HCPCS readers.

Every reader raises :class:`CodeFileError` naming the file and the line for a row it cannot
read, so an import is refused whole before anything is written.

* CARC / RARC: CSV or tab-separated text with a header row naming a ``code`` column and a
  ``description`` column (``Reason Code``, ``Remark Code`` and ``Code Description`` are
  understood too), and optional ``start`` and ``stop`` date columns (``Start Date``,
  ``Stop Date``, ``Deactivation Date``; MM/DD/YYYY, YYYY-MM-DD or YYYYMMDD).
* CPT: CSV or tab-separated ``code,description`` rows, with or without a header row; the
  description is the practice's own short wording (at most 100 characters).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

__all__ = [
    "AdjustmentCode",
    "CodeFileError",
    "CptEntry",
    "read_adjustment_codes",
    "read_cpt_file",
    "read_text",
]

CPT_DESCRIPTION_MAX: Final = 100
_CARC: Final = re.compile(r"[A-Z]?[0-9]{1,3}|[A-Z][0-9A-Z]{1,2}")
_RARC: Final = re.compile(r"[A-Z]{1,2}[0-9]{1,3}")
_CPT: Final = re.compile(r"[0-9]{4}[0-9FTU]")
_CODE_HEADERS: Final = ("code", "reason code", "remark code", "carc", "rarc", "cpt", "cpt code")
_DESCRIPTION_HEADERS: Final = ("description", "code description", "long description", "text")
_START_HEADERS: Final = ("start", "start date", "effective date")
_STOP_HEADERS: Final = ("stop", "stop date", "deactivation date", "end date")


class CodeFileError(ValueError):
    """A row of a code file could not be read (the message names the file and line)."""


@dataclass(frozen=True, slots=True)
class AdjustmentCode:
    code: str
    description: str
    start: date | None = None
    stop: date | None = None


@dataclass(frozen=True, slots=True)
class CptEntry:
    code: str
    description: str


def read_text(path: str | Path) -> str:
    """A code file's text: UTF-8 (with or without a byte order mark), else Latin-1."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _rows(text: str) -> Iterator[tuple[int, list[str]]]:
    delimiter = "\t" if "\t" in text[:4000] else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise CodeFileError(f"line {reader.line_num}: {error}") from None
        cells = [cell.strip() for cell in row]
        if any(cells):
            yield reader.line_num, cells


def _date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"[0-9]{8}", text):
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    if match := re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", text):
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", text):
        return date(int(match.group(3)), int(match.group(1)), int(match.group(2)))
    raise ValueError(f"{text!r} is not a date (MM/DD/YYYY, YYYY-MM-DD or YYYYMMDD)")


def _column(names: list[str], wanted: tuple[str, ...]) -> int | None:
    for index, name in enumerate(names):
        if name in wanted:
            return index
    return None


def _cell(cells: list[str], header: dict[str, int], key: str) -> str:
    at = header.get(key)
    return cells[at] if at is not None and at < len(cells) else ""


def read_adjustment_codes(text: str, *, kind: str, name: str) -> list[AdjustmentCode]:
    """Read a CARC (``kind="carc"``) or RARC (``kind="rarc"``) list."""
    if kind not in ("carc", "rarc"):
        raise ValueError(f"kind must be carc or rarc, not {kind!r}")
    shape = _CARC if kind == "carc" else _RARC
    header: dict[str, int] | None = None
    found: dict[str, AdjustmentCode] = {}
    for number, cells in _rows(text):
        if header is None:
            names = [cell.lower() for cell in cells]
            code_at = _column(names, _CODE_HEADERS)
            text_at = _column(names, _DESCRIPTION_HEADERS)
            if code_at is not None and text_at is not None:
                header = {"code": code_at, "description": text_at}
                for key, wanted in (("start", _START_HEADERS), ("stop", _STOP_HEADERS)):
                    at = _column(names, wanted)
                    if at is not None:
                        header[key] = at
            continue

        code = _cell(cells, header, "code").upper()
        if not shape.fullmatch(code):
            raise CodeFileError(f"{name}: line {number}: {code!r} is not a {kind.upper()} code")
        description = " ".join(_cell(cells, header, "description").split())
        if not description:
            raise CodeFileError(f"{name}: line {number}: {kind.upper()} {code} has no description")
        try:
            start, stop = _date(_cell(cells, header, "start")), _date(_cell(cells, header, "stop"))
        except ValueError as error:
            raise CodeFileError(f"{name}: line {number}: {error}") from None
        if code in found:
            raise CodeFileError(f"{name}: line {number}: {kind.upper()} {code} appears twice")
        found[code] = AdjustmentCode(code, description, start, stop)
    if header is None:
        raise CodeFileError(
            f"{name}: no header row naming a code column and a description column "
            "(e.g. Code,Description,Start Date,Stop Date)"
        )
    if not found:
        raise CodeFileError(f"{name}: no {kind.upper()} rows found")
    return list(found.values())


def read_cpt_file(text: str, *, name: str) -> list[CptEntry]:
    """Read a practice's CPT list: ``code,description`` rows (a header row is skipped)."""
    found: dict[str, CptEntry] = {}
    first = True
    for number, cells in _rows(text):
        code = cells[0].upper()
        if first and code.lower() in _CODE_HEADERS:
            first = False
            continue
        first = False
        if not _CPT.fullmatch(code):
            raise CodeFileError(
                f"{name}: line {number}: {cells[0]!r} is not a CPT code (five digits, or four "
                "digits and F, T or U)"
            )
        description = " ".join(cells[1].split()) if len(cells) > 1 else ""
        if not description:
            raise CodeFileError(f"{name}: line {number}: CPT {code} has no description")
        if len(description) > CPT_DESCRIPTION_MAX:
            raise CodeFileError(
                f"{name}: line {number}: the description of {code} is longer than "
                f"{CPT_DESCRIPTION_MAX} characters: load the practice's own short wording"
            )
        if code in found:
            raise CodeFileError(f"{name}: line {number}: CPT {code} appears twice")
        found[code] = CptEntry(code, description)
    if not found:
        raise CodeFileError(f"{name}: no CPT rows found")
    return list(found.values())
