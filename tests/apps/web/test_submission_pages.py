"""The web's submission pages, end to end against the sandbox clearinghouse: a practice's ready
claims submitted from the queue, the batch page with its file, the sandbox's 999 and 277CA
polled in, the rejection on the worklist, corrected and resent; the X12 viewer; another
practice's batches and files are 404; the pages' query counts do not grow with their rows."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openrcm.audit.models import AuditEvent
from openrcm.claims.models import Claim
from openrcm.claims.services import claim_transition
from openrcm.clearinghouse.models import Batch, BatchStatus, TradingPartner, TransportKind
from openrcm.clearinghouse.services import inbound_poll, partner_for
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.money import Money
from openrcm.encounters.services import ChargeLineInput, encounter_create
from openrcm.files.services import file_read
from openrcm.patients.models import Patient
from openrcm.patients.services import coverage_create, patient_create
from openrcm.scrubbing.selectors import claim_findings
from openrcm.scrubbing.services import claim_override_warning, claim_scrub
from openrcm.tenancy.models import Organization
from tests.apps.conftest import PracticeWorld

pytestmark = pytest.mark.django_db

ADDRESS = {"address_line1": "12 Elm St", "city": "Springfield", "state": "IL"}


def _claim(w: PracticeWorld, *, last: str, member: str, charge: str = "90.00") -> Claim:
    """Another patient of the world's practice, with an address, a coverage and a claim."""
    patient = patient_create(
        practice=w.practice,
        first_name="Sam",
        last_name=last,
        date_of_birth=dt.date(1970, 5, 6),
        sex="M",
        zip_code="62704",
        **ADDRESS,
    )
    coverage_create(
        patient=patient, payer=w.payer, member_id=member, effective_from=dt.date(2020, 1, 1)
    )
    encounter = encounter_create(
        patient=patient,
        provider=w.provider,
        location=w.location,
        date_of_service=dt.date(2026, 10, 2),
        diagnoses=["I10"],
        lines=[
            ChargeLineInput(
                procedure_code="99213", diagnosis_pointers=[1], charge=Money(Decimal(charge))
            )
        ],
    )
    claim: Claim = encounter.claims.get()
    return claim


def _ready(*claims: Claim) -> None:
    for claim in claims:
        claim_transition(claim=claim, to=ClaimStatus.READY)


@pytest.fixture
def sandbox_a(practice_a: PracticeWorld) -> TradingPartner:
    """Practice A's clearinghouse: the sandbox, its default partner."""
    Patient.objects.filter(pk=practice_a.patient.pk).update(**ADDRESS)
    return partner_for(practice=practice_a.practice)


@pytest.fixture
def two_ready(practice_a: PracticeWorld, sandbox_a: TradingPartner) -> tuple[Claim, Claim]:
    """Practice A's own claim (a known member) and one the payer does not know (its 277CA
    rejects it), both ready."""
    unknown = _claim(practice_a, last="Unknownmember", member="UNKNOWN0001")
    _ready(practice_a.claim, unknown)
    return practice_a.claim, unknown


def _submit(client: Client, w: PracticeWorld) -> Batch:
    response = client.post(reverse("batch_submit"), {"practice": w.practice.pk})
    assert response.status_code == 302
    batch = Batch.objects.filter(practice=w.practice).order_by("-id").first()
    assert batch is not None
    assert response["Location"] == reverse("batch_detail", args=[batch.pk])
    return batch


def _text(response: Any) -> str:
    """The page's text, tags dropped and white space squeezed (to read what people read)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_submit_now_from_the_queue(
    member_client: Client, practice_a: PracticeWorld, two_ready: tuple[Claim, Claim]
) -> None:
    queue = member_client.get(reverse("submission_queue"))
    assert queue.status_code == 200
    text = _text(queue)
    for claim in two_ready:
        assert claim.patient_control_number in text
    assert "Unknownmember" in text and "Medicare Part B" in text and "10/01/2026" in text
    assert "$230.00" in text  # 140.00 + 90.00
    assert "Submit now" in text and "sandbox" in text

    batch = _submit(member_client, practice_a)
    page = member_client.get(reverse("batch_detail", args=[batch.pk]))
    assert page.status_code == 200
    text = _text(page)
    assert f"Batch {batch.pk} sent to sandbox: 2 claim(s), $230.00." in text
    bfile = batch.files.get()
    assert bfile.name in text and bfile.sha256 in text and bfile.isa13 in text
    assert reverse("x12_file", args=[bfile.stored_id]) in page.content.decode()
    assert reverse("x12_download", args=[bfile.stored_id]) in page.content.decode()
    assert "Unknownmember" in text
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SUBMITTED and batch.created_by_id is not None
    assert set(Claim.objects.filter(batch_links__batch=batch).values_list("status", flat=True)) == {
        ClaimStatus.SUBMITTED.value
    }
    # the batch page's PHI read is audited; the queue is empty now
    read = AuditEvent.objects.filter(action="read", object_type="clearinghouse.batch").get()
    assert read.object_id == str(batch.pk) and read.practice_id == practice_a.practice.pk
    assert "No claim is ready to submit." in _text(member_client.get(reverse("submission_queue")))
    listed = _text(member_client.get(reverse("batch_list")))
    assert f"Batch {batch.pk}" in listed and "Submitted" in listed and "waiting" in listed
    # the claim page links its batch
    claim_page = member_client.get(reverse("claim_detail", args=[two_ready[0].pk]))
    assert reverse("batch_detail", args=[batch.pk]) in claim_page.content.decode()


def test_acknowledgments_and_the_rejection_worklist(
    member_client: Client,
    practice_a: PracticeWorld,
    sandbox_a: TradingPartner,
    two_ready: tuple[Claim, Claim],
) -> None:
    known, unknown = two_ready
    batch = _submit(member_client, practice_a)
    result = inbound_poll(partner=sandbox_a, now=timezone.now() + dt.timedelta(days=1))
    assert {f.kind for f in result.taken} >= {"999", "277CA"}

    text = _text(member_client.get(reverse("batch_detail", args=[batch.pk])))
    assert "999" in text and "277CA" in text and "1 rejected" in text
    assert "Accepted (999)" in text  # the batch's status
    assert "subscriber" in text.lower()  # the 277CA's reason in plain English
    files = _text(member_client.get(reverse("inbound_list")))
    for inbound in result.taken:
        assert inbound.name in files

    worklist = member_client.get(reverse("rejection_list"))
    text = _text(worklist)
    assert unknown.patient_control_number in text and "Unknownmember" in text
    assert known.patient_control_number not in text
    assert (
        "277CA Returned as unprocessable: the subscriber and subscriber id were not found" in text
    )
    assert reverse("claim_resend", args=[unknown.pk]) in worklist.content.decode()
    event = AuditEvent.objects.filter(action="list", object_type="claims.claim").last()
    assert event is not None and event.practice_id == practice_a.practice.pk

    # Resend: scrubbed again; a warning nobody overrode holds it on the worklist
    claim_scrub(claim=unknown)
    warning = next(iter(claim_findings(claim=unknown).open_rule_ids), None)
    response = member_client.post(reverse("claim_resend", args=[unknown.pk]), follow=True)
    unknown.refresh_from_db()
    if warning is not None:
        assert "is not resent" in _text(response)
        assert unknown.status == ClaimStatus.REJECTED.value
        claim_override_warning(claim=unknown, rule_id=warning, reason="checked", actor=None)
        response = member_client.post(reverse("claim_resend", args=[unknown.pk]), follow=True)
        unknown.refresh_from_db()
    assert "goes out with the next batch" in _text(response)
    assert unknown.status == ClaimStatus.READY.value
    # The newest step by id: the poll above ran a day ahead of the real clock, so by time the
    # resend (stamped now) sorts before the rejection.
    assert unknown.history.order_by("-id").first().note.startswith("Resent")  # type: ignore[union-attr]
    assert unknown.patient_control_number in _text(member_client.get(reverse("submission_queue")))
    assert unknown.patient_control_number not in _text(member_client.get(reverse("rejection_list")))


def test_correct_takes_a_rejected_claim_back_to_draft(
    member_client: Client, practice_a: PracticeWorld, sandbox_a: TradingPartner
) -> None:
    # practice A's own claim: the 999 rejects its set when the patient has no street address
    Patient.objects.filter(pk=practice_a.patient.pk).update(address_line1="")
    _ready(practice_a.claim)
    batch = _submit(member_client, practice_a)
    inbound_poll(partner=sandbox_a, now=timezone.now() + dt.timedelta(hours=1))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.REJECTED
    text = _text(member_client.get(reverse("rejection_list")))
    assert "999" in text and "The clearinghouse rejected the file's claims set" in text
    assert "N301" in text
    claim = practice_a.claim
    response = member_client.post(reverse("claim_correct", args=[claim.pk]))
    assert response["Location"] == reverse("claim_detail", args=[claim.pk])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT.value
    step = claim.history.order_by("-id").first()  # newest by id (the poll ran a day ahead)
    assert step is not None and step.note == "Reopened to correct the rejection."
    assert step.actor is not None and step.actor.username == "alice"
    # not rejected any more: both actions only say so
    for name in ("claim_correct", "claim_resend"):
        again = member_client.post(reverse(name, args=[claim.pk]), follow=True)
        assert "not rejected: nothing to do" in _text(again)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT.value


def test_x12_viewer_readable_raw_and_download(
    member_client: Client, practice_a: PracticeWorld, two_ready: tuple[Claim, Claim]
) -> None:
    batch = _submit(member_client, practice_a)
    stored = batch.files.get().stored
    url = reverse("x12_file", args=[stored.pk])
    page = member_client.get(url)
    assert page.status_code == 200
    text = _text(page)
    assert "Interchange Control Header" in text and "Total Claim Charge" in text
    assert "$140.00" in text and "10/01/2026" in text  # CLM02 and DTP03 as people read them
    assert "2300 claim information" in text and "Medicare Part B" in text
    assert 'class="x12-d5"' in page.content.decode()  # HL levels indent
    raw = member_client.get(url + "?raw=1")
    assert "CLM*" in raw.content.decode() and "Total Claim Charge" not in _text(raw)
    events = AuditEvent.objects.filter(object_type="files.storedfile", action="read")
    assert events.count() == 2 and {e.object_id for e in events} == {str(stored.pk)}

    download = member_client.get(reverse("x12_download", args=[stored.pk]))
    assert download.status_code == 200
    assert download.content == file_read(stored=stored)
    assert download["Content-Disposition"] == f'attachment; filename="{stored.original_name}"'
    assert AuditEvent.objects.filter(object_type="files.storedfile", action="export").count() == 1


def test_x12_viewer_pages_a_large_file(
    member_client: Client,
    practice_a: PracticeWorld,
    two_ready: tuple[Claim, Claim],
    settings: Any,
) -> None:
    settings.OPENRCM_X12_PAGE_SIZE = 20
    stored = _submit(member_client, practice_a).files.get().stored
    total = file_read(stored=stored).count(b"~")
    assert 40 < total <= 60
    url = reverse("x12_file", args=[stored.pk])
    first = _text(member_client.get(url))
    assert f"Segments 1-20 of {total}" in first and "page 1 of 3" in first and "Next" in first
    assert "Interchange Control Header" in first
    last = _text(member_client.get(url + "?page=3&raw=1"))
    assert f"Segments 41-{total} of {total}" in last and "Previous" in last
    assert "IEA*1*" in last and "ISA*" not in last
    beyond = _text(member_client.get(url + "?page=9"))
    assert f"Segments 41-{total} of {total}" in beyond  # past the end: the last page


def test_no_clearinghouse_is_a_clear_error(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    _ready(practice_a.claim)
    response = member_client.post(
        reverse("batch_submit"), {"practice": practice_a.practice.pk}, follow=True
    )
    assert "Practice A has no clearinghouse set up" in _text(response)
    assert not Batch.objects.exists()
    assert "none set up" in _text(member_client.get(reverse("submission_queue")))


def test_a_demo_practice_submits_to_the_sandbox(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    """Synthetic data only: without a clearinghouse of its own, the built-in sandbox."""
    Organization.objects.filter(pk=practice_a.practice.organization_id).update(is_demo=True)
    Patient.objects.filter(pk=practice_a.patient.pk).update(**ADDRESS)
    _ready(practice_a.claim)
    batch = _submit(member_client, practice_a)
    assert (batch.partner.name, batch.partner.transport) == ("sandbox", TransportKind.SANDBOX)
    assert batch.status == BatchStatus.SUBMITTED


def test_a_failed_send_keeps_the_batch_to_send_again(
    member_client: Client, practice_a: PracticeWorld, tmp_path: Path
) -> None:
    Patient.objects.filter(pk=practice_a.patient.pk).update(**ADDRESS)
    partner = TradingPartner.objects.create(
        practice=practice_a.practice,
        name="acme",
        transport=TransportKind.FOLDER,
        settings={},  # no folders: the transport refuses
        sender_id="PRACTICEA",
        receiver_id="ACME",
    )
    _ready(practice_a.claim)
    response = member_client.post(
        reverse("batch_submit"), {"practice": practice_a.practice.pk}, follow=True
    )
    batch = Batch.objects.get()
    text = _text(response)
    assert f"Batch {batch.pk} was built but not sent to acme" in text and "out_dir" in text
    assert "Send to acme" in text and batch.status == BatchStatus.BUILT
    partner.settings = {"out_dir": str(tmp_path / "out"), "in_dir": str(tmp_path / "in")}
    partner.save()
    response = member_client.post(reverse("batch_send", args=[batch.pk]), follow=True)
    assert f"Batch {batch.pk} sent to acme" in _text(response)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SUBMITTED
    assert (tmp_path / "out" / batch.files.get().name).read_bytes() == file_read(
        stored=batch.files.get().stored
    )


def test_missing_999_alert_badge(
    member_client: Client, practice_a: PracticeWorld, two_ready: tuple[Claim, Claim]
) -> None:
    batch = _submit(member_client, practice_a)
    assert "999 missing" not in _text(member_client.get(reverse("batch_list")))
    Batch.objects.filter(pk=batch.pk).update(submitted_at=timezone.now() - dt.timedelta(hours=25))
    assert "999 missing" in _text(member_client.get(reverse("batch_list")))
    detail = _text(member_client.get(reverse("batch_detail", args=[batch.pk])))
    assert "No 999 has come for this batch" in detail


def test_another_practice_batches_and_files_are_not_found(
    member_client: Client,
    outsider_client: Client,
    practice_a: PracticeWorld,
    two_ready: tuple[Claim, Claim],
    sandbox_a: TradingPartner,
) -> None:
    batch = _submit(member_client, practice_a)
    inbound_poll(partner=sandbox_a, now=timezone.now() + dt.timedelta(days=1))
    stored = batch.files.get().stored
    inbound = sandbox_a.inbound.first()
    assert inbound is not None
    for url in (
        reverse("batch_detail", args=[batch.pk]),
        reverse("x12_file", args=[stored.pk]),
        reverse("x12_file", args=[inbound.stored_id]),
        reverse("x12_download", args=[stored.pk]),
    ):
        assert outsider_client.get(url).status_code == 404, url
    assert outsider_client.post(reverse("batch_send", args=[batch.pk])).status_code == 404
    unknown = two_ready[1]
    assert outsider_client.post(reverse("claim_resend", args=[unknown.pk])).status_code == 404
    assert (
        outsider_client.post(
            reverse("batch_submit"), {"practice": practice_a.practice.pk}
        ).status_code
        == 404
    )
    for name in ("batch_list", "inbound_list", "rejection_list", "submission_queue"):
        body = _text(outsider_client.get(reverse(name)))
        assert f"Batch {batch.pk}" not in body and "Unknownmember" not in body
        assert inbound.name not in body
    unknown.refresh_from_db()
    assert unknown.status == ClaimStatus.REJECTED.value


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_counts_do_not_grow_with_rows(
    member_client: Client, practice_a: PracticeWorld, sandbox_a: TradingPartner
) -> None:
    """Each page's queries are the same for 2 claims as for 8 (no query per row)."""
    urls = ("submission_queue", "batch_list", "rejection_list", "inbound_list")

    def measure(batch: Batch) -> dict[str, int]:
        counts = {name: _queries(member_client, reverse(name)) for name in urls}
        counts["batch_detail"] = _queries(member_client, reverse("batch_detail", args=[batch.pk]))
        counts["x12_file"] = _queries(
            member_client, reverse("x12_file", args=[batch.files.get().stored_id])
        )
        return counts

    def cycle(claims: list[Claim], hours: int) -> tuple[Batch, int]:
        _ready(*claims)
        queue = _queries(member_client, reverse("submission_queue"))
        batch = _submit(member_client, practice_a)
        inbound_poll(partner=sandbox_a, now=timezone.now() + dt.timedelta(hours=hours))
        return batch, queue

    small, queue_small = cycle(
        [_claim(practice_a, last=f"Few{n}", member=f"UNKNOWN{n}") for n in range(2)], 24
    )
    few = measure(small)
    many, queue_many = cycle(
        [_claim(practice_a, last=f"Lots{n}", member=f"UNKNOWN9{n}") for n in range(8)], 48
    )
    assert queue_many == queue_small
    assert measure(many) == few
    assert Claim.objects.filter(status=ClaimStatus.REJECTED.value).count() >= 10
