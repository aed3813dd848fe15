"""A bank's CSV export read into deposit lines, all or nothing.

The default columns (a header row names them; case, spaces and punctuation do not matter):

=============  ===========================================================================
``date``       the posting date: ``YYYY-MM-DD``, ``MM/DD/YYYY`` (or ``M/D/YYYY``, ``MM-DD-YYYY``,
               ``MM/DD/YY``, ``YYYYMMDD``)
``amount``     signed: ``1234.56``, ``$1,234.56``, ``-45.00``, ``(45.00)``, ``45.00 CR``/``DR``;
               or two columns ``credit`` and ``debit`` (one of them filled per row)
``description`` the bank's text for the line (an ACH addenda: ``TRN*1*<trace>*<payer id>``)
``type``       optional: ``credit``/``debit`` (decides the direction over the sign), ``ACH``,
               ``EFT``, ``check``, ``deposit`` (the method)
``reference``  optional: the bank's own reference for the line
``check_number`` optional: the check's number (a check's trace number in its 835)
``payer``      optional: who paid, as the bank shows it
=============  ===========================================================================

Common variants of each name are accepted (``Posting Date``, ``Transaction Amount``,
``Credits``, ``Withdrawals``, ``Memo``, ``Check No``...), and a caller may map our names to its
file's headers explicitly (`mapping`). Lines before the header (an account banner) are skipped:
the header is the first of the first ten rows that names a date and an amount (or credit) column.

Credits are deposits. Debits and zero amounts are not deposits: they are kept as skipped lines
(so the import can say how many), never as errors. A row that cannot be read at all (a date or
amount that is not one, a credit and a debit both filled) is an error naming the row (the file's
line number, the header being row 1 when it is the first line) and the column by its header;
every such error is collected and the whole file refused (`BankCsvError`).

The EFT trace number is the TRN segment the payer's ACH carries in its addenda
(CCD+ "HCCLAIMPMT"): ``TRN*1*<TRN02>*<TRN03>\\``. TRN02 is the 835's trace number (BPR/TRN);
TRN03 the payer's id (1 + its tax id). The bank's own 15-digit ACH trace number is not it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Final

__all__ = [
    "FIELDS",
    "BankCsv",
    "BankCsvError",
    "BankLine",
    "Direction",
    "LineMethod",
    "normalize_trace",
    "parse_amount",
    "parse_bank_csv",
    "parse_date",
    "trace_from_text",
]

MAX_ERRORS: Final = 20
HEADER_SEARCH_ROWS: Final = 10


class Direction(StrEnum):
    CREDIT = "credit"
    DEBIT = "debit"


class LineMethod(StrEnum):
    EFT = "eft"
    CHECK = "check"
    OTHER = "other"


# Our field -> the header names (normalized: lower case, letters and digits only) that mean it.
SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "date": (
        "date",
        "postingdate",
        "posteddate",
        "postdate",
        "transactiondate",
        "transdate",
        "effectivedate",
        "depositdate",
        "valuedate",
        "bookingdate",
    ),
    "amount": ("amount", "transactionamount", "amt", "amountusd", "netamount"),
    "credit": (
        "credit",
        "credits",
        "creditamount",
        "deposit",
        "deposits",
        "depositamount",
        "moneyin",
    ),
    "debit": (
        "debit",
        "debits",
        "debitamount",
        "withdrawal",
        "withdrawals",
        "withdrawalamount",
        "moneyout",
    ),
    "description": (
        "description",
        "transactiondescription",
        "details",
        "memo",
        "narrative",
        "addenda",
        "text",
        "transactiondetails",
    ),
    "type": ("type", "transactiontype", "trantype", "transtype", "detailtype"),
    "reference": (
        "reference",
        "ref",
        "bankreference",
        "referencenumber",
        "refnumber",
        "transactionid",
        "fitid",
    ),
    "check_number": ("checknumber", "checkno", "check", "chknumber", "chkno", "checknum"),
    "payer": ("payer", "payername", "originator", "originatorname", "companyname", "name"),
}
FIELDS: Final = tuple(SYNONYMS)

_TRN = re.compile(r"TRN\*1\*([^*~\\\s]+)(?:\*([^*~\\\s]+))?", re.IGNORECASE)
_ORIG_NAME = re.compile(
    r"ORIG(?:INATOR)?\s*CO(?:MPANY)?\s*NAME\s*[:=]\s*(.+?)(?=\s+(?:ORIG|CO\s*ENTRY|DESC|IND|SEC|TRN)|\s*$)",
    re.IGNORECASE,
)
_EFT_WORDS = re.compile(r"\b(HCCLAIMPMT|ACH|EFT|CCD|CTX|PPD|ELECTRONIC|WIRE)\b", re.IGNORECASE)
_CHECK_WORDS = re.compile(r"\b(CHECK|CHK|CHEQUE|REMOTE DEPOSIT|RDC|MOBILE DEPOSIT)\b", re.I)

_DATE_FORMATS: Final = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%Y%m%d", "%Y/%m/%d")
_AMOUNT = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$|^[0-9]*(\.[0-9]+)?$")


NO_HEADER: Final = (
    "no header row naming a date column and an amount (or credit) column in the first "
    f"{HEADER_SEARCH_ROWS} rows; expected columns: date, amount (or credit and debit), "
    "description, type"
)


class _NoHeader(Exception):
    """No header in these rows (with this delimiter)."""


class BankCsvError(ValueError):
    """The file cannot be imported; `errors` lists every row and column at fault."""

    def __init__(self, name: str, errors: list[str]) -> None:
        self.name = name
        self.errors = errors
        shown = errors[:MAX_ERRORS]
        more = f" (and {len(errors) - MAX_ERRORS} more)" if len(errors) > MAX_ERRORS else ""
        super().__init__(f"{name or 'the file'}: " + "; ".join(shown) + more)


@dataclass(frozen=True, slots=True)
class BankLine:
    """One transaction line of the export. `cents` is positive; `direction` says which way."""

    row: int
    date: dt.date
    cents: int
    direction: Direction
    description: str
    reference: str = ""
    trace_number: str = ""
    trace_originator: str = ""
    check_number: str = ""
    payer_name: str = ""
    method: LineMethod = LineMethod.OTHER

    @property
    def is_deposit(self) -> bool:
        return self.direction == Direction.CREDIT and self.cents > 0


@dataclass(slots=True)
class BankCsv:
    """What the file held: its lines (deposits and the rest) and how its columns were read."""

    lines: list[BankLine] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # our field -> the file's header
    header_row: int = 1
    blank_rows: int = 0

    @property
    def deposits(self) -> list[BankLine]:
        return [line for line in self.lines if line.is_deposit]

    @property
    def skipped(self) -> list[BankLine]:
        """Debits and zero amounts: not deposits."""
        return [line for line in self.lines if not line.is_deposit]


def _norm_header(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.strip().lower())


def normalize_trace(value: str) -> str:
    """A trace or check number as compared: upper case, letters and digits only, leading zeros
    dropped (a bank prints check 000123 where the 835 says 123)."""
    cleaned = re.sub(r"[^A-Z0-9]", "", value.upper())
    return cleaned.lstrip("0") or ("0" if cleaned else "")


def trace_from_text(text: str) -> tuple[str, str]:
    """(TRN02, TRN03) from an ACH description holding ``TRN*1*<trace>*<payer id>``, else
    ("", "")."""
    found = _TRN.search(text)
    if found is None:
        return "", ""
    return found.group(1), found.group(2) or ""


def parse_date(text: str) -> dt.date:
    """A bank's date; ValueError names what it got."""
    value = text.strip()
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD or MM/DD/YYYY)")


def parse_amount(text: str) -> int:
    """Signed cents from a bank's amount: ``$1,234.56``, ``-45``, ``(45.00)``, ``45.00 CR``,
    ``12.00 DR``, ``-$3.10``; more than two decimals, or anything else, is a ValueError."""
    raw = text.strip()
    value = raw.upper().replace(" ", "")
    sign = 1
    if value.endswith("CR"):
        value = value[:-2]
    elif value.endswith("DR"):
        value, sign = value[:-2], -1
    if value.startswith("(") and value.endswith(")"):
        value, sign = value[1:-1], -sign
    if value.startswith(("-", "+")):
        if value[0] == "-":
            sign = -sign
        value = value[1:]
    if value.startswith("$"):
        value = value[1:]
    if value.startswith(("-", "+")):  # $-12.00
        if value[0] == "-":
            sign = -sign
        value = value[1:]
    if value.endswith("-"):  # 12.00- (some exports)
        value, sign = value[:-1], -sign
    if not value or not _AMOUNT.match(value) or value == ".":
        raise ValueError(f"{raw!r} is not an amount")
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise ValueError(f"{raw!r} is not an amount") from exc
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(f"{raw!r} has more than two decimals")
    return sign * int(number * 100)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


DELIMITERS: Final = (",", ";", "\t", "|")


def _find_columns(
    rows: list[list[str]], mapping: Mapping[str, str] | None, name: str
) -> tuple[int, dict[str, int], dict[str, str]]:
    """(index of the header row, our field -> column index, our field -> header text)."""
    wanted = {key: _norm_header(value) for key, value in (mapping or {}).items()}
    unknown = sorted(set(wanted) - set(FIELDS))
    if unknown:
        raise BankCsvError(name, [f"unknown field(s) in the mapping: {', '.join(unknown)}"])
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        headers = [_norm_header(cell) for cell in row]
        found: dict[str, int] = {}
        for key in FIELDS:
            names = (wanted[key],) if key in wanted else SYNONYMS[key]
            for position, header in enumerate(headers):
                if header and header in names and position not in found.values():
                    found[key] = position
                    break
        if "date" in found and ("amount" in found or "credit" in found):
            missing = sorted(key for key in wanted if key not in found)
            if missing:
                texts = ", ".join(f"{key}={(mapping or {})[key]!r}" for key in missing)
                raise BankCsvError(name, [f"row {index + 1}: no column {texts} in the header"])
            return index, found, {key: row[pos].strip() for key, pos in found.items()}
    raise _NoHeader


def _method(type_text: str, text: str, trace: str, check_number: str) -> LineMethod:
    if trace:
        return LineMethod.EFT
    if check_number:
        return LineMethod.CHECK
    for words in (type_text, text):
        if _EFT_WORDS.search(words):
            return LineMethod.EFT
        if _CHECK_WORDS.search(words):
            return LineMethod.CHECK
    if type_text.strip().lower() in ("deposit", "dep"):
        return LineMethod.CHECK  # a teller or branch deposit: checks
    return LineMethod.OTHER


def _type_direction(type_text: str) -> Direction | None:
    value = _norm_header(type_text)
    if value in ("credit", "cr", "deposit", "dep"):
        return Direction.CREDIT
    if value in ("debit", "dr", "withdrawal", "wd"):
        return Direction.DEBIT
    return None


def parse_bank_csv(
    data: bytes, *, name: str = "", mapping: Mapping[str, str] | None = None
) -> BankCsv:
    """Read a bank CSV export (see the module docstring); raises BankCsvError naming every row
    and column at fault, or the header that could not be found."""
    text = _decode(bytes(data))
    if not text.strip():
        raise BankCsvError(name, ["the file is empty"])
    # The delimiter is the first of DELIMITERS whose reading finds the header row.
    found: tuple[list[list[str]], int, dict[str, int], dict[str, str]] | None = None
    for delimiter in DELIMITERS:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        try:
            header_index, columns, headers = _find_columns(rows, mapping, name)
        except _NoHeader:
            continue
        found = (rows, header_index, columns, headers)
        break
    if found is None:
        raise BankCsvError(name, [NO_HEADER])
    rows, header_index, columns, headers = found
    width = len(rows[header_index])
    result = BankCsv(columns=headers, header_row=header_index + 1)
    errors: list[str] = []

    def cell(row: list[str], key: str) -> str:
        position = columns.get(key)
        if position is None or position >= len(row):
            return ""
        return row[position].strip()

    for offset, row in enumerate(rows[header_index + 1 :]):
        number = header_index + 2 + offset
        if not any(value.strip() for value in row):
            result.blank_rows += 1
            continue

        def fail(key: str, why: str, row_number: int = number) -> None:
            errors.append(f'row {row_number}, column "{headers[key]}": {why}')

        extra = [value for value in row[width:] if value.strip()]
        if extra:
            errors.append(
                f"row {number}: {len(row)} cells but the header has {width} (an amount with a "
                "comma that is not in quotes?)"
            )
            continue

        date_text = cell(row, "date")
        if not date_text:
            fail("date", "empty")
            continue
        try:
            day = parse_date(date_text)
        except ValueError as exc:
            fail("date", str(exc))
            continue
        type_text = cell(row, "type")
        direction: Direction | None = None
        cents = 0
        if "amount" in columns and cell(row, "amount"):
            try:
                signed = parse_amount(cell(row, "amount"))
            except ValueError as exc:
                fail("amount", str(exc))
                continue
            cents = abs(signed)
            direction = _type_direction(type_text) or (
                Direction.DEBIT if signed < 0 else Direction.CREDIT
            )
        else:
            credit_text, debit_text = cell(row, "credit"), cell(row, "debit")
            amounts: dict[str, int] = {}
            bad = False
            for key, value in (("credit", credit_text), ("debit", debit_text)):
                if value:
                    try:
                        amounts[key] = abs(parse_amount(value))
                    except ValueError as exc:
                        fail(key, str(exc))
                        bad = True
            if bad:
                continue
            credit, debit = amounts.get("credit", 0), amounts.get("debit", 0)
            if credit and debit:
                fail("credit", f"both a credit ({credit_text}) and a debit ({debit_text})")
                continue
            if "credit" not in amounts and "debit" not in amounts:
                key = "amount" if "amount" in columns else "credit"
                fail(key, "no amount")
                continue
            direction = Direction.DEBIT if debit else Direction.CREDIT
            cents = debit or credit
        description = cell(row, "description")
        reference = cell(row, "reference")
        check_number = cell(row, "check_number")
        trace, originator = trace_from_text(f"{description} {reference}")
        payer = cell(row, "payer")
        if not payer:
            named = _ORIG_NAME.search(description)
            payer = named.group(1).strip() if named else ""
        result.lines.append(
            BankLine(
                row=number,
                date=day,
                cents=cents,
                direction=direction,
                description=description,
                reference=reference,
                trace_number=trace or check_number,
                trace_originator=originator,
                check_number=check_number,
                payer_name=payer[:100],
                method=_method(type_text, f"{description} {reference}", trace, check_number),
            )
        )
    if errors:
        raise BankCsvError(name, errors)
    return result
