"""277CA (005010X214): the samples, error paths and the write/read round trip."""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrcm.core.x12.ack277ca import (
    STC_USED,
    BillingProviderAck,
    ClaimAck,
    ClaimAcknowledgment,
    InformationReceiverAck,
    InformationSourceAck,
    PatientAck,
    ServiceLineAck,
    SourceReceipt,
    iter_277ca,
    outgoing_277ca,
    read_277ca,
)
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.hierarchy import Party, Period, Procedure, Status, StatusCode

from .hl_strategies import (
    BILL_TYPES,
    REVENUE_CODES,
    amounts,
    control_numbers,
    dates,
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
    references,
    sample_files,
    small,
    statuses,
    times,
)

ACTIONS = ("WQ", "U")


def write(*acks: ClaimAcknowledgment) -> str:
    return interchange([outgoing_277ca(a) for a in acks], "HN", "005010X214")


# --------------------------------------------------------------------------------------------
# Samples
# --------------------------------------------------------------------------------------------

# Both x12-parser 277CA fixtures lack the STC required in loop 2200C (billing provider status);
# pyx12 4.0.0 reports the same (Line 19: mandatory segment STC missing). The accepted one also
# carries DTP*472*D8*10010101 (pyx12's second error), which a reader stopping at the first
# defect does not reach.
SAMPLE_DEFECTS = {
    "x12-parser--x12_277CA_accepted.txt": (X12ErrorCode.SEGMENT_MISSING, "HL", 19, "2200C"),
    "x12-parser--x12_277CA_rejected.txt": (X12ErrorCode.SEGMENT_MISSING, "HL", 19, "2200C"),
}


def test_every_277ca_sample_is_read_or_its_defect_named() -> None:
    files = sample_files("277ca")
    assert files
    for path in files:
        expected = SAMPLE_DEFECTS.get(path.name)
        if expected is None:
            assert read_277ca(path)
            continue
        with pytest.raises(X12Error) as info:
            read_277ca(path)
        err = info.value
        assert (err.code, err.segment_id, err.segment_number, err.loop) == expected, err
        assert "STC" in err.message and err.file == str(path)


def _fixed_rejected() -> str:
    """The rejected fixture with its missing 2200C STC added: then it reads."""
    path = next(p for p in sample_files("277ca") if "rejected" in p.name)
    text = path.read_text()
    text = text.replace(
        "TRN*1*1107000000000001FF~", "TRN*1*1107000000000001FF~STC*A1|20**WQ*199.14~"
    )
    return text.replace("SE*24*", "SE*25*")


def test_rejected_fixture_once_repaired_gives_the_claim_rejection() -> None:
    (ack,) = read_277ca(_fixed_rejected())
    assert ack.reference == "3920394930203"
    assert ack.created == dt.date(2011, 3, 11)
    src = ack.sources[0]
    assert src.source.name == "NYSDOH" and src.source.identifier == "141797357"
    assert src.receipts == [SourceReceipt("000001120", dt.date(2011, 3, 11), dt.date(2011, 3, 11))]
    rcv = src.receiver
    assert rcv.trace == "11200001"
    assert rcv.accepted_quantity == 1 and rcv.accepted_amount == Decimal("199.14")
    [(prov, pat, claim)] = list(ack.claims())
    assert prov.trace == "1107000000000001FF"
    assert pat.patient.name == "CLILNAME" and pat.patient.identifier == "XX99999X"
    assert claim.patient_control_number == "3920394930203"
    assert claim.payer_claim_control_number == "1107000000001120"
    assert claim.bill_type == "731"
    assert claim.service_period == Period.day(dt.date(2009, 3, 11))
    st0 = claim.statuses[0]
    assert st0.status == StatusCode("A7", "562", "85")
    assert st0.action_code == "WQ" and st0.charge_amount == Decimal("199.14")
    assert claim.rejected and not claim.accepted
    assert claim.categories == ["A7"]


def test_round_trip_of_the_repaired_fixture() -> None:
    acks = read_277ca(_fixed_rejected())
    assert read_277ca(write(*acks)) == acks


# --------------------------------------------------------------------------------------------
# Error paths
# --------------------------------------------------------------------------------------------


def _minimal() -> ClaimAcknowledgment:
    status = Status(StatusCode("A2", "20"), dt.date(2024, 1, 2), "WQ", Decimal("100"))
    undated = Status(StatusCode("A2", "20"), None, "WQ", Decimal("100"))
    claim = ClaimAck("PCN1", [status], Period.day(dt.date(2024, 1, 1)), "PAYER1")
    patient = PatientAck(
        Party("QC", "1", "DOE", "JANE", id_qualifier="MI", identifier="M1"), [claim]
    )
    prov = BillingProviderAck(
        Party("85", "2", "CLINIC", id_qualifier="XX", identifier="1234567893"),
        "PT1",
        [undated],
        [patient],
    )
    rcv = InformationReceiverAck(
        Party("41", "2", "SUBMITTER", id_qualifier="46", identifier="S1"),
        "BATCH1",
        [status],
        [prov],
    )
    src = InformationSourceAck(
        Party("PR", "2", "PAYER", id_qualifier="PI", identifier="P1"),
        [SourceReceipt("R1", dt.date(2024, 1, 2), dt.date(2024, 1, 2))],
        rcv,
    )
    return ClaimAcknowledgment("0001", "REF1", dt.date(2024, 1, 2), dt.time(10, 30), [src])


def test_minimal_reads_back() -> None:
    ack = _minimal()
    assert read_277ca(write(ack)) == [ack]
    assert next(ack.claims())[2].accepted


def _error(text: str) -> X12Error:
    with pytest.raises(X12Error) as info:
        read_277ca(text)
    return info.value


def _mutate(old: str, new: str) -> str:
    text = write(_minimal())
    assert old in text
    return text.replace(old, new, 1)


def test_missing_claim_date_is_named() -> None:
    text = write(_minimal())
    segs = text.split("~")
    i = next(i for i, s in enumerate(segs) if s.startswith("DTP*472"))
    del segs[i]
    err = _error(fix_counts("~".join(segs)))
    assert err.code is X12ErrorCode.SEGMENT_MISSING
    assert err.loop == "2200D" and "DTP" in err.message


def test_unknown_reference_qualifier_is_a_code_error() -> None:
    err = _error(_mutate("REF*1K*PAYER1", "REF*ZZ*PAYER1"))
    assert err.code is X12ErrorCode.CODE_INVALID
    assert (err.segment_id, err.element, err.loop) == ("REF", 1, "2200D")


def test_out_of_order_segment() -> None:
    err = _error(_mutate("REF*1K*PAYER1~DTP*472*D8*20240101", "DTP*472*D8*20240101~REF*1K*PAYER1"))
    assert err.code is X12ErrorCode.SEGMENT_ORDER
    assert err.segment_id == "REF" and err.loop == "2200D"


def test_bad_hl_parent_and_level() -> None:
    err = _error(_mutate("HL*4*3*PT", "HL*4*9*PT"))
    assert err.code is X12ErrorCode.ELEMENT_INVALID and err.element == 2
    err = _error(_mutate("HL*4*3*PT", "HL*4*3*ZZ"))
    assert err.code is X12ErrorCode.CODE_INVALID and err.element == 3
    err = _error(_mutate("HL*4*3*PT", "HL*5*3*PT"))
    assert err.code is X12ErrorCode.ELEMENT_INVALID and err.element == 1
    err = _error(_mutate("HL*3*2*19*1", "HL*3*2*19*0"))
    assert err.segment_id == "HL" and err.element == 2


def test_action_code_and_missing_amount() -> None:
    err = _error(_mutate("*WQ*100~REF*1K", "*XX*100~REF*1K"))
    assert err.code is X12ErrorCode.CODE_INVALID and (err.segment_id, err.element) == ("STC", 3)
    err = _error(_mutate("*WQ*100~REF*1K", "*WQ~REF*1K"))
    assert err.code is X12ErrorCode.ELEMENT_MISSING and (err.segment_id, err.element) == ("STC", 4)


def test_wrong_guide_is_refused() -> None:
    err = _error(write(_minimal()).replace("005010X214", "005010X212"))
    assert err.code is X12ErrorCode.VERSION_UNSUPPORTED


def test_bad_set_is_reported_alone() -> None:
    good = _minimal()
    text = interchange([outgoing_277ca(good), outgoing_277ca(good)], "HN", "005010X214")
    parts = text.split("ST*277*", 2)
    bad = parts[0] + "ST*277*" + parts[1] + "ST*277*" + parts[2].replace("REF*1K", "REF*ZZ", 1)
    results = list(iter_277ca(bad))
    assert results[0] == good
    assert isinstance(results[1], X12Error) and results[1].transaction_set == "0001"


# --------------------------------------------------------------------------------------------
# Round trip
# --------------------------------------------------------------------------------------------


# Entity codes STC01-3 may carry in each loop (pyx12's X214 map).
STC_ENTITIES = {
    "2200B": ("36", "40", "41", "AY", "PR"),
    "2200C": ("36", "40", "41", "77", "82", "85"),
    "2200D": ("03", "1P", "1Z", "40", "41", "71"),
    "2220D": ("03", "1P", "1Z", "40", "41", "71"),
}


def stcs(loop: str, actions: tuple[str, ...] = ACTIONS) -> st.SearchStrategy[Status]:
    return statuses(
        STC_USED[loop],
        actions=actions,
        charge=4 in STC_USED[loop],
        qualifier=False,
        entities=STC_ENTITIES[loop],
        # STC10-3/STC11-3: codes pyx12's element 98 list knows (it lacks 03, 41, PR, AY).
        extra_entities=("1P", "1Z", "40", "71", "85"),
    )


@st.composite
def lines(draw: st.DrawFn) -> ServiceLineAck:
    return ServiceLineAck(
        procedure=draw(procedures(qualifiers=("AD", "ER", "HC", "HP", "IV", "NU"))),
        charge=draw(positive),
        status=draw(stcs("2220D", ("U",))),
        revenue_code=draw(opt(REVENUE_CODES)),
        units=draw(maybe(quantities)),
        line_item_control_number=draw(opt(ident(20))),
        prescription_number=draw(opt(ident())),
        service_period=draw(maybe(periods())),
    )


@st.composite
def claims(draw: st.DrawFn) -> ClaimAck:
    return ClaimAck(
        patient_control_number=draw(ident(20)),
        statuses=draw(small(stcs("2200D"), 1, 3)),
        service_period=draw(periods()),
        payer_claim_control_number=draw(opt(ident(20))),
        clearinghouse_trace_number=draw(opt(ident(20))),
        bill_type=draw(opt(BILL_TYPES)),
        lines=draw(small(lines())),
    )


@st.composite
def providers(draw: st.DrawFn) -> BillingProviderAck:
    return BillingProviderAck(
        provider=draw(parties(("85",), ("FI", "SV", "XX"))),
        trace=draw(ident(20)),
        statuses=draw(small(stcs("2200C"), 1)),
        patients=draw(
            small(
                st.builds(
                    PatientAck,
                    parties(("QC",), ("II", "MI"), person=True),
                    small(claims(), 0, 2),
                ),
                1,
            )
        ),
        secondary_id=draw(
            maybe(references(("0B", "1G", "G2", "LU", "SY", "TJ"), description=False))
        ),
        accepted_quantity=draw(maybe(st.integers(0, 99999))),
        rejected_quantity=draw(maybe(st.integers(0, 99999))),
        accepted_amount=draw(maybe(amounts)),
        rejected_amount=draw(maybe(amounts)),
    )


@st.composite
def acknowledgments(draw: st.DrawFn) -> ClaimAcknowledgment:
    receiver = InformationReceiverAck(
        receiver=draw(parties(("41",), ("46",), suffix=False)),
        trace=draw(ident(20)),
        statuses=draw(small(stcs("2200B"), 1)),
        providers=draw(small(providers(), 1)),
        accepted_quantity=draw(maybe(st.integers(0, 99999))),
        rejected_quantity=draw(maybe(st.integers(0, 99999))),
        accepted_amount=draw(maybe(amounts)),
        rejected_amount=draw(maybe(amounts)),
    )
    source = InformationSourceAck(
        source=draw(parties(("PR", "AY"), ("46", "FI", "PI", "XV"), person=False)),
        receipts=draw(small(st.builds(SourceReceipt, ident(20), dates, dates), 1)),
        receiver=receiver,
    )
    return ClaimAcknowledgment(
        control_number=draw(control_numbers),
        reference=draw(ident(30)),
        created=draw(dates),
        created_time=draw(times),
        sources=[source],
    )


@settings(max_examples=40, deadline=None)
@given(small(acknowledgments(), 1, 2))
def test_read_of_write_is_identity(acks: list[ClaimAcknowledgment]) -> None:
    assert read_277ca(write(*acks)) == acks


def test_procedure_modifiers_and_text_survive() -> None:
    ack = _minimal()
    claim = next(ack.claims())[2]
    claim.lines.append(
        ServiceLineAck(
            Procedure("HC", "99213", ["25", "59"]),
            Decimal("125.50"),
            Status(StatusCode("A7", "453", "QC"), dt.date(2024, 1, 2), "U"),
            units=Decimal("1"),
            line_item_control_number="LINE-1",
        )
    )
    claim.statuses.append(
        Status(
            StatusCode("A7", "21"),
            dt.date(2024, 1, 2),
            "U",
            Decimal("125.5"),
            additional=[StatusCode("A7", "164", "IL"), StatusCode("A8", "562")],
            message="MEMBER ID INVALID",
        )
    )
    [back] = read_277ca(write(ack))
    assert back == ack
    assert next(back.claims())[2].rejected


def _pyx12_errors(text: str) -> str:
    """ "" when pyx12 4.0.0 validates ``text``, else its JSON error tree."""

    import pyx12.x12n_document

    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as tmp:  # pyx12 writes files beside its input
        path = Path(tmp) / "277ca.x12"
        path.write_text(text)
        out = io.StringIO()
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=str(path),
            fd_997=io.StringIO(),
            fd_html=None,
            fd_json=out,
        )
    return "" if ok else out.getvalue()


def test_repaired_fixture_written_by_us_passes_pyx12() -> None:
    assert _pyx12_errors(write(*read_277ca(_fixed_rejected()))) == ""
    assert _pyx12_errors(write(_minimal())) == ""


@settings(max_examples=15, deadline=None)
@given(acknowledgments())
def test_written_277ca_passes_pyx12(ack: ClaimAcknowledgment) -> None:
    assert _pyx12_errors(write(ack)) == ""
