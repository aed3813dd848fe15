"""The sandbox clearinghouse: TA1, 999 and 277CA answers to submitted 837P files."""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import replace
from decimal import Decimal

import pytest

from openrcm.core.sandbox import PayerProfile, Sandbox, SandboxConfig, SandboxState
from openrcm.core.sandbox.config import COMMERCIAL_BENEFITS, PayerKind
from openrcm.core.x12.ack277ca import read_277ca
from openrcm.core.x12.ack999 import read_999
from openrcm.core.x12.claim837p import Name, Provider
from openrcm.core.x12.ta1 import read_ta1

from .factory import NOW, PAYERS, batch, claim, claims, file_837, pyx12_errors, texts

LATER = NOW.date() + dt.timedelta(days=3)
QUIET = SandboxConfig(seed=11, unknown_member_rate=Decimal(0))


def receive(data: bytes, config: SandboxConfig = QUIET) -> tuple[Sandbox, list]:  # type: ignore[type-arg]
    sb = Sandbox(config)
    response = sb.receive_837(data, received_at=NOW, name="in.837")
    files = sb.poll(as_of=NOW + dt.timedelta(days=1))
    assert [f.file_id for f in files] == [f.file_id for f in response.files]
    return sb, files


def statuses(text: str) -> dict[str, list[tuple[str, str, str]]]:
    """PCN -> the (category, code, entity) of every status of the claim."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for ack in read_277ca(text):
        for _, _, c in ack.claims():
            out[c.patient_control_number] = [
                (s.category, s.code, s.entity) for st in c.statuses for s in st.codes
            ]
    return out


def test_a_good_file_gets_a_999_acceptance_and_a_277ca_for_every_claim() -> None:
    cl = claims(12, seed=3)
    sb, files = receive(file_837([batch(cl)]))
    assert [f.kind for f in files] == ["999", "277CA"]
    [ack] = read_999(texts(files, "999")[0])
    assert ack.group_status == "A" and ack.group_control_number == "201"
    assert [(s.control_number, s.status) for s in ack.sets] == [("0001", "A")]
    [ca] = read_277ca(texts(files, "277CA")[0])
    got = {c.patient_control_number: c for _, _, c in ca.claims()}
    assert set(got) == {c.patient_control_number for c in cl}
    assert ca.sources[0].receiver.trace == "B0001"
    assert ca.sources[0].receiver.accepted_quantity == 12
    for c in got.values():
        assert c.accepted and c.statuses[0].status.category == "A2"
        assert c.statuses[0].status.code == "20"
        held = sb.state.claims[c.payer_claim_control_number]
        assert held.pcn == c.patient_control_number and held.status == "pending"
    # times on the simulated clock
    assert files[0].available_at == NOW + QUIET.ack_delay
    assert files[1].available_at == NOW + QUIET.claim_ack_delay


def test_999_and_277ca_pass_pyx12() -> None:
    pytest.importorskip("pyx12")
    rng = random.Random(5)
    cl = [claim(rng, i) for i in range(6)]
    cl.append(claim(rng, 99, member_id="UNKNOWN1"))
    _, files = receive(file_837([batch(cl), batch(claims(3, seed=8), "B0002")]))
    for f in files:
        assert pyx12_errors(f.text) == [], f.kind


def test_a_malformed_set_is_rejected_by_the_999_naming_the_segment_and_element() -> None:
    good = batch(claims(2, seed=1))
    bad = batch(claims(2, seed=2), "B0002")
    text = file_837([good, bad]).decode()
    first_clm_of_bad = text.index("CLM*", text.index("ST*837*0002"))
    end = text.index("~", first_clm_of_bad)
    clm = text[first_clm_of_bad:end].split("*")
    clm[2] = ""  # CLM02 total charge missing
    text = text[:first_clm_of_bad] + "*".join(clm) + text[end:]
    sb, files = receive(text.encode())
    [ack] = read_999(texts(files, "999")[0])
    assert ack.group_status == "P" and ack.sets_accepted == 1 and ack.sets_received == 2
    ok, rejected = ack.sets
    assert ok.status == "A" and rejected.status == "R" and rejected.control_number == "0002"
    [note] = rejected.segment_notes
    assert note.segment_id == "CLM" and note.code == "8"
    assert note.position > 1
    assert [(e.position, e.code) for e in note.elements] == [(2, "1")]
    assert rejected.codes == ["5"]
    # only the good set reaches the payer
    [ca] = read_277ca(texts(files, "277CA")[0])
    assert {c.patient_control_number for _, _, c in ca.claims()} == {
        c.patient_control_number for c in good.claims
    }
    assert len(sb.state.claims) == 2
    assert pyx12_errors(texts(files, "999")[0]) == [] if _has_pyx12() else True


def _has_pyx12() -> bool:
    try:
        import pyx12  # noqa: F401
    except ImportError:  # pragma: no cover
        return False
    return True


def test_an_unknown_segment_gets_ik3_code_1() -> None:
    text = file_837([batch(claims(1, seed=1))]).decode()
    i = text.index("CLM*")
    text = text[:i] + "ZZZ*1~" + text[i:]
    text = re.sub(r"~SE\*(\d+)\*", lambda m: f"~SE*{int(m[1]) + 1}*", text)
    _, files = receive(text.encode())
    [ack] = read_999(texts(files, "999")[0])
    [resp] = ack.sets
    assert resp.status == "R" and resp.segment_notes[0].segment_id == "ZZZ"
    assert resp.segment_notes[0].code in ("1", "2")
    assert texts(files, "277CA") == []


def test_a_group_trailer_defect_rejects_the_group() -> None:
    text = file_837([batch(claims(2, seed=1))]).decode().replace("GE*1*201~", "GE*2*201~")
    sb, files = receive(text.encode())
    [ack] = read_999(texts(files, "999")[0])
    assert ack.group_status == "R" and ack.group_codes == ["5"] and ack.sets_accepted == 0
    assert texts(files, "277CA") == [] and not sb.state.claims


def test_an_interchange_defect_gets_a_ta1_rejection_and_nothing_else() -> None:
    text = file_837([batch(claims(2, seed=1))]).decode()
    text = text.replace("IEA*1*000000101~", "IEA*1*000000999~")
    sb, files = receive(text.encode())
    assert [f.kind for f in files] == ["TA1"]
    [ta1] = read_ta1(files[0].text)
    assert (ta1.control_number, ta1.status, ta1.note_code) == ("000000101", "R", "001")
    assert not sb.state.claims


def test_bytes_that_are_not_x12_get_a_ta1_rejection() -> None:
    sb = Sandbox(QUIET)
    response = sb.receive_837(b"hello, this is not an 837", received_at=NOW)
    assert response.interchange_rejected
    [f] = response.files
    [ta1] = read_ta1(f.text)
    assert ta1.status == "R" and ta1.note_code != "000"


def test_a_requested_ta1_is_sent_with_the_999() -> None:
    _, files = receive(file_837([batch(claims(1, seed=1))], ack=True))
    assert [f.kind for f in files] == ["TA1", "999", "277CA"]
    [ta1] = read_ta1(files[0].text)
    assert ta1.status == "A" and ta1.note_code == "000"


@pytest.mark.parametrize(
    ("change", "expected", "message"),
    [
        (
            lambda c: replace(c, subscriber=replace(c.subscriber, member_id="UNKNOWN42")),
            [("A3", "33", ""), ("A7", "164", "IL")],
            "SUBSCRIBER AND SUBSCRIBER ID NOT FOUND",
        ),
        (
            lambda c: replace(c, billing_provider=replace(c.billing_provider, npi="1234567890")),
            [("A7", "562", "85")],
            "BILLING PROVIDER NPI INVALID",
        ),
        (
            lambda c: replace(c, referring=Provider(name=Name(last="DOC"), npi="1111111111")),
            [("A7", "562", "DN")],
            "REFERRING PROVIDER NPI INVALID",
        ),
        (
            lambda c: replace(c, lines=[replace(ln, service_date=LATER) for ln in c.lines]),
            [("A7", "187", "")],
            "DATE OF SERVICE IN THE FUTURE",
        ),
        (
            lambda c: replace(
                c, subscriber=replace(c.subscriber, birth_date=NOW.date() - dt.timedelta(days=2))
            ),
            [("A8", "187", "QC"), ("A8", "158", "QC")],
            "DATE OF SERVICE BEFORE BIRTH DATE",
        ),
        (
            lambda c: replace(c, frequency="7", payer_claim_number="9999999999999"),
            [("A7", "21", "")],
            "ORIGINAL CLAIM NUMBER NOT FOUND",
        ),
    ],
    ids=["unknown-member", "billing-npi", "referring-npi", "future-date", "before-birth",
         "unknown-original"],
)  # fmt: skip
def test_277ca_rejections(change, expected, message) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(4)
    good = claim(rng, 1, filing="MB", service=NOW.date() - dt.timedelta(days=10))
    bad = change(claim(rng, 2, filing="MB", service=NOW.date() - dt.timedelta(days=10)))
    sb, files = receive(file_837([batch([good, bad])]))
    got = statuses(texts(files, "277CA")[0])
    assert got[good.patient_control_number] == [("A2", "20", "")]
    assert got[bad.patient_control_number] == expected
    [ca] = read_277ca(texts(files, "277CA")[0])
    rejected = next(c for _, _, c in ca.claims() if c.patient_control_number == "PCN0000002")
    assert rejected.rejected and rejected.statuses[0].message == message
    assert rejected.statuses[0].action_code == "U" and not rejected.payer_claim_control_number
    assert [c.pcn for c in sb.state.claims.values()] == [good.patient_control_number]
    assert ca.sources[0].receiver.rejected_quantity == 1


def _without_subscriber_address(text: str, member_id: str) -> str:
    """Drop the N3/N4 after the subscriber's NM1*IL and fix SE01: our writer refuses to
    write such a claim, but other submitters' files reach the clearinghouse too."""
    segments = text.split("~")
    at = next(i for i, s in enumerate(segments) if s.startswith("NM1*IL") and member_id in s)
    assert segments[at + 1].startswith("N3*") and segments[at + 2].startswith("N4*")
    del segments[at + 1 : at + 3]
    se = next(i for i in range(at, len(segments)) if segments[i].startswith("SE*"))
    parts = segments[se].split("*")
    parts[1] = str(int(parts[1]) - 2)
    segments[se] = "*".join(parts)
    return "~".join(segments)


def test_277ca_rejects_a_patient_subscriber_without_an_address() -> None:
    rng = random.Random(4)
    good = claim(rng, 1, filing="MB", service=NOW.date() - dt.timedelta(days=10))
    bad = claim(rng, 2, filing="MB", service=NOW.date() - dt.timedelta(days=10))
    assert bad.patient is None
    text = _without_subscriber_address(
        file_837([batch([good, bad])]).decode(), bad.subscriber.member_id
    )
    sb, files = receive(text.encode())
    [ack] = read_999(texts(files, "999")[0])
    assert ack.group_status == "A"
    got = statuses(texts(files, "277CA")[0])
    assert got[good.patient_control_number] == [("A2", "20", "")]
    assert got[bad.patient_control_number] == [("A6", "126", "IL")]
    [ca] = read_277ca(texts(files, "277CA")[0])
    rejected = next(c for _, _, c in ca.claims() if c.patient_control_number == "PCN0000002")
    assert rejected.statuses[0].message == "SUBSCRIBER ADDRESS MISSING"
    assert [c.pcn for c in sb.state.claims.values()] == [good.patient_control_number]


def test_a_payer_that_requires_group_numbers_rejects_claims_without_one() -> None:
    payer = PAYERS["CI"]
    profile = PayerProfile(payer.payer_id, payer.name, PayerKind.COMMERCIAL, (7, 30),
                           COMMERCIAL_BENEFITS, requires_group_number=True)  # fmt: skip
    config = replace(QUIET, payers={payer.payer_id: profile})
    rng = random.Random(1)
    c = claim(rng, 1, filing="CI")
    c = replace(c, subscriber=replace(c.subscriber, group_number=""))
    _, files = receive(file_837([batch([c])]), config)
    assert statuses(texts(files, "277CA")[0])["PCN0000001"] == [("A6", "163", "IL")]


def test_unknown_member_rate_rejects_about_that_share_and_always_the_same_members() -> None:
    config = SandboxConfig(seed=2, unknown_member_rate=Decimal("0.1"))
    cl = claims(400, seed=9)
    _, files = receive(file_837([batch(cl)]), config)
    got = statuses(texts(files, "277CA")[0])
    rejected = [p for p, s in got.items() if s[0][0] == "A3"]
    assert 15 <= len(rejected) <= 70
    _, again = receive(file_837([batch(cl)], isa=555), config)
    assert statuses(texts(again, "277CA")[0]) == got


def test_the_same_file_twice_creates_nothing_new() -> None:
    sb = Sandbox(QUIET)
    data = file_837([batch(claims(5, seed=1))])
    first = sb.receive_837(data, received_at=NOW)
    snapshot = sb.state.to_json()
    second = sb.receive_837(data, received_at=NOW + dt.timedelta(days=2))
    assert second.duplicate and not first.duplicate
    assert [f.file_id for f in second.files] == [f.file_id for f in first.files]
    assert sb.state.to_json() == snapshot
    assert len(sb.poll(as_of=NOW + dt.timedelta(hours=5))) == 2
    assert sb.poll(as_of=NOW + dt.timedelta(hours=6)) == []


def test_the_same_claim_in_another_file_is_acknowledged_but_not_adjudicated_twice() -> None:
    sb = Sandbox(QUIET)
    cl = claims(3, seed=1)
    first = sb.receive_837(file_837([batch(cl)]), received_at=NOW)
    second = sb.receive_837(file_837([batch(cl)], isa=102), received_at=NOW)
    assert not second.duplicate
    assert [c.icn for c in second.claims] == [c.icn for c in first.claims]
    assert all(c.duplicate for c in second.claims)
    assert len(sb.state.claims) == 3


def test_a_different_claim_with_a_known_pcn_is_denied_as_a_duplicate() -> None:
    sb = Sandbox(replace(QUIET, denial_rate=Decimal(0)))
    rng = random.Random(1)
    c = claim(rng, 1, filing="CI")
    sb.receive_837(file_837([batch([c])]), received_at=NOW)
    changed = replace(c, place_of_service="22")
    sb.receive_837(file_837([batch([changed])], isa=102), received_at=NOW)
    files = sb.poll(as_of=NOW + dt.timedelta(days=60))
    text = "".join(texts(files, "835"))
    assert text.count("CLP*PCN0000001*") == 2
    assert "CAS*CO*18*" in text


def test_naive_datetimes_are_refused() -> None:
    sb = Sandbox(QUIET)
    with pytest.raises(ValueError, match="aware"):
        sb.receive_837(b"", received_at=dt.datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="aware"):
        sb.poll(as_of=dt.datetime(2025, 1, 1))


def test_state_round_trips_through_json() -> None:
    sb = Sandbox(QUIET)
    sb.receive_837(file_837([batch(claims(20, seed=1))]), received_at=NOW)
    sb.poll(as_of=NOW + dt.timedelta(days=40))
    text = sb.state.to_json()
    back = SandboxState.from_json(text)
    assert back == sb.state
    assert back.to_json() == text
