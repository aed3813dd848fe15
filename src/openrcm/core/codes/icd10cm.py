"""ICD-10-CM: which codes exist, which are billable, their descriptions, chapters and blocks.

The data is the public CMS release, compacted by ``scripts/build_icd10cm.py`` into
``data/icd10cm_codes.txt.gz`` (every code and its kind, about 220 kB) and
``data/icd10cm_descriptions.txt.gz``. The codes are read once, on first use, in tens of
milliseconds (``bench/codes.py`` prints the figure); the descriptions only when one is first
asked for; importing this module reads nothing.

Codes are accepted with or without the dot and in any case (``"e11.9"``, ``"E119"``); they are
returned without the dot (the X12 form). :attr:`Icd10Code.dotted` gives the form people read.

>>> lookup("E11.9").billable
True
>>> lookup("E11").is_header                     # a category with children: never billed
True
>>> is_billable("E11.9", on=date(2026, 5, 4))
True

A release is in effect for a window of dates (an April update from April 1 to September 30).
:class:`Icd10CodeSet` holds one or more releases and answers for the one in effect on a date of
service; for a date no loaded release covers it answers from the nearest release, and
:meth:`Icd10CodeSet.covers` says so, so that a caller can warn instead of guessing silently.
"""

from __future__ import annotations

import bisect
import gzip
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

__all__ = [
    "Icd10Block",
    "Icd10Chapter",
    "Icd10Code",
    "Icd10CodeSet",
    "Icd10FileEntry",
    "Icd10FileError",
    "Icd10Release",
    "default_code_set",
    "dump_release",
    "effective_range",
    "is_billable",
    "is_header",
    "is_valid",
    "load_release",
    "lookup",
    "normalize",
    "read_release_file",
    "release",
    "release_from_data",
    "release_from_file",
]

CODES_FILE: Final = "icd10cm_codes.txt.gz"
DESCRIPTIONS_FILE: Final = "icd10cm_descriptions.txt.gz"


def normalize(code: str) -> str:
    """Return ``code`` as the code sets key it: stripped, uppercase, without the dot."""
    return code.strip().upper().replace(".", "")


@dataclass(frozen=True, slots=True)
class Icd10Chapter:
    """A chapter of the classification: ``4``, ``E00``-``E89``, "Endocrine, nutritional ..."."""

    number: int
    first: str
    last: str
    title: str


@dataclass(frozen=True, slots=True)
class Icd10Block:
    """A block of categories: ``E08``-``E13`` "Diabetes mellitus"."""

    first: str
    last: str
    title: str

    @property
    def range(self) -> str:
        """The block as written in the tabular list: ``"E08-E13"`` (``"B99"`` for one)."""
        return self.first if self.first == self.last else f"{self.first}-{self.last}"


@dataclass(frozen=True, slots=True)
class Icd10Code:
    """One ICD-10-CM code (a category, a subcategory or a full code) of one release."""

    code: str
    """Without the dot: ``"E119"``."""
    description: str
    billable: bool
    """A leaf of the classification: the only kind of code a claim may carry."""
    is_header: bool
    """A category or subcategory with children (``E11``, ``S72.001``): never billable."""
    chapter: int
    block: str
    """The narrowest block holding the code, e.g. ``"E08-E13"``."""
    manifestation: bool
    """Titled "in ... classified elsewhere": may never be sequenced first (Guidelines I.A.13)."""
    supplementary: bool
    """An infectious-agent code (B95-B97): reported only in addition to the condition."""

    @property
    def dotted(self) -> str:
        """The code as people write it: ``"E11.9"``."""
        return self.code if len(self.code) <= 3 else f"{self.code[:3]}.{self.code[3:]}"


# One character per code in the data file (see scripts/build_icd10cm.py).
BILLABLE_KINDS: Final = frozenset("BMS")
HEADER_KINDS: Final = frozenset("HNT")
MANIFESTATION_KINDS: Final = frozenset("MN")
SUPPLEMENTARY_KINDS: Final = frozenset("ST")
_KIND_OF_FLAGS: Final = {"B": "B", "H": "H", "BM": "M", "HM": "N", "BS": "S", "HS": "T"}

DescriptionSource = Callable[[], Sequence[str]]


class Icd10Release:
    """The codes of one ICD-10-CM release and the dates it is in effect.

    Build it with :func:`load_release` (from the data files) or :meth:`from_rows` (tests, other
    releases). Codes and their kinds are a dictionary; descriptions are read on first use.
    """

    __slots__ = (
        "_block_starts",
        "_blocks",
        "_chapter_starts",
        "_chapters",
        "_codes",
        "_description_source",
        "_descriptions",
        "_kinds",
        "effective_from",
        "effective_to",
        "name",
    )

    def __init__(
        self,
        *,
        name: str,
        effective_from: date,
        effective_to: date,
        codes: list[str],
        kinds: str,
        descriptions: DescriptionSource,
        chapters: Iterable[Icd10Chapter],
        blocks: Iterable[Icd10Block] = (),
    ) -> None:
        """``codes`` sorted, normalized; ``kinds`` one character per code; ``descriptions`` a
        callable returning the descriptions in the same order (called at most once)."""
        if effective_to < effective_from:
            raise ValueError(f"release {name!r} ends before it starts")
        if len(codes) != len(kinds):
            raise ValueError(f"release {name!r}: {len(codes)} codes but {len(kinds)} kinds")
        self.name = name
        self.effective_from = effective_from
        self.effective_to = effective_to
        self._codes = codes
        # code -> kind character; zip over a str yields cached one-character strings.
        self._kinds: dict[str, str] = dict(zip(codes, kinds, strict=True))
        self._description_source = descriptions
        self._descriptions: Sequence[str] | None = None
        self._chapters = sorted(chapters, key=lambda chapter: chapter.first)
        self._chapter_starts = [chapter.first for chapter in self._chapters]
        self._blocks = sorted(blocks, key=lambda block: (block.first, block.last))
        self._block_starts = [block.first for block in self._blocks]

    @classmethod
    def from_rows(
        cls,
        *,
        name: str,
        effective_from: date,
        effective_to: date,
        codes: Iterable[tuple[str, str, str]],
        chapters: Iterable[Icd10Chapter],
        blocks: Iterable[Icd10Block] = (),
    ) -> Icd10Release:
        """Build a release from ``(code, flags, description)`` triples.

        Flags: ``"B"`` billable or ``"H"`` header, plus ``"M"`` (manifestation) or ``"S"``
        (supplementary infectious agent): ``"B"``, ``"HM"``, ``"BS"``...
        """
        rows = sorted((normalize(code), flags, text) for code, flags, text in codes)
        descriptions = [text for _code, _flags, text in rows]
        return cls(
            name=name,
            effective_from=effective_from,
            effective_to=effective_to,
            codes=[code for code, _flags, _text in rows],
            kinds="".join(_KIND_OF_FLAGS[flags] for _code, flags, _text in rows),
            descriptions=lambda: descriptions,
            chapters=chapters,
            blocks=blocks,
        )

    def __repr__(self) -> str:
        return f"<Icd10Release {self.name!r} {self.effective_from}..{self.effective_to}>"

    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and normalize(code) in self._kinds

    def covers(self, on: date) -> bool:
        """Whether ``on`` falls within this release's effective dates."""
        return self.effective_from <= on <= self.effective_to

    @property
    def fiscal_year_start(self) -> date:
        """October 1 that began this release's fiscal year (ICD-10-CM years run October to
        September). An April update only adds codes to its October release, so for a date
        between the two it is the right set but for the codes added in April."""
        end = self.effective_to
        if (end.month, end.day) == (9, 30):
            return date(end.year - 1, 10, 1)
        return self.effective_from

    def covers_fiscal_year(self, on: date) -> bool:
        """Whether ``on`` falls in this release's fiscal year, up to its end date."""
        return self.fiscal_year_start <= on <= self.effective_to

    # -- the fast path the scrubber uses: keys already normalized ---------------------------

    def kind(self, code: str) -> str | None:
        """The kind character of a normalized code (``B``, ``H``, ``M``, ``N``, ``S``, ``T``;
        see :data:`BILLABLE_KINDS` and friends) or None when the release lacks it."""
        return self._kinds.get(code)

    # -- lookups ----------------------------------------------------------------------------

    def lookup(self, code: str) -> Icd10Code | None:
        """Return the code (with or without its dot) or None when this release lacks it."""
        key = normalize(code)
        kind = self._kinds.get(key)
        if kind is None:
            return None
        block = self.block_of(key)
        return Icd10Code(
            code=key,
            description=self._description_at(key),
            billable=kind in BILLABLE_KINDS,
            is_header=kind in HEADER_KINDS,
            chapter=self.chapter_of(key),
            block=block.range if block is not None else "",
            manifestation=kind in MANIFESTATION_KINDS,
            supplementary=kind in SUPPLEMENTARY_KINDS,
        )

    def _description_at(self, key: str) -> str:
        if self._descriptions is None:
            self._descriptions = self._description_source()
            if len(self._descriptions) != len(self._codes):
                raise ValueError(f"release {self.name!r}: descriptions do not match the codes")
        return self._descriptions[bisect.bisect_left(self._codes, key)]

    def is_valid(self, code: str) -> bool:
        """Whether the code exists in this release (billable or a header)."""
        return normalize(code) in self._kinds

    def is_billable(self, code: str) -> bool:
        """Whether the code is a billable (leaf) code of this release."""
        return self._kinds.get(normalize(code)) in BILLABLE_KINDS

    def is_header(self, code: str) -> bool:
        """Whether the code is a category or subcategory that has children (not billable)."""
        return self._kinds.get(normalize(code)) in HEADER_KINDS

    def description(self, code: str) -> str | None:
        """The code's description, or None when the code is unknown."""
        key = normalize(code)
        return self._description_at(key) if key in self._kinds else None

    def chapter_of(self, code: str) -> int:
        """The chapter number (1-22) that the code's category falls in; 0 if none does."""
        category = normalize(code)[:3]
        index = bisect.bisect_right(self._chapter_starts, category) - 1
        if index >= 0 and category <= self._chapters[index].last:
            return self._chapters[index].number
        return 0

    def chapter(self, number: int) -> Icd10Chapter | None:
        """The chapter with this number."""
        for chapter in self._chapters:
            if chapter.number == number:
                return chapter
        return None

    @property
    def chapters(self) -> tuple[Icd10Chapter, ...]:
        """All chapters, in code order."""
        return tuple(self._chapters)

    @property
    def blocks(self) -> tuple[Icd10Block, ...]:
        """All blocks, in code order (wider first where two start together)."""
        return tuple(self._blocks)

    def block_of(self, code: str) -> Icd10Block | None:
        """The narrowest block holding the code's category, or None."""
        category = normalize(code)[:3]
        best: Icd10Block | None = None
        end = bisect.bisect_right(self._block_starts, category)
        # Sorted by (first, last); walking back, blocks that share a start come widest first.
        # Blocks nest (C00-C96 holds C00-C75 holds C00-C14), so once a containing block is
        # found, one that starts earlier can only be wider.
        for index in range(end - 1, -1, -1):
            block = self._blocks[index]
            if category > block.last:
                continue
            if best is None or block.first == best.first:
                best = block
            else:
                break
        return best

    def codes(self) -> Sequence[str]:
        """Every code of the release (headers and billable), sorted, without dots."""
        return self._codes

    def billable_under(self, code: str, *, limit: int = 3) -> list[str]:
        """Up to ``limit`` billable codes that start with ``code`` (suggestions for a header)."""
        prefix = normalize(code)
        found: list[str] = []
        for index in range(bisect.bisect_left(self._codes, prefix), len(self._codes)):
            candidate = self._codes[index]
            if not candidate.startswith(prefix):
                break
            if self._kinds[candidate] in BILLABLE_KINDS:
                found.append(candidate)
                if len(found) >= limit:
                    break
        return found

    def iter_codes(self, *, billable_only: bool = False) -> Iterator[Icd10Code]:
        """Every code as an :class:`Icd10Code`, in code order."""
        for key in self._codes:
            if billable_only and self._kinds[key] not in BILLABLE_KINDS:
                continue
            found = self.lookup(key)
            assert found is not None
            yield found


class Icd10CodeSet:
    """One or more releases; answers for the release in effect on a date of service."""

    __slots__ = ("_releases", "_starts")

    def __init__(self, releases: Iterable[Icd10Release]) -> None:
        ordered = sorted(releases, key=lambda item: item.effective_from)
        if not ordered:
            raise ValueError("an ICD-10-CM code set needs at least one release")
        self._releases = tuple(ordered)
        self._starts = [item.effective_from for item in ordered]

    @property
    def releases(self) -> tuple[Icd10Release, ...]:
        return self._releases

    @property
    def latest(self) -> Icd10Release:
        return self._releases[-1]

    def release_on(self, on: date | None) -> Icd10Release:
        """The release in effect on ``on``: the latest that started on or before it.

        Before the first release: the first. ``None``: the latest.
        """
        if on is None:
            return self._releases[-1]
        index = bisect.bisect_right(self._starts, on) - 1
        return self._releases[max(index, 0)]

    def covers(self, on: date) -> bool:
        """Whether some loaded release is in effect on ``on``."""
        return self.release_on(on).covers(on)

    @property
    def effective_from(self) -> date:
        return self._releases[0].effective_from

    @property
    def effective_to(self) -> date:
        return self._releases[-1].effective_to

    def lookup(self, code: str, *, on: date | None = None) -> Icd10Code | None:
        return self.release_on(on).lookup(code)

    def is_valid(self, code: str, *, on: date | None = None) -> bool:
        return self.release_on(on).is_valid(code)

    def is_billable(self, code: str, *, on: date | None = None) -> bool:
        return self.release_on(on).is_billable(code)

    def is_header(self, code: str, *, on: date | None = None) -> bool:
        return self.release_on(on).is_header(code)


def _data_bytes(directory: Path | None, name: str) -> bytes:
    if directory is None:
        return resources.files("openrcm.core.codes.data").joinpath(name).read_bytes()
    return (directory / name).read_bytes()


def _parse_codes_text(text: str, descriptions: Callable[[], str], *, source: str) -> Icd10Release:
    """Build a release from the codes file's text; ``descriptions`` returns the descriptions
    file's text (one a line, in code order) when one is first asked for."""
    lines = text.split("\n")
    name = ""
    start = end = date.min
    chapters: list[Icd10Chapter] = []
    blocks: list[Icd10Block] = []
    index = 0
    while index < len(lines) and lines[index][:1] in ("#", "@"):
        line = lines[index]
        index += 1
        if line.startswith("#"):
            continue
        kind, *fields = line.split("\t")
        if kind == "@release":
            name = fields[0]
            start, end = date.fromisoformat(fields[1]), date.fromisoformat(fields[2])
        elif kind == "@chapter":
            chapters.append(Icd10Chapter(int(fields[0]), fields[1], fields[2], fields[3]))
        elif kind == "@block":
            blocks.append(Icd10Block(fields[0], fields[1], fields[2]))
    if not name or index + 1 >= len(lines):
        raise ValueError(f"{source}: no @release line or no codes")
    return Icd10Release(
        name=name,
        effective_from=start,
        effective_to=end,
        codes=lines[index].split(" "),
        kinds=lines[index + 1],
        descriptions=lambda: descriptions().split("\n")[:-1],
        chapters=chapters,
        blocks=blocks,
    )


def load_release(directory: str | Path | None = None) -> Icd10Release:
    """Read the data files written by ``scripts/build_icd10cm.py`` (the shipped ones by default).

    Only the codes file is read now; the descriptions file on the first description asked for.
    """
    folder = None if directory is None else Path(directory)
    text = gzip.decompress(_data_bytes(folder, CODES_FILE)).decode("utf-8")
    return _parse_codes_text(
        text,
        lambda: gzip.decompress(_data_bytes(folder, DESCRIPTIONS_FILE)).decode("utf-8"),
        source=CODES_FILE,
    )


def release_from_data(codes: bytes, descriptions: Callable[[], bytes]) -> Icd10Release:
    """Build a release from the two gzip payloads :func:`dump_release` wrote (a release kept
    in a database); ``descriptions`` is called on the first description asked for."""
    return _parse_codes_text(
        gzip.decompress(codes).decode("utf-8"),
        lambda: gzip.decompress(descriptions()).decode("utf-8"),
        source="stored ICD-10-CM release",
    )


def dump_release(item: Icd10Release, *, source: str = "") -> tuple[bytes, bytes]:
    """The release as the two gzip payloads of the shipped data files' format (codes with
    kinds, chapters and blocks; descriptions): what :func:`release_from_data` reads back."""
    lines = [
        f"@release\t{item.name}\t{item.effective_from.isoformat()}\t"
        f"{item.effective_to.isoformat()}\t{source}"
    ]
    lines += [
        f"@chapter\t{chapter.number}\t{chapter.first}\t{chapter.last}\t{chapter.title}"
        for chapter in item.chapters
    ]
    lines += [f"@block\t{block.first}\t{block.last}\t{block.title}" for block in item.blocks]
    codes = item.codes()
    lines.append(" ".join(codes))
    lines.append("".join(item.kind(code) or "" for code in codes))
    texts = [item.description(code) or "" for code in codes]
    return (
        gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0),
        gzip.compress("".join(text + "\n" for text in texts).encode("utf-8"), mtime=0),
    )


# -- the CMS release files -------------------------------------------------------------------


class Icd10FileError(ValueError):
    """A CMS ICD-10-CM file that cannot be read; the message names the file and the line."""


@dataclass(frozen=True, slots=True)
class Icd10FileEntry:
    """One line of a CMS ICD-10-CM file: a code, whether it is billable, its description."""

    code: str
    billable: bool
    description: str


# A letter and two to six letters or digits: the April 2026 release has QA0-QA08 codes.
_CODE = re.compile(r"[A-Z][0-9A-Z]{2,6}")
_CODES_LINE = re.compile(r"([A-Z][0-9A-Z]{2,6})\s+(\S.*)")
_MANIFESTATION_TITLE = re.compile(r"\bin\b[^,]*\bclassified elsewhere\b", re.IGNORECASE)
_AGENT_CATEGORIES: Final = frozenset({"B95", "B96", "B97"})


def _is_order_line(line: str) -> bool:
    return len(line) >= 17 and line[:5].isdigit() and line[5] == " " and line[13] == " "


def _order_entry(line: str, where: str) -> Icd10FileEntry:
    # The CMS order file (icd10cm_order_YYYY.txt), fixed width: order number 1-5, code 7-13
    # (no dot, blank padded), header flag 15 (0 header, 1 billable), short description 17-76,
    # long description from 78.
    if not _is_order_line(line):
        raise Icd10FileError(f"{where}: not an order-file line (order number, code, flag)")
    code = line[6:13].strip()
    if not _CODE.fullmatch(code):
        raise Icd10FileError(f"{where}: {code!r} in columns 7-13 is not an ICD-10-CM code")
    flag = line[14:15]
    if flag not in ("0", "1") or line[15:16] not in (" ", ""):
        raise Icd10FileError(f"{where}: column 15 must be 0 (header) or 1 (billable), not {flag!r}")
    description = line[77:].strip() or line[16:76].strip()
    if not description:
        raise Icd10FileError(f"{where}: {code} has no description")
    return Icd10FileEntry(code=code, billable=flag == "1", description=description)


def _codes_entry(line: str, where: str) -> Icd10FileEntry:
    # icd10cm_codes_YYYY.txt: the billable codes only, "code  description".
    match = _CODES_LINE.fullmatch(line.strip())
    if match is None:
        raise Icd10FileError(f"{where}: expected an ICD-10-CM code, spaces and its description")
    return Icd10FileEntry(code=match.group(1), billable=True, description=match.group(2).strip())


def read_release_file(text: str, *, name: str) -> list[Icd10FileEntry]:
    """Read a CMS ICD-10-CM file: the order file (``icd10cm_order_YYYY.txt``, every code with
    its header flag) or the codes file (``icd10cm_codes_YYYY.txt``, billable codes only). The
    first line tells which; every line must then be of that kind. Raises
    :class:`Icd10FileError` naming ``name`` and the line for anything it cannot read."""
    entries: list[Icd10FileEntry] = []
    seen: dict[str, int] = {}
    order: bool | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n").lstrip("\ufeff")
        if not line.strip():
            continue
        if order is None:
            order = _is_order_line(line)
        where = f"{name} line {number}"
        entry = _order_entry(line, where) if order else _codes_entry(line, where)
        if entry.code in seen:
            raise Icd10FileError(f"{where}: {entry.code} again (first on line {seen[entry.code]})")
        seen[entry.code] = number
        entries.append(entry)
    if not entries:
        raise Icd10FileError(f"{name}: no ICD-10-CM codes found")
    return entries


def release_from_file(
    *,
    name: str,
    effective_from: date,
    effective_to: date,
    entries: Iterable[Icd10FileEntry],
    base: Icd10Release,
) -> Icd10Release:
    """A release from a CMS file's entries. The file carries no manifestation or agent
    flags: a code ``base`` (the release before it) has keeps its flag; a new code is a
    manifestation when titled "in ... classified elsewhere" and an agent in B95-B97. Chapters
    and blocks are ``base``'s (their ranges do not change between releases)."""
    rows: list[tuple[str, str, str]] = []
    for entry in entries:
        code = normalize(entry.code)
        known = base.kind(code)
        if known is not None:
            manifestation = known in MANIFESTATION_KINDS
            agent = known in SUPPLEMENTARY_KINDS
        else:
            manifestation = bool(_MANIFESTATION_TITLE.search(entry.description))
            agent = code[:3] in _AGENT_CATEGORIES
        flags = ("B" if entry.billable else "H") + ("M" if manifestation else "S" if agent else "")
        rows.append((code, flags, entry.description))
    return Icd10Release.from_rows(
        name=name,
        effective_from=effective_from,
        effective_to=effective_to,
        codes=rows,
        chapters=base.chapters,
        blocks=base.blocks,
    )


@cache
def default_code_set() -> Icd10CodeSet:
    """The shipped release(s), read on first call and kept for the life of the process."""
    return Icd10CodeSet([load_release()])


def release(on: date | None = None) -> Icd10Release:
    """The shipped release in effect on ``on`` (the latest when ``on`` is None)."""
    return default_code_set().release_on(on)


def lookup(code: str, *, on: date | None = None) -> Icd10Code | None:
    """Look a code up in the shipped release (see :class:`Icd10Code`)."""
    return default_code_set().lookup(code, on=on)


def is_valid(code: str, *, on: date | None = None) -> bool:
    """Whether the code exists (billable or header) in the release in effect on ``on``."""
    return default_code_set().is_valid(code, on=on)


def is_billable(code: str, *, on: date | None = None) -> bool:
    """Whether the code is billable in the release in effect on ``on``."""
    return default_code_set().is_billable(code, on=on)


def is_header(code: str, *, on: date | None = None) -> bool:
    """Whether the code is a header (category/subcategory with children) on ``on``."""
    return default_code_set().is_header(code, on=on)


def effective_range() -> tuple[date, date]:
    """The first and last dates the shipped releases cover."""
    code_set = default_code_set()
    return code_set.effective_from, code_set.effective_to
