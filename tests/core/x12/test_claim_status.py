"""276/277 (005010X212): the samples, error paths and the write/read round trips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrcm.core.x12.claim_status import (
    STC_USED_CLAIM,
    STC_USED_OTHER,
    ClaimInquiry,
    ClaimStatusInfo,
    ClaimStatusRequest,
    ClaimStatusResponse,
    LineInquiry,
    LineStatus,
    RequestDependent,
    RequestPayer,
    RequestProvider,
    RequestReceiver,
    RequestSubscriber,
    ResponseDependent,
    ResponsePayer,
    ResponseProvider,
    ResponseReceiver,
    ResponseSubscriber,
    TraceStatus,
    outgoing_276,
    outgoing_277,
    read_276,
    read_277,
)
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.hierarchy import Period, Procedure, StatusCode

from .hl_strategies import (
    BILL_TYPES,
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
    quantities,
    sample_files,
    small,
    statuses,
    times,
)


def write_276(*items: ClaimStatusRequest) -> str:
    return interchange([outgoing_276(i) for i in items], "HR", "005010X212")


def write_277(*items: ClaimStatusResponse) -> str:
    return interchange([outgoing_277(i) for i in items], "HN", "005010X212")


# --------------------------------------------------------------------------------------------
# Samples
# --------------------------------------------------------------------------------------------

# The LinuxForHealth transcriptions differ from the stupidedi ones by typing slips that are not
# structural: REF*EJ "J0234567" (zero for the letter O) and a 9-digit NPI "166666666" in the
# second 2100C. NM109 is not checked against the NPI check digit on reading (pyx12 does not
# either); both files read.


def test_every_276_sample_reads() -> None:
    files = sample_files("276")
    assert files
    for path in files:
        (req,) = read_276(path)
        assert req.reference == "ABC276XXX" and req.created == dt.date(2005, 9, 15)
        payer = req.payers[0]
        assert payer.payer.name == "ABC INSURANCE" and payer.payer.identifier == "12345"
        provs = payer.receivers[0].providers
        assert provs[0].provider.name == "HOME HOSPITAL" and len(provs) == 2
        claims = list(req.claims())
        assert [c.trace_number for c in claims] == ["ABCXYZ1", "ABCXYZ2", "ABCXYZ3"]
        assert claims[0].patient_control_number == "SM123456"
        assert claims[0].total_charge == Decimal("8513.88")
        assert claims[0].service_period == Period(dt.date(2005, 8, 31), dt.date(2005, 9, 6))
        dep = provs[1].subscribers[0].dependents[0]
        assert dep.patient.first_name == "JOSEPH"
        assert dep.demographics.birth_date == dt.date(1995, 11, 1)
        line = dep.claims[0].lines[0]
        assert line.procedure == Procedure("HC", "99203")
        assert line.charge == Decimal("150") and line.units == Decimal("1")
        assert read_276(write_276(req)) == [req]


def test_every_277_sample_reads() -> None:
    files = sample_files("277")
    assert files
    for path in files:
        (resp,) = read_277(path)
        claims = list(resp.claims())
        assert [c.trace_number for c in claims] == ["ABCXYZ1", "ABCXYZ2", "ABCXYC3"]
        first = claims[0]
        assert first.statuses[0].status == StatusCode("P3", "317")
        assert first.statuses[0].charge_amount == Decimal("8513.88")
        assert first.pending and not first.finalized
        assert first.payer_claim_control_number == "05347006051"
        second = claims[1]
        assert second.finalized and second.statuses[0].payment_amount == Decimal("7599")
        third = claims[2]
        assert third.statuses[0].status == StatusCode("F2", "88", "QC")
        line = third.lines[0]
        assert line.payment == Decimal("0") and line.units == Decimal("1")
        assert line.statuses[0].status.category == "F2"
        assert line.service_period == Period.day(dt.date(2005, 5, 1))
        assert read_277(write_277(resp)) == [resp]


# --------------------------------------------------------------------------------------------
# Error paths
# --------------------------------------------------------------------------------------------


def _sample_277() -> str:
    path = next(p for p in sample_files("277") if p.name.startswith("stupidedi"))
    return path.read_text()


def _error(text: str) -> X12Error:
    with pytest.raises(X12Error) as info:
        read_277(text)
    return info.value


def test_277_errors_are_named() -> None:
    text = _sample_277()
    err = _error(fix_counts(text.replace("STC*P3:317*20050913**8513.88~", "")))
    # STC is required right after TRN in 2200D: noticed at the REF*1K that comes next.
    assert err.code is X12ErrorCode.SEGMENT_MISSING and err.loop == "2200D"
    assert (err.segment_id, err.segment_number) == ("REF", 14) and "STC" in err.message
    err = _error(text.replace("TRN*2*ABCXYZ1", "TRN*1*ABCXYZ1"))
    assert err.code is X12ErrorCode.CODE_INVALID and (err.segment_id, err.element) == ("TRN", 1)
    err = _error(text.replace("SVC*HC:99203*150*0****1", "SVC*HC:99203*150*0"))
    assert err.code is X12ErrorCode.ELEMENT_MISSING and (err.segment_id, err.element) == ("SVC", 7)
    err = _error(text.replace("HL*8*7*23", "HL*8*7*22"))
    assert err.code is X12ErrorCode.ELEMENT_INVALID and err.element == 2
    err = _error(text.replace("DTP*472*RD8*20050831-20050906", "DTP*472*RD8*20050906-20050831"))
    assert err.code is X12ErrorCode.DATE_INVALID and err.segment_id == "DTP"


def test_a_276_is_not_a_277() -> None:
    path = sample_files("276")[0]
    with pytest.raises(X12Error) as info:
        read_277(path)
    assert info.value.code is X12ErrorCode.TRANSACTION_SET_UNSUPPORTED


def test_276_dependent_needs_demographics_and_no_id() -> None:
    path = next(p for p in sample_files("276") if p.name.startswith("stupidedi"))
    text = path.read_text()
    with pytest.raises(X12Error) as info:
        read_276(fix_counts(text.replace("DMG*D8*19951101*M~", "")))
    assert info.value.code is X12ErrorCode.SEGMENT_MISSING and info.value.loop == "2000E"
    with pytest.raises(X12Error) as info:
        read_276(text.replace("NM1*QC*1*MANN*JOSEPH", "NM1*QC*1*MANN*JOSEPH****MI*1"))
    assert info.value.code is X12ErrorCode.ELEMENT_NOT_USED and info.value.element == 8


# --------------------------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------------------------

SUBSCRIBER = parties(("IL",), ("24", "II", "MI"), person=True)
DEPENDENT = parties(("QC",), None, person=True)
PAYER = parties(("PR",), ("PI", "XV"), person=False)
RECEIVER = parties(("41",), ("46",))
PROVIDER = parties(("1P",), ("FI", "SV", "XX"))


@st.composite
def line_inquiries(draw: st.DrawFn) -> LineInquiry:
    return LineInquiry(
        procedure=draw(procedures()),
        charge=draw(positive),
        service_period=draw(periods()),
        revenue_code=draw(opt(BILL_TYPES)),
        units=draw(maybe(quantities)),
        line_item_control_number=draw(opt(ident(20))),
    )


@st.composite
def claim_inquiries(draw: st.DrawFn) -> ClaimInquiry:
    refs = [draw(opt(ident(15))) for _ in range(7)]
    return ClaimInquiry(
        draw(ident(20)),
        *refs,
        total_charge=draw(maybe(positive)),
        service_period=draw(maybe(periods())),
        lines=draw(small(line_inquiries())),
    )


@st.composite
def requests(draw: st.DrawFn) -> ClaimStatusRequest:
    dependents = st.builds(
        RequestDependent, DEPENDENT, demographics(birth_required=True), small(claim_inquiries(), 1)
    )
    subscribers = st.builds(
        RequestSubscriber,
        SUBSCRIBER,
        maybe(demographics(birth_required=True)),
        small(claim_inquiries()),
        small(dependents, 0, 1),
    )
    providers = st.builds(RequestProvider, small(PROVIDER, 1, 2), small(subscribers, 1))
    receivers = st.builds(RequestReceiver, RECEIVER, small(providers, 1))
    return ClaimStatusRequest(
        control_number=draw(control_numbers),
        reference=draw(ident(30)),
        created=draw(dates),
        created_time=draw(times),
        payers=draw(small(st.builds(RequestPayer, PAYER, small(receivers, 1)), 1)),
    )


STATUSES = statuses(STC_USED_CLAIM)
LINE_STATUSES = statuses(STC_USED_OTHER)


@st.composite
def line_statuses(draw: st.DrawFn) -> LineStatus:
    return LineStatus(
        procedure=draw(procedures()),
        charge=draw(positive),
        payment=draw(positive),
        units=draw(quantities),
        statuses=draw(small(LINE_STATUSES, 1)),
        service_period=draw(periods()),
        revenue_code=draw(opt(BILL_TYPES)),
        line_item_control_number=draw(opt(ident(20))),
    )


@st.composite
def claim_statuses(draw: st.DrawFn) -> ClaimStatusInfo:
    refs = [draw(opt(ident(15))) for _ in range(6)]
    return ClaimStatusInfo(
        draw(ident(20)),
        draw(small(STATUSES, 1)),
        *refs,
        service_period=draw(maybe(periods())),
        lines=draw(small(line_statuses())),
    )


trace_statuses = st.builds(TraceStatus, ident(20), small(LINE_STATUSES, 1))


@st.composite
def responses(draw: st.DrawFn) -> ClaimStatusResponse:
    dependents = st.builds(ResponseDependent, DEPENDENT, small(claim_statuses(), 1))
    subscribers = st.builds(
        ResponseSubscriber, SUBSCRIBER, small(claim_statuses()), small(dependents, 0, 1)
    )
    providers = st.builds(
        ResponseProvider, small(PROVIDER, 1, 2), maybe(trace_statuses), small(subscribers)
    )
    receivers = st.builds(ResponseReceiver, RECEIVER, maybe(trace_statuses), small(providers))
    payers = st.builds(ResponsePayer, PAYER, maybe(contacts()), small(receivers, 1))
    return ClaimStatusResponse(
        control_number=draw(control_numbers),
        reference=draw(ident(30)),
        created=draw(dates),
        created_time=draw(times),
        payers=draw(small(payers, 1)),
    )


@settings(max_examples=30, deadline=None)
@given(requests())
def test_276_read_of_write_is_identity(req: ClaimStatusRequest) -> None:
    assert read_276(write_276(req)) == [req]


@settings(max_examples=30, deadline=None)
@given(responses())
def test_277_read_of_write_is_identity(resp: ClaimStatusResponse) -> None:
    assert read_277(write_277(resp)) == [resp]
