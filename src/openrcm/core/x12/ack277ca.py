"""277CA health care claim acknowledgment (005010X214): reader and writer.

The clearinghouse or payer answers an 837 with a 277CA saying, per claim, whether it was accepted
into adjudication (category A1/A2) or rejected (A3, A6, A7, A8: never adjudicated, fix and
resubmit as an original claim). The structure is an HL hierarchy::

    2000A information source (HL 20: payer or clearinghouse, NM1 2100A, TRN/DTP 2200A)
      2000B information receiver (HL 21: the submitter, NM1 2100B; TRN/STC/QTY/AMT 2200B)
        2000C billing provider (HL 19: NM1 2100C; TRN/STC/REF/QTY/AMT 2200C)
          2000D patient (HL PT: NM1 2100D)
            2200D claim: TRN02 patient control number, STC (1+), REF*1K payer claim control
                  number, REF*D9 clearinghouse trace number, REF*BLT bill type, DTP*472
              2220D service line: SVC, STC, REF*FJ line item control number, REF*XZ, DTP*472

``read_277ca`` reads a file; ``parse_277ca`` one transaction set of an envelope;
``write_277ca`` writes the segments between ST and SE (the sandbox clearinghouse answers with
them). Reading what was written gives back an equal object.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from openrcm.core.x12.envelope import TransactionSetResult
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.hierarchy import (
    ACCEPTED_CATEGORIES,
    REJECTED_CATEGORIES,
    HierarchySpec,
    HLWriter,
    Level,
    LevelSpec,
    Loop,
    Node,
    Party,
    Period,
    Procedure,
    Reference,
    Status,
    StatusCode,
    iter_all,
    parse_hierarchy,
    parse_with,
    party_elements,
    period_elements,
    procedure_element,
    read_all,
    read_count,
    read_party,
    read_period,
    read_procedure,
    read_reference,
    read_status,
    reference_elements,
    seg,
    set_segments,
    status_elements,
)
from openrcm.core.x12.segments import Segment
from openrcm.core.x12.tokenizer import Source
from openrcm.core.x12.writer import Element, OutgoingSet, SegmentWriter

__all__ = [
    "GUIDE",
    "BillingProviderAck",
    "ClaimAck",
    "ClaimAcknowledgment",
    "InformationReceiverAck",
    "InformationSourceAck",
    "Party",
    "PatientAck",
    "Period",
    "Procedure",
    "Reference",
    "ServiceLineAck",
    "SourceReceipt",
    "Status",
    "StatusCode",
    "iter_277ca",
    "outgoing_277ca",
    "parse_277ca",
    "read_277ca",
    "write_277ca",
]

C = X12ErrorCode
GUIDE = "005010X214"
NAME = "277CA (005010X214)"

# ---------------------------------------------------------------------------------------------
# Model
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ServiceLineAck:
    """2220D: the status of one service line of a claim."""

    procedure: Procedure  # SVC01
    charge: Decimal  # SVC02
    status: Status  # STC
    revenue_code: str = ""  # SVC04
    units: Decimal | None = None  # SVC07
    line_item_control_number: str = ""  # REF*FJ (our REF*6R of the 837)
    prescription_number: str = ""  # REF*XZ
    service_period: Period | None = None  # DTP*472


@dataclass(slots=True)
class ClaimAck:
    """2200D: the acknowledgment of one claim."""

    patient_control_number: str  # TRN02 (CLM01 of the 837)
    statuses: list[Status]  # STC, one or more
    service_period: Period  # DTP*472
    payer_claim_control_number: str = ""  # REF*1K
    clearinghouse_trace_number: str = ""  # REF*D9
    bill_type: str = ""  # REF*BLT (institutional claims)
    lines: list[ServiceLineAck] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        """Every status category of the claim (STC01-1, STC10-1, STC11-1 of each STC)."""
        return [c.category for st in self.statuses for c in st.codes]

    @property
    def rejected(self) -> bool:
        """Returned unprocessed (A3, A6, A7, A8): fix and resubmit as a new claim."""
        return any(c in REJECTED_CATEGORIES for c in self.categories)

    @property
    def accepted(self) -> bool:
        """Received or accepted into adjudication (A1/A2) and not rejected."""
        return not self.rejected and any(c in ACCEPTED_CATEGORIES for c in self.categories)

    @property
    def total_charge(self) -> Decimal | None:
        """STC04 of the first status (the claim's total charge)."""
        return self.statuses[0].charge_amount if self.statuses else None


@dataclass(slots=True)
class PatientAck:
    """2000D: a patient (2100D NM1*QC) and the acknowledgments of the patient's claims."""

    patient: Party
    claims: list[ClaimAck] = field(default_factory=list)


@dataclass(slots=True)
class BillingProviderAck:
    """2000C: a billing provider, its status (2200C) and its patients."""

    provider: Party  # NM1*85
    trace: str  # TRN02 (TRN01 = 1)
    statuses: list[Status]  # STC
    patients: list[PatientAck]
    secondary_id: Reference | None = None  # REF (0B, 1G, G2, LU, SY, TJ)
    accepted_quantity: int | None = None  # QTY*QA
    rejected_quantity: int | None = None  # QTY*QC
    accepted_amount: Decimal | None = None  # AMT*YU
    rejected_amount: Decimal | None = None  # AMT*YY


@dataclass(slots=True)
class InformationReceiverAck:
    """2000B: the submitter of the 837 (2100B NM1*41) and the batch status (2200B)."""

    receiver: Party
    trace: str  # TRN02 (TRN01 = 2): the submitter's batch id (BHT03 of the 837)
    statuses: list[Status]
    providers: list[BillingProviderAck]
    accepted_quantity: int | None = None  # QTY*90
    rejected_quantity: int | None = None  # QTY*AA
    accepted_amount: Decimal | None = None  # AMT*YU
    rejected_amount: Decimal | None = None  # AMT*YY


@dataclass(slots=True)
class SourceReceipt:
    """2200A: the transmission receipt control id with the dates of receipt and processing."""

    trace: str  # TRN02 (TRN01 = 1)
    received: date  # DTP*050
    processed: date  # DTP*009


@dataclass(slots=True)
class InformationSourceAck:
    """2000A: the payer or clearinghouse that acknowledges (2100A NM1*PR or *AY)."""

    source: Party
    receipts: list[SourceReceipt]
    receiver: InformationReceiverAck


@dataclass(slots=True)
class ClaimAcknowledgment:
    """One 277CA transaction set."""

    control_number: str  # ST02
    reference: str  # BHT03: originator application transaction id
    created: date  # BHT04
    created_time: time  # BHT05
    sources: list[InformationSourceAck]

    def claims(self) -> Iterator[tuple[BillingProviderAck, PatientAck, ClaimAck]]:
        """Every claim acknowledgment with its billing provider and patient, in file order."""
        for src in self.sources:
            for prov in src.receiver.providers:
                for pat in prov.patients:
                    for claim in pat.claims:
                        yield prov, pat, claim


# ---------------------------------------------------------------------------------------------
# Grammar
# ---------------------------------------------------------------------------------------------

_STC = "STC"
HEADER = Loop(
    "HEADER", "Header", seg("BHT", "Beginning of Hierarchical Transaction", 1, 1), (), 1, 1
)
L2220D = Loop(
    "2220D",
    "Service Line Information",
    seg("SVC", "Service Line Information"),
    (
        seg(_STC, "Service Line Level Status Information", 1, 1),
        seg("REF", "Service Line Item Identification", 0, 1, "FJ"),
        seg("REF", "Pharmacy Prescription Number", 0, 1, "XZ"),
        seg("DTP", "Service Line Date", 0, 1, "472"),
    ),
    0,
    None,
)
L2200D = Loop(
    "2200D",
    "Claim Status Tracking Number",
    seg("TRN", "Claim Status Tracking Number"),
    (
        seg(_STC, "Claim Level Status Information", 1, None),
        seg("REF", "Payer Claim Control Number", 0, 1, "1K"),
        seg("REF", "Clearinghouse Trace Number", 0, 1, "D9"),
        seg("REF", "Institutional Bill Type Identification", 0, 1, "BLT"),
        seg("DTP", "Claim Level Service Date", 1, 1, "472"),
        L2220D,
    ),
    0,
    None,
)
L2000D = Loop(
    "2000D",
    "Patient Level",
    seg("HL", "Patient Level"),
    (Loop("2100D", "Patient Name", seg("NM1", "Patient Name"), (), 1, 1), L2200D),
)
L2000C = Loop(
    "2000C",
    "Billing Provider of Service Level",
    seg("HL", "Billing Provider of Service Level"),
    (
        Loop("2100C", "Billing Provider Name", seg("NM1", "Billing Provider Name"), (), 1, 1),
        Loop(
            "2200C",
            "Provider of Service Information Trace Identifier",
            seg("TRN", "Provider of Service Information Trace Identifier"),
            (
                seg(_STC, "Billing Provider Status Information", 1, None),
                seg(
                    "REF", "Provider Secondary Identifier", 0, 1, "0B", "1G", "G2", "LU", "SY", "TJ"
                ),
                seg("QTY", "Total Accepted Quantity", 0, 1, "QA"),
                seg("QTY", "Total Rejected Quantity", 0, 1, "QC"),
                seg("AMT", "Total Accepted Amount", 0, 1, "YU"),
                seg("AMT", "Total Rejected Amount", 0, 1, "YY"),
            ),
            1,
            1,
        ),
    ),
)
L2000B = Loop(
    "2000B",
    "Information Receiver Level",
    seg("HL", "Information Receiver Level"),
    (
        Loop(
            "2100B", "Information Receiver Name", seg("NM1", "Information Receiver Name"), (), 1, 1
        ),
        Loop(
            "2200B",
            "Information Receiver Trace Identifier",
            seg("TRN", "Information Receiver Trace Identifier"),
            (
                seg(_STC, "Information Receiver Status Information", 1, None),
                seg("QTY", "Total Accepted Quantity", 0, 1, "90"),
                seg("QTY", "Total Rejected Quantity", 0, 1, "AA"),
                seg("AMT", "Total Accepted Amount", 0, 1, "YU"),
                seg("AMT", "Total Rejected Amount", 0, 1, "YY"),
            ),
            1,
            1,
        ),
    ),
)
L2000A = Loop(
    "2000A",
    "Information Source Level",
    seg("HL", "Information Source Level"),
    (
        Loop("2100A", "Information Source Name", seg("NM1", "Information Source Name"), (), 1, 1),
        Loop(
            "2200A",
            "Transmission Receipt Control Identifier",
            seg("TRN", "Transmission Receipt Control Identifier"),
            (
                seg("DTP", "Information Source Receipt Date", 1, 1, "050"),
                seg("DTP", "Information Source Process Date", 1, 1, "009"),
            ),
            1,
            None,
        ),
    ),
)
SPEC = HierarchySpec(
    NAME,
    HEADER,
    (
        LevelSpec("20", L2000A, frozenset({None}), True, (("21", 1, 1),)),
        LevelSpec("21", L2000B, frozenset({"20"}), True, (("19", 1, None),)),
        LevelSpec("19", L2000C, frozenset({"21"}), True, (("PT", 1, None),)),
        LevelSpec("PT", L2000D, frozenset({"19"}), False, ()),
    ),
)

# ---------------------------------------------------------------------------------------------
# Reader
# ---------------------------------------------------------------------------------------------

_ONE = frozenset({"1"})
_TWO = frozenset({"2"})
_ACTIONS = frozenset({"WQ", "U"})


# STC elements each loop uses (pyx12's X214 map agrees): the billing provider's status has no
# date, a service line's has no amount and is only a rejection (U).
STC_USED = {
    "2200B": frozenset({1, 2, 3, 4, 10, 11}),
    "2200C": frozenset({1, 3, 4, 10, 11}),
    "2200D": frozenset({1, 2, 3, 4, 10, 11, 12}),
    "2220D": frozenset({1, 2, 3, 10, 11}),
}


def _status(s: Segment, loop: str) -> Status:
    used = STC_USED[loop]
    st = read_status(s, loop, date_required=2 in used, used=used)
    for pos in (1, 10, 11):
        if s.comp(pos, 4):
            raise s.error_at(
                C.ELEMENT_NOT_USED,
                f"STC{pos:02d}-4 (code list qualifier) is not used in a 277CA",
                element=pos,
                component=4,
                loop=loop,
            )
    return st


def _statuses(node: Node, loop: str) -> list[Status]:
    out: list[Status] = []
    for s in node.many(_STC):
        st = _status(s, loop)
        s.require_code(3, _ACTIONS, "Action Code", loop)
        s.require_decimal(4, "Total Claim Charge Amount", loop)
        out.append(st)
    return out


def _stc(st: Status, loop: str) -> list[Element]:
    if any(c.code_list_qualifier for c in st.codes):
        raise X12Error(
            C.WRITE_INVALID, "a 277CA status carries no code list qualifier (STC01-4)", loop=loop
        )
    return status_elements(st, STC_USED[loop])


def _count(node: Node, qual: str, loop: str) -> int | None:
    s = node.one("QTY", qual)
    if s is None:
        return None
    s.check_max_elements(2, loop)
    return read_count(s, 2, "Quantity", loop)


def _amount(node: Node, qual: str, loop: str) -> Decimal | None:
    s = node.one("AMT", qual)
    if s is None:
        return None
    s.check_max_elements(2, loop)
    return s.require_decimal(2, "Monetary Amount", loop)


def _trace(node: Node, types: frozenset[str], loop: str) -> str:
    s = node.first
    s.require_code(1, types, "Trace Type Code", loop)
    s.check_max_elements(2, loop)
    return s.require(2, "Trace Number", loop)


def _ref(s: Segment, loop: str) -> Reference:
    _not_used(s, (3, 4), loop)
    return read_reference(s, loop)


def _ref_value(node: Node, qual: str, loop: str) -> str:
    s = node.one("REF", qual)
    if s is None:
        return ""
    return _ref(s, loop).value


# NM1 elements a loop does not use (NM110-NM112 are used nowhere in a 277CA).
_NM1_NOT_USED = {"2100A": (4, 5, 6, 7, 10), "2100B": (6, 7, 10), "2100C": (10,), "2100D": (10,)}
_SVC_QUALIFIERS = frozenset({"AD", "ER", "HC", "HP", "IV", "NU"})


def _not_used(s: Segment, positions: tuple[int, ...], loop: str) -> None:
    for pos in positions:
        if s.el(pos):
            raise s.error_at(
                C.ELEMENT_NOT_USED,
                f"{s.id}{pos:02d} is not used in loop {loop} of a 277CA",
                element=pos,
                loop=loop,
            )


def _name(level: Level, loop: str, codes: frozenset[str], id_qualifiers: frozenset[str]) -> Party:
    node = level.node.loop1(loop)
    assert node is not None  # the grammar requires it
    _not_used(node.first, _NM1_NOT_USED[loop], loop)
    return read_party(node.first, loop, codes=codes, id_qualifiers=id_qualifiers)


def _line(node: Node) -> ServiceLineAck:
    loop = "2220D"
    svc = node.first
    svc.check_max_elements(7, loop)
    procedure = read_procedure(svc, 1, loop)
    if procedure.qualifier not in _SVC_QUALIFIERS:
        raise svc.error_at(
            C.CODE_INVALID,
            f"SVC01-1 is {procedure.qualifier!r}, expected one of "
            + ", ".join(sorted(_SVC_QUALIFIERS)),
            element=1,
            component=1,
            loop=loop,
        )
    charge = svc.require_decimal(2, "Line Item Charge Amount", loop)
    for pos in (3, 5, 6):
        if svc.el(pos):
            raise svc.error_at(
                C.ELEMENT_NOT_USED, f"SVC{pos:02d} is not used in a 277CA", element=pos, loop=loop
            )
    stc = node.one(_STC)
    assert stc is not None
    status = _status(stc, loop)
    stc.require_code(3, frozenset({"U"}), "Action Code", loop)
    dtp = node.one("DTP", "472")
    return ServiceLineAck(
        procedure=procedure,
        charge=charge,
        status=status,
        revenue_code=svc.el(4),
        units=svc.decimal_el(7, "Units of Service Count", loop),
        line_item_control_number=_ref_value(node, "FJ", loop),
        prescription_number=_ref_value(node, "XZ", loop),
        service_period=read_period(dtp, 2, 3, loop) if dtp is not None else None,
    )


def _claim(node: Node) -> ClaimAck:
    loop = "2200D"
    dtp = node.one("DTP", "472")
    assert dtp is not None
    return ClaimAck(
        patient_control_number=_trace(node, _TWO, loop),
        statuses=_statuses(node, loop),
        service_period=read_period(dtp, 2, 3, loop),
        payer_claim_control_number=_ref_value(node, "1K", loop),
        clearinghouse_trace_number=_ref_value(node, "D9", loop),
        bill_type=_ref_value(node, "BLT", loop),
        lines=[_line(n) for n in node.loops("2220D")],
    )


def _patient(level: Level) -> PatientAck:
    patient = _name(
        level,
        "2100D",
        codes=frozenset({"QC"}),
        id_qualifiers=frozenset({"II", "MI"}),
    )
    return PatientAck(patient, [_claim(n) for n in level.node.loops("2200D")])


def _provider(level: Level) -> BillingProviderAck:
    loop = "2200C"
    provider = _name(
        level, "2100C", codes=frozenset({"85"}), id_qualifiers=frozenset({"FI", "SV", "XX"})
    )
    node = level.node.loop1(loop)
    assert node is not None
    ref = node.one("REF")
    return BillingProviderAck(
        provider=provider,
        trace=_trace(node, _ONE, loop),
        statuses=_statuses(node, loop),
        patients=[_patient(k) for k in level.children],
        secondary_id=_ref(ref, loop) if ref is not None else None,
        accepted_quantity=_count(node, "QA", loop),
        rejected_quantity=_count(node, "QC", loop),
        accepted_amount=_amount(node, "YU", loop),
        rejected_amount=_amount(node, "YY", loop),
    )


def _receiver(level: Level) -> InformationReceiverAck:
    loop = "2200B"
    receiver = _name(level, "2100B", codes=frozenset({"41"}), id_qualifiers=frozenset({"46"}))
    node = level.node.loop1(loop)
    assert node is not None
    return InformationReceiverAck(
        receiver=receiver,
        trace=_trace(node, _TWO, loop),
        statuses=_statuses(node, loop),
        providers=[_provider(k) for k in level.children],
        accepted_quantity=_count(node, "90", loop),
        rejected_quantity=_count(node, "AA", loop),
        accepted_amount=_amount(node, "YU", loop),
        rejected_amount=_amount(node, "YY", loop),
    )


def _receipt(node: Node) -> SourceReceipt:
    loop = "2200A"
    dates: dict[str, date] = {}
    for q in ("050", "009"):
        s = node.one("DTP", q)
        assert s is not None
        s.require_code(2, frozenset({"D8"}), "Date Time Period Format Qualifier", loop)
        s.check_max_elements(3, loop)
        dates[q] = s.require_date(3, "Date", loop)
    return SourceReceipt(_trace(node, _ONE, loop), dates["050"], dates["009"])


def _source(level: Level) -> InformationSourceAck:
    source = _name(
        level,
        "2100A",
        codes=frozenset({"PR", "AY"}),
        id_qualifiers=frozenset({"46", "FI", "PI", "XV"}),
    )
    return InformationSourceAck(
        source=source,
        receipts=[_receipt(n) for n in level.node.loops("2200A")],
        receiver=_receiver(level.children[0]),
    )


def _parse(ts: TransactionSetResult) -> ClaimAcknowledgment:
    segs, end = set_segments(ts, "277", (GUIDE,), NAME)
    tree = parse_hierarchy(SPEC, segs, end)
    bht = tree.header.first
    loop = "HEADER"
    bht.require_code(1, frozenset({"0085"}), "Hierarchical Structure Code", loop)
    bht.require_code(2, frozenset({"08"}), "Transaction Set Purpose Code", loop)
    bht.require_code(6, frozenset({"TH"}), "Transaction Type Code", loop)
    bht.check_max_elements(6, loop)
    return ClaimAcknowledgment(
        control_number=ts.control_number,
        reference=bht.require(3, "Originator Application Transaction Identifier", loop),
        created=bht.require_date(4, "Transaction Set Creation Date", loop),
        created_time=bht.require_time(5, "Transaction Set Creation Time", loop),
        sources=[_source(lv) for lv in tree.roots],
    )


def parse_277ca(ts: TransactionSetResult) -> ClaimAcknowledgment:
    """One 277CA transaction set of an envelope (see ``envelope.iter_transaction_sets``).

    Raises X12Error naming the defect (segment number and id, element, loop)."""
    return parse_with(ts, _parse)


def read_277ca(source: Source, *, file: str | None = None) -> list[ClaimAcknowledgment]:
    """Every 277CA transaction set of a file; the first defect raises X12Error."""
    return read_all(source, file, _parse)


def iter_277ca(
    source: Source, *, file: str | None = None
) -> Iterator[ClaimAcknowledgment | X12Error]:
    """Each 277CA transaction set of a file, or the X12Error of a bad set (the good ones still
    read)."""
    return iter_all(source, file, _parse)


def segment_ids() -> set[str]:
    """Every segment id the 277CA grammar uses (for the names table and the show view)."""
    return SPEC.segment_ids()


# ---------------------------------------------------------------------------------------------
# Writer
# ---------------------------------------------------------------------------------------------


def _write_party(w: SegmentWriter, p: Party) -> None:
    w.seg("NM1", *party_elements(p))


def _write_qty_amt(
    w: SegmentWriter,
    quals: tuple[str, str, str, str],
    values: tuple[int | None, int | None, Decimal | None, Decimal | None],
) -> None:
    for i, (q, v) in enumerate(zip(quals, values, strict=True)):
        if v is not None:
            w.seg("QTY" if i < 2 else "AMT", q, v)


def _require_list(items: list[object], what: str) -> None:
    if not items:
        raise X12Error(C.WRITE_INVALID, f"a 277CA needs at least one {what}")


def write_277ca(ack: ClaimAcknowledgment, w: SegmentWriter) -> None:
    """The segments of ``ack`` between ST and SE."""
    w.seg("BHT", "0085", "08", ack.reference, ack.created, ack.created_time, "TH")
    hl = HLWriter(w)
    _require_list(list(ack.sources), "information source")
    for src in ack.sources:
        a = hl.hl(None, "20", True)
        _write_party(w, src.source)
        _require_list(list(src.receipts), "transmission receipt (2200A)")
        for r in src.receipts:
            w.seg("TRN", "1", r.trace)
            w.seg("DTP", "050", "D8", r.received)
            w.seg("DTP", "009", "D8", r.processed)
        rcv = src.receiver
        b = hl.hl(a, "21", bool(rcv.providers))
        _write_party(w, rcv.receiver)
        w.seg("TRN", "2", rcv.trace)
        _require_list(list(rcv.statuses), "information receiver status (2200B STC)")
        for st in rcv.statuses:
            w.seg(_STC, *_stc(st, "2200B"))
        _write_qty_amt(
            w,
            ("90", "AA", "YU", "YY"),
            (
                rcv.accepted_quantity,
                rcv.rejected_quantity,
                rcv.accepted_amount,
                rcv.rejected_amount,
            ),
        )
        for prov in rcv.providers:
            c = hl.hl(b, "19", bool(prov.patients))
            _write_party(w, prov.provider)
            w.seg("TRN", "1", prov.trace)
            _require_list(list(prov.statuses), "billing provider status (2200C STC)")
            for st in prov.statuses:
                w.seg(_STC, *_stc(st, "2200C"))
            if prov.secondary_id is not None:
                w.seg("REF", *reference_elements(prov.secondary_id))
            _write_qty_amt(
                w,
                ("QA", "QC", "YU", "YY"),
                (
                    prov.accepted_quantity,
                    prov.rejected_quantity,
                    prov.accepted_amount,
                    prov.rejected_amount,
                ),
            )
            for pat in prov.patients:
                hl.hl(c, "PT", None)
                _write_party(w, pat.patient)
                for claim in pat.claims:
                    _write_claim(w, claim)


def _write_claim(w: SegmentWriter, claim: ClaimAck) -> None:
    w.seg("TRN", "2", claim.patient_control_number)
    _require_list(list(claim.statuses), "claim status (2200D STC)")
    for st in claim.statuses:
        w.seg(_STC, *_stc(st, "2200D"))
    for qual, value in (
        ("1K", claim.payer_claim_control_number),
        ("D9", claim.clearinghouse_trace_number),
        ("BLT", claim.bill_type),
    ):
        if value:
            w.seg("REF", qual, value)
    w.seg("DTP", "472", *period_elements(claim.service_period))
    for line in claim.lines:
        w.seg(
            "SVC",
            procedure_element(line.procedure),
            line.charge,
            "",
            line.revenue_code,
            "",
            "",
            line.units,
        )
        w.seg(_STC, *_stc(line.status, "2220D"))
        if line.line_item_control_number:
            w.seg("REF", "FJ", line.line_item_control_number)
        if line.prescription_number:
            w.seg("REF", "XZ", line.prescription_number)
        if line.service_period is not None:
            w.seg("DTP", "472", *period_elements(line.service_period))


def outgoing_277ca(ack: ClaimAcknowledgment) -> OutgoingSet:
    """``ack`` as a set for :func:`openrcm.core.x12.writer.write_interchange` (GS01 HN,
    version 005010X214)."""
    return OutgoingSet("277", ack.control_number, lambda w: write_277ca(ack, w), GUIDE)
