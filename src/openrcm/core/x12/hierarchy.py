"""Shared machinery of the HL-structured transaction sets read and written by this package's
277CA (X214), 270/271 (X279A1) and 276/277 (X212) modules.

Three parts:

* a small **loop grammar**: :class:`Seg` (a segment slot: id, optional qualifier values, minimum
  and maximum use) and :class:`Loop` (a start segment and a body of slots and child loops). The
  parser matches segments in order, lets same-id slots that differ only by qualifier appear in
  any order among themselves, and reports a located :class:`X12Error` for an unexpected, missing,
  repeated or out-of-order segment;
* the **HL hierarchy**: :func:`parse_hierarchy` splits a transaction set's body (BHT then HL
  levels) into a tree of :class:`Level` nodes, checking HL01 numbering, HL02 parents, HL03 level
  codes, HL04 child codes and how many children of each level a parent may have;
* the **small segment models** every one of these sets uses (NM1, REF, N3/N4, PER, PRV, TRN, DMG,
  STC, C003 procedure, DTP periods), each with a reader from a :class:`Segment` and a writer to
  the elements :class:`~openrcm.core.x12.writer.SegmentWriter` expects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from openrcm.core.x12.envelope import TransactionSetResult, iter_transaction_sets
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.segments import Segment, parse_date
from openrcm.core.x12.tokenizer import Source
from openrcm.core.x12.writer import Element, SegmentWriter, fmt_date

C = X12ErrorCode

# ---------------------------------------------------------------------------------------------
# Loop grammar
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Seg:
    """A segment slot of a loop: ``id``, a name for messages and ``x12 show``, minimum and
    maximum use (``None``: unbounded) and, for slots told apart by a qualifier (``REF*1K``
    and ``REF*D9``), the values element ``qual_pos`` may take in this slot."""

    id: str
    name: str
    min: int = 0
    max: int | None = 1
    quals: frozenset[str] | None = None
    qual_pos: int = 1

    def matches(self, seg: Segment) -> bool:
        return seg.id == self.id and (self.quals is None or seg.el(self.qual_pos) in self.quals)

    def label(self) -> str:
        if self.quals is None or len(self.quals) > 3:
            return self.id
        return f"{self.id}*{'/'.join(sorted(self.quals))}"


def seg(
    id: str,
    name: str,
    min: int = 0,
    max: int | None = 1,
    *quals: str,
    qual_pos: int = 1,
) -> Seg:
    """Shorthand for :class:`Seg` with the qualifier values as trailing arguments."""
    return Seg(id, name, min, max, frozenset(quals) if quals else None, qual_pos)


@dataclass(frozen=True, slots=True)
class Loop:
    """A loop: the slot of its first segment, the slots and loops that follow it, and how often
    the loop may occur where it is used."""

    id: str
    name: str
    start: Seg
    body: tuple[Seg | Loop, ...] = ()
    min: int = 0
    max: int | None = 1
    group_start: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts: list[int] = []
        for i, item in enumerate(self.body):
            prev = self.body[i - 1] if i else None
            if (
                isinstance(item, Seg)
                and isinstance(prev, Seg)
                and prev.id == item.id
                and item.quals is not None
            ):
                starts.append(starts[-1])
            else:
                starts.append(i)
        object.__setattr__(self, "group_start", tuple(starts))

    def segment_ids(self) -> set[str]:
        ids = {self.start.id}
        for item in self.body:
            ids |= item.segment_ids() if isinstance(item, Loop) else {item.id}
        return ids


@dataclass(slots=True)
class Node:
    """One occurrence of a loop as read: its own segments (the start segment first) and its
    child loops, each in file order."""

    loop: Loop
    segments: list[Segment]
    children: list[Node] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.loop.id

    @property
    def first(self) -> Segment:
        return self.segments[0]

    def one(self, id: str, *quals: str, qual_pos: int = 1) -> Segment | None:
        """The first own segment with this id (and one of these qualifiers), or None."""
        for s in self.segments:
            if s.id == id and (not quals or s.el(qual_pos) in quals):
                return s
        return None

    def many(self, id: str, *quals: str, qual_pos: int = 1) -> list[Segment]:
        """All own segments with this id (and one of these qualifiers), in order."""
        return [s for s in self.segments if s.id == id and (not quals or s.el(qual_pos) in quals)]

    def loops(self, loop_id: str) -> list[Node]:
        return [c for c in self.children if c.loop.id == loop_id]

    def loop1(self, loop_id: str) -> Node | None:
        for c in self.children:
            if c.loop.id == loop_id:
                return c
        return None

    def walk(self) -> Iterator[tuple[Segment, Node]]:
        """Every segment of this loop and its children, with the loop it belongs to, in file
        order."""
        items: list[tuple[int, Segment, Node] | tuple[int, Node]] = [
            (s.number, s, self) for s in self.segments
        ]
        items += [(c.first.number, c) for c in self.children]
        items.sort(key=lambda t: t[0])
        for item in items:
            if len(item) == 3:
                yield item[1], item[2]
            else:
                yield from item[1].walk()


def slot_name(node: Node, s: Segment) -> str:
    """The guide's name of segment ``s`` where it stands in ``node``."""
    if node.segments and node.segments[0] is s:
        return node.loop.start.name
    for item in node.loop.body:
        if isinstance(item, Seg) and item.matches(s):
            return item.name
    return ""


class _Parser:
    """Matches a list of segments against a loop grammar (see the module docstring)."""

    __slots__ = ("end", "fail", "known", "segs")

    def __init__(self, segs: Sequence[Segment], end: Segment | None, known: set[str]) -> None:
        self.segs = segs
        self.end = end
        self.known = known
        # Index of a segment no loop could place -> (innermost loop, kind of failure).
        self.fail: dict[int, tuple[Loop, str, Seg | None]] = {}

    def _at(self, i: int) -> Segment | None:
        return self.segs[i] if i < len(self.segs) else self.end

    def _missing(self, loop: Loop, item: Seg | Loop, i: int) -> X12Error:
        at = self._at(i)
        what = item.start if isinstance(item, Loop) else item
        where = " but the set ends" if at is None or at is self.end else f", found {at.id}"
        if isinstance(item, Loop):
            msg = (
                f"required loop {item.id} ({item.name}), which begins with {what.label()},"
                f" is missing{where}"
            )
            loop_id = item.id
        else:
            msg = (
                f"required segment {what.label()} ({what.name}) is missing in loop {loop.id}{where}"
            )
            loop_id = loop.id
        return X12Error(
            C.SEGMENT_MISSING,
            msg,
            segment_number=at.number if at is not None else None,
            segment_id=at.id if at is not None else None,
            loop=loop_id,
        )

    def _find(self, loop: Loop, s: Segment, idx: int) -> int:
        body = loop.body
        for j in range(loop.group_start[idx] if body else 0, len(body)):
            item = body[j]
            if item.start.matches(s) if isinstance(item, Loop) else item.matches(s):
                return j
        return -1

    def _note_failure(self, loop: Loop, s: Segment, i: int, idx: int) -> None:
        if i in self.fail:
            return
        body = loop.body
        lo = loop.group_start[idx] if body else 0
        for j in range(lo):
            item = body[j]
            slot = item.start if isinstance(item, Loop) else item
            if slot.matches(s):
                self.fail[i] = (loop, "order", slot)
                return
        for j in range(lo, len(body)):
            item = body[j]
            slot = item.start if isinstance(item, Loop) else item
            if slot.id == s.id and slot.quals is not None:
                self.fail[i] = (loop, "qualifier", slot)
                return
        self.fail[i] = (loop, "unexpected", None)

    def parse(self, loop: Loop, i: int) -> tuple[Node, int]:
        """Parse one occurrence of ``loop`` whose start segment is ``segs[i]``; returns the node
        and the index of the first segment after it."""
        segs = self.segs
        node = Node(loop, [segs[i]])
        i += 1
        body = loop.body
        counts = [0] * len(body)
        idx = 0
        n = len(segs)
        while i < n:
            s = segs[i]
            j = self._find(loop, s, idx) if body else -1
            if j < 0:
                self._note_failure(loop, s, i, idx)
                break
            for k in range(idx, loop.group_start[j]):
                item = body[k]
                if counts[k] < item.min:
                    raise self._missing(loop, item, i)
            item = body[j]
            if isinstance(item, Seg):
                if item.max is not None and counts[j] >= item.max:
                    raise s.error_at(
                        C.SEGMENT_REPEATED,
                        f"{item.label()} ({item.name}) may occur at most {item.max} time"
                        f"{'s' if item.max > 1 else ''} in loop {loop.id}",
                        loop=loop.id,
                    )
                counts[j] += 1
                node.segments.append(s)
                i += 1
            else:
                if item.max is not None and counts[j] >= item.max:
                    raise s.error_at(
                        C.LOOP_REPEATED,
                        f"loop {item.id} ({item.name}) may occur at most {item.max} time"
                        f"{'s' if item.max > 1 else ''} in loop {loop.id}",
                        loop=item.id,
                    )
                counts[j] += 1
                child, i = self.parse(item, i)
                node.children.append(child)
            idx = max(idx, j)
        for k in range(loop.group_start[idx] if body else 0, len(body)):
            item = body[k]
            if counts[k] < item.min:
                failed = self.fail.get(i)
                if failed is not None and failed[0] is loop and failed[1] != "unexpected":
                    # A segment of this loop with a wrong qualifier or out of order: that is
                    # the defect to name, not the required segment it hides.
                    raise self.unplaced(i)
                raise self._missing(loop, item, i)
        return node, i

    def unplaced(self, i: int) -> X12Error:
        """The error for a segment that no loop could place."""
        s = self.segs[i]
        loop, kind, slot = self.fail.get(i, (None, "unexpected", None))
        loop_id = loop.id if loop is not None else None
        if s.id not in self.known:
            return s.error_at(
                C.SEGMENT_UNRECOGNIZED,
                f"segment {s.id!r} is not used in this transaction set",
                loop=loop_id,
            )
        if kind == "order" and slot is not None:
            return s.error_at(
                C.SEGMENT_ORDER,
                f"{slot.label()} ({slot.name}) is out of order in loop {loop_id}",
                loop=loop_id,
            )
        if kind == "qualifier" and slot is not None and loop is not None:
            allowed: set[str] = set()
            for item in loop.body:
                other = item.start if isinstance(item, Loop) else item
                if other.id == s.id and other.quals is not None:
                    allowed |= other.quals
            return s.error_at(
                C.CODE_INVALID,
                f"{s.id}{slot.qual_pos:02d} is {s.el(slot.qual_pos)!r}, expected one of "
                + ", ".join(sorted(allowed))
                + f" in loop {loop_id}",
                element=slot.qual_pos,
                loop=loop_id,
            )
        where = f" in loop {loop_id}" if loop_id else ""
        return s.error_at(
            C.SEGMENT_UNEXPECTED, f"segment {s.id} is not expected here{where}", loop=loop_id
        )


# ---------------------------------------------------------------------------------------------
# HL hierarchy
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LevelSpec:
    """One HL level of a guide: its loop (whose start slot is the HL), the level codes its
    parent may have (``None``: the level is a root), whether HL04 is required, and the child
    levels it may have with their minimum and maximum count."""

    code: str
    loop: Loop
    parents: frozenset[str | None]
    child_code_required: bool = True
    children: tuple[tuple[str, int, int | None], ...] = ()


@dataclass(frozen=True, slots=True)
class HierarchySpec:
    """The whole HL structure of a transaction set: the header segments before the first HL
    and the levels."""

    name: str
    header: Loop
    levels: tuple[LevelSpec, ...]
    min_roots: int = 1
    max_roots: int | None = None

    def level(self, code: str) -> LevelSpec | None:
        for lv in self.levels:
            if lv.code == code:
                return lv
        return None

    def segment_ids(self) -> set[str]:
        ids = self.header.segment_ids()
        for lv in self.levels:
            ids |= lv.loop.segment_ids()
        return ids


@dataclass(slots=True)
class Level:
    """One HL level as read: its spec, the loop node (``node.first`` is the HL segment) and its
    child levels in file order."""

    spec: LevelSpec
    node: Node
    children: list[Level] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def hl(self) -> Segment:
        return self.node.first

    def kids(self, code: str) -> list[Level]:
        return [c for c in self.children if c.spec.code == code]


@dataclass(slots=True)
class Hierarchy:
    """A transaction set's body as read: the header node (BHT ...) and the root levels."""

    header: Node
    roots: list[Level]

    def walk(self) -> Iterator[tuple[Segment, Node]]:
        yield from self.header.walk()
        stack = list(reversed(self.roots))
        while stack:
            lv = stack.pop()
            yield from lv.node.walk()
            stack.extend(reversed(lv.children))


def parse_hierarchy(
    spec: HierarchySpec, segs: Sequence[Segment], end: Segment | None = None
) -> Hierarchy:
    """Parse the segments between ST and SE (exclusive) of an HL-structured transaction set.

    ``end`` is the SE segment (or None), used to locate what is missing at the end.
    Raises X12Error for any defect of structure.
    """
    parser = _Parser(segs, end, spec.segment_ids())
    if not segs or not spec.header.start.matches(segs[0]):
        at = segs[0] if segs else end
        raise X12Error(
            C.SEGMENT_MISSING,
            f"required segment {spec.header.start.id} ({spec.header.start.name}) is missing"
            " at the start of the transaction set",
            segment_number=at.number if at is not None else None,
            segment_id=at.id if at is not None else None,
            loop=spec.header.id,
        )
    header, i = parser.parse(spec.header, 0)
    n = len(segs)
    if i < n and segs[i].id != "HL":
        raise parser.unplaced(i)
    roots: list[Level] = []
    by_id: dict[str, Level] = {}
    path: list[tuple[str, Level]] = []  # open ancestors: (HL01, level)
    expected_id = 1
    while i < n:
        hl = segs[i]
        hid = hl.require(1, "Hierarchical ID Number")
        if hid != str(expected_id):
            raise hl.error_at(
                C.ELEMENT_INVALID,
                f"HL01 is {hid!r}, expected {expected_id}: HL numbers start at 1 and increase by 1",
                element=1,
            )
        expected_id += 1
        code = hl.require(3, "Hierarchical Level Code")
        lspec = spec.level(code)
        if lspec is None:
            raise hl.error_at(
                C.CODE_INVALID,
                f"HL03 level code {code!r} is not used in the {spec.name}; expected one of "
                + ", ".join(lv.code for lv in spec.levels),
                element=3,
            )
        parent_id = hl.el(2)
        parent: Level | None = None
        if parent_id:
            while path and path[-1][0] != parent_id:
                path.pop()
            if not path:
                known_parent = parent_id in by_id
                raise hl.error_at(
                    C.ELEMENT_INVALID,
                    f"HL02 parent {parent_id!r} "
                    + (
                        "is not an open ancestor of this level (HL levels must nest in order)"
                        if known_parent
                        else "does not name an earlier HL"
                    ),
                    element=2,
                    loop=lspec.loop.id,
                )
            parent = path[-1][1]
            if parent.spec.code not in lspec.parents:
                raise hl.error_at(
                    C.ELEMENT_INVALID,
                    f"a level {code} ({lspec.loop.name}) cannot be the child of level "
                    f"{parent.spec.code} ({parent.spec.loop.name}) of HL {parent_id}",
                    element=2,
                    loop=lspec.loop.id,
                )
        elif None not in lspec.parents:
            raise hl.error_at(
                C.ELEMENT_MISSING,
                f"HL02 (parent) is required for a level {code} ({lspec.loop.name})",
                element=2,
                loop=lspec.loop.id,
            )
        else:
            path.clear()
        child_code = hl.el(4)
        if lspec.child_code_required:
            hl.require(4, "Hierarchical Child Code", lspec.loop.id)
        if child_code and child_code not in ("0", "1"):
            raise hl.error_at(
                C.CODE_INVALID,
                f"HL04 child code is {child_code!r}, expected 0 or 1",
                element=4,
                loop=lspec.loop.id,
            )
        node, i = parser.parse(lspec.loop, i)
        if i < n and segs[i].id != "HL":
            raise parser.unplaced(i)
        level = Level(lspec, node)
        if parent is None:
            roots.append(level)
        else:
            parent.children.append(level)
        by_id[hid] = level
        path.append((hid, level))
    if not roots:
        at = end
        raise X12Error(
            C.SEGMENT_MISSING,
            f"the {spec.name} has no HL levels",
            segment_number=at.number if at is not None else None,
            segment_id=at.id if at is not None else None,
            loop=spec.levels[0].loop.id,
        )
    _check_counts(spec, roots, segs, end)
    return Hierarchy(header, roots)


def _check_counts(
    spec: HierarchySpec, roots: list[Level], segs: Sequence[Segment], end: Segment | None
) -> None:
    if spec.max_roots is not None and len(roots) > spec.max_roots:
        extra = roots[spec.max_roots].hl
        raise extra.error_at(
            C.LOOP_REPEATED,
            f"loop {roots[0].spec.loop.id} may occur at most {spec.max_roots} time(s)",
            loop=roots[0].spec.loop.id,
        )

    def after(level: Level) -> Segment | None:
        # The first segment after the level's subtree: where a missing child was expected.
        last = level
        while last.children:
            last = last.children[-1]
        max_number = max(s.number for s, _ in last.node.walk())
        for s in segs:
            if s.number > max_number:
                return s
        return end

    stack = list(roots)
    while stack:
        lv = stack.pop()
        hl = lv.hl
        child_code = hl.el(4)
        if child_code == "1" and not lv.children:
            raise hl.error_at(
                C.ELEMENT_INVALID,
                "HL04 is 1 (has child levels) but no HL level follows under this one",
                element=4,
                loop=lv.spec.loop.id,
            )
        if child_code == "0" and lv.children:
            raise lv.children[0].hl.error_at(
                C.SEGMENT_UNEXPECTED,
                f"HL {hl.el(1)} says it has no child levels (HL04 is 0), but this HL names it"
                " as parent",
                element=2,
                loop=lv.children[0].spec.loop.id,
            )
        allowed = {c for c, _, _ in lv.spec.children}
        for child in lv.children:
            if child.spec.code not in allowed:  # pragma: no cover - parents checked on read
                raise child.hl.error_at(C.ELEMENT_INVALID, "unexpected child level", element=3)
        for code, lo, hi in lv.spec.children:
            kids = lv.kids(code)
            child_spec = spec.level(code)
            loop_id = child_spec.loop.id if child_spec is not None else None
            name = child_spec.loop.name if child_spec is not None else code
            if len(kids) < lo:
                at = after(lv)
                raise X12Error(
                    C.SEGMENT_MISSING,
                    f"loop {loop_id} ({name}, HL level {code}) is required under HL "
                    f"{hl.el(1)} but is missing",
                    segment_number=at.number if at is not None else None,
                    segment_id=at.id if at is not None else None,
                    loop=loop_id,
                )
            if hi is not None and len(kids) > hi:
                raise kids[hi].hl.error_at(
                    C.LOOP_REPEATED,
                    f"loop {loop_id} ({name}) may occur at most {hi} time(s) under HL {hl.el(1)}",
                    loop=loop_id,
                )
        stack.extend(lv.children)


# ---------------------------------------------------------------------------------------------
# Value helpers (read)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """A date or a date range (DTP D8 / RD8): ``start == end`` for a single date."""

    start: date
    end: date

    @classmethod
    def day(cls, d: date) -> Period:
        return cls(d, d)

    @property
    def is_range(self) -> bool:
        return self.start != self.end


def read_period(s: Segment, fmt_pos: int, pos: int, loop: str | None = None) -> Period:
    """A D8 or RD8 date (format qualifier in ``fmt_pos``, value in ``pos``)."""
    fmt = s.require_code(
        fmt_pos, frozenset({"D8", "RD8"}), "Date Time Period Format Qualifier", loop
    )
    text = s.require(pos, "Date Time Period", loop)
    if fmt == "D8":
        d = s.require_date(pos, "Date", loop)
        return Period(d, d)
    a, sep, b = text.partition("-")
    start = parse_date(a) if sep else None
    end = parse_date(b) if sep else None
    if start is None or end is None:
        raise s.error_at(
            C.DATE_INVALID,
            f"{s.id}{pos:02d} is {text!r}, not a date range CCYYMMDD-CCYYMMDD",
            element=pos,
            loop=loop,
        )
    if end < start:
        raise s.error_at(
            C.DATE_INVALID,
            f"{s.id}{pos:02d} is {text!r}: the range ends before it begins",
            element=pos,
            loop=loop,
        )
    return Period(start, end)


def period_elements(p: Period) -> tuple[str, str]:
    """(format qualifier, value) for a period: D8 for one day, RD8 for a range."""
    if p.start == p.end:
        return "D8", fmt_date(p.start)
    return "RD8", f"{fmt_date(p.start)}-{fmt_date(p.end)}"


def read_count(s: Segment, pos: int, name: str, loop: str) -> int:
    """A required whole quantity (QTY02 is type R: "3" or "3.0" are both 3)."""
    d = s.require_decimal(pos, name, loop)
    if d != d.to_integral_value() or d < 0:
        raise s.error_at(
            C.NUMBER_INVALID,
            f"{s.id}{pos:02d} is {s.el(pos)!r}, not a whole, non-negative count",
            element=pos,
            loop=loop,
        )
    return int(d)


def composite(*parts: str) -> tuple[str, ...] | str:
    """Components with trailing empty ones dropped ("" when all are empty)."""
    out = list(parts)
    while out and not out[-1]:
        out.pop()
    if not out:
        return ""
    return tuple(out)


class HLWriter:
    """Writes HL segments numbered 1, 2, 3 ... in the order they are opened."""

    __slots__ = ("count", "w")

    def __init__(self, w: SegmentWriter) -> None:
        self.w = w
        self.count = 0

    def hl(self, parent: int | None, level: str, has_children: bool | None) -> int:
        """Write an HL; ``has_children`` None leaves HL04 empty (levels where it is not used)."""
        self.count += 1
        child = "" if has_children is None else ("1" if has_children else "0")
        self.w.seg("HL", str(self.count), "" if parent is None else str(parent), level, child)
        return self.count


# ---------------------------------------------------------------------------------------------
# Small segment models shared by the sets
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Party:
    """NM1: a person or organization in a role (payer, provider, subscriber, patient ...)."""

    entity_code: str  # NM101
    entity_type: str  # NM102: 1 person, 2 non-person entity
    name: str = ""  # NM103: last or organization name
    first_name: str = ""  # NM104
    middle_name: str = ""  # NM105
    suffix: str = ""  # NM107
    id_qualifier: str = ""  # NM108
    identifier: str = ""  # NM109
    relationship: str = ""  # NM110 (271 loop 2120 only)

    @property
    def display_name(self) -> str:
        if self.entity_type == "1":
            parts = [self.first_name, self.middle_name, self.name, self.suffix]
            return " ".join(p for p in parts if p)
        return self.name


def read_party(
    s: Segment,
    loop: str,
    *,
    codes: frozenset[str] | None = None,
    name_required: bool = True,
    id_required: bool = True,
    id_qualifiers: frozenset[str] | None = None,
) -> Party:
    """NM1 as a :class:`Party`, checking the entity code, type and required parts."""
    code = s.require(1, "Entity Identifier Code", loop)
    if codes is not None:
        s.code_el(1, codes, "Entity Identifier Code", loop)
    etype = s.require_code(2, frozenset({"1", "2"}), "Entity Type Qualifier", loop)
    if name_required:
        s.require(3, "Name Last or Organization Name", loop)
    if id_required:
        s.require(8, "Identification Code Qualifier", loop)
        s.require(9, "Identification Code", loop)
    if id_qualifiers is not None:
        s.code_el(8, id_qualifiers, "Identification Code Qualifier", loop)
    if s.el(9) and not s.el(8):
        s.require(8, "Identification Code Qualifier", loop)
    if s.el(8) and not s.el(9):
        s.require(9, "Identification Code", loop)
    s.check_max_elements(10, loop)
    return Party(
        entity_code=code,
        entity_type=etype,
        name=s.el(3),
        first_name=s.el(4),
        middle_name=s.el(5),
        suffix=s.el(7),
        id_qualifier=s.el(8),
        identifier=s.el(9),
        relationship=s.el(10),
    )


def party_elements(p: Party) -> list[Element]:
    return [
        p.entity_code,
        p.entity_type,
        p.name,
        p.first_name,
        p.middle_name,
        "",
        p.suffix,
        p.id_qualifier,
        p.identifier,
        p.relationship,
    ]


@dataclass(slots=True)
class Reference:
    """REF: a qualified identifier (REF01 qualifier, REF02 value, REF03 description)."""

    qualifier: str
    value: str
    description: str = ""


def read_reference(s: Segment, loop: str) -> Reference:
    q = s.require(1, "Reference Identification Qualifier", loop)
    v = s.require(2, "Reference Identification", loop)
    s.check_max_elements(3, loop)
    return Reference(q, v, s.el(3))


def reference_elements(r: Reference) -> list[Element]:
    return [r.qualifier, r.value, r.description]


@dataclass(slots=True)
class Address:
    """N3 and N4. ``line1`` is "" when there is no N3, ``city`` is "" when there is no N4."""

    line1: str = ""  # N301
    line2: str = ""  # N302
    city: str = ""  # N401
    state: str = ""  # N402
    postal_code: str = ""  # N403
    country: str = ""  # N404
    location_qualifier: str = ""  # N405
    location_id: str = ""  # N406
    country_subdivision: str = ""  # N407


def read_address(n3: Segment | None, n4: Segment | None, loop: str) -> Address | None:
    if n3 is None and n4 is None:
        return None
    a = Address()
    if n3 is not None:
        a.line1 = n3.require(1, "Address Information", loop)
        a.line2 = n3.el(2)
        n3.check_max_elements(2, loop)
    if n4 is not None:
        a.city = n4.require(1, "City Name", loop)
        a.state = n4.el(2)
        a.postal_code = n4.el(3)
        a.country = n4.el(4)
        a.location_qualifier = n4.el(5)
        a.location_id = n4.el(6)
        a.country_subdivision = n4.el(7)
        n4.check_max_elements(7, loop)
    return a


def address_segments(a: Address | None) -> list[tuple[str, list[Element]]]:
    if a is None:
        return []
    out: list[tuple[str, list[Element]]] = []
    if a.line1:
        out.append(("N3", [a.line1, a.line2]))
    if a.city:
        out.append(
            (
                "N4",
                [
                    a.city,
                    a.state,
                    a.postal_code,
                    a.country,
                    a.location_qualifier,
                    a.location_id,
                    a.country_subdivision,
                ],
            )
        )
    return out


@dataclass(slots=True)
class Contact:
    """PER: a contact (PER01 function, PER02 name) and up to three (qualifier, number) pairs."""

    function: str = "IC"
    name: str = ""
    numbers: list[tuple[str, str]] = field(default_factory=list)


def read_contact(s: Segment, loop: str) -> Contact:
    fn = s.require(1, "Contact Function Code", loop)
    numbers: list[tuple[str, str]] = []
    for q_pos in (3, 5, 7):
        q, v = s.el(q_pos), s.el(q_pos + 1)
        if q or v:
            s.require(q_pos, "Communication Number Qualifier", loop)
            s.require(q_pos + 1, "Communication Number", loop)
            numbers.append((q, v))
        elif any(s.el(p) for p in range(q_pos + 2, 9)):
            s.require(q_pos, "Communication Number Qualifier", loop)
    s.check_max_elements(8, loop)
    return Contact(fn, s.el(2), numbers)


def contact_elements(c: Contact) -> list[Element]:
    out: list[Element] = [c.function, c.name]
    for q, v in c.numbers[:3]:
        out += [q, v]
    return out


@dataclass(slots=True)
class ProviderInfo:
    """PRV: provider code (PRV01), reference qualifier (PRV02, e.g. PXC taxonomy) and id."""

    code: str
    id_qualifier: str = ""
    identifier: str = ""


def read_provider_info(s: Segment, loop: str) -> ProviderInfo:
    code = s.require(1, "Provider Code", loop)
    if s.el(3) and not s.el(2):
        s.require(2, "Reference Identification Qualifier", loop)
    if s.el(2) and not s.el(3):
        s.require(3, "Reference Identification", loop)
    s.check_max_elements(3, loop)
    return ProviderInfo(code, s.el(2), s.el(3))


def provider_info_elements(p: ProviderInfo) -> list[Element]:
    return [p.code, p.id_qualifier, p.identifier]


@dataclass(slots=True)
class Trace:
    """TRN: trace type (TRN01), trace number (TRN02), originator (TRN03), supplemental id."""

    number: str
    type: str = "1"
    originator: str = ""
    supplemental: str = ""


def read_trace(s: Segment, loop: str, types: frozenset[str] | None = None) -> Trace:
    t = s.require(1, "Trace Type Code", loop)
    if types is not None:
        s.code_el(1, types, "Trace Type Code", loop)
    n = s.require(2, "Reference Identification", loop)
    s.check_max_elements(4, loop)
    return Trace(n, t, s.el(3), s.el(4))


def trace_elements(t: Trace) -> list[Element]:
    return [t.type, t.number, t.originator, t.supplemental]


@dataclass(slots=True)
class Demographics:
    """DMG: birth date (DMG01 D8, DMG02) and gender code (DMG03: F, M, U)."""

    birth_date: date | None = None
    gender: str = ""


def read_demographics(s: Segment, loop: str) -> Demographics:
    birth: date | None = None
    if s.el(1) or s.el(2):
        s.require_code(1, frozenset({"D8"}), "Date Time Period Format Qualifier", loop)
        birth = s.require_date(2, "Birth Date", loop)
    s.code_el(3, frozenset({"F", "M", "U"}), "Gender Code", loop)
    s.check_max_elements(3, loop)
    return Demographics(birth, s.el(3))


def demographics_elements(d: Demographics) -> list[Element]:
    if d.birth_date is None:
        return ["", "", d.gender]
    return ["D8", d.birth_date, d.gender]


@dataclass(slots=True)
class Procedure:
    """C003 composite medical procedure identifier (SVC01, EQ02, EB13): qualifier (HC, AD, ER,
    IV, N4, NU, WK ...), code, up to four modifiers and, for EB13, the product or service id
    (C003-08)."""

    qualifier: str
    code: str
    modifiers: list[str] = field(default_factory=list)
    product_id: str = ""


def read_procedure(s: Segment, pos: int, loop: str) -> Procedure:
    parts = s.components(pos)
    if len(parts) > 8:
        raise s.error_at(
            C.TOO_MANY_COMPONENTS,
            f"{s.id}{pos:02d} has {len(parts)} components, at most 8 are defined",
            element=pos,
            component=len(parts),
            loop=loop,
        )
    q = s.require_comp(pos, 1, "Product or Service ID Qualifier", loop)
    code = s.require_comp(pos, 2, "Procedure Code", loop)
    mods = list(parts[2:6])
    while mods and not mods[-1]:
        mods.pop()
    if any(not m for m in mods):
        empty = mods.index("") + 3
        raise s.error_at(
            C.ELEMENT_MISSING,
            f"{s.id}{pos:02d} has an empty modifier (component {empty}) before another modifier",
            element=pos,
            component=empty,
            loop=loop,
        )
    if len(parts) >= 7 and parts[6]:
        raise s.error_at(
            C.ELEMENT_NOT_USED,
            f"{s.id}{pos:02d} component 7 (description) is not used",
            element=pos,
            component=7,
            loop=loop,
        )
    product = parts[7] if len(parts) >= 8 else ""
    return Procedure(q, code, mods, product)


def procedure_element(p: Procedure) -> tuple[str, ...] | str:
    mods = list(p.modifiers[:4])
    mods += [""] * (4 - len(mods))
    return composite(p.qualifier, p.code, *mods, "", p.product_id)


@dataclass(slots=True)
class StatusCode:
    """C043 health care claim status: category (STC01-1: A1 received, A2 accepted, A3/A6/A7/A8
    rejected, F0-F4 finalized, P0-P5 pending ...), status code (STC01-2), entity (STC01-3) and
    code list qualifier (STC01-4: RX for NCPDP reject codes)."""

    category: str
    code: str
    entity: str = ""
    code_list_qualifier: str = ""


REJECTED_CATEGORIES = frozenset({"A3", "A6", "A7", "A8"})
"""277CA categories that mean the claim was returned unprocessed (fix and resubmit as new)."""

ACCEPTED_CATEGORIES = frozenset({"A1", "A2"})


@dataclass(slots=True)
class Status:
    """STC: status information. STC01 is the main status, STC10 and STC11 additional ones."""

    status: StatusCode  # STC01
    effective_date: date | None = None  # STC02
    action_code: str = ""  # STC03: WQ accept, U reject (277CA)
    charge_amount: Decimal | None = None  # STC04: total claim (or line) charge
    payment_amount: Decimal | None = None  # STC05: claim payment amount
    adjudication_date: date | None = None  # STC06
    payment_method: str = ""  # STC07
    check_issue_date: date | None = None  # STC08
    check_number: str = ""  # STC09
    additional: list[StatusCode] = field(default_factory=list)  # STC10, STC11
    message: str = ""  # STC12

    @property
    def category(self) -> str:
        return self.status.category

    @property
    def codes(self) -> list[StatusCode]:
        return [self.status, *self.additional]

    @property
    def rejected(self) -> bool:
        return any(c.category in REJECTED_CATEGORIES for c in self.codes)


def _read_status_code(s: Segment, pos: int, loop: str) -> StatusCode | None:
    parts = s.components(pos)
    if not parts:
        return None
    if len(parts) > 4:
        raise s.error_at(
            C.TOO_MANY_COMPONENTS,
            f"STC{pos:02d} has {len(parts)} components, at most 4 are defined",
            element=pos,
            component=len(parts),
            loop=loop,
        )
    cat = s.require_comp(pos, 1, "Health Care Claim Status Category Code", loop)
    code = s.require_comp(pos, 2, "Health Care Claim Status Code", loop)
    return StatusCode(cat, code, s.comp(pos, 3), s.comp(pos, 4))


STC_ALL = frozenset(range(1, 13))


def read_status(
    s: Segment, loop: str, *, date_required: bool = True, used: frozenset[int] = STC_ALL
) -> Status:
    """STC as a :class:`Status`. ``used``: the element positions the guide uses in this loop
    (any other one present is ELEMENT_NOT_USED)."""
    s.require(1, "Health Care Claim Status", loop)
    for pos in range(2, 13):
        if pos not in used and s.el(pos):
            raise s.error_at(
                C.ELEMENT_NOT_USED,
                f"STC{pos:02d} is not used in loop {loop}",
                element=pos,
                loop=loop,
            )
    main = _read_status_code(s, 1, loop)
    assert main is not None
    if date_required:
        s.require(2, "Status Information Effective Date", loop)
    extra: list[StatusCode] = []
    for pos in (10, 11):
        sc = _read_status_code(s, pos, loop)
        if sc is not None:
            extra.append(sc)
    if s.el(11) and not s.el(10):
        raise s.error_at(
            C.ELEMENT_MISSING,
            "STC11 (third status) is present but STC10 (second status) is empty",
            element=10,
            loop=loop,
        )
    s.check_max_elements(12, loop)
    return Status(
        status=main,
        effective_date=s.date_el(2, "Status Information Effective Date", loop),
        action_code=s.el(3),
        charge_amount=s.decimal_el(4, "Monetary Amount", loop),
        payment_amount=s.decimal_el(5, "Monetary Amount", loop),
        adjudication_date=s.date_el(6, "Date", loop),
        payment_method=s.el(7),
        check_issue_date=s.date_el(8, "Date", loop),
        check_number=s.el(9),
        additional=extra,
        message=s.el(12),
    )


def _status_code_element(c: StatusCode) -> tuple[str, ...] | str:
    return composite(c.category, c.code, c.entity, c.code_list_qualifier)


def status_elements(st: Status, used: frozenset[int] = STC_ALL) -> list[Element]:
    """The elements of an STC; WRITE_INVALID when a value sits in a position not ``used``."""
    if len(st.additional) > 2:
        raise X12Error(C.WRITE_INVALID, "an STC carries at most two additional statuses")
    extra: list[Element] = [_status_code_element(c) for c in st.additional]
    extra += [""] * (2 - len(extra))
    out: list[Element] = [
        _status_code_element(st.status),
        st.effective_date,
        st.action_code,
        st.charge_amount,
        st.payment_amount,
        st.adjudication_date,
        st.payment_method,
        st.check_issue_date,
        st.check_number,
        *extra,
        st.message,
    ]
    for pos, value in enumerate(out, start=1):
        if pos not in used and value not in ("", None):
            raise X12Error(
                C.WRITE_INVALID,
                f"STC{pos:02d} is not used here: {value!r} cannot be written",
                segment_id="STC",
                element=pos,
            )
    return out


# ---------------------------------------------------------------------------------------------
# Transaction set plumbing
# ---------------------------------------------------------------------------------------------


def set_segments(
    ts: TransactionSetResult, st01: str, versions: Iterable[str], name: str
) -> tuple[list[Segment], Segment]:
    """The body of a transaction set of type ``st01`` in one of ``versions`` (ST03, else GS08),
    and a stand-in SE segment numbered after the body's last segment (for locating what is
    missing at the end). Raises the set's own error, or X12Error for another kind of set."""
    if ts.error is not None:
        raise ts.error
    if ts.kind != "set":  # pragma: no cover - envelope results always carry an error
        raise X12Error(C.ENVELOPE_INVALID, "not a transaction set", file=ts.file)

    def refused(code: X12ErrorCode, message: str, element: int) -> X12Error:
        return X12Error(
            code,
            message,
            segment_number=ts.segment_number,
            segment_id="ST",
            element=element,
            file=ts.file,
            transaction_set=ts.control_number or None,
        )

    if ts.transaction_set_id != st01:
        raise refused(
            C.TRANSACTION_SET_UNSUPPORTED,
            f"transaction set {ts.transaction_set_id!r} is not a {name} (ST01 {st01})",
            1,
        )
    allowed = tuple(versions)
    if ts.version not in allowed:
        raise refused(
            C.VERSION_UNSUPPORTED,
            f"implementation guide {ts.version!r} is not the {name} ({', '.join(allowed)})",
            3,
        )
    try:
        segs = list(ts.segments)
    except X12Error as exc:
        raise _located(exc, ts) from None
    last = segs[-1].number if segs else ts.segment_number
    return segs, Segment("SE", [], last + 1)


def _located(exc: X12Error, ts: TransactionSetResult) -> X12Error:
    changes: dict[str, str] = {}
    if exc.file is None and ts.file is not None:
        changes["file"] = ts.file
    if exc.transaction_set is None and ts.control_number:
        changes["transaction_set"] = ts.control_number
    return exc.replace(**changes) if changes else exc


def parse_with[T](ts: TransactionSetResult, parse: Callable[[TransactionSetResult], T]) -> T:
    """``parse(ts)`` with any X12Error it raises naming the file and the set."""
    try:
        return parse(ts)
    except X12Error as exc:
        raise _located(exc, ts) from None


def read_all[T](
    source: Source, file: str | None, parse: Callable[[TransactionSetResult], T]
) -> list[T]:
    """Every transaction set of ``source`` parsed with ``parse``; the first error raises."""
    out: list[T] = []
    for ts in iter_transaction_sets(source, file=file):
        if ts.error is not None:
            raise ts.error
        out.append(parse_with(ts, parse))
    return out


def iter_all[T](
    source: Source, file: str | None, parse: Callable[[TransactionSetResult], T]
) -> Iterator[T | X12Error]:
    """Each transaction set of ``source`` parsed with ``parse``, or the X12Error of a bad set
    or envelope, so the good sets of a file are read while the bad ones are reported."""
    for ts in iter_transaction_sets(source, file=file):
        if ts.error is not None:
            yield ts.error
            continue
        try:
            yield parse_with(ts, parse)
        except X12Error as exc:
            yield exc


# ---------------------------------------------------------------------------------------------
# Loops of a segment stream, for ``x12 show`` (lenient: never raises)
# ---------------------------------------------------------------------------------------------


def loop_tracker(spec: HierarchySpec) -> Callable[[Segment], str]:
    """A function called with each segment of a set in order (ST and SE excluded) that returns
    the id of the loop the segment belongs to. It follows the grammar without checking it: a
    segment that fits nowhere is given the loop of the segment before it."""
    stack: list[tuple[Loop, int]] = []

    def track(s: Segment) -> str:
        if s.id == "HL":
            lv = spec.level(s.el(3))
            if lv is None:
                return stack[-1][0].id if stack else ""
            stack[:] = [(lv.loop, 0)]
            return lv.loop.id
        if not stack or spec.header.start.matches(s):
            if spec.header.start.matches(s):
                stack[:] = [(spec.header, 0)]
            return stack[-1][0].id if stack else ""
        for depth in range(len(stack) - 1, -1, -1):
            loop, idx = stack[depth]
            body = loop.body
            if not body:
                continue
            for j in range(loop.group_start[idx], len(body)):
                item = body[j]
                slot = item.start if isinstance(item, Loop) else item
                if slot.matches(s):
                    del stack[depth + 1 :]
                    stack[depth] = (loop, max(idx, j))
                    if isinstance(item, Loop):
                        stack.append((item, 0))
                        return item.id
                    return loop.id
        return stack[-1][0].id

    return track


def loop_depths(spec: HierarchySpec) -> dict[str, int]:
    """Indentation depth of each loop id: HL levels by their place in the hierarchy, nested
    loops one deeper than their parent."""
    depths: dict[str, int] = {spec.header.id: 0}

    def walk(loop: Loop, depth: int) -> None:
        depths.setdefault(loop.id, depth)
        for item in loop.body:
            if isinstance(item, Loop):
                walk(item, depth + 1)

    for i, lv in enumerate(spec.levels):
        walk(lv.loop, i)
    return depths


def loop_names(spec: HierarchySpec) -> dict[str, str]:
    """Loop id -> name, from the grammar (the first name given to an id wins)."""
    out: dict[str, str] = {spec.header.id: spec.header.name}

    def walk(loop: Loop) -> None:
        out.setdefault(loop.id, loop.name)
        for item in loop.body:
            if isinstance(item, Loop):
                walk(item)

    for lv in spec.levels:
        walk(lv.loop)
    return out


def segment_names(spec: HierarchySpec) -> dict[tuple[str, str], str]:
    """(loop id, segment id or "ID*QUALIFIER") -> the guide's name of the segment there."""
    out: dict[tuple[str, str], str] = {}

    def put(loop_id: str, slot: Seg) -> None:
        if slot.quals is None:
            out.setdefault((loop_id, slot.id), slot.name)
        else:
            for q in slot.quals:
                out.setdefault((loop_id, f"{slot.id}*{q}"), slot.name)

    def walk(loop: Loop) -> None:
        put(loop.id, loop.start)
        for item in loop.body:
            if isinstance(item, Loop):
                walk(item)
            else:
                put(loop.id, item)

    walk(spec.header)
    for lv in spec.levels:
        walk(lv.loop)
    return out
