"""277CA acknowledgments for claims that share a patient control number (claims imported from a
legacy biller that sent one account number for several claims): each acknowledgment lands on
its own patient's claim; one the 277CA does not tell apart is recorded, naming the candidates,
and moves no claim. And `openrcm claims show` on such a number lists the claims and chooses."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openrcm.claims.models import Claim
from openrcm.claims.services import claim_transition
from openrcm.clearinghouse.models import (
    Acknowledgment,
    Batch,
    BatchClaim,
    BatchFile,
    BatchStatus,
    TradingPartner,
    TransportKind,
)
from openrcm.clearinghouse.services import inbound_poll
from openrcm.clearinghouse.transports import FolderTransport
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.money import Money
from openrcm.core.x12.ack277ca import (
    BillingProviderAck,
    ClaimAck,
    ClaimAcknowledgment,
    InformationReceiverAck,
    InformationSourceAck,
    PatientAck,
    SourceReceipt,
    outgoing_277ca,
)
from openrcm.core.x12.hierarchy import Party, Period, Status, StatusCode
from openrcm.core.x12.writer import write_interchange
from openrcm.encounters.services import ChargeLineInput, encounter_create
from openrcm.files.models import StoredFileKind
from openrcm.files.services import file_store
from openrcm.patients.services import coverage_create, patient_create
from tests.apps.conftest import PracticeWorld

pytestmark = pytest.mark.django_db

LEGACY = "ACCT-0042"
DAY = dt.date(2026, 10, 1)
SENT = (ClaimStatus.READY, ClaimStatus.BATCHED, ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED)


def _other_patients_claim(world: PracticeWorld, day: dt.date = DAY) -> Claim:
    """A second patient's visit on the same day, billing what the world's claim bills."""
    patient = patient_create(
        practice=world.practice,
        first_name="Robin",
        last_name="Otherpatient",
        date_of_birth=dt.date(1961, 5, 6),
        sex="M",
        zip_code="62704",
    )
    coverage_create(patient=patient, payer=world.payer, member_id="MOTHER0002", effective_from=DAY)
    encounter = encounter_create(
        patient=patient,
        provider=world.provider,
        location=world.location,
        date_of_service=day,
        diagnoses=["E11.9", "I10"],
        lines=[
            ChargeLineInput(
                procedure_code="99213", diagnosis_pointers=[1, 2], charge=Money(Decimal("125.00"))
            ),
            ChargeLineInput(
                procedure_code="36415", diagnosis_pointers=[1], charge=Money(Decimal("15.00"))
            ),
        ],
    )
    return encounter.claims.get()


def _share(*claims: Claim) -> list[Claim]:
    """Give the claims one imported number (import-837 keeps a legacy CLM01) and walk them to
    accepted (the 999 took them): they wait for the payer's 277CA."""
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(
        patient_control_number=LEGACY, external_pcn=True
    )
    for claim in claims:
        claim.refresh_from_db()
        for status in SENT:
            claim_transition(claim=claim, to=status)
    return list(claims)


def _party(entity: str, last: str, first: str = "", qualifier: str = "", ident: str = "") -> Party:
    return Party(entity, "1" if first else "2", last, first, "", "", qualifier, ident)


def _claim_ack(charge: str, number: str, *, rejected: bool = False) -> ClaimAck:
    code = StatusCode("A7", "21") if rejected else StatusCode("A2", "20")
    return ClaimAck(
        patient_control_number=LEGACY,
        statuses=[Status(code, DAY, "U" if rejected else "WQ", Decimal(charge))],
        service_period=Period(DAY, DAY),
        payer_claim_control_number="" if rejected else number,
    )


def _277ca(patients: list[PatientAck]) -> bytes:
    received = StatusCode("A1", "19")
    doc = ClaimAcknowledgment(
        control_number="0001",
        reference="CA1",
        created=DAY,
        created_time=dt.time(9, 0),
        sources=[
            InformationSourceAck(
                source=_party("PR", "MEDICARE PART B", qualifier="PI", ident="00435"),
                receipts=[SourceReceipt("R1", DAY, DAY)],
                receiver=InformationReceiverAck(
                    receiver=_party("41", "OPENRCM", qualifier="46", ident="SUBMITTER"),
                    trace="B1",
                    statuses=[Status(received, DAY, "WQ", Decimal(280))],
                    providers=[
                        BillingProviderAck(
                            provider=_party("85", "PRACTICE A", qualifier="XX", ident="1234567893"),
                            trace="P1",
                            statuses=[Status(received, None, "WQ", Decimal(280))],
                            patients=patients,
                        )
                    ],
                ),
            )
        ],
    )
    text = write_interchange(
        [outgoing_277ca(doc)],
        sender_id="CLEARINGHOUSE",
        receiver_id="OPENRCM",
        isa_control=7,
        gs_control=7,
        functional_id="HN",
        version="005010X214",
        now=dt.datetime(2026, 10, 3, 9, 0, tzinfo=dt.UTC),
    )
    return text.encode()


def _poll(world: PracticeWorld, tmp_path: Path, data: bytes) -> Any:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "277ca_1.x12").write_bytes(data)
    partner = TradingPartner.objects.create(
        practice=world.practice,
        name="folder",
        transport=TransportKind.FOLDER,
        settings={"out_dir": str(tmp_path / "out"), "in_dir": str(folder)},
        sender_id="OPENRCM",
        receiver_id="CLEARINGHOUSE",
    )
    return inbound_poll(partner=partner, transport=FolderTransport(tmp_path / "out", folder))


def _status(claim: Claim) -> str:
    claim.refresh_from_db()
    return claim.status


def test_each_acknowledgment_lands_on_its_own_patients_claim(
    practice_a: PracticeWorld, tmp_path: Path
) -> None:
    jordan, robin = _share(practice_a.claim, _other_patients_claim(practice_a))
    # Robin's claim is rejected, Jordan's accepted: alike in number, charge and date; only the
    # patient (2100D) tells them apart. Robin's comes first in the file.
    data = _277ca(
        [
            PatientAck(
                _party("QC", "OTHERPATIENT", "ROBIN", "MI", "MOTHER0002"),
                [_claim_ack("140", "", rejected=True)],
            ),
            PatientAck(
                _party("QC", "TESTPATIENTA", "JORDAN", "MI", "MA0001"),
                [_claim_ack("140", "ICN-JORDAN")],
            ),
        ]
    )
    result = _poll(practice_a, tmp_path, data)
    assert result.errors == []
    assert (_status(jordan), _status(robin)) == ("acknowledged", "rejected")
    assert jordan.payer_claim_number == "ICN-JORDAN" and robin.payer_claim_number == ""
    assert {a.claim_id: a.status for a in Acknowledgment.objects.filter(kind="277CA")} == {
        jordan.pk: "A2",
        robin.pk: "A7",
    }


def test_an_acknowledgment_no_claim_fits_surely_is_recorded_and_moves_neither(
    practice_a: PracticeWorld, tmp_path: Path
) -> None:
    # One patient, two visits alike in everything a 277CA says: nothing tells them apart.
    world = practice_a
    twin = encounter_create(
        patient=world.patient,
        provider=world.provider,
        location=world.location,
        date_of_service=DAY,
        diagnoses=["E11.9", "I10"],
        lines=[
            ChargeLineInput(
                procedure_code="99213", diagnosis_pointers=[1, 2], charge=Money(Decimal("125.00"))
            ),
            ChargeLineInput(
                procedure_code="36415", diagnosis_pointers=[1], charge=Money(Decimal("15.00"))
            ),
        ],
    ).claims.get()
    first, second = _share(world.claim, twin)
    data = _277ca(
        [
            PatientAck(
                _party("QC", "TESTPATIENTA", "JORDAN", "MI", "MA0001"),
                [_claim_ack("140", "ICN-1", rejected=True)],
            ),
        ]
    )
    result = _poll(world, tmp_path, data)
    [error] = result.errors
    assert f"not applied: patient control number {LEGACY} names 2 claims" in error
    assert f"claim {first.pk} (member MA0001" in error and f"claim {second.pk} (member" in error
    assert (_status(first), _status(second)) == ("accepted", "accepted")
    assert result.rejected == result.acknowledged == 0
    [ack] = Acknowledgment.objects.filter(kind="277CA")
    assert ack.claim_id is None and ack.status == "A7"
    assert "not applied" in ack.reason and f"claim {first.pk}" in ack.reason
    # Another patient's acknowledgment is not applied to the claims we have either.
    other = _277ca(
        [PatientAck(_party("QC", "SMITH", "PAT", "MI", "XX999"), [_claim_ack("140", "ICN-9")])]
    )
    later = inbound_poll(
        partner=TradingPartner.objects.get(name="folder"),
        transport=FolderTransport(tmp_path / "out", _drop(tmp_path, other)),
    )
    assert any("none is this patient's claim" in e for e in later.errors), later.errors
    assert (_status(first), _status(second)) == ("accepted", "accepted")


def test_the_claim_in_a_sent_batch_awaiting_its_answer_is_chosen(
    practice_a: PracticeWorld, tmp_path: Path
) -> None:
    # One patient, two alike visits: the earlier was acknowledged long ago (no batch waits for
    # it); the other is in a batch we sent to this partner. The 277CA answers the batch.
    world = practice_a
    twin = _other_patients_claim(world)
    Claim.objects.filter(pk=twin.pk).update(encounter=world.encounter, coverage=world.coverage)
    old, waiting = _share(world.claim, twin)
    claim_transition(claim=old, to=ClaimStatus.ACKNOWLEDGED)
    Claim.objects.filter(pk=old.pk).update(payer_claim_number="ICN-OLD")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "277ca_1.x12").write_bytes(
        _277ca(
            [
                PatientAck(
                    _party("QC", "TESTPATIENTA", "JORDAN", "MI", "MA0001"),
                    [_claim_ack("140", "ICN-NEW")],
                )
            ]
        )
    )
    partner = TradingPartner.objects.create(
        practice=world.practice,
        name="folder",
        transport=TransportKind.FOLDER,
        settings={"out_dir": str(tmp_path / "out"), "in_dir": str(folder)},
        sender_id="OPENRCM",
        receiver_id="CLEARINGHOUSE",
    )
    batch = Batch.objects.create(
        practice=world.practice, partner=partner, status=BatchStatus.ACCEPTED, claim_count=1
    )
    sent = BatchFile.objects.create(
        batch=batch,
        stored=file_store(data=_277ca([]), kind=StoredFileKind.X12_OUT, practice=world.practice),
        name="837p_1.x12",
        sha256="0" * 64,
        isa13="000000001",
        gs06="1",
    )
    BatchClaim.objects.create(
        batch=batch, claim=waiting, file=sent, st02="0001", status=BatchStatus.ACCEPTED
    )
    result = inbound_poll(partner=partner, transport=FolderTransport(tmp_path / "out", folder))
    assert result.errors == []
    assert (_status(old), _status(waiting)) == ("acknowledged", "acknowledged")
    assert (old.payer_claim_number, waiting.payer_claim_number) == ("ICN-OLD", "ICN-NEW")
    [ack] = Acknowledgment.objects.filter(kind="277CA")
    assert ack.claim_id == waiting.pk


def _drop(tmp_path: Path, data: bytes) -> Path:
    folder = tmp_path / "in2"
    folder.mkdir()
    (folder / "277ca_2.x12").write_bytes(data)
    return folder


def _show(*args: str) -> str:
    out = StringIO()
    call_command("claims", "show", *args, stdout=out)
    return out.getvalue()


def test_claims_show_lists_the_claims_sharing_a_number_and_chooses(
    practice_a: PracticeWorld,
) -> None:
    jordan, robin = _share(practice_a.claim, _other_patients_claim(practice_a))
    with pytest.raises(CommandError) as raised:
        _show(LEGACY, "--json")
    message = str(raised.value)
    assert f"{LEGACY} names 2 claims of practice {practice_a.practice.slug}" in message
    assert "several practices" not in message
    assert f"claim {jordan.pk}  J.T.  2026-10-01  140.00  accepted" in message
    assert f"claim {robin.pk}  R.O.  2026-10-01  140.00  accepted" in message
    assert "--claim-id" in message
    by_id = json.loads(_show(LEGACY, "--claim-id", str(robin.pk), "--json"))
    assert by_id["patient"] == robin.encounter.patient.full_name
    by_name = json.loads(_show(LEGACY, "--patient", "testpatienta,jordan", "--json"))
    assert by_name["patient"] == jordan.encounter.patient.full_name
    with pytest.raises(CommandError, match=r"none with claim id 999999"):
        _show(LEGACY, "--claim-id", "999999")


def test_claims_show_of_a_unique_number_is_unchanged(practice_a: PracticeWorld) -> None:
    doc = json.loads(_show(practice_a.claim.patient_control_number, "--json"))
    assert doc["patient_control_number"] == practice_a.claim.patient_control_number
    assert doc["status"] == "draft" and doc["charge"] == "140.00"
