"""276 claim status request and 277 claim status response (005010X212): readers and writers.

A/R follow-up asks a payer where a claim stands (``write_276``) and reads the answer
(``read_277``): per claim and per service line a status (STC: category F0-F4 finalized, P0-P5
pending, A0-A8 acknowledgment, R request for information, E errors ...), the payer's claim
number, amounts and dates. The sandbox payer answers with ``write_277``.

Both sets are HL hierarchies::

    2000A information source (HL 20: the payer, 2100A NM1*PR [PER in the 277])
      2000B information receiver (HL 21: who asks, 2100B NM1*41 [2200B TRN/STC in the 277])
        2000C service provider (HL 19: 2100C NM1*1P, up to 2 [2200C TRN/STC in the 277])
          2000D subscriber (HL 22: [DMG] 2100D NM1*IL)
            2200D claim: TRN, [STC], REF*1K/BLT/LU/6P/EJ/XZ/VV/D9, [AMT*T3], DTP*472
              2210D (276) / 2220D (277) service line: SVC, [STC], REF*FJ, DTP*472
            2000E dependent (HL 23: DMG, 2100E NM1*QC, 2200E claims as 2200D)

The 276 claim's TRN*1 trace number comes back in the 277 as TRN*2, which is how an answer is
matched to its question.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from openrcm.core.x12.envelope import TransactionSetResult
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.hierarchy import (
    Contact,
    Demographics,
    HierarchySpec,
    HLWriter,
    Level,
    LevelSpec,
    Loop,
    Node,
    Party,
    Period,
    Procedure,
    Status,
    StatusCode,
    contact_elements,
    demographics_elements,
    iter_all,
    parse_hierarchy,
    parse_with,
    party_elements,
    period_elements,
    procedure_element,
    read_all,
    read_contact,
    read_demographics,
    read_party,
    read_period,
    read_procedure,
    read_reference,
    read_status,
    seg,
    set_segments,
    status_elements,
)
from openrcm.core.x12.segments import Segment
from openrcm.core.x12.tokenizer import Source
from openrcm.core.x12.writer import OutgoingSet, SegmentWriter

__all__ = [
    "GUIDE",
    "ClaimInquiry",
    "ClaimStatusInfo",
    "ClaimStatusRequest",
    "ClaimStatusResponse",
    "Contact",
    "Demographics",
    "LineInquiry",
    "LineStatus",
    "Party",
    "Period",
    "Procedure",
    "RequestDependent",
    "RequestPayer",
    "RequestProvider",
    "RequestReceiver",
    "RequestSubscriber",
    "ResponseDependent",
    "ResponsePayer",
    "ResponseProvider",
    "ResponseReceiver",
    "ResponseSubscriber",
    "Status",
    "StatusCode",
    "TraceStatus",
    "iter_276",
    "iter_277",
    "outgoing_276",
    "outgoing_277",
    "parse_276",
    "parse_277",
    "read_276",
    "read_277",
    "write_276",
    "write_277",
]

C = X12ErrorCode
GUIDE = "005010X212"

# ---------------------------------------------------------------------------------------------
# Model: 276
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class LineInquiry:
    """2210D / 2210E: a service line asked about."""

    procedure: Procedure  # SVC01
    charge: Decimal  # SVC02
    service_period: Period  # DTP*472
    revenue_code: str = ""  # SVC04
    units: Decimal | None = None  # SVC07
    line_item_control_number: str = ""  # REF*FJ


@dataclass(slots=True)
class ClaimInquiry:
    """2200D / 2200E: a claim asked about."""

    trace_number: str  # TRN02 (TRN01 = 1): comes back as TRN*2 in the 277
    payer_claim_control_number: str = ""  # REF*1K
    bill_type: str = ""  # REF*BLT
    application_system_id: str = ""  # REF*LU
    group_number: str = ""  # REF*6P
    patient_control_number: str = ""  # REF*EJ (CLM01 of the 837)
    prescription_number: str = ""  # REF*XZ
    clearinghouse_trace_number: str = ""  # REF*D9
    total_charge: Decimal | None = None  # AMT*T3
    service_period: Period | None = None  # DTP*472
    lines: list[LineInquiry] = field(default_factory=list)


@dataclass(slots=True)
class RequestDependent:
    """2000E of a 276: the patient when not the subscriber."""

    patient: Party  # NM1*QC
    demographics: Demographics  # DMG
    claims: list[ClaimInquiry] = field(default_factory=list)


@dataclass(slots=True)
class RequestSubscriber:
    """2000D of a 276."""

    subscriber: Party  # NM1*IL
    demographics: Demographics | None = None  # DMG
    claims: list[ClaimInquiry] = field(default_factory=list)
    dependents: list[RequestDependent] = field(default_factory=list)


@dataclass(slots=True)
class RequestProvider:
    """2000C of a 276: the provider of service (one or two NM1*1P)."""

    names: list[Party]
    subscribers: list[RequestSubscriber] = field(default_factory=list)

    @property
    def provider(self) -> Party:
        return self.names[0]


@dataclass(slots=True)
class RequestReceiver:
    """2000B of a 276: who asks (NM1*41)."""

    receiver: Party
    providers: list[RequestProvider] = field(default_factory=list)


@dataclass(slots=True)
class RequestPayer:
    """2000A of a 276: the payer asked (NM1*PR)."""

    payer: Party
    receivers: list[RequestReceiver] = field(default_factory=list)


@dataclass(slots=True)
class ClaimStatusRequest:
    """One 276 transaction set."""

    control_number: str  # ST02
    reference: str  # BHT03
    created: date  # BHT04
    created_time: time  # BHT05
    payers: list[RequestPayer]

    def claims(self) -> Iterator[ClaimInquiry]:
        for p in self.payers:
            for r in p.receivers:
                for prov in r.providers:
                    for sub in prov.subscribers:
                        yield from sub.claims
                        for dep in sub.dependents:
                            yield from dep.claims


# ---------------------------------------------------------------------------------------------
# Model: 277
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class TraceStatus:
    """2200B / 2200C of a 277: a trace number with its statuses."""

    trace: str  # TRN02
    statuses: list[Status]  # STC


@dataclass(slots=True)
class LineStatus:
    """2220D / 2220E: the status of a service line."""

    procedure: Procedure  # SVC01
    charge: Decimal  # SVC02
    payment: Decimal  # SVC03
    units: Decimal  # SVC07
    statuses: list[Status]  # STC
    service_period: Period  # DTP*472
    revenue_code: str = ""  # SVC04
    line_item_control_number: str = ""  # REF*FJ


@dataclass(slots=True)
class ClaimStatusInfo:
    """2200D / 2200E: the status of a claim."""

    trace_number: str  # TRN02 (TRN01 = 2): the 276's TRN*1 trace number
    statuses: list[Status]  # STC
    payer_claim_control_number: str = ""  # REF*1K
    bill_type: str = ""  # REF*BLT
    patient_control_number: str = ""  # REF*EJ
    prescription_number: str = ""  # REF*XZ
    voucher: str = ""  # REF*VV
    clearinghouse_trace_number: str = ""  # REF*D9
    service_period: Period | None = None  # DTP*472
    lines: list[LineStatus] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        return [c.category for st in self.statuses for c in st.codes]

    @property
    def finalized(self) -> bool:
        """Any status in the F (finalized) categories."""
        return any(c.startswith("F") for c in self.categories)

    @property
    def pending(self) -> bool:
        """Any status in the P (pending) categories."""
        return any(c.startswith("P") for c in self.categories)


@dataclass(slots=True)
class ResponseDependent:
    """2000E of a 277."""

    patient: Party  # NM1*QC
    claims: list[ClaimStatusInfo] = field(default_factory=list)


@dataclass(slots=True)
class ResponseSubscriber:
    """2000D of a 277."""

    subscriber: Party  # NM1*IL
    claims: list[ClaimStatusInfo] = field(default_factory=list)
    dependents: list[ResponseDependent] = field(default_factory=list)


@dataclass(slots=True)
class ResponseProvider:
    """2000C of a 277."""

    names: list[Party]  # NM1*1P (one or two)
    status: TraceStatus | None = None  # 2200C
    subscribers: list[ResponseSubscriber] = field(default_factory=list)

    @property
    def provider(self) -> Party:
        return self.names[0]


@dataclass(slots=True)
class ResponseReceiver:
    """2000B of a 277."""

    receiver: Party  # NM1*41
    status: TraceStatus | None = None  # 2200B
    providers: list[ResponseProvider] = field(default_factory=list)


@dataclass(slots=True)
class ResponsePayer:
    """2000A of a 277."""

    payer: Party  # NM1*PR
    contact: Contact | None = None  # PER*IC
    receivers: list[ResponseReceiver] = field(default_factory=list)


@dataclass(slots=True)
class ClaimStatusResponse:
    """One 277 (005010X212) transaction set."""

    control_number: str  # ST02
    reference: str  # BHT03
    created: date  # BHT04
    created_time: time  # BHT05
    payers: list[ResponsePayer]

    def claims(self) -> Iterator[ClaimStatusInfo]:
        for p in self.payers:
            for r in p.receivers:
                for prov in r.providers:
                    for sub in prov.subscribers:
                        yield from sub.claims
                        for dep in sub.dependents:
                            yield from dep.claims


# ---------------------------------------------------------------------------------------------
# Grammar
# ---------------------------------------------------------------------------------------------


def _header() -> Loop:
    return Loop("HEADER", "Header", seg("BHT", "Beginning of Hierarchical Transaction", 1, 1))


def _claim_loop(x: str, response: bool) -> Loop:
    line_id = f"22{'2' if response else '1'}0{x}"
    line_body = (
        *((seg("STC", "Service Line Status Information", 1, None),) if response else ()),
        seg("REF", "Service Line Item Identification", 0, 1, "FJ"),
        seg("DTP", "Service Line Date", 1, 1, "472"),
    )
    refs_276 = (
        seg("REF", "Payer Claim Control Number", 0, 1, "1K"),
        seg("REF", "Institutional Bill Type Identification", 0, 1, "BLT"),
        seg("REF", "Application or Location System Identifier", 0, 1, "LU"),
        seg("REF", "Group Number", 0, 1, "6P"),
        seg("REF", "Patient Control Number", 0, 1, "EJ"),
        seg("REF", "Pharmacy Prescription Number", 0, 1, "XZ"),
        seg("REF", "Clearinghouse Trace Number", 0, 1, "D9"),
    )
    refs_277 = (
        seg("REF", "Payer Claim Control Number", 0, 1, "1K"),
        seg("REF", "Institutional Bill Type Identification", 0, 1, "BLT"),
        seg("REF", "Patient Control Number", 0, 1, "EJ"),
        seg("REF", "Pharmacy Prescription Number", 0, 1, "XZ"),
        seg("REF", "Voucher Identifier", 0, 1, "VV"),
        seg("REF", "Clearinghouse Trace Number", 0, 1, "D9"),
    )
    body = (
        *((seg("STC", "Claim Level Status Information", 1, None),) if response else ()),
        *(refs_277 if response else refs_276),
        *(() if response else (seg("AMT", "Claim Submitted Charges", 0, 1, "T3"),)),
        seg("DTP", "Claim Service Date", 0, 1, "472"),
        Loop(
            line_id,
            "Service Line Information",
            seg("SVC", "Service Line Information"),
            line_body,
            0,
            None,
        ),
    )
    return Loop(
        f"2200{x}",
        "Claim Status Tracking Number",
        seg("TRN", "Claim Status Tracking Number"),
        body,
        0 if x == "D" else 1,
        None,
    )


def _spec(response: bool) -> HierarchySpec:
    name = "277 (005010X212)" if response else "276 (005010X212)"
    receiver_trace = (
        (
            Loop(
                "2200B",
                "Information Receiver Trace Identifier",
                seg("TRN", "Information Receiver Trace Identifier"),
                (seg("STC", "Information Receiver Status Information", 1, None),),
                0,
                1,
            ),
        )
        if response
        else ()
    )
    provider_trace = (
        (
            Loop(
                "2200C",
                "Provider of Service Trace Identifier",
                seg("TRN", "Provider of Service Trace Identifier"),
                (seg("STC", "Provider Status Information", 1, None),),
                0,
                1,
            ),
        )
        if response
        else ()
    )
    payer_body = (seg("PER", "Payer Contact Information"),) if response else ()
    dmg_d = () if response else (seg("DMG", "Subscriber Demographic Information"),)
    dmg_e = () if response else (seg("DMG", "Dependent Demographic Information", 1, 1),)
    return HierarchySpec(
        name,
        _header(),
        (
            LevelSpec(
                "20",
                Loop(
                    "2000A",
                    "Information Source Level",
                    seg("HL", "Information Source Level"),
                    (Loop("2100A", "Payer Name", seg("NM1", "Payer Name"), payer_body, 1, 1),),
                ),
                frozenset({None}),
                True,
                (("21", 1, None),),
            ),
            LevelSpec(
                "21",
                Loop(
                    "2000B",
                    "Information Receiver Level",
                    seg("HL", "Information Receiver Level"),
                    (
                        Loop(
                            "2100B",
                            "Information Receiver Name",
                            seg("NM1", "Information Receiver Name"),
                            (),
                            1,
                            1,
                        ),
                        *receiver_trace,
                    ),
                ),
                frozenset({"20"}),
                True,
                (("19", 0 if response else 1, None),),
            ),
            LevelSpec(
                "19",
                Loop(
                    "2000C",
                    "Service Provider Level",
                    seg("HL", "Service Provider Level"),
                    (
                        Loop("2100C", "Provider Name", seg("NM1", "Provider Name"), (), 1, 2),
                        *provider_trace,
                    ),
                ),
                frozenset({"21"}),
                True,
                (("22", 0 if response else 1, None),),
            ),
            LevelSpec(
                "22",
                Loop(
                    "2000D",
                    "Subscriber Level",
                    seg("HL", "Subscriber Level"),
                    (
                        *dmg_d,
                        Loop("2100D", "Subscriber Name", seg("NM1", "Subscriber Name"), (), 1, 1),
                        _claim_loop("D", response),
                    ),
                ),
                frozenset({"19"}),
                True,
                (("23", 0, None),),
            ),
            LevelSpec(
                "23",
                Loop(
                    "2000E",
                    "Dependent Level",
                    seg("HL", "Dependent Level"),
                    (
                        *dmg_e,
                        Loop("2100E", "Dependent Name", seg("NM1", "Dependent Name"), (), 1, 1),
                        _claim_loop("E", response),
                    ),
                ),
                frozenset({"22"}),
                False,
                (),
            ),
        ),
    )


SPEC_276 = _spec(False)
SPEC_277 = _spec(True)

# ---------------------------------------------------------------------------------------------
# Reader
# ---------------------------------------------------------------------------------------------


def _bht(bht: Segment, purpose: str, type_code: str | None) -> tuple[str, date, time]:
    loop = "HEADER"
    bht.require_code(1, frozenset({"0010"}), "Hierarchical Structure Code", loop)
    bht.require_code(2, frozenset({purpose}), "Transaction Set Purpose Code", loop)
    if type_code is None:
        if bht.el(6):
            raise bht.error_at(C.ELEMENT_NOT_USED, "BHT06 is not used in a 276", element=6)
    else:
        bht.require_code(6, frozenset({type_code}), "Transaction Type Code", loop)
    bht.check_max_elements(6, loop)
    return (
        bht.require(3, "Reference Identification", loop),
        bht.require_date(4, "Transaction Set Creation Date", loop),
        bht.require_time(5, "Transaction Set Creation Time", loop),
    )


def _ref(node: Node, qual: str) -> str:
    s = node.one("REF", qual)
    return read_reference(s, node.id).value if s is not None else ""


def _trace(node: Node, trace_type: str) -> str:
    s = node.first
    loop = node.id
    s.require_code(1, frozenset({trace_type}), "Trace Type Code", loop)
    s.check_max_elements(2, loop)
    return s.require(2, "Trace Number", loop)


def _svc(node: Node, response: bool) -> tuple[Procedure, Decimal, Decimal | None, Decimal | None]:
    s = node.first
    loop = node.id
    s.check_max_elements(7, loop)
    procedure = read_procedure(s, 1, loop)
    charge = s.require_decimal(2, "Line Item Charge Amount", loop)
    if response:
        s.require(3, "Line Item Provider Payment Amount", loop)
        s.require(7, "Original Units of Service Count", loop)
    else:
        for pos in (3,):
            if s.el(pos):
                raise s.error_at(
                    C.ELEMENT_NOT_USED, f"SVC{pos:02d} is not used in a 276", element=pos, loop=loop
                )
    for pos in (5, 6):
        if s.el(pos):
            raise s.error_at(
                C.ELEMENT_NOT_USED, f"SVC{pos:02d} is not used here", element=pos, loop=loop
            )
    return (
        procedure,
        charge,
        s.decimal_el(3, "Monetary Amount", loop),
        s.decimal_el(7, "Units of Service Count", loop),
    )


def _date_472(node: Node) -> Period | None:
    s = node.one("DTP", "472")
    if s is None:
        return None
    s.check_max_elements(3, node.id)
    return read_period(s, 2, 3, node.id)


def _line_inquiry(node: Node) -> LineInquiry:
    procedure, charge, _, units = _svc(node, False)
    period = _date_472(node)
    assert period is not None  # required by the grammar
    return LineInquiry(
        procedure=procedure,
        charge=charge,
        service_period=period,
        revenue_code=node.first.el(4),
        units=units,
        line_item_control_number=_ref(node, "FJ"),
    )


def _claim_inquiry(node: Node) -> ClaimInquiry:
    amt = node.one("AMT", "T3")
    if amt is not None:
        amt.check_max_elements(2, node.id)
    lines_id = "2210" + node.id[-1]
    return ClaimInquiry(
        trace_number=_trace(node, "1"),
        payer_claim_control_number=_ref(node, "1K"),
        bill_type=_ref(node, "BLT"),
        application_system_id=_ref(node, "LU"),
        group_number=_ref(node, "6P"),
        patient_control_number=_ref(node, "EJ"),
        prescription_number=_ref(node, "XZ"),
        clearinghouse_trace_number=_ref(node, "D9"),
        total_charge=amt.require_decimal(2, "Total Claim Charge Amount", node.id)
        if amt is not None
        else None,
        service_period=_date_472(node),
        lines=[_line_inquiry(n) for n in node.loops(lines_id)],
    )


# STC elements each loop of the 277 uses (as pyx12's X212 map): no action code, payment
# method or message; amounts and payment dates on claims only.
STC_USED_CLAIM = frozenset({1, 2, 4, 5, 6, 8, 9, 10, 11})
STC_USED_OTHER = frozenset({1, 2, 10, 11})


def _used(loop: str) -> frozenset[int]:
    return STC_USED_CLAIM if loop.startswith("2200") and loop[-1] in "DE" else STC_USED_OTHER


def _statuses(node: Node) -> list[Status]:
    used = _used(node.id)
    return [read_status(s, node.id, used=used) for s in node.many("STC")]


def _line_status(node: Node) -> LineStatus:
    procedure, charge, payment, units = _svc(node, True)
    period = _date_472(node)
    assert period is not None and payment is not None and units is not None
    return LineStatus(
        procedure=procedure,
        charge=charge,
        payment=payment,
        units=units,
        statuses=_statuses(node),
        service_period=period,
        revenue_code=node.first.el(4),
        line_item_control_number=_ref(node, "FJ"),
    )


def _claim_status(node: Node) -> ClaimStatusInfo:
    lines_id = "2220" + node.id[-1]
    return ClaimStatusInfo(
        trace_number=_trace(node, "2"),
        statuses=_statuses(node),
        payer_claim_control_number=_ref(node, "1K"),
        bill_type=_ref(node, "BLT"),
        patient_control_number=_ref(node, "EJ"),
        prescription_number=_ref(node, "XZ"),
        voucher=_ref(node, "VV"),
        clearinghouse_trace_number=_ref(node, "D9"),
        service_period=_date_472(node),
        lines=[_line_status(n) for n in node.loops(lines_id)],
    )


def _name(level: Level, loop: str, codes: frozenset[str], ids: frozenset[str] | None) -> Party:
    node = level.node.loop1(loop)
    assert node is not None  # required by the grammar
    return read_party(
        node.first,
        loop,
        codes=codes,
        name_required=loop not in ("2100B", "2100C"),
        id_required=ids is not None,
        id_qualifiers=ids,
    )


def _names(level: Level) -> list[Party]:
    return [
        read_party(
            n.first,
            "2100C",
            codes=frozenset({"1P"}),
            name_required=False,
            id_qualifiers=frozenset({"FI", "SV", "XX"}),
        )
        for n in level.node.loops("2100C")
    ]


def _no_id(level: Level, loop: str) -> None:
    node = level.node.loop1(loop)
    assert node is not None
    s = node.first
    for pos in (8, 9):
        if s.el(pos):
            raise s.error_at(
                C.ELEMENT_NOT_USED,
                f"NM1{pos:02d} is not used for a dependent (the subscriber carries the id)",
                element=pos,
                loop=loop,
            )


def _dmg(level: Level, loop: str) -> Demographics | None:
    s = level.node.one("DMG")
    if s is None:
        return None
    d = read_demographics(s, loop)
    if d.birth_date is None:
        s.require(2, "Birth Date", loop)
    return d


_PAYER = frozenset({"PR"})
_PAYER_IDS = frozenset({"PI", "XV"})
_RECEIVER = frozenset({"41"})
_SUBSCRIBER = frozenset({"IL"})
_SUBSCRIBER_IDS = frozenset({"24", "II", "MI"})
_DEPENDENT = frozenset({"QC"})


def _parse_276(ts: TransactionSetResult) -> ClaimStatusRequest:
    segs, end = set_segments(ts, "276", (GUIDE,), "276 (005010X212)")
    tree = parse_hierarchy(SPEC_276, segs, end)
    reference, created, created_time = _bht(tree.header.first, "13", None)
    payers: list[RequestPayer] = []
    for a in tree.roots:
        payer = RequestPayer(_name(a, "2100A", _PAYER, _PAYER_IDS))
        for b in a.children:
            rcv = RequestReceiver(_name(b, "2100B", _RECEIVER, frozenset({"46"})))
            for c in b.children:
                prov = RequestProvider(_names(c))
                for d in c.children:
                    sub = RequestSubscriber(
                        subscriber=_name(d, "2100D", _SUBSCRIBER, _SUBSCRIBER_IDS),
                        demographics=_dmg(d, "2000D"),
                        claims=[_claim_inquiry(n) for n in d.node.loops("2200D")],
                    )
                    for e in d.children:
                        _no_id(e, "2100E")
                        dmg = _dmg(e, "2000E")
                        assert dmg is not None  # required by the grammar
                        sub.dependents.append(
                            RequestDependent(
                                patient=_name(e, "2100E", _DEPENDENT, None),
                                demographics=dmg,
                                claims=[_claim_inquiry(n) for n in e.node.loops("2200E")],
                            )
                        )
                    prov.subscribers.append(sub)
                rcv.providers.append(prov)
            payer.receivers.append(rcv)
        payers.append(payer)
    return ClaimStatusRequest(ts.control_number, reference, created, created_time, payers)


def _trace_status(level: Level, loop: str, trace_type: str) -> TraceStatus | None:
    node = level.node.loop1(loop)
    if node is None:
        return None
    return TraceStatus(_trace(node, trace_type), _statuses(node))


def _parse_277(ts: TransactionSetResult) -> ClaimStatusResponse:
    segs, end = set_segments(ts, "277", (GUIDE,), "277 (005010X212)")
    tree = parse_hierarchy(SPEC_277, segs, end)
    reference, created, created_time = _bht(tree.header.first, "08", "DG")
    payers: list[ResponsePayer] = []
    for a in tree.roots:
        anode = a.node.loop1("2100A")
        assert anode is not None
        per = anode.one("PER")
        payer = ResponsePayer(
            payer=_name(a, "2100A", _PAYER, _PAYER_IDS),
            contact=read_contact(per, "2100A") if per is not None else None,
        )
        for b in a.children:
            rcv = ResponseReceiver(
                receiver=_name(b, "2100B", _RECEIVER, frozenset({"46"})),
                status=_trace_status(b, "2200B", "2"),
            )
            for c in b.children:
                prov = ResponseProvider(_names(c), _trace_status(c, "2200C", "1"))
                for d in c.children:
                    sub = ResponseSubscriber(
                        subscriber=_name(d, "2100D", _SUBSCRIBER, _SUBSCRIBER_IDS),
                        claims=[_claim_status(n) for n in d.node.loops("2200D")],
                    )
                    for e in d.children:
                        _no_id(e, "2100E")
                        sub.dependents.append(
                            ResponseDependent(
                                patient=_name(e, "2100E", _DEPENDENT, None),
                                claims=[_claim_status(n) for n in e.node.loops("2200E")],
                            )
                        )
                    prov.subscribers.append(sub)
                rcv.providers.append(prov)
            payer.receivers.append(rcv)
        payers.append(payer)
    return ClaimStatusResponse(ts.control_number, reference, created, created_time, payers)


def parse_276(ts: TransactionSetResult) -> ClaimStatusRequest:
    """One 276 transaction set of an envelope; X12Error names any defect."""
    return parse_with(ts, _parse_276)


def parse_277(ts: TransactionSetResult) -> ClaimStatusResponse:
    """One 277 (005010X212) transaction set of an envelope; X12Error names any defect."""
    return parse_with(ts, _parse_277)


def read_276(source: Source, *, file: str | None = None) -> list[ClaimStatusRequest]:
    """Every 276 of a file; the first defect raises X12Error."""
    return read_all(source, file, _parse_276)


def read_277(source: Source, *, file: str | None = None) -> list[ClaimStatusResponse]:
    """Every 277 (005010X212) of a file; the first defect raises X12Error."""
    return read_all(source, file, _parse_277)


def iter_276(source: Source, *, file: str | None = None) -> Iterator[ClaimStatusRequest | X12Error]:
    """Each 276 of a file, or the X12Error of a bad set."""
    return iter_all(source, file, _parse_276)


def iter_277(
    source: Source, *, file: str | None = None
) -> Iterator[ClaimStatusResponse | X12Error]:
    """Each 277 of a file, or the X12Error of a bad set."""
    return iter_all(source, file, _parse_277)


# ---------------------------------------------------------------------------------------------
# Writer
# ---------------------------------------------------------------------------------------------


def _w_party(w: SegmentWriter, p: Party) -> None:
    w.seg("NM1", *party_elements(p))


def _w_refs(w: SegmentWriter, pairs: tuple[tuple[str, str], ...]) -> None:
    for qual, value in pairs:
        if value:
            w.seg("REF", qual, value)


def _w_claim_inquiry(w: SegmentWriter, c: ClaimInquiry) -> None:
    w.seg("TRN", "1", c.trace_number)
    _w_refs(
        w,
        (
            ("1K", c.payer_claim_control_number),
            ("BLT", c.bill_type),
            ("LU", c.application_system_id),
            ("6P", c.group_number),
            ("EJ", c.patient_control_number),
            ("XZ", c.prescription_number),
            ("D9", c.clearinghouse_trace_number),
        ),
    )
    if c.total_charge is not None:
        w.seg("AMT", "T3", c.total_charge)
    if c.service_period is not None:
        w.seg("DTP", "472", *period_elements(c.service_period))
    for line in c.lines:
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
        if line.line_item_control_number:
            w.seg("REF", "FJ", line.line_item_control_number)
        w.seg("DTP", "472", *period_elements(line.service_period))


def _check_names(names: list[Party]) -> None:
    if not 1 <= len(names) <= 2:
        raise X12Error(C.WRITE_INVALID, "a service provider has one or two names (2100C)")


def write_276(req: ClaimStatusRequest, w: SegmentWriter) -> None:
    """The segments of a 276 between ST and SE."""
    w.seg("BHT", "0010", "13", req.reference, req.created, req.created_time)
    hl = HLWriter(w)
    for payer in req.payers:
        a = hl.hl(None, "20", bool(payer.receivers))
        _w_party(w, payer.payer)
        for rcv in payer.receivers:
            b = hl.hl(a, "21", bool(rcv.providers))
            _w_party(w, rcv.receiver)
            for prov in rcv.providers:
                c = hl.hl(b, "19", bool(prov.subscribers))
                _check_names(prov.names)
                for n in prov.names:
                    _w_party(w, n)
                for sub in prov.subscribers:
                    d = hl.hl(c, "22", bool(sub.dependents))
                    if sub.demographics is not None:
                        w.seg("DMG", *demographics_elements(sub.demographics))
                    _w_party(w, sub.subscriber)
                    for claim in sub.claims:
                        _w_claim_inquiry(w, claim)
                    for dep in sub.dependents:
                        hl.hl(d, "23", None)
                        w.seg("DMG", *demographics_elements(dep.demographics))
                        _w_party(w, dep.patient)
                        for claim in dep.claims:
                            _w_claim_inquiry(w, claim)


def _w_statuses(
    w: SegmentWriter, statuses: list[Status], what: str, used: frozenset[int] = STC_USED_OTHER
) -> None:
    if not statuses:
        raise X12Error(C.WRITE_INVALID, f"{what} needs at least one status (STC)")
    for st in statuses:
        w.seg("STC", *status_elements(st, used))


def _w_claim_status(w: SegmentWriter, c: ClaimStatusInfo) -> None:
    w.seg("TRN", "2", c.trace_number)
    _w_statuses(w, c.statuses, "a claim", STC_USED_CLAIM)
    _w_refs(
        w,
        (
            ("1K", c.payer_claim_control_number),
            ("BLT", c.bill_type),
            ("EJ", c.patient_control_number),
            ("XZ", c.prescription_number),
            ("VV", c.voucher),
            ("D9", c.clearinghouse_trace_number),
        ),
    )
    if c.service_period is not None:
        w.seg("DTP", "472", *period_elements(c.service_period))
    for line in c.lines:
        w.seg(
            "SVC",
            procedure_element(line.procedure),
            line.charge,
            line.payment,
            line.revenue_code,
            "",
            "",
            line.units,
        )
        _w_statuses(w, line.statuses, "a service line")
        if line.line_item_control_number:
            w.seg("REF", "FJ", line.line_item_control_number)
        w.seg("DTP", "472", *period_elements(line.service_period))


def _w_trace_status(w: SegmentWriter, t: TraceStatus | None, trace_type: str) -> None:
    if t is None:
        return
    w.seg("TRN", trace_type, t.trace)
    _w_statuses(w, t.statuses, "a trace")


def write_277(resp: ClaimStatusResponse, w: SegmentWriter) -> None:
    """The segments of a 277 (005010X212) between ST and SE."""
    w.seg("BHT", "0010", "08", resp.reference, resp.created, resp.created_time, "DG")
    hl = HLWriter(w)
    for payer in resp.payers:
        a = hl.hl(None, "20", bool(payer.receivers))
        _w_party(w, payer.payer)
        if payer.contact is not None:
            w.seg("PER", *contact_elements(payer.contact))
        for rcv in payer.receivers:
            b = hl.hl(a, "21", bool(rcv.providers))
            _w_party(w, rcv.receiver)
            _w_trace_status(w, rcv.status, "2")
            for prov in rcv.providers:
                c = hl.hl(b, "19", bool(prov.subscribers))
                _check_names(prov.names)
                for n in prov.names:
                    _w_party(w, n)
                _w_trace_status(w, prov.status, "1")
                for sub in prov.subscribers:
                    d = hl.hl(c, "22", bool(sub.dependents))
                    _w_party(w, sub.subscriber)
                    for claim in sub.claims:
                        _w_claim_status(w, claim)
                    for dep in sub.dependents:
                        hl.hl(d, "23", None)
                        _w_party(w, dep.patient)
                        for claim in dep.claims:
                            _w_claim_status(w, claim)


def outgoing_276(req: ClaimStatusRequest) -> OutgoingSet:
    """``req`` as a set for ``write_interchange`` (GS01 HR, version 005010X212)."""
    return OutgoingSet("276", req.control_number, lambda w: write_276(req, w), GUIDE)


def outgoing_277(resp: ClaimStatusResponse) -> OutgoingSet:
    """``resp`` as a set for ``write_interchange`` (GS01 HN, version 005010X212)."""
    return OutgoingSet("277", resp.control_number, lambda w: write_277(resp, w), GUIDE)
