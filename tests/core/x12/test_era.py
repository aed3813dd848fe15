"""835 (005010X221A1): the samples, loop grammar, balancing, streaming and the round trip."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from openrcm.core.x12.era import (
    ClaimPayment,
    Remittance,
    RemittanceEnd,
    RemittanceFailure,
    iter_remittance,
    parse_835,
    read_835,
    write_835,
)
from openrcm.core.x12.errors import X12Error, X12ErrorCode

from .strategies_835 import remittances
from .x12_samples import ids, of, samples_dir

C = X12ErrorCode
NOW = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
GOOD = [s for s in of("835") if s.pyx12_ok]

# The defect our reader names first in each sample pyx12 rejects: (code, segment id, segment
# number, element). pyx12 reports the same defects (see INDEX.tsv and the samples README).
DEFECTS = {
    # BPR has 15 elements: BPR16 (payment date) is missing
    "835/x12--cob-contractural-adjustment.835": (C.ELEMENT_MISSING, "BPR", 4, 16),
    # BPR16 is 20002316, not a date
    "835/x12--managed-care.835": (C.DATE_INVALID, "BPR", 4, 16),
    # loop 1000A has no PER*BL (payer technical contact): the payee's N1 comes first
    "835/x12--medicare-part-a.835": (C.SEGMENT_MISSING, "N1", 11, None),
    "835/x12--secondary-payment.835": (C.ELEMENT_MISSING, "BPR", 4, 16),
}


def write(rems: list[Remittance]) -> str:
    return write_835(rems, sender_id="PAYER", receiver_id="CLINIC", isa_control=7, gs_control=7,
                     now=NOW)  # fmt: skip


def test_every_835_sample_is_covered() -> None:
    samples_dir()
    listed = {s.file for s in of("835")}
    assert listed == {s.file for s in GOOD} | set(DEFECTS)


@pytest.mark.parametrize("sample", GOOD, ids=ids(GOOD))
def test_samples_pyx12_passes_read_without_error(sample) -> None:  # type: ignore[no-untyped-def]
    samples_dir()
    rems = read_835(sample.path)
    assert rems
    for rem in rems:
        assert rem.payment.amount == sum((c.paid for c in rem.claims), Decimal(0)) - rem.plb_total


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_samples_pyx12_rejects_name_their_defect(name: str) -> None:
    folder = samples_dir()
    code, seg_id, number, element = DEFECTS[name]
    with pytest.raises(X12Error) as info:
        read_835(folder / name)
    err = info.value
    assert (err.code, err.segment_id, err.segment_number, err.element) == (
        code, seg_id, number, element
    )  # fmt: skip
    assert err.file is not None and err.file.endswith(name.split("/")[1])


def test_era_sample_values() -> None:
    rem = read_835(samples_dir() / "835/stupidedi--era-sample.edi")[0]
    assert rem.payment.amount == Decimal(132)
    assert rem.payment.method == "CHK"
    assert rem.payment.date == date(2014, 3, 31)
    assert (rem.trace.number, rem.trace.originator) == ("12345", "1512345678")
    assert rem.payer.name == "DELTA DENTAL OF ABC"
    assert rem.payer.contacts[0].function == "BL"
    assert (rem.payee.id_qualifier, rem.payee.id) == ("FI", "999994703")
    claim = rem.claims[0]
    assert claim.patient_control_number == "7722337"
    assert (claim.status, claim.charge, claim.paid) == ("1", Decimal(226), Decimal(132))
    assert claim.payer_claim_number == "119932404007801"
    assert claim.patient is not None and claim.patient.last == "DOE"
    assert claim.amount_of("AU") == Decimal(132)
    assert len(claim.lines) == 5
    line = claim.lines[0]
    assert (line.procedure_qualifier, line.procedure_code) == ("AD", "D0120")
    assert (line.charge, line.paid, line.allowed) == (Decimal(46), Decimal(25), Decimal(25))
    assert line.service_date == date(2014, 3, 24)
    assert [(a.group, a.reason, a.amount) for a in line.adjustments] == [("CO", "131", Decimal(21))]


def test_plb_and_multiple_cas_triplets() -> None:
    folder = samples_dir()
    rem = read_835(folder / "835/stupidedi--dollars-and-data-sent-together.edi")[0]
    (plb,) = rem.provider_adjustments
    assert plb.provider_id == "6543210903"
    assert plb.fiscal_period_date == date(2002, 12, 31)
    assert [(i.reason, i.reference, i.amount) for i in plb.items] == [
        ("CV", "CP", Decimal("-1.27"))
    ]
    rem = read_835(folder / "835/stupidedi--secondary-payments.edi")[0]
    triplets = [(a.group, a.reason, a.amount) for c in rem.claims for ln in c.lines
                for a in ln.adjustments]  # fmt: skip
    assert ("PR", "1", Decimal(150)) in triplets and ("PR", "2", Decimal(70)) in triplets


def test_mia_moa_remarks_and_line_control_numbers() -> None:
    folder = samples_dir()
    rems = read_835(folder / "835/stupidedi--dollars-and-data-sent-together.edi")
    remarks = [code for c in rems[0].claims for code in c.remark_codes]
    assert "MA02" in remarks


# -- small hand-made files ------------------------------------------------------------------

HEAD = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *240301*0930*^*00501*"
    "000000001*0*P*:~GS*HP*PAYER*CLINIC*20240301*0930*1*X*005010X221A1~"
)
BODY = [
    "BPR*I*{bpr}*C*CHK************20240301",
    "TRN*1*CHK100*1512345678",
    "N1*PR*ACME HEALTH",
    "N3*1 MAIN ST",
    "N4*TOWN*PA*17111",
    "PER*BL*EDI*TE*8005551212",
    "N1*PE*CLINIC*XX*1234567893",
    "LX*1",
    "CLP*PCN1*1*100*70*10*12*PAYER1",
    "CAS*PR*1*10",
    "NM1*QC*1*DOE*JANE****MI*M1",
    "SVC*HC:99213:25*100*80**1",
    "DTM*472*20240115",
    "CAS*CO*45*20",
    "REF*6R*LINE1",
    "AMT*B6*80",
    "LQ*HE*N130",
]


def make(body: list[str], bpr: str = "70", st02: str = "0001") -> str:
    segs = [s.replace("{bpr}", bpr) for s in body]
    text = f"ST*835*{st02}*005010X221A1~" + "".join(s + "~" for s in segs)
    text += f"SE*{len(segs) + 2}*{st02}~"
    return text


def wrap(*sets: str) -> str:
    return HEAD + "".join(sets) + f"GE*{len(sets)}*1~IEA*1*000000001~"


def test_hand_made_file_reads() -> None:
    (rem,) = read_835(wrap(make(BODY)))
    claim = rem.claims[0]
    assert claim.patient_responsibility == Decimal(10)
    line = claim.lines[0]
    assert line.modifiers == ["25"]
    assert line.line_control_number == "LINE1"
    assert line.remark_codes == ["N130"]
    assert claim.adjustment_total == Decimal(30)


def test_line_balance_break_names_svc() -> None:
    body = [s if not s.startswith("SVC") else "SVC*HC:99213*100*81**1" for s in BODY]
    with pytest.raises(X12Error) as info:
        read_835(wrap(make(body)))
    e = info.value
    assert (e.code, e.segment_id, e.segment_number, e.element, e.loop) == (
        C.BALANCE, "SVC", 15, 3, "2110"
    )  # fmt: skip
    assert "SVC02" in e.message and "81" in e.message


def test_claim_balance_break_names_clp() -> None:
    body = [s if not s.startswith("CAS*PR") else "CAS*PR*1*11" for s in BODY]
    with pytest.raises(X12Error) as info:
        read_835(wrap(make(body)))
    e = info.value
    assert (e.code, e.segment_id, e.segment_number, e.element, e.loop) == (
        C.BALANCE, "CLP", 12, 4, "2100"
    )  # fmt: skip


def test_bpr_balance_break_names_bpr() -> None:
    with pytest.raises(X12Error) as info:
        read_835(wrap(make(BODY, bpr="71")))
    e = info.value
    assert (e.code, e.segment_id, e.segment_number, e.element) == (C.BALANCE, "BPR", 4, 2)


def test_plb_enters_the_bpr_balance() -> None:
    # interest L6 is a negative PLB amount: it increases the payment
    body = [*BODY, "PLB*1234567893*20241231*L6:CLAIM1*-2.5*WO:X*1"]
    (rem,) = read_835(wrap(make(body, bpr="71.5")))
    assert rem.plb_total == Decimal("-1.5")


@pytest.mark.parametrize(
    ("change", "code", "seg_id"),
    [
        (lambda b: [s for s in b if not s.startswith("NM1*QC")], C.SEGMENT_MISSING, "SVC"),
        (lambda b: [s for s in b if not s.startswith("PER*BL")], C.SEGMENT_MISSING, "N1"),
        (lambda b: [s for s in b if not s.startswith("N4")], C.SEGMENT_MISSING, "PER"),
        (lambda b: [s for s in b if not s.startswith("LX")], C.SEGMENT_MISSING, "CLP"),
        (lambda b: [s for s in b if not s.startswith("TRN")], C.SEGMENT_MISSING, "N1"),
        (lambda b: [*b[:12], "DTM*232*20240101", *b[12:]], C.CODE_INVALID, "DTM"),
        (lambda b: [*b[:11], "CAS*CO*45*0", *b[11:]], C.SEGMENT_ORDER, "CAS"),
        (lambda b: [*b, "NM1*IL*1*DOE"], C.SEGMENT_ORDER, "NM1"),
        (lambda b: [*b, "ZZZ*1"], C.SEGMENT_UNRECOGNIZED, "ZZZ"),
        (lambda b: [*b[:8], "CAS*CO*1*1", *b[8:]], C.SEGMENT_MISSING, "CAS"),
        (lambda b: [s.replace("CAS*CO*45*20", "CAS*XX*45*20") for s in b], C.CODE_INVALID,
         "CAS"),
        (lambda b: [s.replace("DTM*472*20240115", "DTM*472*20241315") for s in b],
         C.DATE_INVALID, "DTM"),
        (lambda b: [s.replace("*100*80**1", "*1OO*80**1") for s in b], C.NUMBER_INVALID, "SVC"),
        (lambda b: [s.replace("REF*6R*LINE1", "REF*6R*LINE1*X") for s in b],
         C.TOO_MANY_ELEMENTS, "REF"),
        (lambda b: [*b[:15], "REF*6R*L2", *b[15:]], C.SEGMENT_REPEATED, "REF"),
        (lambda b: [s.replace("CLP*PCN1*1*", "CLP*PCN1*9*") for s in b], C.CODE_INVALID,
         "CLP"),
    ],
)  # fmt: skip
def test_grammar_errors_are_named(change, code, seg_id) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(X12Error) as info:
        read_835(wrap(make(change(BODY))))
    assert (info.value.code, info.value.segment_id) == (code, seg_id), str(info.value)


def test_bad_set_is_quarantined_while_others_read() -> None:
    bad = make([s if not s.startswith("SVC") else "SVC*HC:99213*100*81**1" for s in BODY],
               st02="0002")  # fmt: skip
    result = parse_835(wrap(make(BODY, st02="0001"), bad, make(BODY, st02="0003")))
    assert [r.control_number for r in result.remittances] == ["0001", "0003"]
    (failure,) = result.failures
    assert failure.control_number == "0002"
    assert failure.error.code == C.BALANCE
    assert failure.error.transaction_set == "0002"


def test_wrong_se_count_fails_the_set_only() -> None:
    good = make(BODY, st02="0001")
    bad = make(BODY, st02="0002").replace("SE*19*0002", "SE*18*0002")
    result = parse_835(wrap(good, bad))
    assert [r.control_number for r in result.remittances] == ["0001"]
    assert result.errors[0].code == C.COUNT_MISMATCH


def test_stream_yields_header_claims_then_end() -> None:
    body = [*BODY, *BODY[8:]]  # a second claim
    events = list(iter_remittance(wrap(make(body, bpr="140"))))
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["Remittance", "ClaimPayment", "ClaimPayment", "RemittanceEnd"]
    end = events[-1]
    assert isinstance(end, RemittanceEnd)
    assert (end.claim_count, end.line_count, end.total_paid) == (2, 2, Decimal(140))
    header = events[0]
    assert isinstance(header, Remittance) and header.claims == []


def test_stream_reports_a_failure_after_streamed_claims() -> None:
    body = [*BODY, *BODY[8:]]
    events = list(iter_remittance(wrap(make(body, bpr="1"))))
    assert isinstance(events[1], ClaimPayment)
    assert isinstance(events[-1], RemittanceFailure)
    assert events[-1].error.code == C.BALANCE


def test_not_an_835() -> None:
    text = wrap(make(BODY)).replace("ST*835", "ST*837")
    with pytest.raises(X12Error) as info:
        read_835(text)
    assert info.value.code == C.TRANSACTION_SET_UNSUPPORTED


def test_writer_refuses_unbalanced() -> None:
    (rem,) = read_835(wrap(make(BODY)))
    rem.payment.amount += 1
    with pytest.raises(X12Error) as info:
        write([rem])
    assert info.value.code == C.BALANCE


def test_more_than_six_adjustments_split_into_cas_segments() -> None:
    (rem,) = read_835(wrap(make(BODY)))
    line = rem.claims[0].lines[0]
    from openrcm.core.x12.era import Adjustment

    extra = [Adjustment("CO", str(i), Decimal(0)) for i in range(1, 9)]
    line.adjustments += extra
    text = write([rem])
    assert text.count("CAS*CO") == 2 + 0 and "CAS*CO*45*20*" in text
    assert read_835(text) == [rem]


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(rems=remittances())
def test_round_trip(rems: Remittance) -> None:
    text = write([rems])
    assert read_835(text) == [rems]
    assert read_835(text.encode()) == [rems]


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(a=remittances(max_claims=3), b=remittances(max_claims=3))
def test_round_trip_two_sets(a: Remittance, b: Remittance) -> None:
    b.control_number = a.control_number + "1" if len(a.control_number) < 9 else "1234"
    assert read_835(write([a, b])) == [a, b]


@pytest.mark.slow
def test_our_835_passes_pyx12(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """pyx12 4.0.0, the independent validator, accepts what our writer produces."""
    io = pytest.importorskip("io")
    params = pytest.importorskip("pyx12.params")
    x12n_document = pytest.importorskip("pyx12.x12n_document")
    (rem,) = read_835(wrap(make([*BODY, *BODY[8:]], bpr="140")))
    rem.claims[1].patient_control_number = "PCN2"
    path = tmp_path / "ours.835"
    path.write_text(write([rem]))
    ok = x12n_document.x12n_document(
        param=params.params(),
        src_file=str(path),
        fd_997=io.StringIO(),
        fd_html=None,
        fd_json=io.StringIO(),
    )
    assert ok
