"""Claims out, acknowledgments in: demo claims scrubbed to ready, batched into 837P files
that pyx12 accepts, sent to the sandbox clearinghouse, and its 999 and 277CA applied."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from openrcm.claims.models import Claim
from openrcm.clearinghouse.models import (
    Acknowledgment,
    BatchClaim,
    BatchFile,
    BatchStatus,
    InboundFile,
)
from openrcm.clearinghouse.selectors import batches_missing_999, rejection_worklist
from openrcm.clearinghouse.services import (
    batch_build,
    batch_send,
    control_numbers_take,
    inbound_poll,
    partner_for,
)
from openrcm.core.claims.status import ClaimStatus
from openrcm.files.services import file_read
from openrcm.patients.models import Coverage
from openrcm.tenancy.models import Practice
from tests.core.sandbox.factory import pyx12_errors

pytestmark = pytest.mark.django_db


def _ready(practice: Practice) -> int:
    return Claim.objects.filter(practice=practice, status=ClaimStatus.READY.value).count()


def test_batch_files_pass_pyx12_and_claims_move(practice: Practice) -> None:
    partner = partner_for(practice=practice)
    ready = _ready(practice)
    built = batch_build(practice=practice, partner=partner, max_claims_per_set=5)
    assert built.batch is not None and built.batch.claim_count == ready
    assert _ready(practice) == 0
    (bfile,) = built.files
    data = file_read(stored=bfile.stored)
    assert pyx12_errors(data.decode("ascii")) == []
    assert len(bfile.st02) == -(-ready // 5)
    text = data.decode("ascii")
    assert "REF*6R*" in text and f"*{practice.group_npi}" in text
    batch_send(batch=built.batch)
    assert set(
        Claim.objects.filter(batch_links__batch=built.batch).values_list("status", flat=True)
    ) == {ClaimStatus.SUBMITTED.value}
    # Nothing ready any more: a second run builds nothing, and never sends a claim twice.
    assert batch_build(practice=practice, partner=partner).batch is None
    assert BatchClaim.objects.values("claim_id").distinct().count() == ready


def test_control_numbers_unique_and_increasing(practice: Practice) -> None:
    partner = partner_for(practice=practice)
    first = control_numbers_take(partner=partner, kind="ST", count=3)
    second = control_numbers_take(partner=partner, kind="ST", count=2)
    assert first == [1, 2, 3] and second == [4, 5]
    assert control_numbers_take(partner=partner, kind="ISA") == [1]
    other = partner_for(practice=practice, name="sandbox")
    assert other == partner


def test_sandbox_cycle(practice: Practice) -> None:
    bad = Claim.objects.filter(practice=practice, status="ready").order_by("id").first()
    assert bad is not None
    Coverage.objects.filter(pk=bad.coverage_id).update(member_id="UNKNOWN0001")
    partner = partner_for(practice=practice)
    now = timezone.now()
    built = batch_build(practice=practice, partner=partner, now=now)
    assert built.batch is not None
    batch_send(batch=built.batch, now=now)
    assert list(batches_missing_999(practice=practice, now=now + dt.timedelta(hours=25))) == [
        built.batch
    ]
    result = inbound_poll(partner=partner, now=now + dt.timedelta(days=1))
    kinds = sorted(f.kind for f in result.taken)
    assert "999" in kinds and "277CA" in kinds
    built.batch.refresh_from_db()
    assert built.batch.status == BatchStatus.ACCEPTED and built.batch.ack_999_at is not None
    assert not batches_missing_999(practice=practice, now=now + dt.timedelta(hours=25)).exists()
    statuses = dict(
        Claim.objects.filter(batch_links__batch=built.batch).values_list(
            "patient_control_number", "status"
        )
    )
    assert statuses[bad.patient_control_number] == ClaimStatus.REJECTED.value
    assert set(statuses.values()) <= {"acknowledged", "rejected"}
    assert result.rejected == list(statuses.values()).count("rejected")
    worklist = list(rejection_worklist(practice=practice))
    assert bad.pk in [c.pk for c in worklist]
    rejected = next(c for c in worklist if c.pk == bad.pk)
    assert "subscriber" in getattr(rejected, "rejection_reason", "").lower()
    assert Acknowledgment.objects.filter(kind="999", batch=built.batch).exists()
    # Polling again changes nothing.
    files, acks = InboundFile.objects.count(), Acknowledgment.objects.count()
    again = inbound_poll(partner=partner, now=now + dt.timedelta(days=1))
    assert again.taken == [] and again.rejected == again.accepted == 0
    assert (InboundFile.objects.count(), Acknowledgment.objects.count()) == (files, acks)


def test_cli_submit_out_and_show(practice: Practice, tmp_path: Path) -> None:
    out = StringIO()
    call_command(
        "claims", "submit", "--practice", practice.slug, "--out", str(tmp_path), stdout=out
    )
    written = list(tmp_path.iterdir())
    assert len(written) == 1 and written[0].read_bytes().startswith(b"ISA*")
    assert str(written[0]) in out.getvalue() and "batch" in out.getvalue()
    assert BatchFile.objects.get().sha256 in out.getvalue()
    claim = Claim.objects.filter(practice=practice, status="submitted").first()
    assert claim is not None
    shown = StringIO()
    call_command("claims", "show", claim.patient_control_number, "--json", stdout=shown)
    doc = json.loads(shown.getvalue())
    assert doc["status"] == "submitted"
    assert doc["charge"] == f"{claim.total_charge_cents / 100:.2f}"
    assert len(doc["lines"]) == claim.lines.count()
    assert [h["to"] for h in doc["history"]][-2:] == ["batched", "submitted"]
    assert set(doc["amounts"]) >= {"charge", "paid"}
    again = StringIO()
    call_command("claims", "submit", "--practice", practice.slug, stdout=again)
    assert "No ready claims" in again.getvalue()


def test_cli_submit_sandbox_then_poll(practice: Practice) -> None:
    out = StringIO()
    call_command(
        "claims", "submit", "--practice", practice.slug, "--transport", "sandbox", stdout=out
    )
    assert "sent to sandbox" in out.getvalue()
    polled = StringIO()
    call_command("inbound", "poll", "--practice", practice.slug, stdout=polled)
    assert f"{practice.slug}/sandbox" in polled.getvalue()


def test_cli_errors_are_plain(practice: Practice) -> None:
    with pytest.raises(CommandError, match="no practice"):
        call_command("claims", "submit", "--practice", "nope")
    with pytest.raises(CommandError, match="no clearinghouse named"):
        call_command("claims", "submit", "--practice", practice.slug, "--transport", "acme")
    with pytest.raises(CommandError, match="no claim with patient control number"):
        call_command("claims", "show", "X123", "--json")
