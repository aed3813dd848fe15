"""Hypothesis strategies for the HL-structured sets (277CA, 270/271, 276/277): valid objects
whose written X12 reads back equal, plus helpers to write and locate the sample files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import strategies as st

from openrcm.core.x12.hierarchy import (
    Address,
    Contact,
    Demographics,
    Party,
    Period,
    Procedure,
    ProviderInfo,
    Reference,
    Status,
    StatusCode,
    Trace,
)
from openrcm.core.x12.writer import OutgoingSet, write_interchange

T = TypeVar("T")

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "samples" / "x12"
"""``../shared/samples/x12`` beside the repository (CI puts a copy of shared/ there)."""


def sample_files(kind: str) -> list[Path]:
    """The sample files of one directory (270, 271, 276, 277, 277ca ...), or a skip."""
    folder = SAMPLES / kind
    if not folder.is_dir():
        pytest.skip(f"X12 samples not found at {folder} (a copy of shared/ beside the clone)")
    return sorted(p for p in folder.iterdir() if p.is_file())


def interchange(sets: list[OutgoingSet], functional_id: str, version: str) -> str:
    return write_interchange(
        sets,
        sender_id="SENDER",
        receiver_id="RECEIVER",
        isa_control=1,
        gs_control=1,
        functional_id=functional_id,
        version=version,
        now=dt.datetime(2024, 5, 6, 7, 8, tzinfo=dt.UTC),
    )


# --------------------------------------------------------------------------------------------
# Scalars
# --------------------------------------------------------------------------------------------

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@cache
def text(max_size: int = 12) -> st.SearchStrategy[str]:
    """Non-empty X12-safe text (letters, digits, inner spaces and punctuation)."""
    return st.builds(
        lambda head, tail: (head + tail).rstrip(" "),
        st.text(ALNUM, min_size=1, max_size=1),
        st.text(ALNUM + " .,'&-", max_size=max_size - 1),
    )


@cache
def ident(max_size: int = 10) -> st.SearchStrategy[str]:
    return st.text(ALNUM, min_size=1, max_size=max_size)


@cache
def opt(s: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), s)


@cache
def code(*values: str) -> st.SearchStrategy[str]:
    return st.sampled_from(values)


dates = st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31))
times = st.times().map(lambda t: t.replace(microsecond=0))
amounts = st.decimals(
    min_value=Decimal("-99999.99"),
    max_value=Decimal("99999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
positive = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2, allow_nan=False
)
quantities = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999"), places=1)
control_numbers = st.text("0123456789", min_size=4, max_size=9)
ident2 = st.text(ALNUM, min_size=2, max_size=10)
# Claim status codes (code source 508) that pyx12's code list knows.
STATUS_CODES = ("1", "3", "19", "20", "21", "33", "35", "88", "164", "187", "317", "453", "562")
ZIPS = st.one_of(st.integers(10000, 99999), st.integers(100000000, 999999999)).map(str)
ORIGINATORS = st.integers(1000000000, 1999999999).map(str)
REVENUE_CODES = st.integers(0, 999).map(lambda i: f"0{i:03d}")
BILL_TYPES = st.integers(100, 999).map(str)


@st.composite
def periods(draw: st.DrawFn) -> Period:
    a, b = draw(dates), draw(dates)
    if draw(st.booleans()):
        return Period(a, a)
    return Period(min(a, b), max(a, b))


# --------------------------------------------------------------------------------------------
# Shared segment models
# --------------------------------------------------------------------------------------------


@st.composite
def parties(
    draw: st.DrawFn,
    codes: tuple[str, ...],
    id_quals: tuple[str, ...] | None = ("MI",),
    *,
    name: bool = True,
    person: bool | None = None,
    relationship: bool = False,
    suffix: bool = True,
) -> Party:
    is_person = draw(st.booleans()) if person is None else person
    has_id = id_quals is not None
    return Party(
        entity_code=draw(code(*codes)),
        entity_type="1" if is_person else "2",
        name=draw(text()) if name else draw(opt(text())),
        first_name=draw(opt(text())) if is_person else "",
        middle_name=draw(opt(text(4))) if is_person else "",
        suffix=draw(opt(code("JR", "SR", "III"))) if is_person and suffix else "",
        id_qualifier=draw(code(*id_quals)) if has_id and id_quals else "",
        identifier=draw(ident2) if has_id and id_quals else "",
        relationship=draw(opt(code("01", "02", "27", "41", "48", "65", "72")))
        if relationship
        else "",
    )


def parties_no_id(
    codes: tuple[str, ...], *, person: bool | None = None
) -> st.SearchStrategy[Party]:
    return parties(codes, None, person=person)


@st.composite
def status_codes(
    draw: st.DrawFn,
    *,
    qualifier: bool = True,
    entities: tuple[str, ...] = ("85", "QC", "IL", "41", "PR", "1P"),
) -> StatusCode:
    return StatusCode(
        category=draw(code("A1", "A2", "A3", "A4", "A6", "A7", "A8", "F0", "F1", "F2", "P1")),
        code=draw(code(*STATUS_CODES)),
        entity=draw(opt(code(*entities))),
        code_list_qualifier=draw(opt(st.just("RX"))) if qualifier else "",
    )


@st.composite
def statuses(
    draw: st.DrawFn,
    used: frozenset[int] = frozenset(range(1, 13)),
    *,
    actions: tuple[str, ...] = ("",),
    charge: bool = False,
    qualifier: bool = True,
    entities: tuple[str, ...] = ("85", "QC", "IL", "41", "PR", "1P"),
    extra_entities: tuple[str, ...] | None = None,
) -> Status:
    """An STC with values only in the ``used`` positions (STC04 always when ``charge``)."""
    opt_amount = st.one_of(st.none(), amounts)
    opt_date = st.one_of(st.none(), dates)

    def at(pos: int, s: st.SearchStrategy[T], empty: T) -> T:
        return draw(s) if pos in used else empty

    return Status(
        status=draw(status_codes(qualifier=qualifier, entities=entities)),
        effective_date=at(2, dates, None),
        action_code=at(3, code(*actions), ""),
        charge_amount=at(4, amounts if charge else opt_amount, None),
        payment_amount=at(5, opt_amount, None),
        adjudication_date=at(6, opt_date, None),
        payment_method=at(7, opt(code("ACH", "CHK", "NON")), ""),
        check_issue_date=at(8, opt_date, None),
        check_number=at(9, opt(ident()), ""),
        additional=draw(
            st.lists(
                status_codes(qualifier=qualifier, entities=extra_entities or entities), max_size=2
            )
        ),
        message=at(12, opt(text(20)), ""),
    )


@st.composite
def procedures(
    draw: st.DrawFn,
    *,
    product: bool = False,
    qualifiers: tuple[str, ...] = ("HC", "AD", "ER", "IV", "N4", "NU", "WK"),
) -> Procedure:
    return Procedure(
        qualifier=draw(code(*qualifiers)),
        code=draw(ident(8)),
        modifiers=draw(st.lists(st.text(ALNUM, min_size=2, max_size=2), max_size=4)),
        product_id=draw(opt(ident())) if product else "",
    )


@st.composite
def addresses(draw: st.DrawFn) -> Address:
    street = draw(st.booleans())
    city = draw(st.booleans()) or not street
    a = Address()
    if street:
        a.line1 = draw(text(20))
        a.line2 = draw(opt(text(20)))
    if city:
        a.city = draw(text())
        a.state = draw(opt(code("MO", "NY", "CA")))
        a.postal_code = draw(opt(ZIPS))
        a.country = draw(opt(code("US", "CA")))
        a.country_subdivision = draw(opt(code("ON", "QC"))) if a.country else ""
    return a


@st.composite
def contacts(draw: st.DrawFn) -> Contact:
    return Contact(
        function="IC",
        name=draw(opt(text())),
        numbers=draw(
            st.lists(
                st.tuples(code("TE", "EM", "FX", "UR", "EX"), ident(12)), min_size=1, max_size=3
            )
        ),
    )


@st.composite
def provider_infos(draw: st.DrawFn) -> ProviderInfo:
    has_id = draw(st.booleans())
    return ProviderInfo(
        code=draw(code("AD", "AT", "BI", "PE", "RF", "SU")),
        id_qualifier="PXC" if has_id else "",
        identifier=draw(ident()) if has_id else "",
    )


@st.composite
def references(draw: st.DrawFn, quals: tuple[str, ...], *, description: bool = True) -> Reference:
    return Reference(draw(code(*quals)), draw(ident()), draw(opt(text())) if description else "")


@st.composite
def traces(draw: st.DrawFn, types: tuple[str, ...]) -> Trace:
    return Trace(
        number=draw(ident(15)),
        type=draw(code(*types)),
        originator=draw(ORIGINATORS),
        supplemental=draw(opt(ident())),
    )


@st.composite
def demographics(draw: st.DrawFn, *, birth_required: bool = False) -> Demographics:
    birth = draw(dates) if birth_required else draw(st.one_of(st.none(), dates))
    return Demographics(birth, draw(opt(code("F", "M", "U"))))


def small[T](
    s: st.SearchStrategy[T], min_size: int = 0, max_size: int = 2
) -> st.SearchStrategy[list[T]]:
    return st.lists(s, min_size=min_size, max_size=max_size)


def maybe[T](s: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.one_of(st.none(), s)


def fix_counts(text: str, terminator: str = "~", element: str = "*") -> str:
    """Recompute every SE01 (after a test removed or added segments)."""
    segs = text.split(terminator)
    start = 0
    for i, s in enumerate(segs):
        sid = s.lstrip().split(element, 1)[0]
        if sid == "ST":
            start = i
        elif sid == "SE":
            parts = s.split(element)
            parts[1] = str(i - start + 1)
            segs[i] = element.join(parts)
    return terminator.join(segs)


# Strategies are built once per argument set: building them inside draws is what makes
# generation slow.
parties = cache(parties)  # type: ignore[assignment]
statuses = cache(statuses)  # type: ignore[assignment]
procedures = cache(procedures)  # type: ignore[assignment]
references = cache(references)  # type: ignore[assignment]
traces = cache(traces)  # type: ignore[assignment]
demographics = cache(demographics)  # type: ignore[assignment]
small = cache(small)  # type: ignore[assignment]
maybe = cache(maybe)  # type: ignore[assignment]
