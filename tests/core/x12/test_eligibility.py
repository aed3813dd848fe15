"""270/271 (005010X279A1): the samples, error paths and the write/read round trips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrcm.core.x12.eligibility import (
    AdditionalInfo,
    Benefit,
    BenefitInquiry,
    DatedPeriod,
    Diagnosis,
    EligibilityInquiry,
    EligibilityResponse,
    InquiryDependent,
    InquiryReceiver,
    InquirySource,
    InquirySubscriber,
    InsuredRelationship,
    Member,
    MilitaryInfo,
    RelatedEntity,
    RequestValidation,
    ResponseDependent,
    ResponseReceiver,
    ResponseSource,
    ResponseSubscriber,
    ServiceDelivery,
    outgoing_270,
    outgoing_271,
    read_270,
    read_271,
)
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.hierarchy import Party, Period, Trace

from .hl_strategies import (
    addresses,
    amounts,
    code,
    contacts,
    control_numbers,
    dates,
    demographics,
    fix_counts,
    ident,
    interchange,
    maybe,
    opt,
    parties,
    periods,
    positive,
    procedures,
    provider_infos,
    quantities,
    references,
    sample_files,
    small,
    text,
    times,
    traces,
)


def write_270(*items: EligibilityInquiry) -> str:
    return interchange([outgoing_270(i) for i in items], "HS", items[0].version)


def write_271(*items: EligibilityResponse) -> str:
    return interchange([outgoing_271(i) for i in items], "HB", items[0].version)


# --------------------------------------------------------------------------------------------
# Samples
# --------------------------------------------------------------------------------------------


def test_every_270_sample_reads() -> None:
    files = sample_files("270")
    assert files
    for path in files:
        (inq,) = read_270(path)
        assert inq.version == "005010X279A1"
        sub = next(inq.subscribers())
        assert sub.member.name.name == "SMITH" and sub.member.member_id == "11122333301"
        assert sub.member.birth_date == dt.date(1943, 5, 19)
        assert sub.member.dates == [DatedPeriod("291", Period.day(dt.date(2006, 5, 1)))]
        assert [q.service_types for q in sub.inquiries] == [["30"]]
        assert sub.traces[0].number == "93175-012547"
        assert sub.traces[0].originator == "9877281234"
        assert inq.sources[0].receivers[0].receiver.identifier == "2000035"
        assert read_270(write_270(inq)) == [inq]


# The stupidedi 271 example says GS08/ST03 005010X279, the guide before its A1 errata. The
# 270/271 loops we read did not change in the errata, so it is read as such and its version is
# kept (a response is never sent by us as X279). Its EB03 repeats with ISA11 ">" as separator.
VERSION_OF = {
    "stupidedi--response-to-generic-request-by-clinic-for-patient--subscriber--eligibility.edi": (
        "005010X279"
    ),
}


def test_every_271_sample_reads() -> None:
    files = sample_files("271")
    assert files
    for path in files:
        (resp,) = read_271(path)
        assert resp.version == VERSION_OF.get(path.name, "005010X279A1")
        sub = next(resp.subscribers())
        assert sub.member.name.name == "SMITH"
        assert sub.member.address is not None and sub.member.address.city == "KANSAS CITY"
        assert sub.member.gender == "M"
        assert sub.traces[0].type == "2"
        codes = [b.code for b in sub.benefits]
        assert codes == ["1", "L", "1", "B", "B"]
        assert sub.benefits[0].active and sub.benefits[0].service_types == ["30"]
        assert sub.benefits[0].plan_description == "GOLD 123 PLAN"
        copays = [b for b in sub.benefits if b.code == "B"]
        assert [(b.amount, b.network) for b in copays] == [
            (Decimal("10"), True),
            (Decimal("30"), False),
        ]
        assert copays[0].service_types[:3] == ["1", "33", "35"] and copays[0].time_period == "27"
        pcp = [e for b in sub.benefits for e in b.related_entities]
        assert [(e.name.entity_code, e.name.identifier) for e in pcp] == [("P3", "0202034")]
        assert resp.rejections() == []
        assert read_271(write_271(resp)) == [resp]


# --------------------------------------------------------------------------------------------
# Error paths and AAA
# --------------------------------------------------------------------------------------------


def _response() -> EligibilityResponse:
    sub = ResponseSubscriber(
        member=Member(
            Party("IL", "1", "DOE", "JOHN", id_qualifier="MI", identifier="W123"),
            validations=[RequestValidation(False, "72", "C")],
        ),
        traces=[Trace("T1", "2", "9999999999")],
    )
    rcv = ResponseReceiver(
        Party("1P", "2", "CLINIC", id_qualifier="XX", identifier="1234567893"), subscribers=[sub]
    )
    src = ResponseSource(Party("PR", "2", "PAYER", id_qualifier="PI", identifier="P1"))
    src.receivers.append(rcv)
    return EligibilityResponse("0001", dt.date(2024, 1, 2), dt.time(9, 0), [src])


def test_aaa_rejection_is_read() -> None:
    resp = _response()
    [back] = read_271(write_271(resp))
    assert back == resp
    assert back.rejections() == [RequestValidation(False, "72", "C")]


def _error(text: str) -> X12Error:
    with pytest.raises(X12Error) as info:
        read_271(text)
    return info.value


def test_271_error_paths() -> None:
    good = write_271(_response())
    err = _error(good.replace("AAA*N**72*C", "AAA*Q**72*C"))
    assert err.code is X12ErrorCode.CODE_INVALID and (err.segment_id, err.element) == ("AAA", 1)
    err = _error(good.replace("AAA*N**72*C", "AAA*N**72"))
    assert err.code is X12ErrorCode.ELEMENT_MISSING and err.element == 4
    err = _error(fix_counts(good.replace("AAA*N**72*C~", "AAA*N**72*C~EQ*30~")))
    assert err.code is X12ErrorCode.SEGMENT_UNRECOGNIZED and err.segment_id == "EQ"
    err = _error(good.replace("005010X279A1", "005010X279A2"))
    assert err.code is X12ErrorCode.VERSION_UNSUPPORTED


def test_ls_without_le_is_named() -> None:
    resp = _response()
    sub = next(resp.subscribers())
    sub.benefits.append(
        Benefit("L", related_entities=[RelatedEntity(Party("P3", "1", "JONES", "MARCUS"))])
    )
    good = write_271(resp)
    assert read_271(good) == [resp]
    err = _error(fix_counts(good.replace("LE*2120~", "")))
    assert err.code is X12ErrorCode.SEGMENT_MISSING and err.loop == "2110C"
    assert "LE" in err.message
    err = _error(good.replace("LS*2120", "LS*2121"))
    assert err.code is X12ErrorCode.CODE_INVALID and err.segment_id == "LS"


def test_270_needs_a_service_type_or_procedure() -> None:
    inq = EligibilityInquiry(
        "0001",
        dt.date(2024, 1, 2),
        dt.time(9, 0),
        [
            InquirySource(
                Party("PR", "2", "PAYER", id_qualifier="PI", identifier="P1"),
                [
                    InquiryReceiver(
                        Party("1P", "2", "CLINIC", id_qualifier="XX", identifier="1234567893"),
                        subscribers=[
                            InquirySubscriber(
                                Member(Party("IL", "1", "DOE", id_qualifier="MI", identifier="W")),
                                inquiries=[BenefitInquiry(["30", "98", "UC"])],
                            )
                        ],
                    )
                ],
            )
        ],
    )
    text = write_270(inq)
    assert "EQ*30^98^UC~" in text
    assert read_270(text) == [inq]
    with pytest.raises(X12Error) as info:
        read_270(text.replace("EQ*30^98^UC~", "EQ~"))
    assert info.value.code is X12ErrorCode.ELEMENT_MISSING and info.value.segment_id == "EQ"


# --------------------------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------------------------

MEMBER_REFS = ("18", "1L", "6P", "EJ", "IG", "SY", "Y4")
ENTITY_SOURCE = ("PR", "2B", "36", "GP", "P5")
ENTITY_RECEIVER = ("1P", "2B", "36", "80", "FA", "GP", "P5", "PR")


@st.composite
def diagnoses(draw: st.DrawFn) -> Diagnosis:
    return Diagnosis(draw(code("ABK", "BK", "ABF", "BF")), draw(ident(7)))


@st.composite
def relationships(draw: st.DrawFn) -> InsuredRelationship:
    return InsuredRelationship(
        "Y",
        "18",
        draw(opt(st.just("001"))),
        draw(opt(st.just("25"))),
        draw(opt(code(*"123456789"))),
    )


@st.composite
def validations(draw: st.DrawFn) -> RequestValidation:
    return RequestValidation(
        draw(st.booleans()), draw(code("15", "42", "72", "75", "T4")), draw(code("C", "N", "R"))
    )


@st.composite
def militaries(draw: st.DrawFn) -> MilitaryInfo:
    return MilitaryInfo(
        draw(code("A", "C", "L")),
        draw(code("AE", "AO", "RU")),
        draw(code("A", "B", "C")),
        draw(opt(text())),
        draw(opt(code("E1", "S1"))),
        draw(maybe(periods())),
    )


@st.composite
def members(draw: st.DrawFn, entity: str, *, is_271: bool) -> Member:
    return Member(
        name=draw(parties((entity,), ("II", "MI"), person=True)),
        references=draw(small(references(MEMBER_REFS), 0, 3)),
        address=draw(maybe(addresses())),
        validations=draw(small(validations())) if is_271 else [],
        provider=draw(maybe(provider_infos())),
        demographics=draw(maybe(demographics())),
        relationship=draw(maybe(relationships())),
        diagnoses=draw(small(diagnoses(), 0, 8)),
        dates=draw(
            small(
                st.builds(DatedPeriod, code("102", "291", "307", "346", "356", "472"), periods()),
                0,
                3 if is_271 else 2,
            )
        ),
        military=draw(small(militaries())) if is_271 else [],
    )


service_types = small(code("1", "30", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC"), 0, 5)
pointers = small(st.integers(1, 8), 0, 4)
additional = st.builds(
    AdditionalInfo,
    code("ZZ", "GR", "NI"),
    ident(4),
    opt(st.just("44")),
    opt(text()),
)


@st.composite
def inquiries(draw: st.DrawFn) -> BenefitInquiry:
    types = draw(service_types)
    procedure = draw(maybe(procedures()))
    if not types and procedure is None:
        types = ["30"]
    return BenefitInquiry(
        service_types=types,
        procedure=procedure,
        coverage_level=draw(opt(code("IND", "FAM", "EMP"))),
        insurance_type="",
        diagnosis_pointers=draw(pointers),
        spend_down=draw(maybe(positive)),
        billed_amount=draw(maybe(positive)),
        additional=draw(small(additional)),
        referral_number=draw(opt(ident())),
        prior_authorization=draw(opt(ident())),
        date=draw(maybe(periods())),
    )


def _trace_types(is_271: bool) -> tuple[str, ...]:
    return ("1", "2") if is_271 else ("1",)


@st.composite
def inquiry_subscribers(draw: st.DrawFn) -> InquirySubscriber:
    return InquirySubscriber(
        member=draw(members("IL", is_271=False)),
        traces=draw(small(traces(("1",)), 0, 2)),
        inquiries=draw(small(inquiries(), 0, 3)),
        dependents=draw(
            small(
                st.builds(
                    InquiryDependent,
                    members("03", is_271=False),
                    small(traces(("1",)), 0, 2),
                    small(inquiries(), 0, 2),
                )
            )
        ),
    )


@st.composite
def eligibility_inquiries(draw: st.DrawFn) -> EligibilityInquiry:
    receivers = st.builds(
        InquiryReceiver,
        parties(ENTITY_RECEIVER, ("XX", "FI", "SV")),
        small(references(("0B", "1J", "EO", "HPI", "SY", "TJ"))),
        maybe(addresses()),
        maybe(provider_infos()),
        small(inquiry_subscribers(), 1, 2),
    )
    return EligibilityInquiry(
        control_number=draw(control_numbers),
        created=draw(dates),
        created_time=draw(times),
        sources=draw(
            small(
                st.builds(InquirySource, parties(ENTITY_SOURCE, ("PI", "XV")), small(receivers, 1)),
                1,
            )
        ),
        purpose=draw(code("13", "01")),
        reference=draw(opt(ident(30))),
        transaction_type=draw(opt(st.just("RT"))),
        version=draw(code("005010X279A1", "005010X279")),
    )


@st.composite
def deliveries(draw: st.DrawFn) -> ServiceDelivery:
    return ServiceDelivery(
        quantity_qualifier=draw(code("VS", "DY", "FL")),
        quantity=draw(maybe(quantities)),
        unit=draw(opt(code("DA", "MO", "VS", "WK", "YR"))),
        sample_modulus=draw(maybe(quantities)),
        time_period=draw(opt(code("6", "7", "21", "22"))),
        period_count=draw(maybe(quantities)),
        frequency=draw(opt(code("1", "7", "SG"))),
        pattern_time=draw(opt(code("A", "D"))),
    )


@st.composite
def related_entities(draw: st.DrawFn) -> RelatedEntity:
    return RelatedEntity(
        name=draw(parties(("P3", "PR", "1P", "13"), ("XX", "PI", "SV"), relationship=True)),
        address=draw(maybe(addresses())),
        contacts=draw(small(contacts(), 0, 3)),
        provider=draw(maybe(provider_infos())),
    )


@st.composite
def benefits(draw: st.DrawFn) -> Benefit:
    has_quantity = draw(st.booleans())
    return Benefit(
        code=draw(code("1", "6", "A", "B", "C", "G", "L", "CB")),
        coverage_level=draw(opt(code("IND", "FAM", "EMP"))),
        service_types=draw(service_types),
        insurance_type=draw(opt(code("HM", "MB", "PR", "C1"))),
        plan_description=draw(opt(text(30))),
        time_period=draw(opt(code("23", "27", "29"))),
        amount=draw(maybe(amounts)),
        percent=draw(maybe(st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=2))),
        quantity_qualifier=draw(code("VS", "DY")) if has_quantity else "",
        quantity=draw(quantities) if has_quantity else None,
        authorization_required=draw(opt(code("Y", "N", "U"))),
        in_network=draw(opt(code("Y", "N", "U", "W"))),
        procedure=draw(maybe(procedures(product=True))),
        diagnosis_pointers=draw(pointers),
        deliveries=draw(small(deliveries())),
        references=draw(small(references(("18", "1L", "6P", "9F", "G1", "NQ")))),
        dates=draw(small(st.builds(DatedPeriod, code("291", "292", "348"), periods()))),
        validations=draw(small(validations())),
        messages=draw(small(text(40))),
        additional=draw(small(additional)),
        related_entities=draw(small(related_entities())),
    )


@st.composite
def response_subscribers(draw: st.DrawFn) -> ResponseSubscriber:
    return ResponseSubscriber(
        member=draw(members("IL", is_271=True)),
        traces=draw(small(traces(("1", "2")), 0, 3)),
        benefits=draw(small(benefits(), 0, 3)),
        dependents=draw(
            small(
                st.builds(
                    ResponseDependent,
                    members("03", is_271=True),
                    small(traces(("1", "2")), 0, 3),
                    small(benefits(), 0, 2),
                ),
                0,
                1,
            )
        ),
    )


@st.composite
def eligibility_responses(draw: st.DrawFn) -> EligibilityResponse:
    receivers = st.builds(
        ResponseReceiver,
        parties(ENTITY_RECEIVER, ("XX", "FI", "SV")),
        small(references(("0B", "1J", "EO", "HPI", "SY", "TJ"))),
        maybe(addresses()),
        small(validations()),
        maybe(provider_infos()),
        small(response_subscribers(), 0, 2),
    )
    sources = st.builds(
        ResponseSource,
        parties(ENTITY_SOURCE, ("PI", "XV")),
        small(validations()),
        small(contacts(), 0, 3),
        small(validations()),
        small(receivers, 0, 2),
    )
    return EligibilityResponse(
        control_number=draw(control_numbers),
        created=draw(dates),
        created_time=draw(times),
        sources=draw(small(sources, 1)),
        purpose=draw(code("11", "06")),
        reference=draw(opt(ident(30))),
        version=draw(code("005010X279A1", "005010X279")),
    )


@settings(max_examples=30, deadline=None)
@given(eligibility_inquiries())
def test_270_read_of_write_is_identity(inq: EligibilityInquiry) -> None:
    assert read_270(write_270(inq)) == [inq]


@settings(max_examples=30, deadline=None)
@given(eligibility_responses())
def test_271_read_of_write_is_identity(resp: EligibilityResponse) -> None:
    assert read_271(write_271(resp)) == [resp]
