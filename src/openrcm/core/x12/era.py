"""835 Health Care Claim Payment/Advice (005010X221A1): dataclasses, a streaming reader with
loop-grammar and balancing checks, and a writer.

Streaming: :func:`iter_remittance` yields, per transaction set, a :class:`Remittance` (the header:
payment, trace, payer, payee; its ``claims`` and ``provider_adjustments`` stay empty), then each
:class:`ClaimPayment` as soon as it is complete and balanced, then a :class:`RemittanceEnd` (PLB
provider adjustments and totals, after the BPR02 balance check). A set that breaks a rule yields a
:class:`RemittanceFailure` instead of its end (what it yielded before must then be discarded: one
database transaction per set), and the next set reads on. Envelope defects are failures too.

Convenience: :func:`read_835` returns complete :class:`Remittance` objects (raising the first
error), :func:`parse_835` returns them along with the failures of the bad sets.

Balancing (TR3 section 1.10.2): per service line SVC02 - line CAS = SVC03; per claim CLP03 - all
CAS of the claim (claim and lines) = CLP04; per set sum(CLP04) - sum(PLB amounts) = BPR02 (a
positive PLB amount reduces the payment). A break is X12Error(BALANCE) naming the segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Final

from openrcm.core.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from openrcm.core.x12.envelope import (
    GroupHeader,
    InterchangeHeader,
    TransactionSetResult,
    iter_transaction_sets,
)
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.segments import (
    DATE_CACHE,
    DECIMAL_CACHE,
    Segment,
    parse_date,
    parse_decimal,
)
from openrcm.core.x12.tokenizer import Source
from openrcm.core.x12.writer import InterchangeWriter, SegmentWriter

C = X12ErrorCode
ZERO: Final = Decimal(0)
VERSION: Final = "005010X221A1"
FUNCTIONAL_ID: Final = "HP"

CAS_GROUPS: Final = frozenset({"CO", "OA", "PI", "PR"})
CLAIM_STATUSES: Final = frozenset({"1", "2", "3", "4", "19", "20", "21", "22", "23", "25"})
FILING_INDICATORS: Final = frozenset(
    {"12", "13", "14", "15", "16", "17", "AM", "CH", "DS", "HM", "LM", "MA", "MB", "MC", "OF",
     "TV", "VA", "WC", "ZZ"}
)  # fmt: skip
PROCEDURE_QUALIFIERS: Final = frozenset(
    {"AD", "ER", "HC", "HP", "IV", "N4", "N6", "NU", "UI", "WK"}
)
CLAIM_NAME_ENTITIES: Final = frozenset({"QC", "IL", "74", "82", "TT", "PR", "GB"})
CLAIM_DATES: Final = frozenset({"232", "233", "036", "050"})
LINE_DATES: Final = frozenset({"150", "151", "472"})
CLAIM_AMOUNTS: Final = frozenset(
    {"AU", "D8", "DY", "F5", "I", "NL", "T", "T2", "ZK", "ZL", "ZM", "ZN", "ZO"}
)
LINE_AMOUNTS: Final = frozenset({"B6", "KH", "T", "T2", "ZK", "ZL", "ZM", "ZN", "ZO"})
CLAIM_QUANTITIES: Final = frozenset(
    {"CA", "CD", "LA", "LE", "NE", "NR", "OU", "PS", "VS", "ZK", "ZL", "ZM", "ZN", "ZO"}
)
LINE_QUANTITIES: Final = frozenset({"ZK", "ZL", "ZM", "ZN", "ZO"})
CLAIM_REFS: Final = frozenset(
    {"1L", "1W", "28", "6P", "9A", "9C", "BB", "CE", "EA", "F8", "G1", "G3", "IG", "SY",
     "0B", "1A", "1B", "1C", "1D", "1G", "1H", "1J", "D3", "G2", "LU"}
)  # fmt: skip
LINE_REFS: Final = frozenset(
    {"1S", "APC", "BB", "E9", "G1", "G3", "LU", "RB", "6R", "0B", "1A", "1B", "1C", "1D", "1G",
     "1H", "1J", "D3", "G2", "HPI", "SY", "TJ", "0K"}
)  # fmt: skip
PAYER_REFS: Final = frozenset({"2U", "EO", "HI", "NF"})
PAYEE_REFS: Final = frozenset({"0B", "D3", "PQ", "TJ"})
REMARK_QUALIFIERS: Final = frozenset({"HE", "RX"})

# Highest element position each segment may carry in this guide (later ones are "not used").
MAX_ELEMENTS: Final[dict[str, int]] = {
    "BPR": 16, "TRN": 4, "CUR": 2, "REF": 2, "DTM": 2, "N1": 4, "N3": 2, "N4": 7, "PER": 8,
    "RDM": 3, "LX": 1, "TS3": 24, "TS2": 19, "CLP": 13, "CAS": 19, "NM1": 9, "MIA": 24,
    "MOA": 9, "AMT": 2, "QTY": 2, "SVC": 7, "LQ": 2, "PLB": 14,
}  # fmt: skip
NOT_USED: Final[dict[str, tuple[int, ...]]] = {
    "N4": (5, 6),
    "TS3": (6, 7, 8, 9, 10, 11, 12, 14, 16, 19),
    "CLP": (10,),
    "NM1": (6,),
}
KNOWN_SEGMENTS: Final = frozenset(MAX_ELEMENTS) | {"ST", "SE"}


# -- data -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Payment:
    """BPR: the payment (or notice) this remittance explains."""

    handling: str
    amount: Decimal
    credit_debit: str
    method: str
    date: date
    format: str = ""
    sender_dfi_qualifier: str = ""
    sender_dfi: str = ""
    sender_account_qualifier: str = ""
    sender_account: str = ""
    originator_id: str = ""
    originator_supplemental: str = ""
    receiver_dfi_qualifier: str = ""
    receiver_dfi: str = ""
    receiver_account_qualifier: str = ""
    receiver_account: str = ""


@dataclass(slots=True)
class Trace:
    """TRN: the check or EFT trace number (TRN02) and the payer's id (TRN03)."""

    number: str
    originator: str
    type_code: str = "1"
    supplemental: str = ""


@dataclass(slots=True)
class Reference:
    """REF: a qualifier (REF01) and a value (REF02)."""

    qualifier: str
    value: str


@dataclass(slots=True)
class Contact:
    """PER: function (CX, BL, IC), name and up to three (qualifier, number) pairs."""

    function: str
    name: str = ""
    numbers: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class Address:
    """N3 and N4."""

    line1: str
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    subdivision: str = ""


@dataclass(slots=True)
class Party:
    """Loop 1000A (payer, N1*PR) or 1000B (payee, N1*PE)."""

    entity: str
    name: str
    id_qualifier: str = ""
    id: str = ""
    address: Address | None = None
    references: list[Reference] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    delivery: list[str] | None = None  # RDM (payee only), raw elements


@dataclass(slots=True)
class Adjustment:
    """One CAS triplet: group (CO, PR, OA, PI), reason (CARC), amount, quantity."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(slots=True)
class DateRef:
    """DTM: qualifier and date."""

    qualifier: str
    date: date


@dataclass(slots=True)
class AmountRef:
    """AMT: qualifier and amount."""

    qualifier: str
    amount: Decimal


@dataclass(slots=True)
class QuantityRef:
    """QTY: qualifier and quantity."""

    qualifier: str
    quantity: Decimal


@dataclass(slots=True)
class Remark:
    """LQ: qualifier (HE = RARC, RX = NCPDP reject code) and code."""

    qualifier: str
    code: str


@dataclass(slots=True)
class EntityName:
    """NM1 in loop 2100: patient (QC), insured (IL), corrected (74), provider (82), ..."""

    entity: str
    entity_type: str
    last: str = ""
    first: str = ""
    middle: str = ""
    suffix: str = ""
    id_qualifier: str = ""
    id: str = ""


@dataclass(slots=True)
class ServiceLine:
    """Loop 2110: one service line payment."""

    procedure_qualifier: str
    procedure_code: str
    charge: Decimal
    paid: Decimal
    modifiers: list[str] = field(default_factory=list)
    revenue_code: str = ""
    units: Decimal | None = None
    original_procedure: list[str] | None = None  # SVC06 components, when the payer changed it
    original_units: Decimal | None = None
    dates: list[DateRef] = field(default_factory=list)
    adjustments: list[Adjustment] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    amounts: list[AmountRef] = field(default_factory=list)
    quantities: list[QuantityRef] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)

    @property
    def line_control_number(self) -> str | None:
        """REF*6R: our line item control number, echoed by the payer."""
        for r in self.references:
            if r.qualifier == "6R":
                return r.value
        return None

    @property
    def allowed(self) -> Decimal | None:
        """AMT*B6: the allowed amount."""
        for a in self.amounts:
            if a.qualifier == "B6":
                return a.amount
        return None

    def date_of(self, qualifier: str) -> date | None:
        for d in self.dates:
            if d.qualifier == qualifier:
                return d.date
        return None

    @property
    def service_date(self) -> date | None:
        """DTM*472, else DTM*150 (period start)."""
        return self.date_of("472") or self.date_of("150")

    @property
    def service_end_date(self) -> date | None:
        """DTM*151, else DTM*472."""
        return self.date_of("151") or self.date_of("472")

    @property
    def remark_codes(self) -> list[str]:
        return [r.code for r in self.remarks]

    @property
    def adjustment_total(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), ZERO)


@dataclass(slots=True)
class ClaimHeader:
    """Loop 2000: LX header number, with the TS3/TS2 provider summaries (raw elements)."""

    number: str
    summary: list[str] | None = None
    supplemental_summary: list[str] | None = None


@dataclass(slots=True)
class ClaimPayment:
    """Loop 2100: the payer's adjudication of one claim."""

    patient_control_number: str
    status: str
    charge: Decimal
    paid: Decimal
    filing_indicator: str
    payer_claim_number: str
    patient_responsibility: Decimal | None = None
    facility_type: str = ""
    frequency: str = ""
    drg_code: str = ""
    drg_weight: Decimal | None = None
    discharge_fraction: Decimal | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    names: list[EntityName] = field(default_factory=list)
    inpatient: list[str] | None = None  # MIA, raw elements
    outpatient: list[str] | None = None  # MOA, raw elements
    references: list[Reference] = field(default_factory=list)
    dates: list[DateRef] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    amounts: list[AmountRef] = field(default_factory=list)
    quantities: list[QuantityRef] = field(default_factory=list)
    lines: list[ServiceLine] = field(default_factory=list)
    header: ClaimHeader | None = None

    def name(self, entity: str) -> EntityName | None:
        for n in self.names:
            if n.entity == entity:
                return n
        return None

    @property
    def patient(self) -> EntityName | None:
        return self.name("QC")

    @property
    def insured(self) -> EntityName | None:
        return self.name("IL")

    @property
    def service_provider(self) -> EntityName | None:
        return self.name("82")

    @property
    def remark_codes(self) -> list[str]:
        """MOA03-07 and MIA05, MIA20-24 remark codes."""
        out: list[str] = []
        if self.outpatient:
            out += [c for c in self.outpatient[2:7] if c]
        if self.inpatient:
            mia = self.inpatient
            out += [mia[i] for i in (4, 19, 20, 21, 22) if i < len(mia) and mia[i]]
        return out

    def date_of(self, qualifier: str) -> date | None:
        for d in self.dates:
            if d.qualifier == qualifier:
                return d.date
        return None

    def amount_of(self, qualifier: str) -> Decimal | None:
        for a in self.amounts:
            if a.qualifier == qualifier:
                return a.amount
        return None

    @property
    def is_reversal(self) -> bool:
        return self.status == "22"

    @property
    def adjustment_total(self) -> Decimal:
        """All CAS amounts of the claim: claim level and every line."""
        total = sum((a.amount for a in self.adjustments), ZERO)
        for line in self.lines:
            total += line.adjustment_total
        return total


@dataclass(slots=True)
class PlbItem:
    """One PLB adjustment: reason (PLB03-1), reference (PLB03-2) and amount (PLB04)."""

    reason: str
    amount: Decimal
    reference: str = ""


@dataclass(slots=True)
class ProviderAdjustment:
    """PLB: provider id, fiscal period date and up to six adjustments."""

    provider_id: str
    fiscal_period_date: date
    items: list[PlbItem] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((i.amount for i in self.items), ZERO)


@dataclass(slots=True)
class Remittance:
    """One 835 transaction set. In the stream the header arrives with ``claims`` and
    ``provider_adjustments`` empty; :func:`read_835` fills them."""

    control_number: str
    payment: Payment
    trace: Trace
    payer: Party
    payee: Party
    claims: list[ClaimPayment] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    production_date: date | None = None
    currency: str = ""
    interchange: InterchangeHeader | None = field(default=None, compare=False, repr=False)
    group: GroupHeader | None = field(default=None, compare=False, repr=False)
    segment_number: int = field(default=0, compare=False, repr=False)

    @property
    def plb_items(self) -> list[PlbItem]:
        return [i for p in self.provider_adjustments for i in p.items]

    @property
    def plb_total(self) -> Decimal:
        return sum((p.total for p in self.provider_adjustments), ZERO)


@dataclass(slots=True)
class RemittanceEnd:
    """End of a balanced set: its PLBs and totals."""

    control_number: str
    provider_adjustments: list[ProviderAdjustment]
    claim_count: int
    line_count: int
    total_charge: Decimal
    total_paid: Decimal
    plb_total: Decimal
    payment_amount: Decimal


@dataclass(slots=True)
class RemittanceFailure:
    """A set (or an envelope) that could not be read: post nothing of it."""

    error: X12Error
    control_number: str = ""
    remittance: Remittance | None = None


type RemittanceEvent = Remittance | ClaimPayment | RemittanceEnd | RemittanceFailure


# -- reading ----------------------------------------------------------------------------------


def _err(
    seg: Segment, code: X12ErrorCode, message: str, element: int | None, loop: str | None
) -> X12Error:
    return X12Error(
        code, message, segment_number=seg.number, segment_id=seg.id, element=element, loop=loop
    )


def _dec(seg: Segment, pos: int, name: str, loop: str | None) -> Decimal:
    """Required amount/number element."""
    e = seg.elements
    v = e[pos - 1] if len(e) >= pos else ""
    if v:
        d = parse_decimal(v)
        if d is not None:
            return d
        raise _err(seg, C.NUMBER_INVALID, f"{seg.id}{pos:02d} ({name}) is {v!r}, not a number",
                   pos, loop)  # fmt: skip
    raise _err(seg, C.ELEMENT_MISSING, f"{seg.id}{pos:02d} ({name}) is required but missing",
               pos, loop)  # fmt: skip


def _opt_dec(seg: Segment, pos: int, name: str, loop: str | None) -> Decimal | None:
    e = seg.elements
    v = e[pos - 1] if len(e) >= pos else ""
    if not v:
        return None
    d = parse_decimal(v)
    if d is None:
        raise _err(seg, C.NUMBER_INVALID, f"{seg.id}{pos:02d} ({name}) is {v!r}, not a number",
                   pos, loop)  # fmt: skip
    return d


def _req(seg: Segment, pos: int, name: str, loop: str | None) -> str:
    e = seg.elements
    v = e[pos - 1] if len(e) >= pos else ""
    if not v:
        raise _err(seg, C.ELEMENT_MISSING, f"{seg.id}{pos:02d} ({name}) is required but missing",
                   pos, loop)  # fmt: skip
    return v


def _code(seg: Segment, pos: int, allowed: frozenset[str], name: str, loop: str | None) -> str:
    v = _req(seg, pos, name, loop)
    if v not in allowed:
        raise _err(
            seg,
            C.CODE_INVALID,
            f"{seg.id}{pos:02d} ({name}) is {v!r}, expected one of {', '.join(sorted(allowed))}",
            pos,
            loop,
        )
    return v


def _date(seg: Segment, pos: int, name: str, loop: str | None) -> date:
    v = _req(seg, pos, name, loop)
    d = parse_date(v)
    if d is None:
        raise _err(seg, C.DATE_INVALID, f"{seg.id}{pos:02d} ({name}) is {v!r}, not a date CCYYMMDD",
                   pos, loop)  # fmt: skip
    return d


def _check_shape(seg: Segment, loop: str | None) -> None:
    """Too many elements, or a "not used" element present."""
    e = seg.elements
    top = MAX_ELEMENTS.get(seg.id)
    if top is not None and len(e) > top:
        last = len(e)
        while last > top and not e[last - 1]:
            last -= 1
        if last > top:
            raise _err(seg, C.TOO_MANY_ELEMENTS,
                       f"{seg.id}{last:02d} is not used in this guide ({seg.id} has at most"
                       f" {top} elements)", last, loop)  # fmt: skip
    unused = NOT_USED.get(seg.id)
    if unused:
        for pos in unused:
            if len(e) >= pos and e[pos - 1]:
                raise _err(
                    seg,
                    C.ELEMENT_NOT_USED,
                    f"{seg.id}{pos:02d} is marked not used in 005010X221A1",
                    pos,
                    loop,
                )


def _raw(seg: Segment) -> list[str]:
    e = list(seg.elements)
    while e and not e[-1]:
        e.pop()
    return e


def _cas(seg: Segment, loop: str) -> tuple[list[Adjustment], Decimal]:
    e = seg.elements
    n = len(e)
    if n > 19:
        _check_shape(seg, loop)
    group = e[0] if n else ""
    if group not in CAS_GROUPS:
        if not group:
            raise _err(seg, C.ELEMENT_MISSING, "CAS01 (adjustment group) is required but missing",
                       1, loop)  # fmt: skip
        raise _err(
            seg,
            C.CODE_INVALID,
            f"CAS01 (adjustment group) is {group!r}, expected CO, OA, PI or PR",
            1,
            loop,
        )
    out: list[Adjustment] = []
    total = ZERO
    for i in range(1, 19, 3):
        reason = e[i] if i < n else ""
        amount_text = e[i + 1] if i + 1 < n else ""
        qty_text = e[i + 2] if i + 2 < n else ""
        if not reason:
            if i == 1:
                raise _err(seg, C.ELEMENT_MISSING, "CAS02 (adjustment reason) is required but"
                           " missing", 2, loop)  # fmt: skip
            if amount_text or qty_text:
                raise _err(seg, C.ELEMENT_MISSING,
                           f"CAS{i + 1:02d} (adjustment reason) is missing but its amount is"
                           " given", i + 1, loop)  # fmt: skip
            continue
        if len(reason) > 5:
            raise _err(seg, C.ELEMENT_TOO_LONG,
                       f"CAS{i + 1:02d} (adjustment reason) {reason!r} is longer than 5",
                       i + 1, loop)  # fmt: skip
        amount = _dec(seg, i + 2, "adjustment amount", loop)
        qty = _opt_dec(seg, i + 3, "adjustment quantity", loop) if qty_text else None
        out.append(Adjustment(group, reason, amount, qty))
        total += amount
    return out, total


def _ref(seg: Segment, allowed: frozenset[str], loop: str | None) -> Reference:
    if len(seg.elements) > 2:
        _check_shape(seg, loop)
    return Reference(_code(seg, 1, allowed, "reference qualifier", loop),
                     _req(seg, 2, "reference value", loop))  # fmt: skip


def _per(seg: Segment, loop: str | None, functions: frozenset[str]) -> Contact:
    _check_shape(seg, loop)
    function = _code(seg, 1, functions, "contact function", loop)
    numbers: list[tuple[str, str]] = []
    for pos in (3, 5, 7):
        q, v = seg.el(pos), seg.el(pos + 1)
        if q or v:
            if not q or not v:
                raise _err(seg, C.ELEMENT_MISSING,
                           f"PER{pos:02d}/PER{pos + 1:02d}: a number needs both its qualifier and"
                           " its value", pos if not q else pos + 1, loop)  # fmt: skip
            numbers.append((q, v))
    if function != "IC" and not numbers and not seg.el(2):
        raise _err(seg, C.ELEMENT_MISSING, "PER needs a name or a number", 2, loop)
    return Contact(function, seg.el(2), numbers)


def _missing(what: str, loop: str | None, after: Segment | None, last: int) -> X12Error:
    if after is None:
        return X12Error(
            C.SEGMENT_MISSING,
            f"{what} is required{f' in loop {loop}' if loop else ''} but the set ends",
            segment_number=last + 1,
            segment_id="SE",
            loop=loop,
        )
    return _err(
        after,
        C.SEGMENT_MISSING,
        f"{what} is required{f' in loop {loop}' if loop else ''}, found {after.id}",
        None,
        loop,
    )


class _Cursor:
    """Segments one at a time (for the header loops), over the raw body of a set."""

    __slots__ = ("delims", "it", "last", "seg")

    def __init__(self, it: Iterator[list[str]], last: int, delims: Delimiters) -> None:
        self.it = it
        self.seg: Segment | None = None
        self.last = last
        self.delims = delims

    def advance(self) -> Segment | None:
        p = next(self.it, None)
        if p is None:
            self.seg = None
            return None
        self.last += 1
        s = Segment(p[0], p[1:], self.last, self.delims)
        self.seg = s
        return s


def _party(cur: _Cursor, entity: str) -> Party:
    loop = "1000A" if entity == "PR" else "1000B"
    seg = cur.seg
    assert seg is not None
    _check_shape(seg, loop)
    party = Party(entity, _req(seg, 2, "name", loop))
    q, v = seg.el(3), seg.el(4)
    if entity == "PR":
        if q and q != "XV":
            raise _err(seg, C.CODE_INVALID, f"N103 is {q!r}, expected XV", 3, loop)
    else:
        q = _code(seg, 3, frozenset({"FI", "XV", "XX"}), "id qualifier", loop)
        v = _req(seg, 4, "payee id", loop)
    if bool(q) != bool(v):
        raise _err(seg, C.ELEMENT_MISSING, "N103 and N104 go together", 4 if q else 3, loop)
    party.id_qualifier, party.id = q, v
    pos = 800
    positions = {"N3": 1000, "N4": 1100, "REF": 1200, "PER": 1300, "RDM": 1400}
    if entity == "PR":
        del positions["RDM"]
    else:
        del positions["PER"]
    per_functions = frozenset({"CX", "BL", "IC"})
    seen_n4 = False
    while True:
        seg = cur.advance()
        if seg is None or seg.id not in positions:
            break
        p = positions[seg.id]
        if p < pos or (p == pos and p in (1000, 1100, 1400)):
            raise _err(seg, C.SEGMENT_ORDER if p < pos else C.SEGMENT_REPEATED,
                       f"{seg.id} is out of place in loop {loop}", None, loop)  # fmt: skip
        if entity == "PR" and pos < 1000 < p:
            raise _missing("N3 (payer address)", loop, seg, cur.last)
        if entity == "PR" and pos < 1100 < p:
            raise _missing("N4 (payer city, state, ZIP)", loop, seg, cur.last)
        pos = p
        sid = seg.id
        if sid == "N3":
            _check_shape(seg, loop)
            party.address = Address(_req(seg, 1, "address", loop), seg.el(2))
        elif sid == "N4":
            _check_shape(seg, loop)
            seen_n4 = True
            if party.address is None:
                party.address = Address("")
            a = party.address
            a.city = _req(seg, 1, "city", loop)
            a.state, a.postal_code, a.country, a.subdivision = (
                seg.el(2), seg.el(3), seg.el(4), seg.el(7))  # fmt: skip
        elif sid == "REF":
            party.references.append(_ref(seg, PAYER_REFS if entity == "PR" else PAYEE_REFS, loop))
            if entity == "PR" and len(party.references) > 4:
                raise _err(seg, C.SEGMENT_REPEATED, "at most 4 REF in loop 1000A", None, loop)
        elif sid == "PER":
            contact = _per(seg, loop, per_functions)
            if contact.function != "BL" and any(
                c.function == contact.function for c in party.contacts
            ):
                raise _err(seg, C.SEGMENT_REPEATED, f"PER*{contact.function} repeats", None, loop)
            party.contacts.append(contact)
        else:  # RDM
            _check_shape(seg, loop)
            _code(seg, 1, frozenset({"BM", "EM", "FT", "OL"}), "delivery method", loop)
            party.delivery = _raw(seg)
    if entity == "PR":
        if pos < 1000:
            raise _missing("N3 (payer address)", loop, seg, cur.last)
        if not seen_n4:
            raise _missing("N4 (payer city, state, ZIP)", loop, seg, cur.last)
        if not any(c.function == "BL" for c in party.contacts):
            raise _missing("PER*BL (payer technical contact)", loop, seg, cur.last)
    if party.address is not None and entity == "PE" and not seen_n4:
        raise _missing("N4 (payee city, state, ZIP) with N3", loop, seg, cur.last)
    return party


def _header(ts: TransactionSetResult, cur: _Cursor) -> Remittance:
    seg = cur.advance()
    if seg is None or seg.id != "BPR":
        raise _missing("BPR (financial information)", None, seg, cur.last)
    _check_shape(seg, None)
    loop = None
    e = seg.el
    payment = Payment(
        handling=_code(seg, 1, frozenset({"C", "D", "H", "I", "P", "U", "X"}), "handling", loop),
        amount=_dec(seg, 2, "payment amount", loop),
        credit_debit=_code(seg, 3, frozenset({"C", "D"}), "credit/debit flag", loop),
        method=_code(seg, 4, frozenset({"ACH", "BOP", "CHK", "FWT", "NON"}), "method", loop),
        date=_date(seg, 16, "check issue or EFT effective date", loop),
        format=e(5), sender_dfi_qualifier=e(6), sender_dfi=e(7), sender_account_qualifier=e(8),
        sender_account=e(9), originator_id=e(10), originator_supplemental=e(11),
        receiver_dfi_qualifier=e(12), receiver_dfi=e(13), receiver_account_qualifier=e(14),
        receiver_account=e(15),
    )  # fmt: skip
    if payment.format and payment.format not in ("CCP", "CTX"):
        raise _err(seg, C.CODE_INVALID, f"BPR05 is {payment.format!r}, expected CCP or CTX", 5,
                   loop)  # fmt: skip
    if payment.method == "ACH" and not payment.format:
        raise _err(seg, C.ELEMENT_MISSING, "BPR05 (payment format) is required for ACH", 5, loop)
    seg = cur.advance()
    if seg is None or seg.id != "TRN":
        raise _missing("TRN (reassociation trace number)", None, seg, cur.last)
    _check_shape(seg, None)
    _code(seg, 1, frozenset({"1"}), "trace type", loop)
    trace = Trace(
        number=_req(seg, 2, "check or EFT trace number", loop),
        originator=_req(seg, 3, "payer identifier", loop),
        supplemental=seg.el(4),
    )
    rem = Remittance(
        control_number=ts.control_number,
        payment=payment,
        trace=trace,
        payer=Party("PR", ""),
        payee=Party("PE", ""),
        interchange=ts.interchange,
        group=ts.group,
        segment_number=ts.segment_number,
    )
    pos = 400
    positions = {"CUR": 500, "REF": 600, "DTM": 700}
    while True:
        seg = cur.advance()
        if seg is None or seg.id not in positions:
            break
        p = positions[seg.id]
        if p < pos:
            raise _err(seg, C.SEGMENT_ORDER, f"{seg.id} is out of place in the header", None, None)
        if p == pos and seg.id != "REF":
            raise _err(seg, C.SEGMENT_REPEATED, f"{seg.id} repeats in the header", None, None)
        pos = p
        _check_shape(seg, None)
        if seg.id == "CUR":
            _code(seg, 1, frozenset({"PR"}), "entity", None)
            rem.currency = _req(seg, 2, "currency code", None)
        elif seg.id == "REF":
            ref = _ref(seg, frozenset({"EV", "F2"}), None)
            if any(r.qualifier == ref.qualifier for r in rem.references):
                raise _err(seg, C.SEGMENT_REPEATED, f"REF*{ref.qualifier} repeats", None, None)
            rem.references.append(ref)
        else:
            _code(seg, 1, frozenset({"405"}), "date qualifier", None)
            rem.production_date = _date(seg, 2, "production date", None)
    if seg is None or seg.id != "N1" or seg.el(1) != "PR":
        raise _missing("N1*PR (payer identification)", "1000A", seg, cur.last)
    rem.payer = _party(cur, "PR")
    seg = cur.seg
    if seg is None or seg.id != "N1" or seg.el(1) != "PE":
        raise _missing("N1*PE (payee identification)", "1000B", seg, cur.last)
    rem.payee = _party(cur, "PE")
    return rem


def _balance_line(svc: Segment, line: ServiceLine, cas_total: Decimal) -> None:
    if line.charge - cas_total != line.paid:
        raise _err(
            svc,
            C.BALANCE,
            f"service line {line.procedure_code} does not balance: SVC02 charge {line.charge}"
            f" - line adjustments {cas_total} = {line.charge - cas_total}, but SVC03 paid is"
            f" {line.paid}",
            3,
            "2110",
        )


def _balance_claim(clp: Segment, claim: ClaimPayment, cas_total: Decimal) -> None:
    if claim.charge - cas_total != claim.paid:
        raise _err(
            clp,
            C.BALANCE,
            f"claim {claim.patient_control_number} does not balance: CLP03 charge {claim.charge}"
            f" - all adjustments {cas_total} = {claim.charge - cas_total}, but CLP04 paid is"
            f" {claim.paid}",
            4,
            "2100",
        )


def _clp_raw(p: list[str], num: int, header: ClaimHeader, d: Delimiters) -> ClaimPayment:
    """CLP from its raw list (id first); the checked path names any defect."""
    n = len(p)
    if 8 <= n <= 10:
        status, filing = p[2], p[6]
        charge, paid = parse_decimal(p[3]), parse_decimal(p[4])
        resp = parse_decimal(p[5]) if p[5] else None
        if (
            p[1]
            and p[7]
            and status in CLAIM_STATUSES
            and filing in FILING_INDICATORS
            and charge is not None
            and paid is not None
            and (resp is not None or not p[5])
        ):
            return ClaimPayment(
                p[1], status, charge, paid, filing, p[7], resp,
                p[8] if n > 8 else "", p[9] if n > 9 else "", "", None, None,
                [], [], None, None, [], [], [], [], [], [], header,
            )  # fmt: skip
    return _clp_checked(Segment(p[0], p[1:], num, d), header)


def _svc_raw(p: list[str], num: int, d: Delimiters) -> ServiceLine:
    """SVC from its raw list (id first); the checked path names any defect."""
    n = len(p)
    if 4 <= n <= 6:
        proc = p[1].split(d.component)
        k = len(proc)
        if 2 <= k <= 6 and proc[0] in PROCEDURE_QUALIFIERS and proc[1]:
            charge, paid = parse_decimal(p[2]), parse_decimal(p[3])
            units = parse_decimal(p[5]) if n == 6 and p[5] else None
            if charge is not None and paid is not None and (units is not None or n < 6 or not p[5]):
                mods = proc[2:] if k > 2 else []
                while mods and not mods[-1]:
                    mods.pop()
                return ServiceLine(
                    proc[0], proc[1], charge, paid, mods, p[4] if n > 4 else "", units,
                    None, None, [], [], [], [], [], [],
                )  # fmt: skip
    return _svc(Segment(p[0], p[1:], num, d))


def _clp_checked(seg: Segment, header: ClaimHeader | None) -> ClaimPayment:
    loop = "2100"
    if len(seg.elements) > 9:
        _check_shape(seg, loop)
    e = seg.elements
    n = len(e)
    status = e[1] if n > 1 else ""
    if status not in CLAIM_STATUSES:
        _code(seg, 2, CLAIM_STATUSES, "claim status", loop)
    filing = e[5] if n > 5 else ""
    if filing not in FILING_INDICATORS:
        _code(seg, 6, FILING_INDICATORS, "claim filing indicator", loop)
    return ClaimPayment(
        patient_control_number=_req(seg, 1, "patient control number", loop),
        status=status,
        charge=_dec(seg, 3, "total claim charge", loop),
        paid=_dec(seg, 4, "claim payment amount", loop),
        filing_indicator=filing,
        payer_claim_number=_req(seg, 7, "payer claim control number", loop),
        patient_responsibility=_opt_dec(seg, 5, "patient responsibility", loop),
        facility_type=e[7] if n > 7 else "",
        frequency=e[8] if n > 8 else "",
        drg_code=e[10] if n > 10 else "",
        drg_weight=_opt_dec(seg, 12, "DRG weight", loop) if n > 11 else None,
        discharge_fraction=_opt_dec(seg, 13, "discharge fraction", loop) if n > 12 else None,
        header=header,
    )


def _svc(seg: Segment) -> ServiceLine:
    loop = "2110"
    e = seg.elements
    n = len(e)
    if n > 7:
        _check_shape(seg, loop)
    comp = seg.delimiters.component
    proc = e[0].split(comp) if n else [""]
    qual = proc[0]
    if qual not in PROCEDURE_QUALIFIERS:
        if not qual:
            raise _err(seg, C.ELEMENT_MISSING, "SVC01-1 (procedure qualifier) is required but"
                       " missing", 1, loop)  # fmt: skip
        raise X12Error(
            C.CODE_INVALID,
            f"SVC01-1 (procedure qualifier) is {qual!r}, expected one of "
            + ", ".join(sorted(PROCEDURE_QUALIFIERS))
            + (f" (is {comp!r}, the component separator of ISA16, the one used here?)"
               if len(qual) > 2 else ""),
            segment_number=seg.number, segment_id="SVC", element=1, component=1, loop=loop,
        )  # fmt: skip
    if len(proc) < 2 or not proc[1]:
        raise X12Error(C.ELEMENT_MISSING, "SVC01-2 (procedure code) is required but missing",
                       segment_number=seg.number, segment_id="SVC", element=1, component=2,
                       loop=loop)  # fmt: skip
    if len(proc) > 6:
        extra = proc[6:]
        if any(extra):
            raise X12Error(C.ELEMENT_NOT_USED, "SVC01-7 (description) is not used in the 835",
                           segment_number=seg.number, segment_id="SVC", element=1, component=7,
                           loop=loop)  # fmt: skip
    if len(proc) > 2:
        mods = proc[2:6]
        while mods and not mods[-1]:
            mods.pop()
    else:
        mods = []
    charge = parse_decimal(e[1]) if n > 1 else None
    if charge is None:
        charge = _dec(seg, 2, "line item charge", loop)
    paid = parse_decimal(e[2]) if n > 2 else None
    if paid is None:
        paid = _dec(seg, 3, "line item provider payment", loop)
    # all fields given: the generated __init__ is cheaper without default factories
    line = ServiceLine(
        qual, proc[1], charge, paid, mods, "", None, None, None, [], [], [], [], [], []
    )
    if n > 3:
        line.revenue_code = e[3]
        if n > 4 and e[4]:
            line.units = _opt_dec(seg, 5, "units of service paid", loop)
        if n > 5 and e[5]:
            orig = e[5].split(comp)
            while orig and not orig[-1]:
                orig.pop()
            if orig and orig[0] not in PROCEDURE_QUALIFIERS:
                raise X12Error(C.CODE_INVALID, f"SVC06-1 (procedure qualifier) is {orig[0]!r}",
                               segment_number=seg.number, segment_id="SVC", element=6,
                               component=1, loop=loop)  # fmt: skip
            line.original_procedure = orig
        if n > 6 and e[6]:
            line.original_units = _opt_dec(seg, 7, "original units of service", loop)
    return line


def _plb(seg: Segment) -> ProviderAdjustment:
    loop = "footer"
    _check_shape(seg, loop)
    adj = ProviderAdjustment(
        provider_id=_req(seg, 1, "provider identifier", loop),
        fiscal_period_date=_date(seg, 2, "fiscal period date", loop),
    )
    e = seg.elements
    comp = seg.delimiters.component
    for pos in range(3, 15, 2):
        ident = e[pos - 1] if len(e) >= pos else ""
        amount_text = e[pos] if len(e) > pos else ""
        if not ident:
            if pos == 3:
                raise _err(seg, C.ELEMENT_MISSING, "PLB03 (adjustment identifier) is required",
                           3, loop)  # fmt: skip
            if amount_text:
                raise _err(seg, C.ELEMENT_MISSING,
                           f"PLB{pos:02d} (adjustment identifier) is missing but an amount is"
                           " given", pos, loop)  # fmt: skip
            continue
        parts = ident.split(comp)
        if not parts[0]:
            raise X12Error(C.ELEMENT_MISSING, f"PLB{pos:02d}-1 (adjustment reason) is required",
                           segment_number=seg.number, segment_id="PLB", element=pos,
                           component=1, loop=loop)  # fmt: skip
        if len(parts) > 2 and any(parts[2:]):
            raise X12Error(C.TOO_MANY_COMPONENTS, f"PLB{pos:02d} has more than 2 components",
                           segment_number=seg.number, segment_id="PLB", element=pos,
                           component=3, loop=loop)  # fmt: skip
        amount = _dec(seg, pos + 1, "provider adjustment amount", loop)
        adj.items.append(PlbItem(parts[0], amount, parts[1] if len(parts) > 1 else ""))
    return adj


_CLAIM_POS: Final = {
    "CAS": 200, "NM1": 300, "MIA": 330, "MOA": 350, "REF": 400, "DTM": 500, "PER": 600,
    "AMT": 620, "QTY": 640,
}  # fmt: skip


def _unexpected(seg: Segment, loop: str | None, where: str) -> X12Error:
    if seg.id not in KNOWN_SEGMENTS:
        return _err(seg, C.SEGMENT_UNRECOGNIZED,
                    f"segment {seg.id!r} is not part of the 835", None, loop)  # fmt: skip
    return _err(seg, C.SEGMENT_UNEXPECTED, f"{seg.id} is not expected {where}", None, loop)


def _set_events(ts: TransactionSetResult) -> Iterator[Remittance | ClaimPayment | RemittanceEnd]:
    """The events of one 835 set; raises X12Error on the first defect."""
    if ts.transaction_set_id != "835":
        raise X12Error(C.TRANSACTION_SET_UNSUPPORTED,
                       f"transaction set {ts.transaction_set_id} is not an 835",
                       segment_number=ts.segment_number, segment_id="ST", element=1)  # fmt: skip
    if ts.implementation_reference and ts.implementation_reference != VERSION:
        raise X12Error(C.VERSION_UNSUPPORTED,
                       f"ST03 is {ts.implementation_reference!r}, expected {VERSION}",
                       segment_number=ts.segment_number, segment_id="ST", element=3)  # fmt: skip
    if ts.group is not None and ts.group.version != VERSION:
        raise X12Error(
            C.VERSION_UNSUPPORTED,
            f"GS08 is {ts.group.version!r}, expected {VERSION}",
            segment_number=ts.group.segment_number,
            segment_id="GS",
            element=8,
        )
    delims = ts.interchange.delimiters if ts.interchange is not None else DEFAULT_DELIMITERS
    raw = ts.raw_segments
    cur = _Cursor(raw, ts.segment_number, delims)
    rem = _header(ts, cur)
    yield rem
    bpr_amount = rem.payment.amount
    first = cur.seg
    p: list[str] | None = [first.id, *first.elements] if first is not None else None
    num = cur.last  # the number of p (or of the last segment when p is None)
    claim_count = line_count = 0
    total_charge = total_paid = ZERO
    header: ClaimHeader | None = None
    plbs: list[ProviderAdjustment] = []
    in_footer = False
    cas_groups = CAS_GROUPS
    line_dates = LINE_DATES
    line_refs = LINE_REFS
    line_amounts = LINE_AMOUNTS
    claim_pos = _CLAIM_POS
    nxt = next
    dec_get = DECIMAL_CACHE.get
    date_get = DATE_CACHE.get

    def mk(parts: list[str], number: int) -> Segment:
        return Segment(parts[0], parts[1:], number, delims)

    while p is not None:
        sid = p[0]
        if sid == "CLP":
            if in_footer:
                raise _unexpected(mk(p, num), "footer", "after PLB")
            if header is None:
                raise _missing("LX (header number)", "2000", mk(p, num), num - 1)
            clp_p, clp_num = p, num
            claim = _clp_raw(p, num, header, delims)
            claim_count += 1
            total_charge += claim.charge
            total_paid += claim.paid
            claim_cas = ZERO
            pos = 100
            has_patient = False
            # loop 2100 before the first SVC
            p = nxt(raw, None)
            if p is not None:
                num += 1
            while p is not None:
                sid = p[0]
                q = claim_pos.get(sid)
                if q is None:
                    break
                if q < pos:
                    raise _err(mk(p, num), C.SEGMENT_ORDER, f"{sid} is out of order in loop 2100",
                               None, "2100")  # fmt: skip
                if q == pos and sid in ("MIA", "MOA"):
                    raise _err(mk(p, num), C.SEGMENT_REPEATED, f"{sid} repeats in loop 2100",
                               None, "2100")  # fmt: skip
                pos = q
                if sid == "NM1":
                    if _claim_name_raw(p, num, claim, delims) == "QC":
                        has_patient = True
                elif sid == "CAS":
                    adjs, t = _cas(mk(p, num), "2100")
                    claim.adjustments += adjs
                    claim_cas += t
                else:
                    _claim_segment_raw(p, num, claim, delims)
                p = nxt(raw, None)
                if p is not None:
                    num += 1
            if not has_patient:
                raise _missing("NM1*QC (patient name)", "2100",
                               mk(p, num) if p is not None else None, num)  # fmt: skip
            # loops 2110
            while p is not None and p[0] == "SVC":
                svc_p, svc_num = p, num
                line = _svc_raw(p, num, delims)
                claim.lines.append(line)
                line_count += 1
                line_cas = ZERO
                pos = 700
                has_6r = False
                adjustments = line.adjustments
                p = None
                for r in raw:
                    num += 1
                    sid = r[0]
                    nr = len(r)
                    if sid == "CAS":
                        if pos > 900:
                            raise _order(mk(r, num), "2110")
                        pos = 900
                        if nr == 4 and r[1] in cas_groups and r[2] and len(r[2]) <= 5:
                            a = dec_get(r[3]) or parse_decimal(r[3])
                            if a is not None:
                                adjustments.append(Adjustment(r[1], r[2], a))
                                line_cas += a
                                continue
                        adjs, t = _cas(mk(r, num), "2110")
                        adjustments += adjs
                        line_cas += t
                    elif sid == "DTM":
                        if pos > 800:
                            raise _order(mk(r, num), "2110")
                        pos = 800
                        dates = line.dates
                        if len(dates) == 2:
                            raise _err(mk(r, num), C.SEGMENT_REPEATED,
                                       "at most 2 DTM in loop 2110", None, "2110")  # fmt: skip
                        if nr == 3 and r[1] in line_dates:
                            dv = date_get(r[2]) or parse_date(r[2])
                            if dv is not None:
                                dates.append(DateRef(r[1], dv))
                                continue
                        s_ = mk(r, num)
                        if nr > 3:
                            _check_shape(s_, "2110")
                        qd = _code(s_, 1, LINE_DATES, "date qualifier", "2110")
                        dates.append(DateRef(qd, _date(s_, 2, "service date", "2110")))
                    elif sid == "REF":
                        if pos > 1000:
                            raise _order(mk(r, num), "2110")
                        pos = 1000
                        if nr == 3 and r[1] in line_refs and r[2]:
                            ref = Reference(r[1], r[2])
                        else:
                            ref = _ref(mk(r, num), LINE_REFS, "2110")
                        if ref.qualifier == "6R":
                            if has_6r:
                                raise _err(mk(r, num), C.SEGMENT_REPEATED,
                                           "REF*6R repeats in loop 2110", None, "2110")  # fmt: skip
                            has_6r = True
                        line.references.append(ref)
                    elif sid == "AMT":
                        if pos > 1100:
                            raise _order(mk(r, num), "2110")
                        pos = 1100
                        if nr == 3 and r[1] in line_amounts:
                            a = dec_get(r[2]) or parse_decimal(r[2])
                            if a is not None:
                                line.amounts.append(AmountRef(r[1], a))
                                continue
                        s_ = mk(r, num)
                        if nr > 3:
                            _check_shape(s_, "2110")
                        qa = _code(s_, 1, LINE_AMOUNTS, "amount qualifier", "2110")
                        line.amounts.append(AmountRef(qa, _dec(s_, 2, "amount", "2110")))
                    elif sid == "LQ":
                        if pos > 1300:
                            raise _order(mk(r, num), "2110")
                        pos = 1300
                        s_ = mk(r, num)
                        if nr > 3:
                            _check_shape(s_, "2110")
                        ql = _code(s_, 1, REMARK_QUALIFIERS, "code list qualifier", "2110")
                        line.remarks.append(Remark(ql, _req(s_, 2, "remark code", "2110")))
                    elif sid == "QTY":
                        if pos > 1200:
                            raise _order(mk(r, num), "2110")
                        pos = 1200
                        s_ = mk(r, num)
                        _check_shape(s_, "2110")
                        qq = _code(s_, 1, LINE_QUANTITIES, "quantity qualifier", "2110")
                        line.quantities.append(QuantityRef(qq, _dec(s_, 2, "quantity", "2110")))
                    else:
                        p = r
                        break
                if line.charge - line_cas != line.paid:
                    _balance_line(mk(svc_p, svc_num), line, line_cas)
                claim_cas += line_cas
            # the claim ends here
            if p is not None and p[0] in claim_pos:
                raise _err(mk(p, num), C.SEGMENT_ORDER,
                           f"{p[0]} belongs to loop 2100 before the first SVC, not after a"
                           " service line", None, "2110")  # fmt: skip
            if claim.charge - claim_cas != claim.paid:
                _balance_claim(mk(clp_p, clp_num), claim, claim_cas)
            yield claim
            continue
        seg = mk(p, num)
        if sid == "LX":
            if in_footer:
                raise _unexpected(seg, "footer", "after PLB")
            _check_shape(seg, "2000")
            header = ClaimHeader(_req(seg, 1, "assigned number", "2000"))
            if not (header.number.isascii() and header.number.isdigit()):
                raise _err(seg, C.NUMBER_INVALID, f"LX01 is {header.number!r}, not a number", 1,
                           "2000")  # fmt: skip
            pos = 30
            p = nxt(raw, None)
            if p is not None:
                num += 1
            while p is not None and p[0] in ("TS3", "TS2"):
                _summary(mk(p, num), header, pos)
                pos = 50 if p[0] == "TS3" else 70
                p = nxt(raw, None)
                if p is not None:
                    num += 1
            if p is None or p[0] != "CLP":
                raise _missing("CLP (claim payment information)", "2000",
                               mk(p, num) if p is not None else None, num)  # fmt: skip
            continue
        if sid == "PLB":
            plbs.append(_plb(seg))
            in_footer = True
            p = nxt(raw, None)
            if p is not None:
                num += 1
            continue
        if in_footer:
            where = "after PLB"
        elif header is None:
            where = "after the payee loop 1000B"
        else:
            where = "after a claim"
        raise _unexpected(seg, None, where)
    plb_total = sum((p.total for p in plbs), ZERO)
    if total_paid - plb_total != bpr_amount:
        raise X12Error(
            C.BALANCE,
            f"the remittance does not balance: sum of CLP04 {total_paid} - sum of PLB amounts"
            f" {plb_total} = {total_paid - plb_total}, but BPR02 is {bpr_amount}",
            segment_number=rem.segment_number + 1,
            segment_id="BPR",
            element=2,
        )
    yield RemittanceEnd(
        control_number=rem.control_number,
        provider_adjustments=plbs,
        claim_count=claim_count,
        line_count=line_count,
        total_charge=total_charge,
        total_paid=total_paid,
        plb_total=plb_total,
        payment_amount=bpr_amount,
    )


def _order(seg: Segment, loop: str) -> X12Error:
    return _err(seg, C.SEGMENT_ORDER, f"{seg.id} is out of order in loop {loop}", None, loop)


def _summary(seg: Segment, header: ClaimHeader, pos: int) -> None:
    """TS3 / TS2 in loop 2000."""
    sid = seg.id
    p = 50 if sid == "TS3" else 70
    if p <= pos:
        raise _err(seg, C.SEGMENT_ORDER if p < pos else C.SEGMENT_REPEATED,
                   f"{sid} is out of place in loop 2000", None, "2000")  # fmt: skip
    _check_shape(seg, "2000")
    if sid == "TS3":
        _req(seg, 1, "provider identifier", "2000")
        _req(seg, 2, "facility type code", "2000")
        _date(seg, 3, "fiscal period date", "2000")
        _dec(seg, 4, "total claim count", "2000")
        _dec(seg, 5, "total claim charge", "2000")
        for i in range(13, 25):
            _opt_dec(seg, i, "amount", "2000")
        header.summary = _raw(seg)
    else:
        for i in range(1, 20):
            _opt_dec(seg, i, "amount", "2000")
        header.supplemental_summary = _raw(seg)


_NAME_NEEDS_ID: Final = frozenset({"IL", "82", "TT", "PR"})


_RPAD: Final = [[""] * (10 - i) for i in range(11)]


def _claim_name_raw(p: list[str], num: int, claim: ClaimPayment, d: Delimiters) -> str:
    """NM1 in loop 2100 from its raw list; returns the entity code."""
    n = len(p)
    if 3 <= n <= 10:
        v = p + _RPAD[n]
        ent = v[1]
        if (
            ent in CLAIM_NAME_ENTITIES
            and v[2] in ("1", "2")
            and not v[6]
            and (v[8] or ent not in _NAME_NEEDS_ID)
            and (v[9] or not v[8])
        ):
            for other in claim.names:
                if other.entity == ent:
                    raise _err(Segment(p[0], p[1:], num, d), C.SEGMENT_REPEATED,
                               f"NM1*{ent} repeats in loop 2100", None, "2100")  # fmt: skip
            claim.names.append(EntityName(ent, v[2], v[3], v[4], v[5], v[7], v[8], v[9]))
            return ent
    return _claim_name_checked(Segment(p[0], p[1:], num, d), claim)


def _claim_segment_raw(p: list[str], num: int, claim: ClaimPayment, d: Delimiters) -> None:
    """DTM and AMT of loop 2100 on their fast path, else the checked path."""
    if len(p) == 3:
        sid = p[0]
        if sid == "DTM" and p[1] in CLAIM_DATES:
            dv = parse_date(p[2])
            if dv is not None:
                claim.dates.append(DateRef(p[1], dv))
                return
        elif sid == "AMT" and p[1] in CLAIM_AMOUNTS:
            a = parse_decimal(p[2])
            if a is not None:
                claim.amounts.append(AmountRef(p[1], a))
                return
    _claim_segment(Segment(p[0], p[1:], num, d), claim)


def _claim_name_checked(seg: Segment, claim: ClaimPayment) -> str:
    _check_shape(seg, "2100")
    ent = _code(seg, 1, CLAIM_NAME_ENTITIES, "entity identifier", "2100")
    if claim.name(ent) is not None:
        raise _err(seg, C.SEGMENT_REPEATED, f"NM1*{ent} repeats in loop 2100", None, "2100")
    etype = _code(seg, 2, frozenset({"1", "2"}), "entity type", "2100")
    if ent in _NAME_NEEDS_ID:
        _req(seg, 8, "identification code qualifier", "2100")
    if seg.el(8) and not seg.el(9):
        _req(seg, 9, "identification code", "2100")
    e = seg.el
    claim.names.append(EntityName(ent, etype, e(3), e(4), e(5), e(7), e(8), e(9)))
    return ent


def _claim_segment(seg: Segment, claim: ClaimPayment) -> None:
    """DTM, REF, AMT, QTY, MIA, MOA, PER in loop 2100."""
    sid = seg.id
    loop = "2100"
    e = seg.elements
    if len(e) == 2:
        if sid == "DTM" and e[0] in CLAIM_DATES:
            d = parse_date(e[1])
            if d is not None:
                claim.dates.append(DateRef(e[0], d))
                return
        elif sid == "AMT" and e[0] in CLAIM_AMOUNTS:
            a = parse_decimal(e[1])
            if a is not None:
                claim.amounts.append(AmountRef(e[0], a))
                return
    if sid == "DTM":
        _check_shape(seg, loop)
        q = _code(seg, 1, CLAIM_DATES, "date qualifier", loop)
        claim.dates.append(DateRef(q, _date(seg, 2, "claim date", loop)))
    elif sid == "REF":
        claim.references.append(_ref(seg, CLAIM_REFS, loop))
    elif sid == "AMT":
        _check_shape(seg, loop)
        q = _code(seg, 1, CLAIM_AMOUNTS, "amount qualifier", loop)
        claim.amounts.append(AmountRef(q, _dec(seg, 2, "amount", loop)))
    elif sid == "MOA":
        _check_shape(seg, loop)
        for i in (1, 2, 8, 9):
            _opt_dec(seg, i, "amount", loop)
        claim.outpatient = _raw(seg)
    elif sid == "MIA":
        _check_shape(seg, loop)
        _dec(seg, 1, "covered days or visits", loop)
        for i in (2, 3, 4, *range(6, 20), 24):
            _opt_dec(seg, i, "amount", loop)
        claim.inpatient = _raw(seg)
    elif sid == "PER":
        claim.contacts.append(_per(seg, loop, frozenset({"CX"})))
        if len(claim.contacts) > 2:
            raise _err(seg, C.SEGMENT_REPEATED, "at most 2 PER in loop 2100", None, loop)
    else:  # QTY
        _check_shape(seg, loop)
        q = _code(seg, 1, CLAIM_QUANTITIES, "quantity qualifier", loop)
        claim.quantities.append(QuantityRef(q, _dec(seg, 2, "quantity", loop)))


def iter_remittance(source: Source, *, file: str | None = None) -> Iterator[RemittanceEvent]:
    """Stream the 835 sets of ``source`` (see the module docstring for the events).

    Raises X12Error only when the input is not X12 at all; every other defect is a
    :class:`RemittanceFailure` event.
    """
    for ts in iter_transaction_sets(source, file=file):
        if ts.error is not None:
            yield RemittanceFailure(ts.error, ts.control_number)
            continue
        rem: Remittance | None = None
        try:
            for ev in _set_events(ts):
                if isinstance(ev, Remittance):
                    rem = ev
                yield ev
        except X12Error as exc:
            err = exc
            if err.transaction_set is None:
                err = err.replace(transaction_set=ts.control_number)
            if err.file is None and ts.file is not None:
                err = err.with_file(ts.file)
            yield RemittanceFailure(err, ts.control_number, rem)


@dataclass(slots=True)
class Era835File:
    """What :func:`parse_835` found: the good remittances and the failures."""

    remittances: list[Remittance]
    failures: list[RemittanceFailure]

    @property
    def errors(self) -> list[X12Error]:
        return [f.error for f in self.failures]


def parse_835(source: Source, *, file: str | None = None) -> Era835File:
    """All sets of ``source``: complete remittances of the good sets and failures of the bad."""
    good: list[Remittance] = []
    failures: list[RemittanceFailure] = []
    current: Remittance | None = None
    for ev in iter_remittance(source, file=file):
        if isinstance(ev, ClaimPayment):
            assert current is not None
            current.claims.append(ev)
        elif isinstance(ev, Remittance):
            current = ev
        elif isinstance(ev, RemittanceEnd):
            assert current is not None
            current.provider_adjustments = ev.provider_adjustments
            good.append(current)
            current = None
        else:
            failures.append(ev)
            current = None
    return Era835File(good, failures)


def read_835(source: Source, *, file: str | None = None) -> list[Remittance]:
    """The remittances of ``source``; raises the first X12Error of any set or envelope."""
    result = parse_835(source, file=file)
    if result.failures:
        raise result.failures[0].error
    return result.remittances


# -- balancing of objects (for writers and tests) -------------------------------------------


def balance_problems(rem: Remittance) -> list[str]:
    """Why ``rem`` would not balance (empty when it does)."""
    out: list[str] = []
    for claim in rem.claims:
        for line in claim.lines:
            if line.charge - line.adjustment_total != line.paid:
                out.append(f"claim {claim.patient_control_number} line {line.procedure_code}:"
                           f" {line.charge} - {line.adjustment_total} != {line.paid}")  # fmt: skip
        if claim.charge - claim.adjustment_total != claim.paid:
            out.append(f"claim {claim.patient_control_number}: {claim.charge} -"
                       f" {claim.adjustment_total} != {claim.paid}")  # fmt: skip
    total = sum((c.paid for c in rem.claims), ZERO) - rem.plb_total
    if total != rem.payment.amount:
        out.append(f"BPR02 {rem.payment.amount} != sum CLP04 - sum PLB = {total}")
    return out


# -- writing ----------------------------------------------------------------------------------


def _write_party(w: SegmentWriter, p: Party) -> None:
    w.seg("N1", p.entity, p.name, p.id_qualifier, p.id)
    if p.address is not None:
        a = p.address
        w.seg("N3", a.line1, a.line2)
        w.seg("N4", a.city, a.state, a.postal_code, a.country, None, None, a.subdivision)
    for r in p.references:
        w.seg("REF", r.qualifier, r.value)
    for c in p.contacts:
        w.seg("PER", c.function, c.name, *[x for pair in c.numbers for x in pair])
    if p.delivery is not None:
        w.seg("RDM", *p.delivery)


def _write_cas(w: SegmentWriter, adjustments: list[Adjustment]) -> None:
    i = 0
    n = len(adjustments)
    while i < n:
        group = adjustments[i].group
        els: list[str | Decimal | None] = [group]
        j = i
        while j < n and j - i < 6 and adjustments[j].group == group:
            a = adjustments[j]
            els += [a.reason, a.amount, a.quantity]
            j += 1
        w.seg("CAS", *els)
        i = j


def write_claim(w: SegmentWriter, c: ClaimPayment) -> None:
    """The segments of one loop 2100 (and its 2110 loops)."""
    w.seg("CLP", c.patient_control_number, c.status, c.charge, c.paid, c.patient_responsibility,
          c.filing_indicator, c.payer_claim_number, c.facility_type, c.frequency, None,
          c.drg_code, c.drg_weight, c.discharge_fraction)  # fmt: skip
    _write_cas(w, c.adjustments)
    for n in c.names:
        w.seg("NM1", n.entity, n.entity_type, n.last, n.first, n.middle, None, n.suffix,
              n.id_qualifier, n.id)  # fmt: skip
    if c.inpatient is not None:
        w.seg("MIA", *c.inpatient)
    if c.outpatient is not None:
        w.seg("MOA", *c.outpatient)
    for r in c.references:
        w.seg("REF", r.qualifier, r.value)
    for d in c.dates:
        w.seg("DTM", d.qualifier, d.date)
    for p in c.contacts:
        w.seg("PER", p.function, p.name, *[x for pair in p.numbers for x in pair])
    for a in c.amounts:
        w.seg("AMT", a.qualifier, a.amount)
    for q in c.quantities:
        w.seg("QTY", q.qualifier, q.quantity)
    for line in c.lines:
        proc = (line.procedure_qualifier, line.procedure_code, *line.modifiers)
        orig = tuple(line.original_procedure) if line.original_procedure else None
        w.seg("SVC", proc, line.charge, line.paid, line.revenue_code, line.units, orig,
              line.original_units)  # fmt: skip
        for d in line.dates:
            w.seg("DTM", d.qualifier, d.date)
        _write_cas(w, line.adjustments)
        for r in line.references:
            w.seg("REF", r.qualifier, r.value)
        for a in line.amounts:
            w.seg("AMT", a.qualifier, a.amount)
        for q in line.quantities:
            w.seg("QTY", q.qualifier, q.quantity)
        for rk in line.remarks:
            w.seg("LQ", rk.qualifier, rk.code)


def write_remittance_header(w: SegmentWriter, rem: Remittance) -> None:
    """BPR through loop 1000B."""
    p = rem.payment
    w.seg("BPR", p.handling, p.amount, p.credit_debit, p.method, p.format,
          p.sender_dfi_qualifier, p.sender_dfi, p.sender_account_qualifier, p.sender_account,
          p.originator_id, p.originator_supplemental, p.receiver_dfi_qualifier, p.receiver_dfi,
          p.receiver_account_qualifier, p.receiver_account, p.date)  # fmt: skip
    t = rem.trace
    w.seg("TRN", t.type_code, t.number, t.originator, t.supplemental)
    if rem.currency:
        w.seg("CUR", "PR", rem.currency)
    for r in rem.references:
        w.seg("REF", r.qualifier, r.value)
    if rem.production_date is not None:
        w.seg("DTM", "405", rem.production_date)
    _write_party(w, rem.payer)
    _write_party(w, rem.payee)


def write_claims(w: SegmentWriter, claims: Iterable[ClaimPayment]) -> None:
    """Loops 2000/2100/2110: an LX each time the claim's header changes (a claim without a
    header gets LX*1)."""
    current: ClaimHeader | None = None
    started = False
    for c in claims:
        h = c.header
        if not started or (h is not current and h != current):
            hh = h or ClaimHeader("1")
            w.seg("LX", hh.number)
            if hh.summary is not None:
                w.seg("TS3", *hh.summary)
            if hh.supplemental_summary is not None:
                w.seg("TS2", *hh.supplemental_summary)
            current = h
            started = True
        write_claim(w, c)


def write_provider_adjustments(w: SegmentWriter, plbs: Iterable[ProviderAdjustment]) -> None:
    for p in plbs:
        els: list[str | Decimal | date | tuple[str, str] | None] = [
            p.provider_id,
            p.fiscal_period_date,
        ]
        for item in p.items:
            els += [(item.reason, item.reference), item.amount]
        w.seg("PLB", *els)


def write_remittance(w: SegmentWriter, rem: Remittance) -> None:
    """The body of one 835 set (between ST and SE)."""
    write_remittance_header(w, rem)
    write_claims(w, rem.claims)
    write_provider_adjustments(w, rem.provider_adjustments)


def write_835(
    remittances: Iterable[Remittance],
    *,
    sender_id: str,
    receiver_id: str,
    isa_control: int | str,
    gs_control: int | str,
    now: datetime | None = None,
    usage: str = "P",
    gs_sender: str | None = None,
    gs_receiver: str | None = None,
    check_balance: bool = True,
    out: IO[str] | None = None,
    newline: bool = False,
) -> str:
    """An interchange with one HP group holding one 835 set per remittance; ST02 is each
    remittance's ``control_number``. With ``check_balance`` an unbalanced remittance raises
    X12Error(BALANCE) before anything is written for it."""
    iw = InterchangeWriter(
        out,
        sender_id=sender_id,
        receiver_id=receiver_id,
        isa_control=isa_control,
        usage=usage,
        now=now,
        newline=newline,
    )
    iw.begin_group(FUNCTIONAL_ID, VERSION, gs_control, sender=gs_sender or sender_id,
                   receiver=gs_receiver or receiver_id)  # fmt: skip
    for rem in remittances:
        if check_balance:
            problems = balance_problems(rem)
            if problems:
                raise X12Error(C.BALANCE, "cannot write an unbalanced 835: " + "; ".join(problems))
        w = iw.begin_set("835", rem.control_number)  # ST03 is "not used" in X221A1
        write_remittance(w, rem)
        iw.end_set()
    return iw.close()
