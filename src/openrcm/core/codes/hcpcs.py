"""HCPCS Level II: a small curated table in our own words, and a reader for the official file.

The curated table covers what small practices bill most (vaccine administration, injectable
drugs, Medicare preventive services, common supplies); it is not complete, so a code missing
from it proves nothing (:attr:`HcpcsTable.complete` is False). A practice or billing team that
loads the official CMS alpha-numeric HCPCS file (:func:`read_hcpcs_file`) gets a complete table
with add and termination dates, and the scrubber then refuses unknown or terminated codes.

Level I codes (CPT, five digits or four digits and F/T/U) are never stored here: their
descriptions are the AMA's. The reader skips them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

__all__ = [
    "CURATED_HCPCS",
    "HcpcsCode",
    "HcpcsFileError",
    "HcpcsTable",
    "curated_table",
    "read_hcpcs_file",
]

_LEVEL2: Final = re.compile(r"[A-V][0-9]{4}")


class HcpcsFileError(ValueError):
    """The file is not an official HCPCS alpha-numeric file in a layout we read."""


@dataclass(frozen=True, slots=True)
class HcpcsCode:
    code: str
    description: str
    drug: bool = False
    """A drug or biological billed by units of a dose: payers (Medicaid always) want the NDC."""
    added: date | None = None
    terminated: date | None = None
    """The last date of service on which the code may be billed, when it has been deleted."""

    def valid_on(self, on: date) -> bool:
        if self.added is not None and on < self.added:
            return False
        return self.terminated is None or on <= self.terminated


class HcpcsTable:
    """HCPCS Level II codes by code; ``complete`` when loaded from the official file."""

    __slots__ = ("_codes", "complete", "source")

    def __init__(self, codes: Iterable[HcpcsCode], *, complete: bool, source: str) -> None:
        self._codes: dict[str, HcpcsCode] = {entry.code: entry for entry in codes}
        self.complete = complete
        self.source = source

    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._codes

    def get(self, code: str) -> HcpcsCode | None:
        return self._codes.get(code.strip().upper())

    def codes(self) -> Mapping[str, HcpcsCode]:
        return self._codes


def _d(code: str, description: str) -> HcpcsCode:
    return HcpcsCode(code, description, drug=True)


def _s(code: str, description: str) -> HcpcsCode:
    return HcpcsCode(code, description)


CURATED_HCPCS: Final = (
    # Vaccine administration and Medicare preventive services.
    _s("G0008", "Giving an influenza vaccine"),
    _s("G0009", "Giving a pneumococcal vaccine"),
    _s("G0010", "Giving a hepatitis B vaccine"),
    _s("G0101", "Cervical or vaginal cancer screening with pelvic and breast exam"),
    _s("G0102", "Prostate cancer screening: digital rectal exam"),
    _s("G0103", "Prostate cancer screening: PSA test"),
    _s("G0105", "Colorectal cancer screening colonoscopy, high-risk person"),
    _s("G0121", "Colorectal cancer screening colonoscopy, not high risk"),
    _s("G0402", "Initial preventive physical exam (welcome to Medicare visit)"),
    _s("G0438", "Annual wellness visit, first"),
    _s("G0439", "Annual wellness visit, subsequent"),
    _s("G0442", "Yearly screening for alcohol misuse, 15 minutes"),
    _s("G0443", "Brief counseling for alcohol misuse, 15 minutes"),
    _s("G0444", "Yearly screening for depression, 15 minutes"),
    _s("G0446", "Yearly face-to-face behavioral counseling for cardiovascular disease"),
    _s("G0447", "Face-to-face behavioral counseling for obesity, 15 minutes"),
    _s("G2211", "Add-on for the complexity of an office visit in a continuing care relationship"),
    _s("G0136", "Social determinants of health risk assessment, 5 to 15 minutes"),
    _s("Q0091", "Collecting a screening Pap smear"),
    # Injectable drugs (billed in units of the stated dose).
    _d("J0171", "Adrenalin (epinephrine) injection, per 0.1 mg"),
    _d("J0561", "Penicillin G benzathine injection, per 100,000 units"),
    _d("J0696", "Ceftriaxone sodium injection, per 250 mg"),
    _d("J1030", "Methylprednisolone acetate injection, 40 mg"),
    _d("J1040", "Methylprednisolone acetate injection, 80 mg"),
    _d("J1050", "Medroxyprogesterone acetate injection, 1 mg"),
    _d("J1071", "Testosterone cypionate injection, 1 mg"),
    _d("J1100", "Dexamethasone sodium phosphate injection, 1 mg"),
    _d("J1200", "Diphenhydramine injection, up to 50 mg"),
    _d("J1885", "Ketorolac tromethamine injection, per 15 mg"),
    _d("J2001", "Lidocaine injection for intravenous infusion, 10 mg"),
    _d("J2550", "Promethazine injection, up to 50 mg"),
    _d("J3301", "Triamcinolone acetonide injection, per 10 mg"),
    _d("J3420", "Vitamin B-12 (cyanocobalamin) injection, up to 1,000 mcg"),
    _d("J7030", "Normal saline infusion, 1,000 cc"),
    _d("J7050", "Normal saline infusion, 250 cc"),
    _d("J7325", "Hyaluronan for knee injection, per 1 mg (certain products)"),
    _d("J0897", "Denosumab injection, 1 mg"),
    _d("J2505", "Pegfilgrastim injection, 6 mg"),
    _d("J9045", "Carboplatin injection, 50 mg"),
    _d("J9267", "Paclitaxel injection, 1 mg"),
    _d("Q2035", "Influenza vaccine, split virus, age 3 years and up (one brand)"),
    # Supplies and equipment.
    _s("A4216", "Sterile water, saline or dextrose for use with equipment, 10 ml"),
    _s("A4550", "Surgical trays"),
    _s("A4570", "Splint"),
    _s("A6402", "Sterile gauze pad, up to 16 square inches, without adhesive border"),
    _s("A7030", "Full face mask for a positive airway pressure device"),
    _s("E0114", "Underarm crutches, other than wood, pair"),
    _s("E0143", "Folding walker with wheels, adjustable or fixed height"),
    _s("E0601", "Continuous positive airway pressure (CPAP) device"),
    _s("L3908", "Wrist-hand orthosis, wrist extension control cock-up, prefabricated"),
    _s("L4361", "Walking boot, pneumatic or vacuum, prefabricated"),
    # Transport and other services.
    _s("A0425", "Ground ambulance mileage, per statute mile"),
    _s("A0427", "Ambulance service, advanced life support level 1, emergency"),
    _s("S9083", "Global fee for an urgent care center visit"),
    _s("T1015", "Clinic visit or encounter, all-inclusive"),
    _s("H0031", "Mental health assessment by a non-physician"),
    _s("H2019", "Therapeutic behavioral services, per 15 minutes"),
)


def curated_table() -> HcpcsTable:
    """The curated table shipped with OpenRCM (``complete`` is False)."""
    return HcpcsTable(CURATED_HCPCS, complete=False, source="OpenRCM curated table")


def _parse_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        if re.fullmatch(r"[0-9]{8}", text):
            return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        match = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", text)
        if match:
            return date(int(match.group(3)), int(match.group(1)), int(match.group(2)))
    except ValueError:
        raise HcpcsFileError(f"date {text!r} is not a real date") from None
    raise HcpcsFileError(f"date {text!r} is neither YYYYMMDD nor MM/DD/YYYY")


def _cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return row[index] if index is not None and index < len(row) else ""


def _read_csv(text: str, source: str) -> HcpcsTable:
    rows = csv.reader(io.StringIO(text), delimiter="\t" if "\t" in text[:2000] else ",")
    header: list[str] | None = None
    columns: dict[str, int] = {}
    found: dict[str, HcpcsCode] = {}
    continuation: dict[str, list[str]] = {}
    for row in rows:
        if header is None:
            names = [cell.strip().upper() for cell in row]
            if "HCPC" in names and "LONG DESCRIPTION" in names:
                header = names
                columns = {name: index for index, name in enumerate(names)}
            continue
        if not row or len(row) <= columns["LONG DESCRIPTION"]:
            continue
        code = row[columns["HCPC"]].strip().upper()
        if not _LEVEL2.fullmatch(code):
            continue  # CPT (Level I) rows and modifier rows are not kept
        text_part = row[columns["LONG DESCRIPTION"]].strip()
        record_id = row[columns["RECID"]].strip() if "RECID" in columns else "3"
        if record_id == "4" and code in found:
            continuation.setdefault(code, []).append(text_part)
            continue
        if record_id not in ("", "3"):
            continue

        try:
            added = _parse_date(_cell(row, columns, "ADD DT"))
            terminated = _parse_date(_cell(row, columns, "TERM DT"))
        except HcpcsFileError as error:
            raise HcpcsFileError(f"{source}: line {rows.line_num}: {error}") from None
        found[code] = HcpcsCode(
            code=code,
            description=text_part,
            drug=code.startswith(("J", "Q")) and "injection" in text_part.lower(),
            added=added,
            terminated=terminated,
        )
    if header is None:
        raise HcpcsFileError(
            f"{source}: no header row with HCPC and LONG DESCRIPTION (save the official "
            "workbook as CSV, or give the fixed-width text file)"
        )
    for code, parts in continuation.items():
        entry = found[code]
        found[code] = HcpcsCode(
            entry.code,
            " ".join([entry.description, *parts]),
            entry.drug,
            entry.added,
            entry.terminated,
        )
    return HcpcsTable(found.values(), complete=True, source=source)


def _read_fixed_width(text: str, source: str) -> HcpcsTable:
    # The contractor record: code in columns 1-5, record id in 11 (3 first line of a procedure,
    # 4 continuation, 7/8 modifiers), long description in 12-91.
    found: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) < 12:
            raise HcpcsFileError(f"{source}: line {number} is too short for the HCPCS layout")
        code = line[:5].strip().upper()
        record_id = line[10]
        if record_id not in "3478":
            raise HcpcsFileError(f"{source}: line {number}: record id {record_id!r} unknown")
        if record_id in "78" or not _LEVEL2.fullmatch(code):
            continue
        part = line[11:91].strip()
        if record_id == "3":
            found[code] = [part]
        elif code in found:
            found[code].append(part)
    codes = (
        HcpcsCode(
            code,
            " ".join(parts),
            drug=code.startswith(("J", "Q")) and "injection" in parts[0].lower(),
        )
        for code, parts in found.items()
    )
    return HcpcsTable(codes, complete=True, source=source)


def read_hcpcs_file(source: str | Path | Iterable[str], *, name: str = "") -> HcpcsTable:
    """Read the official CMS HCPCS alpha-numeric file.

    Two layouts: the workbook saved as CSV (or tab-separated) with its header row (``HCPC``,
    ``SEQNUM``, ``RECID``, ``LONG DESCRIPTION``, ..., ``ADD DT``, ``TERM DT``), or the
    fixed-width contractor text file. Level I (CPT) rows are skipped. Raises
    :class:`HcpcsFileError` naming the file and line for anything else.
    """
    if isinstance(source, str | Path):
        path = Path(source)
        label = name or path.name
        text = path.read_text(encoding="latin-1")
    else:
        label = name or "HCPCS file"
        text = "\n".join(line.rstrip("\r\n") for line in source)
    head = [line.upper() for line in text.splitlines()[:20]]
    if any("HCPC" in line and "LONG DESCRIPTION" in line for line in head):
        return _read_csv(text, label)
    return _read_fixed_width(text, label)
