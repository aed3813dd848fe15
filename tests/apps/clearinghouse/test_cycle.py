"""Acceptance: the demo's book of business through submission.

- Every 837P that submission writes for the demo's ready claims passes pyx12 with zero errors
  (the full default demo: every claim shape it makes is in the files; the test checks they are).
- A sandbox cycle: demo data -> submit -> 999 and 277CA processed -> the claims' statuses and
  the rejection worklist are right; polling again (the sandbox, or the same files presented
  again) changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from openrcm.claims.models import Claim, ClaimStatusChange
from openrcm.clearinghouse.models import (
    Acknowledgment,
    Batch,
    BatchClaim,
    BatchStatus,
    InboundFile,
)
from openrcm.clearinghouse.selectors import rejection_worklist
from openrcm.clearinghouse.services import batch_build, batch_send, inbound_poll, partner_for
from openrcm.clearinghouse.transports import FolderTransport
from openrcm.core.claims.status import ClaimStatus
from openrcm.files.services import file_read
from openrcm.operations.demo import DemoResult, demo_load
from openrcm.patients.models import Coverage
from tests.core.sandbox.factory import pyx12_errors

pytestmark = pytest.mark.django_db


def _demo(**sizes: Any) -> DemoResult:
    """The demo with every claim made at once and scrubbed (ready or held), none sent: these
    tests submit them (the demo's simulated billing cycle is off)."""
    return demo_load(cycle_days=0, **sizes)


# What the demo's claims look like in X12, each of which must reach pyx12 at least once.
SHAPES = {
    "dependent patient (2000C)": re.compile(r"~NM1\*QC\*1\*"),
    "subscriber is the patient (SBR02 18)": re.compile(r"~SBR\*P\*18\*"),
    "drug line (LIN N4 NDC, CTP)": re.compile(r"~LIN\*\*N4\*\d{11}~CTP\*"),
    "procedure modifier": re.compile(r"~SV1\*HC:[A-Z0-9]{5}:[A-Z0-9]{2}"),
    "several service lines": re.compile(r"~LX\*2~"),
    "several diagnoses": re.compile(r"~HI\*ABK:[A-Z0-9]+\*ABF:"),
    "rendering provider (2310B)": re.compile(r"~NM1\*82\*1\*"),
    "service facility (2310C)": re.compile(r"~NM1\*77\*2\*"),
    "payer address (2010BB N3)": re.compile(r"~NM1\*PR\*2\*[^~]*~N3\*"),
    "Medicare Part B (SBR09 MB)": re.compile(r"~SBR\*P\*\d\d\*[^~]*\*MB~"),
    "Medicaid (SBR09 MC)": re.compile(r"~SBR\*P\*\d\d\*[^~]*\*MC~"),
    "commercial or Blue plan (SBR09 CI/BL)": re.compile(r"~SBR\*P\*\d\d\*[^~]*\*(CI|BL)~"),
}


def test_every_837p_of_the_demo_passes_pyx12(capsys: pytest.CaptureFixture[str]) -> None:
    loaded = _demo(seed=1)  # the default demo's size
    ready = Claim.objects.filter(
        practice__in=loaded.practices, status=ClaimStatus.READY.value
    ).count()
    assert ready > 300
    texts: list[str] = []
    batched = 0
    for practice in loaded.practices:
        built = batch_build(practice=practice, partner=partner_for(practice=practice))
        assert built.batch is not None
        batched += built.batch.claim_count
        texts += [file_read(stored=f.stored).decode("ascii") for f in built.files]
    assert batched == ready and len(texts) == len(loaded.practices)
    assert sum(t.count("~CLM*") for t in texts) == ready
    missing = [name for name, shape in SHAPES.items() if not any(shape.search(t) for t in texts)]
    assert missing == []
    started = time.perf_counter()
    errors = {n: pyx12_errors(t) for n, t in enumerate(texts)}
    with capsys.disabled():
        print(f"\n  pyx12 read {ready} claims in {time.perf_counter() - started:.1f} s", end="")
    assert errors == {n: [] for n in range(len(texts))}


def _statuses(claims: list[int]) -> dict[int, str]:
    return dict(Claim.objects.filter(pk__in=claims).values_list("pk", "status"))


def test_sandbox_cycle_statuses_worklist_and_polling_again(tmp_path: Path) -> None:
    loaded = _demo(seed=5, patients=40, encounters=120)
    practices = loaded.practices
    everything = list(Claim.objects.filter(practice__in=practices).values_list("pk", flat=True))
    ready = list(
        Claim.objects.filter(practice__in=practices, status=ClaimStatus.READY.value).order_by("id")
    )
    assert len(ready) > 20
    # One claim goes out with a member id the payer does not know.
    bad = ready[0]
    Coverage.objects.filter(pk=bad.coverage_id).update(member_id="UNKNOWN7")
    sent = timezone.now()
    batches: list[Batch] = []
    for practice in practices:
        partner = partner_for(practice=practice)
        built = batch_build(practice=practice, partner=partner, now=sent)
        if built.batch is not None:
            batch_send(batch=built.batch, now=sent)
            batches.append(built.batch)
    in_batches = {c.pk for c in ready}
    before = _statuses(everything)
    assert {before[pk] for pk in in_batches} == {ClaimStatus.SUBMITTED.value}

    # The clearinghouse and payers answer: a 999 per batch, a 277CA per claim.
    results = [
        inbound_poll(partner=partner_for(practice=p), now=sent + dt.timedelta(days=1))
        for p in practices
    ]
    after = _statuses(everything)
    assert sum(r.accepted for r in results) == len(in_batches)  # every set accepted (999)
    assert sum(r.acknowledged + r.rejected for r in results) == len(in_batches)
    assert all(r.errors == [] for r in results)
    for batch in batches:
        batch.refresh_from_db()
        assert batch.status == BatchStatus.ACCEPTED and batch.ack_999_at is not None
        assert Acknowledgment.objects.filter(batch=batch, kind="999", status="A").exists()
    assert {pk: s for pk, s in after.items() if pk not in in_batches} == {
        pk: s for pk, s in before.items() if pk not in in_batches
    }
    rejected = {pk for pk in in_batches if after[pk] == ClaimStatus.REJECTED.value}
    acknowledged = {pk for pk in in_batches if after[pk] == ClaimStatus.ACKNOWLEDGED.value}
    assert rejected | acknowledged == in_batches and bad.pk in rejected
    assert len(acknowledged) > len(rejected)
    for claim in Claim.objects.filter(pk__in=in_batches):
        (ack,) = Acknowledgment.objects.filter(kind="277CA", claim=claim)
        if claim.pk in acknowledged:
            assert ack.status == "A2" and ack.reason == ""
            assert claim.payer_claim_number == ack.payer_claim_number != ""
            assert list(claim.history.values_list("to_status", flat=True))[-4:] == [
                "batched",
                "submitted",
                "accepted",
                "acknowledged",
            ]
        else:
            assert ack.status in ("A3", "A6", "A7", "A8") and ack.reason
            assert claim.payer_claim_number == ""
    # The worklist holds exactly the rejected claims, each with its reason in words.
    worklist = {
        c.pk: getattr(c, "rejection_reason", "")
        for p in practices
        for c in rejection_worklist(practice=p)
    }
    assert set(worklist) == rejected and all(worklist.values())
    assert "subscriber's contract or member number (A3:33, A7:164:IL)" in worklist[bad.pk]
    assert set(
        BatchClaim.objects.filter(claim_id__in=rejected).values_list("status", flat=True)
    ) == {BatchStatus.REJECTED.value}

    # Polling again changes nothing: the sandbox has nothing new, and the same files
    # presented again (a folder that still holds them) are each taken once only.
    counts = (
        InboundFile.objects.count(),
        Acknowledgment.objects.count(),
        ClaimStatusChange.objects.count(),
    )
    for practice in practices:
        partner = partner_for(practice=practice)
        again = inbound_poll(partner=partner, now=sent + dt.timedelta(days=1, hours=1))
        assert (again.taken, again.accepted, again.rejected, again.acknowledged) == ([], 0, 0, 0)
        folder = tmp_path / practice.slug
        folder.mkdir()
        taken = InboundFile.objects.filter(partner=partner).select_related("stored")
        for inbound in taken:
            (folder / inbound.name).write_bytes(file_read(stored=inbound.stored))
        replay = inbound_poll(
            partner=partner,
            now=sent + dt.timedelta(days=1, hours=2),
            transport=FolderTransport(tmp_path / "out", folder),
        )
        assert replay.taken == [] and replay.skipped == taken.count() > 0
    assert (
        InboundFile.objects.count(),
        Acknowledgment.objects.count(),
        ClaimStatusChange.objects.count(),
    ) == counts
    assert _statuses(everything) == after
