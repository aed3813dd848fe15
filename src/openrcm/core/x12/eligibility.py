"""270 eligibility inquiry and 271 eligibility response (005010X279A1): readers and writers.

We send a 270 before a visit (``write_270``) and read the payer's 271 (``read_271``): active or
inactive coverage, plan, deductible, copay and coinsurance by service type, in or out of network,
and AAA rejections with a follow-up action. The sandbox payer answers with ``write_271``.

Both sets are HL hierarchies::

    2000A information source (HL 20: the payer, 2100A NM1 [PER, AAA in the 271])
      2000B information receiver (HL 21: the provider asking, 2100B NM1 REF N3 N4 PRV)
        2000C subscriber (HL 22: TRN, 2100C NM1 REF N3 N4 PRV DMG INS HI DTP)
          2110C  270: EQ (service types), AMT, III, REF, DTP
                 271: EB (benefit), HSD, REF, DTP, AAA, MSG, 2115C III, LS 2120C NM1... LE
          2000D dependent (HL 23: the same loops with the letter D)

Both the 005010X279A1 guide and its first version 005010X279 (an example file of the guide says
so in GS08/ST03) are read: their 270/271 structures are the same for what we read; the version
read is kept in ``version`` and written back as is (``GUIDE`` by default).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from openrcm.core.x12.envelope import TransactionSetResult
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.hierarchy import (
    Address,
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
    ProviderInfo,
    Reference,
    Trace,
    address_segments,
    composite,
    contact_elements,
    demographics_elements,
    iter_all,
    parse_hierarchy,
    parse_with,
    party_elements,
    period_elements,
    procedure_element,
    provider_info_elements,
    read_address,
    read_all,
    read_contact,
    read_demographics,
    read_party,
    read_period,
    read_procedure,
    read_provider_info,
    read_reference,
    read_trace,
    reference_elements,
    seg,
    set_segments,
    trace_elements,
)
from openrcm.core.x12.segments import Segment
from openrcm.core.x12.tokenizer import Source
from openrcm.core.x12.writer import Element, OutgoingSet, SegmentWriter

__all__ = [
    "GUIDE",
    "VERSIONS",
    "AdditionalInfo",
    "Address",
    "Benefit",
    "BenefitInquiry",
    "Contact",
    "DatedPeriod",
    "Demographics",
    "Diagnosis",
    "EligibilityInquiry",
    "EligibilityResponse",
    "InquiryDependent",
    "InquiryReceiver",
    "InquirySource",
    "InquirySubscriber",
    "InsuredRelationship",
    "Member",
    "MilitaryInfo",
    "Party",
    "Period",
    "Procedure",
    "ProviderInfo",
    "Reference",
    "RelatedEntity",
    "RequestValidation",
    "ResponseDependent",
    "ResponseReceiver",
    "ResponseSource",
    "ResponseSubscriber",
    "ServiceDelivery",
    "Trace",
    "iter_270",
    "iter_271",
    "outgoing_270",
    "outgoing_271",
    "parse_270",
    "parse_271",
    "read_270",
    "read_271",
    "write_270",
    "write_271",
]

C = X12ErrorCode
GUIDE = "005010X279A1"
VERSIONS = (GUIDE, "005010X279")
"""Implementation guides read: X279A1 and the original X279 (written back as read)."""

# ---------------------------------------------------------------------------------------------
# Model: shared by 270 and 271
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class RequestValidation:
    """AAA: the request could not be answered (AAA01 N) or was answered with a reservation.
    AAA03 is the reject reason (72 invalid member id, 75 subscriber not found, 42 unable to
    respond now ...), AAA04 the follow-up action (C correct and resubmit, N do not resubmit,
    R resubmission allowed, W wait 30 days, X wait 10 days, Y do not resubmit, we will hand
    over, P/S please resubmit ...)."""

    valid: bool  # AAA01: Y / N
    reject_reason: str  # AAA03
    follow_up_action: str  # AAA04


@dataclass(slots=True)
class InsuredRelationship:
    """INS: the member's relationship (INS01 Y, INS02 18 self), maintenance type and reason
    (INS03 001, INS04 25: the payer changed the member's identification) and the birth
    sequence of twins (INS17)."""

    insured: str = "Y"
    relationship: str = "18"
    maintenance_type: str = ""
    maintenance_reason: str = ""
    birth_sequence: str = ""


@dataclass(slots=True)
class Diagnosis:
    """A composite of HI: code list qualifier (ABK / BK principal, ABF / BF other) and code."""

    qualifier: str
    code: str


@dataclass(slots=True)
class DatedPeriod:
    """DTP: a qualified date or range (291 plan, 307 eligibility, 346 plan begin, 356
    eligibility begin, 472 service ...)."""

    qualifier: str
    period: Period


@dataclass(slots=True)
class MilitaryInfo:
    """MPI: military personnel information (271)."""

    status: str  # MPI01
    employment_status: str  # MPI02
    affiliation: str  # MPI03
    description: str = ""  # MPI04
    rank: str = ""  # MPI05
    period: Period | None = None  # MPI06-07


@dataclass(slots=True)
class Member:
    """2100C / 2100D: the subscriber or dependent: name and id, other ids, address, demographics
    and dates; in a 271 also AAA rejections and military information."""

    name: Party  # NM1*IL (subscriber) or NM1*03 (dependent)
    references: list[Reference] = field(default_factory=list)  # REF
    address: Address | None = None  # N3 / N4
    validations: list[RequestValidation] = field(default_factory=list)  # AAA (271)
    provider: ProviderInfo | None = None  # PRV
    demographics: Demographics | None = None  # DMG
    relationship: InsuredRelationship | None = None  # INS
    diagnoses: list[Diagnosis] = field(default_factory=list)  # HI
    dates: list[DatedPeriod] = field(default_factory=list)  # DTP
    military: list[MilitaryInfo] = field(default_factory=list)  # MPI (271)

    @property
    def member_id(self) -> str:
        return self.name.identifier

    @property
    def birth_date(self) -> date | None:
        return self.demographics.birth_date if self.demographics else None

    @property
    def gender(self) -> str:
        return self.demographics.gender if self.demographics else ""


@dataclass(slots=True)
class AdditionalInfo:
    """III: code list qualifier (ZZ place of service, GR NCCI, NI nature of injury), industry
    code, code category and description."""

    qualifier: str = ""
    code: str = ""
    category: str = ""
    description: str = ""


# ---------------------------------------------------------------------------------------------
# Model: 270
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class BenefitInquiry:
    """2110C / 2110D EQ: what is asked about: service type codes (EQ01, several: 30 health
    benefit plan coverage, 98 professional office visit, 1 medical care, 33 chiropractic,
    47 hospital, 86 emergency services, 88 pharmacy, AL vision, MH mental health, UC urgent
    care ...) or a procedure (EQ02), with the coverage level asked for."""

    service_types: list[str] = field(default_factory=list)  # EQ01 (repeated)
    procedure: Procedure | None = None  # EQ02
    coverage_level: str = ""  # EQ03
    insurance_type: str = ""  # EQ04
    diagnosis_pointers: list[int] = field(default_factory=list)  # EQ05
    spend_down: Decimal | None = None  # AMT*R
    billed_amount: Decimal | None = None  # AMT*PB
    additional: list[AdditionalInfo] = field(default_factory=list)  # III
    referral_number: str = ""  # REF*9F
    prior_authorization: str = ""  # REF*G1
    date: Period | None = None  # DTP*291


@dataclass(slots=True)
class InquiryDependent:
    """2000D of a 270."""

    member: Member
    traces: list[Trace] = field(default_factory=list)  # TRN (up to 2)
    inquiries: list[BenefitInquiry] = field(default_factory=list)


@dataclass(slots=True)
class InquirySubscriber:
    """2000C of a 270."""

    member: Member
    traces: list[Trace] = field(default_factory=list)
    inquiries: list[BenefitInquiry] = field(default_factory=list)
    dependents: list[InquiryDependent] = field(default_factory=list)


@dataclass(slots=True)
class InquiryReceiver:
    """2000B of a 270: the provider asking (NM1*1P, FA, 80 ... with NPI)."""

    receiver: Party
    references: list[Reference] = field(default_factory=list)
    address: Address | None = None
    provider: ProviderInfo | None = None
    subscribers: list[InquirySubscriber] = field(default_factory=list)


@dataclass(slots=True)
class InquirySource:
    """2000A of a 270: the payer asked (NM1*PR)."""

    source: Party
    receivers: list[InquiryReceiver] = field(default_factory=list)


@dataclass(slots=True)
class EligibilityInquiry:
    """One 270 transaction set."""

    control_number: str  # ST02
    created: date  # BHT04
    created_time: time  # BHT05
    sources: list[InquirySource]
    purpose: str = "13"  # BHT02: 13 request, 01 cancellation
    reference: str = ""  # BHT03: submitter transaction identifier
    transaction_type: str = ""  # BHT06: RT real time
    version: str = GUIDE  # ST03

    def subscribers(self) -> Iterator[InquirySubscriber]:
        for src in self.sources:
            for rcv in src.receivers:
                yield from rcv.subscribers


# ---------------------------------------------------------------------------------------------
# Model: 271
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ServiceDelivery:
    """HSD: how often or how many (e.g. 20 visits per calendar year)."""

    quantity_qualifier: str = ""  # HSD01
    quantity: Decimal | None = None  # HSD02
    unit: str = ""  # HSD03
    sample_modulus: Decimal | None = None  # HSD04
    time_period: str = ""  # HSD05
    period_count: Decimal | None = None  # HSD06
    frequency: str = ""  # HSD07
    pattern_time: str = ""  # HSD08


@dataclass(slots=True)
class RelatedEntity:
    """2120C / 2120D (inside LS*2120 ... LE*2120): a benefit related entity: primary care
    provider (P3), other payer (PR), plan sponsor ... with address, contacts and taxonomy."""

    name: Party
    address: Address | None = None
    contacts: list[Contact] = field(default_factory=list)
    provider: ProviderInfo | None = None


@dataclass(slots=True)
class Benefit:
    """2110C / 2110D EB: one eligibility or benefit statement.

    EB01: 1 active coverage, 6 inactive, A co-insurance, B co-payment, C deductible, G out of
    pocket (stop loss), L primary care provider, R other or additional payer, I non-covered,
    CB coverage basis, F limitations, J cost containment ...; EB02 coverage level (IND, FAM,
    EMP ...); EB03 service type codes; EB04 insurance type; EB05 plan description; EB06 time
    period (23 calendar year, 27 visit, 29 remaining ...); EB07 amount; EB08 percent as a
    fraction (0.2 = 20 %); EB09/EB10 quantity; EB11 authorization required; EB12 in network.
    """

    code: str  # EB01
    coverage_level: str = ""  # EB02
    service_types: list[str] = field(default_factory=list)  # EB03
    insurance_type: str = ""  # EB04
    plan_description: str = ""  # EB05
    time_period: str = ""  # EB06
    amount: Decimal | None = None  # EB07
    percent: Decimal | None = None  # EB08
    quantity_qualifier: str = ""  # EB09
    quantity: Decimal | None = None  # EB10
    authorization_required: str = ""  # EB11: Y, N, U
    in_network: str = ""  # EB12: Y, N, U (unknown), W (not applicable)
    procedure: Procedure | None = None  # EB13
    diagnosis_pointers: list[int] = field(default_factory=list)  # EB14
    deliveries: list[ServiceDelivery] = field(default_factory=list)  # HSD
    references: list[Reference] = field(default_factory=list)  # REF
    dates: list[DatedPeriod] = field(default_factory=list)  # DTP
    validations: list[RequestValidation] = field(default_factory=list)  # AAA
    messages: list[str] = field(default_factory=list)  # MSG
    additional: list[AdditionalInfo] = field(default_factory=list)  # 2115 III
    related_entities: list[RelatedEntity] = field(default_factory=list)  # LS 2120 LE

    @property
    def active(self) -> bool:
        return self.code == "1"

    @property
    def inactive(self) -> bool:
        return self.code == "6"

    @property
    def network(self) -> bool | None:
        """EB12 as a boolean: True in network, False out of network, None unknown/n.a."""
        return {"Y": True, "N": False}.get(self.in_network)


@dataclass(slots=True)
class ResponseDependent:
    """2000D of a 271."""

    member: Member
    traces: list[Trace] = field(default_factory=list)  # TRN (up to 3)
    benefits: list[Benefit] = field(default_factory=list)


@dataclass(slots=True)
class ResponseSubscriber:
    """2000C of a 271."""

    member: Member
    traces: list[Trace] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    dependents: list[ResponseDependent] = field(default_factory=list)


@dataclass(slots=True)
class ResponseReceiver:
    """2000B of a 271."""

    receiver: Party
    references: list[Reference] = field(default_factory=list)
    address: Address | None = None
    validations: list[RequestValidation] = field(default_factory=list)
    provider: ProviderInfo | None = None
    subscribers: list[ResponseSubscriber] = field(default_factory=list)


@dataclass(slots=True)
class ResponseSource:
    """2000A of a 271: AAA at the level (source cannot answer), the payer's name, contacts and
    AAA of 2100A."""

    source: Party
    level_validations: list[RequestValidation] = field(default_factory=list)  # 2000A AAA
    contacts: list[Contact] = field(default_factory=list)  # 2100A PER
    validations: list[RequestValidation] = field(default_factory=list)  # 2100A AAA
    receivers: list[ResponseReceiver] = field(default_factory=list)


@dataclass(slots=True)
class EligibilityResponse:
    """One 271 transaction set."""

    control_number: str  # ST02
    created: date  # BHT04
    created_time: time  # BHT05
    sources: list[ResponseSource]
    purpose: str = "11"  # BHT02: 11 response, 06 confirmation
    reference: str = ""  # BHT03
    version: str = GUIDE  # ST03

    def subscribers(self) -> Iterator[ResponseSubscriber]:
        for src in self.sources:
            for rcv in src.receivers:
                yield from rcv.subscribers

    def rejections(self) -> list[RequestValidation]:
        """Every AAA of the response, at any level."""
        out: list[RequestValidation] = []
        for src in self.sources:
            out += src.level_validations + src.validations
            for rcv in src.receivers:
                out += rcv.validations
                for sub in rcv.subscribers:
                    out += sub.member.validations
                    for b in sub.benefits:
                        out += b.validations
                    for dep in sub.dependents:
                        out += dep.member.validations
                        for b in dep.benefits:
                            out += b.validations
        return out


# ---------------------------------------------------------------------------------------------
# Grammar
# ---------------------------------------------------------------------------------------------

_RECEIVER_REFS: tuple[str, ...] = (
    "0B",
    "1C",
    "1D",
    "1J",
    "4A",
    "CT",
    "EL",
    "EO",
    "HPI",
    "JD",
    "N5",
    "N7",
)
_RECEIVER_REFS += ("Q4", "SY", "TJ")
_MEMBER_REFS: tuple[str, ...] = (
    "18",
    "1L",
    "1W",
    "3H",
    "49",
    "6P",
    "CE",
    "CT",
    "EA",
    "EJ",
    "F6",
    "GH",
    "HJ",
)
_MEMBER_REFS += ("IF", "IG", "N6", "NQ", "Q4", "SY", "Y4")


def _header() -> Loop:
    return Loop("HEADER", "Header", seg("BHT", "Beginning of Hierarchical Transaction", 1, 1))


def _member_loop_270(x: str, who: str) -> Loop:
    return Loop(
        f"2100{x}",
        f"{who} Name",
        seg("NM1", f"{who} Name"),
        (
            seg("REF", f"{who} Additional Identification", 0, 9, *_MEMBER_REFS),
            seg("N3", f"{who} Address"),
            seg("N4", f"{who} City, State, ZIP Code"),
            seg("PRV", "Provider Information"),
            seg("DMG", f"{who} Demographic Information"),
            seg("INS", f"{who} Relationship"),
            seg("HI", f"{who} Health Care Diagnosis Code"),
            seg("DTP", f"{who} Date", 0, 2),
            Loop(
                f"2110{x}",
                f"{who} Eligibility or Benefit Inquiry",
                seg("EQ", f"{who} Eligibility or Benefit Inquiry"),
                (
                    seg("AMT", f"{who} Spend Down Amount", 0, 1, "R"),
                    seg("AMT", f"{who} Spend Down Total Billed Amount", 0, 1, "PB"),
                    seg(
                        "III", f"{who} Eligibility or Benefit Additional Inquiry Information", 0, 10
                    ),
                    seg("REF", f"{who} Additional Information", 0, 1, "9F"),
                    seg("REF", f"{who} Prior Authorization Number", 0, 1, "G1"),
                    seg("DTP", f"{who} Eligibility/Benefit Date", 0, 1, "291"),
                ),
                0,
                99,
            ),
        ),
        1,
        1,
    )


def _level_loop(x: str, who: str, level: str, traces: int, member: Loop) -> Loop:
    return Loop(
        f"2000{x}",
        f"{who} Level",
        seg("HL", f"{who} Level"),
        (seg("TRN", f"{who} Trace Number", 0, traces), member),
    )


def _spec_270() -> HierarchySpec:
    return HierarchySpec(
        "270 (005010X279A1)",
        _header(),
        (
            LevelSpec(
                "20",
                Loop(
                    "2000A",
                    "Information Source Level",
                    seg("HL", "Information Source Level"),
                    (
                        Loop(
                            "2100A",
                            "Information Source Name",
                            seg("NM1", "Information Source Name"),
                            (),
                            1,
                            1,
                        ),
                    ),
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
                            (
                                seg(
                                    "REF",
                                    "Information Receiver Additional Identification",
                                    0,
                                    9,
                                    *_RECEIVER_REFS,
                                ),
                                seg("N3", "Information Receiver Address"),
                                seg("N4", "Information Receiver City, State, ZIP Code"),
                                seg("PRV", "Information Receiver Provider Information"),
                            ),
                            1,
                            1,
                        ),
                    ),
                ),
                frozenset({"20"}),
                True,
                (("22", 1, None),),
            ),
            LevelSpec(
                "22",
                _level_loop("C", "Subscriber", "22", 2, _member_loop_270("C", "Subscriber")),
                frozenset({"21"}),
                True,
                (("23", 0, None),),
            ),
            LevelSpec(
                "23",
                _level_loop("D", "Dependent", "23", 2, _member_loop_270("D", "Dependent")),
                frozenset({"22"}),
                True,
                (),
            ),
        ),
    )


def _member_loop_271(x: str, who: str) -> Loop:
    related = Loop(
        f"2120{x}",
        f"{who} Benefit Related Entity Name",
        seg("NM1", f"{who} Benefit Related Entity Name"),
        (
            seg("N3", f"{who} Benefit Related Entity Address"),
            seg("N4", f"{who} Benefit Related Entity City, State, ZIP Code"),
            seg("PER", f"{who} Benefit Related Entity Contact Information", 0, 3),
            seg("PRV", f"{who} Benefit Related Provider Information"),
        ),
        1,
        23,
    )
    ls_le = Loop(
        f"2110{x}",
        "Loop Header",
        seg("LS", "Loop Header"),
        (related, seg("LE", "Loop Trailer", 1, 1)),
        0,
        1,
    )
    benefit = Loop(
        f"2110{x}",
        f"{who} Eligibility or Benefit Information",
        seg("EB", f"{who} Eligibility or Benefit Information"),
        (
            seg("HSD", "Health Care Services Delivery", 0, 9),
            seg("REF", f"{who} Additional Identification", 0, 9),
            seg("DTP", f"{who} Eligibility/Benefit Date", 0, 20),
            seg("AAA", f"{who} Request Validation", 0, 9),
            seg("MSG", "Message Text", 0, 10),
            Loop(
                f"2115{x}",
                f"{who} Eligibility or Benefit Additional Information",
                seg("III", f"{who} Eligibility or Benefit Additional Information"),
                (),
                0,
                10,
            ),
            ls_le,
        ),
        0,
        None,
    )
    return Loop(
        f"2100{x}",
        f"{who} Name",
        seg("NM1", f"{who} Name"),
        (
            seg("REF", f"{who} Additional Identification", 0, 9, *_MEMBER_REFS),
            seg("N3", f"{who} Address"),
            seg("N4", f"{who} City, State, ZIP Code"),
            seg("AAA", f"{who} Request Validation", 0, 9),
            seg("PRV", "Provider Information"),
            seg("DMG", f"{who} Demographic Information"),
            seg("INS", f"{who} Relationship"),
            seg("HI", f"{who} Health Care Diagnosis Code"),
            seg("DTP", f"{who} Date", 0, 9),
            seg("MPI", f"{who} Military Personnel Information", 0, 9),
            benefit,
        ),
        1,
        1,
    )


def _spec_271() -> HierarchySpec:
    return HierarchySpec(
        "271 (005010X279A1)",
        _header(),
        (
            LevelSpec(
                "20",
                Loop(
                    "2000A",
                    "Information Source Level",
                    seg("HL", "Information Source Level"),
                    (
                        seg("AAA", "Request Validation", 0, 9),
                        Loop(
                            "2100A",
                            "Information Source Name",
                            seg("NM1", "Information Source Name"),
                            (
                                seg("PER", "Information Source Contact Information", 0, 3),
                                seg("AAA", "Request Validation", 0, 9),
                            ),
                            1,
                            1,
                        ),
                    ),
                ),
                frozenset({None}),
                True,
                (("21", 0, None),),
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
                            (
                                seg(
                                    "REF",
                                    "Information Receiver Additional Identification",
                                    0,
                                    9,
                                    *_RECEIVER_REFS,
                                ),
                                seg("N3", "Information Receiver Address"),
                                seg("N4", "Information Receiver City, State, ZIP Code"),
                                seg("AAA", "Information Receiver Request Validation", 0, 9),
                                seg("PRV", "Information Receiver Provider Information"),
                            ),
                            1,
                            1,
                        ),
                    ),
                ),
                frozenset({"20"}),
                True,
                (("22", 0, None),),
            ),
            LevelSpec(
                "22",
                _level_loop("C", "Subscriber", "22", 3, _member_loop_271("C", "Subscriber")),
                frozenset({"21"}),
                True,
                (("23", 0, None),),
            ),
            LevelSpec(
                "23",
                _level_loop("D", "Dependent", "23", 3, _member_loop_271("D", "Dependent")),
                frozenset({"22"}),
                True,
                (),
            ),
        ),
    )


SPEC_270 = _spec_270()
SPEC_271 = _spec_271()

# ---------------------------------------------------------------------------------------------
# Reader
# ---------------------------------------------------------------------------------------------

_YN = frozenset({"Y", "N"})


def _validation(s: Segment, loop: str) -> RequestValidation:
    valid = s.require_code(1, _YN, "Valid Request Indicator", loop)
    if s.el(2):
        raise s.error_at(C.ELEMENT_NOT_USED, "AAA02 is not used", element=2, loop=loop)
    s.check_max_elements(4, loop)
    return RequestValidation(
        valid == "Y",
        s.require(3, "Reject Reason Code", loop),
        s.require(4, "Follow-up Action Code", loop),
    )


def _relationship(s: Segment, loop: str) -> InsuredRelationship:
    for pos in range(5, 17):
        if s.el(pos):
            raise s.error_at(
                C.ELEMENT_NOT_USED, f"INS{pos:02d} is not used here", element=pos, loop=loop
            )
    s.check_max_elements(17, loop)
    return InsuredRelationship(
        s.require(1, "Insured Indicator", loop),
        s.require(2, "Individual Relationship Code", loop),
        s.el(3),
        s.el(4),
        s.el(17),
    )


def _diagnoses(s: Segment, loop: str) -> list[Diagnosis]:
    s.check_max_elements(8, loop)
    out: list[Diagnosis] = []
    for pos in range(1, 9):
        if not s.el(pos):
            if any(s.el(p) for p in range(pos + 1, 9)):
                s.require(pos, "Health Care Code Information", loop)
            continue
        if len(s.components(pos)) > 2:
            raise s.error_at(
                C.TOO_MANY_COMPONENTS,
                f"HI{pos:02d} carries more than a code list qualifier and a code",
                element=pos,
                loop=loop,
            )
        out.append(
            Diagnosis(
                s.require_comp(pos, 1, "Code List Qualifier Code", loop),
                s.require_comp(pos, 2, "Industry Code", loop),
            )
        )
    if not out:
        s.require(1, "Health Care Code Information", loop)
    return out


def _dated(s: Segment, loop: str) -> DatedPeriod:
    s.check_max_elements(3, loop)
    q = s.require(1, "Date Time Qualifier", loop)
    return DatedPeriod(q, read_period(s, 2, 3, loop))


def _military(s: Segment, loop: str) -> MilitaryInfo:
    s.check_max_elements(7, loop)
    period = read_period(s, 6, 7, loop) if (s.el(6) or s.el(7)) else None
    return MilitaryInfo(
        s.require(1, "Information Status Code", loop),
        s.require(2, "Employment Status Code", loop),
        s.require(3, "Government Service Affiliation Code", loop),
        s.el(4),
        s.el(5),
        period,
    )


def _pointers(s: Segment, pos: int, loop: str) -> list[int]:
    parts = s.components(pos)
    if len(parts) > 4:
        raise s.error_at(
            C.TOO_MANY_COMPONENTS,
            f"{s.id}{pos:02d} has more than 4 diagnosis code pointers",
            element=pos,
            component=5,
            loop=loop,
        )
    out: list[int] = []
    for i, p in enumerate(parts, start=1):
        if not (p.isascii() and p.isdigit() and 1 <= int(p) <= 8):
            raise s.error_at(
                C.ELEMENT_INVALID,
                f"{s.id}{pos:02d} component {i} is {p!r}, not a diagnosis pointer 1-8",
                element=pos,
                component=i,
                loop=loop,
            )
        out.append(int(p))
    return out


def _additional(s: Segment, loop: str) -> AdditionalInfo:
    if any(s.el(p) for p in range(5, 10)):
        raise s.error_at(C.ELEMENT_NOT_USED, "III05-III09 are not used here", element=5, loop=loop)
    if not any(s.el(p) for p in range(1, 5)):
        s.require(1, "Code List Qualifier Code", loop)
    if s.el(1) or s.el(2):
        s.require(1, "Code List Qualifier Code", loop)
        s.require(2, "Industry Code", loop)
    return AdditionalInfo(s.el(1), s.el(2), s.el(3), s.el(4))


def _member(node: Node, codes: frozenset[str] | None, *, is_271: bool) -> Member:
    loop = node.id
    name = read_party(node.first, loop, codes=codes, name_required=False, id_required=False)
    dmg = node.one("DMG")
    ins = node.one("INS")
    hi = node.one("HI")
    prv = node.one("PRV")
    return Member(
        name=name,
        references=[read_reference(s, loop) for s in node.many("REF")],
        address=read_address(node.one("N3"), node.one("N4"), loop),
        validations=[_validation(s, loop) for s in node.many("AAA")] if is_271 else [],
        provider=read_provider_info(prv, loop) if prv is not None else None,
        demographics=read_demographics(dmg, loop) if dmg is not None else None,
        relationship=_relationship(ins, loop) if ins is not None else None,
        diagnoses=_diagnoses(hi, loop) if hi is not None else [],
        dates=[_dated(s, loop) for s in node.many("DTP")],
        military=[_military(s, loop) for s in node.many("MPI")] if is_271 else [],
    )


def _inquiry(node: Node) -> BenefitInquiry:
    loop = node.id
    eq = node.first
    eq.check_max_elements(5, loop)
    if not eq.el(1) and not eq.el(2):
        raise eq.error_at(
            C.ELEMENT_MISSING,
            "EQ needs a service type code (EQ01) or a procedure (EQ02)",
            element=1,
            loop=loop,
        )
    amounts: dict[str, Decimal | None] = {}
    for q in ("R", "PB"):
        s = node.one("AMT", q)
        if s is not None:
            s.check_max_elements(2, loop)
        amounts[q] = s.require_decimal(2, "Monetary Amount", loop) if s is not None else None
    refs = {q: node.one("REF", q) for q in ("9F", "G1")}
    dtp = node.one("DTP", "291")
    if dtp is not None:
        dtp.check_max_elements(3, loop)
    return BenefitInquiry(
        service_types=_service_types(eq, 1, loop),
        procedure=read_procedure(eq, 2, loop) if eq.el(2) else None,
        coverage_level=eq.el(3),
        insurance_type=eq.el(4),
        diagnosis_pointers=_pointers(eq, 5, loop),
        spend_down=amounts["R"],
        billed_amount=amounts["PB"],
        additional=[_additional(s, loop) for s in node.many("III")],
        referral_number=read_reference(r, loop).value if (r := refs["9F"]) else "",
        prior_authorization=read_reference(r, loop).value if (r := refs["G1"]) else "",
        date=read_period(dtp, 2, 3, loop) if dtp is not None else None,
    )


def _service_types(s: Segment, pos: int, loop: str) -> list[str]:
    reps = s.reps(pos)
    if len(reps) > 99:
        raise s.error_at(
            C.TOO_MANY_REPETITIONS,
            f"{s.id}{pos:02d} repeats {len(reps)} times, at most 99",
            element=pos,
            loop=loop,
        )
    for r in reps:
        if not r:
            raise s.error_at(
                C.ELEMENT_MISSING,
                f"{s.id}{pos:02d} has an empty service type code between repetitions",
                element=pos,
                loop=loop,
            )
    return reps


def _benefit(node: Node) -> Benefit:
    loop = node.id
    eb = node.first
    eb.check_max_elements(14, loop)
    code = eb.require(1, "Eligibility or Benefit Information Code", loop)
    eb.code_el(11, frozenset({"Y", "N", "U"}), "Authorization or Certification Indicator", loop)
    eb.code_el(12, frozenset({"Y", "N", "U", "W"}), "In Plan Network Indicator", loop)
    if eb.el(10) and not eb.el(9):
        eb.require(9, "Quantity Qualifier", loop)
    if eb.el(9) and not eb.el(10):
        eb.require(10, "Quantity", loop)
    related: list[RelatedEntity] = []
    for wrapper in node.children:
        if wrapper.first.id != "LS":
            continue
        ls = wrapper.first
        ls.require_code(1, frozenset({"2120"}), "Loop Identifier Code", loop)
        le = wrapper.one("LE")
        assert le is not None
        le.require_code(1, frozenset({"2120"}), "Loop Identifier Code", loop)
        for rel in wrapper.children:
            related.append(_related(rel))
    return Benefit(
        code=code,
        coverage_level=eb.el(2),
        service_types=_service_types(eb, 3, loop),
        insurance_type=eb.el(4),
        plan_description=eb.el(5),
        time_period=eb.el(6),
        amount=eb.decimal_el(7, "Monetary Amount", loop),
        percent=eb.decimal_el(8, "Percent", loop),
        quantity_qualifier=eb.el(9),
        quantity=eb.decimal_el(10, "Quantity", loop),
        authorization_required=eb.el(11),
        in_network=eb.el(12),
        procedure=read_procedure(eb, 13, loop) if eb.el(13) else None,
        diagnosis_pointers=_pointers(eb, 14, loop),
        deliveries=[_delivery(s, loop) for s in node.many("HSD")],
        references=[read_reference(s, loop) for s in node.many("REF")],
        dates=[_dated(s, loop) for s in node.many("DTP")],
        validations=[_validation(s, loop) for s in node.many("AAA")],
        messages=[_message(s, loop) for s in node.many("MSG")],
        additional=[_additional(c.first, c.id) for c in node.children if c.first.id == "III"],
        related_entities=related,
    )


def _message(s: Segment, loop: str) -> str:
    if s.el(2) or s.el(3):
        raise s.error_at(C.ELEMENT_NOT_USED, "MSG02 and MSG03 are not used", element=2, loop=loop)
    return s.require(1, "Free-form Message Text", loop)


def _delivery(s: Segment, loop: str) -> ServiceDelivery:
    s.check_max_elements(8, loop)
    if not any(s.elements):
        s.require(1, "Quantity Qualifier", loop)
    return ServiceDelivery(
        quantity_qualifier=s.el(1),
        quantity=s.decimal_el(2, "Quantity", loop),
        unit=s.el(3),
        sample_modulus=s.decimal_el(4, "Sample Selection Modulus", loop),
        time_period=s.el(5),
        period_count=s.decimal_el(6, "Number of Periods", loop),
        frequency=s.el(7),
        pattern_time=s.el(8),
    )


def _related(node: Node) -> RelatedEntity:
    loop = node.id
    prv = node.one("PRV")
    return RelatedEntity(
        name=read_party(node.first, loop, name_required=False, id_required=False),
        address=read_address(node.one("N3"), node.one("N4"), loop),
        contacts=[read_contact(s, loop) for s in node.many("PER")],
        provider=read_provider_info(prv, loop) if prv is not None else None,
    )


def _traces(level: Level, types: frozenset[str]) -> list[Trace]:
    loop = level.node.id
    out: list[Trace] = []
    for s in level.node.many("TRN"):
        t = read_trace(s, loop, types)
        s.require(3, "Originating Company Identifier", loop)
        out.append(t)
    return out


def _bht(bht: Segment, purposes: frozenset[str]) -> tuple[str, str, date, time]:
    loop = "HEADER"
    bht.require_code(1, frozenset({"0022"}), "Hierarchical Structure Code", loop)
    purpose = bht.require_code(2, purposes, "Transaction Set Purpose Code", loop)
    bht.check_max_elements(6, loop)
    return (
        purpose,
        bht.el(3),
        bht.require_date(4, "Transaction Set Creation Date", loop),
        bht.require_time(5, "Transaction Set Creation Time", loop),
    )


def _name_node(level: Level, loop: str) -> Node:
    node = level.node.loop1(loop)
    assert node is not None  # required by the grammar
    return node


def _parse_270(ts: TransactionSetResult) -> EligibilityInquiry:
    segs, end = set_segments(ts, "270", VERSIONS, "270 (005010X279A1)")
    tree = parse_hierarchy(SPEC_270, segs, end)
    bht = tree.header.first
    purpose, reference, created, created_time = _bht(bht, frozenset({"01", "13"}))
    bht.code_el(6, frozenset({"RT"}), "Transaction Type Code", "HEADER")
    sources: list[InquirySource] = []
    for a in tree.roots:
        src = InquirySource(_source_name(a))
        for b in a.children:
            node = _name_node(b, "2100B")
            prv = node.one("PRV")
            rcv = InquiryReceiver(
                receiver=read_party(node.first, "2100B"),
                references=[read_reference(s, "2100B") for s in node.many("REF")],
                address=read_address(node.one("N3"), node.one("N4"), "2100B"),
                provider=read_provider_info(prv, "2100B") if prv is not None else None,
            )
            for c in b.children:
                cnode = _name_node(c, "2100C")
                sub = InquirySubscriber(
                    member=_member(cnode, frozenset({"IL"}), is_271=False),
                    traces=_traces(c, frozenset({"1"})),
                    inquiries=[_inquiry(n) for n in cnode.loops("2110C")],
                )
                for d in c.children:
                    dnode = _name_node(d, "2100D")
                    sub.dependents.append(
                        InquiryDependent(
                            member=_member(dnode, frozenset({"03"}), is_271=False),
                            traces=_traces(d, frozenset({"1"})),
                            inquiries=[_inquiry(n) for n in dnode.loops("2110D")],
                        )
                    )
                rcv.subscribers.append(sub)
            src.receivers.append(rcv)
        sources.append(src)
    return EligibilityInquiry(
        control_number=ts.control_number,
        created=created,
        created_time=created_time,
        sources=sources,
        purpose=purpose,
        reference=reference,
        transaction_type=bht.el(6),
        version=ts.version,
    )


def _source_name(a: Level) -> Party:
    node = _name_node(a, "2100A")
    return read_party(node.first, "2100A")


def _parse_271(ts: TransactionSetResult) -> EligibilityResponse:
    segs, end = set_segments(ts, "271", VERSIONS, "271 (005010X279A1)")
    tree = parse_hierarchy(SPEC_271, segs, end)
    bht = tree.header.first
    purpose, reference, created, created_time = _bht(bht, frozenset({"06", "11"}))
    if bht.el(6):
        raise bht.error_at(C.ELEMENT_NOT_USED, "BHT06 is not used in a 271", element=6)
    sources: list[ResponseSource] = []
    for a in tree.roots:
        anode = _name_node(a, "2100A")
        src = ResponseSource(
            source=read_party(anode.first, "2100A"),
            level_validations=[_validation(s, "2000A") for s in a.node.many("AAA")],
            contacts=[read_contact(s, "2100A") for s in anode.many("PER")],
            validations=[_validation(s, "2100A") for s in anode.many("AAA")],
        )
        for b in a.children:
            node = _name_node(b, "2100B")
            prv = node.one("PRV")
            rcv = ResponseReceiver(
                receiver=read_party(node.first, "2100B"),
                references=[read_reference(s, "2100B") for s in node.many("REF")],
                address=read_address(node.one("N3"), node.one("N4"), "2100B"),
                validations=[_validation(s, "2100B") for s in node.many("AAA")],
                provider=read_provider_info(prv, "2100B") if prv is not None else None,
            )
            for c in b.children:
                cnode = _name_node(c, "2100C")
                sub = ResponseSubscriber(
                    member=_member(cnode, frozenset({"IL"}), is_271=True),
                    traces=_traces(c, frozenset({"1", "2"})),
                    benefits=[_benefit(n) for n in cnode.loops("2110C") if n.first.id == "EB"],
                )
                for d in c.children:
                    dnode = _name_node(d, "2100D")
                    sub.dependents.append(
                        ResponseDependent(
                            member=_member(dnode, frozenset({"03"}), is_271=True),
                            traces=_traces(d, frozenset({"1", "2"})),
                            benefits=[
                                _benefit(n) for n in dnode.loops("2110D") if n.first.id == "EB"
                            ],
                        )
                    )
                rcv.subscribers.append(sub)
            src.receivers.append(rcv)
        sources.append(src)
    return EligibilityResponse(
        control_number=ts.control_number,
        created=created,
        created_time=created_time,
        sources=sources,
        purpose=purpose,
        reference=reference,
        version=ts.version,
    )


def parse_270(ts: TransactionSetResult) -> EligibilityInquiry:
    """One 270 transaction set of an envelope; X12Error names any defect."""
    return parse_with(ts, _parse_270)


def parse_271(ts: TransactionSetResult) -> EligibilityResponse:
    """One 271 transaction set of an envelope; X12Error names any defect."""
    return parse_with(ts, _parse_271)


def read_270(source: Source, *, file: str | None = None) -> list[EligibilityInquiry]:
    """Every 270 of a file; the first defect raises X12Error."""
    return read_all(source, file, _parse_270)


def read_271(source: Source, *, file: str | None = None) -> list[EligibilityResponse]:
    """Every 271 of a file; the first defect raises X12Error."""
    return read_all(source, file, _parse_271)


def iter_270(source: Source, *, file: str | None = None) -> Iterator[EligibilityInquiry | X12Error]:
    """Each 270 of a file, or the X12Error of a bad set."""
    return iter_all(source, file, _parse_270)


def iter_271(
    source: Source, *, file: str | None = None
) -> Iterator[EligibilityResponse | X12Error]:
    """Each 271 of a file, or the X12Error of a bad set."""
    return iter_all(source, file, _parse_271)


# ---------------------------------------------------------------------------------------------
# Writer
# ---------------------------------------------------------------------------------------------


def _w_party(w: SegmentWriter, p: Party) -> None:
    w.seg("NM1", *party_elements(p))


def _w_address(w: SegmentWriter, a: Address | None) -> None:
    for sid, els in address_segments(a):
        w.seg(sid, *els)


def _w_validations(w: SegmentWriter, items: list[RequestValidation]) -> None:
    for v in items:
        w.seg("AAA", "Y" if v.valid else "N", "", v.reject_reason, v.follow_up_action)


def _w_dated(w: SegmentWriter, d: DatedPeriod) -> None:
    w.seg("DTP", d.qualifier, *period_elements(d.period))


def _w_pointers(p: list[int]) -> Element:
    return composite(*(str(i) for i in p))


def _w_member(w: SegmentWriter, m: Member, *, is_271: bool) -> None:
    if not is_271 and (m.validations or m.military):
        raise X12Error(C.WRITE_INVALID, "a 270 carries no AAA or MPI segments")
    _w_party(w, m.name)
    for r in m.references:
        w.seg("REF", *reference_elements(r))
    _w_address(w, m.address)
    if is_271:
        _w_validations(w, m.validations)
    if m.provider is not None:
        w.seg("PRV", *provider_info_elements(m.provider))
    if m.demographics is not None:
        w.seg("DMG", *demographics_elements(m.demographics))
    if m.relationship is not None:
        ins = m.relationship
        w.seg(
            "INS",
            ins.insured,
            ins.relationship,
            ins.maintenance_type,
            ins.maintenance_reason,
            *([""] * 12),
            ins.birth_sequence,
        )
    if m.diagnoses:
        w.seg("HI", *((d.qualifier, d.code) for d in m.diagnoses))
    for d in m.dates:
        _w_dated(w, d)
    if is_271:
        for mp in m.military:
            fmt, value = period_elements(mp.period) if mp.period is not None else ("", "")
            w.seg(
                "MPI",
                mp.status,
                mp.employment_status,
                mp.affiliation,
                mp.description,
                mp.rank,
                fmt,
                value,
            )


def _w_additional(w: SegmentWriter, a: AdditionalInfo) -> None:
    w.seg("III", a.qualifier, a.code, a.category, a.description)


def _w_inquiry(w: SegmentWriter, q: BenefitInquiry) -> None:
    w.seg(
        "EQ",
        list(q.service_types),
        procedure_element(q.procedure) if q.procedure is not None else "",
        q.coverage_level,
        q.insurance_type,
        _w_pointers(q.diagnosis_pointers),
    )
    if q.spend_down is not None:
        w.seg("AMT", "R", q.spend_down)
    if q.billed_amount is not None:
        w.seg("AMT", "PB", q.billed_amount)
    for a in q.additional:
        _w_additional(w, a)
    if q.referral_number:
        w.seg("REF", "9F", q.referral_number)
    if q.prior_authorization:
        w.seg("REF", "G1", q.prior_authorization)
    if q.date is not None:
        w.seg("DTP", "291", *period_elements(q.date))


def _w_traces(w: SegmentWriter, traces: list[Trace]) -> None:
    for t in traces:
        w.seg("TRN", *trace_elements(t))


def write_270(inq: EligibilityInquiry, w: SegmentWriter) -> None:
    """The segments of a 270 between ST and SE."""
    w.seg(
        "BHT",
        "0022",
        inq.purpose,
        inq.reference,
        inq.created,
        inq.created_time,
        inq.transaction_type,
    )
    hl = HLWriter(w)
    for src in inq.sources:
        a = hl.hl(None, "20", bool(src.receivers))
        _w_party(w, src.source)
        for rcv in src.receivers:
            b = hl.hl(a, "21", bool(rcv.subscribers))
            _w_party(w, rcv.receiver)
            for r in rcv.references:
                w.seg("REF", *reference_elements(r))
            _w_address(w, rcv.address)
            if rcv.provider is not None:
                w.seg("PRV", *provider_info_elements(rcv.provider))
            for sub in rcv.subscribers:
                c = hl.hl(b, "22", bool(sub.dependents))
                _w_traces(w, sub.traces)
                _w_member(w, sub.member, is_271=False)
                for q in sub.inquiries:
                    _w_inquiry(w, q)
                for dep in sub.dependents:
                    hl.hl(c, "23", False)
                    _w_traces(w, dep.traces)
                    _w_member(w, dep.member, is_271=False)
                    for q in dep.inquiries:
                        _w_inquiry(w, q)


def _w_benefit(w: SegmentWriter, b: Benefit) -> None:
    w.seg(
        "EB",
        b.code,
        b.coverage_level,
        list(b.service_types),
        b.insurance_type,
        b.plan_description,
        b.time_period,
        b.amount,
        b.percent,
        b.quantity_qualifier,
        b.quantity,
        b.authorization_required,
        b.in_network,
        procedure_element(b.procedure) if b.procedure is not None else "",
        _w_pointers(b.diagnosis_pointers),
    )
    for d in b.deliveries:
        w.seg(
            "HSD",
            d.quantity_qualifier,
            d.quantity,
            d.unit,
            d.sample_modulus,
            d.time_period,
            d.period_count,
            d.frequency,
            d.pattern_time,
        )
    for r in b.references:
        w.seg("REF", *reference_elements(r))
    for d2 in b.dates:
        _w_dated(w, d2)
    _w_validations(w, b.validations)
    for m in b.messages:
        w.seg("MSG", m)
    for a in b.additional:
        _w_additional(w, a)
    if b.related_entities:
        w.seg("LS", "2120")
        for e in b.related_entities:
            _w_party(w, e.name)
            _w_address(w, e.address)
            for c in e.contacts:
                w.seg("PER", *contact_elements(c))
            if e.provider is not None:
                w.seg("PRV", *provider_info_elements(e.provider))
        w.seg("LE", "2120")


def write_271(resp: EligibilityResponse, w: SegmentWriter) -> None:
    """The segments of a 271 between ST and SE."""
    w.seg("BHT", "0022", resp.purpose, resp.reference, resp.created, resp.created_time)
    hl = HLWriter(w)
    for src in resp.sources:
        a = hl.hl(None, "20", bool(src.receivers))
        _w_validations(w, src.level_validations)
        _w_party(w, src.source)
        for c in src.contacts:
            w.seg("PER", *contact_elements(c))
        _w_validations(w, src.validations)
        for rcv in src.receivers:
            b = hl.hl(a, "21", bool(rcv.subscribers))
            _w_party(w, rcv.receiver)
            for r in rcv.references:
                w.seg("REF", *reference_elements(r))
            _w_address(w, rcv.address)
            _w_validations(w, rcv.validations)
            if rcv.provider is not None:
                w.seg("PRV", *provider_info_elements(rcv.provider))
            for sub in rcv.subscribers:
                cc = hl.hl(b, "22", bool(sub.dependents))
                _w_traces(w, sub.traces)
                _w_member(w, sub.member, is_271=True)
                for ben in sub.benefits:
                    _w_benefit(w, ben)
                for dep in sub.dependents:
                    hl.hl(cc, "23", False)
                    _w_traces(w, dep.traces)
                    _w_member(w, dep.member, is_271=True)
                    for ben in dep.benefits:
                        _w_benefit(w, ben)


def outgoing_270(inq: EligibilityInquiry) -> OutgoingSet:
    """``inq`` as a set for ``write_interchange`` (GS01 HS)."""
    return OutgoingSet("270", inq.control_number, lambda w: write_270(inq, w), inq.version)


def outgoing_271(resp: EligibilityResponse) -> OutgoingSet:
    """``resp`` as a set for ``write_interchange`` (GS01 HB)."""
    return OutgoingSet("271", resp.control_number, lambda w: write_271(resp, w), resp.version)
