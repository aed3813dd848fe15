"""After the payer answers: a rejected claim reopened, fixed and resent as an original; an
accepted claim replaced (frequency 7) or voided (8) with the payer's claim number (REF*F8),
every 837P passing pyx12 and the sandbox payer answering each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from openrcm.claims.models import Claim
from openrcm.clearinghouse.models import Acknowledgment, Batch, BatchClaim, TradingPartner
from openrcm.clearinghouse.selectors import rejection_worklist
from openrcm.clearinghouse.services import (
    PollResult,
    batch_build,
    batch_send,
    claim_reopen,
    claim_replace,
    claim_void_at_payer,
    inbound_poll,
    partner_for,
)
from openrcm.core.claims.status import ClaimStatus
from openrcm.files.services import file_read
from openrcm.patients.models import Coverage
from openrcm.scrubbing.services import claim_scrub, practice_scrub
from openrcm.tenancy.models import Practice
from tests.core.sandbox.factory import pyx12_errors

pytestmark = pytest.mark.django_db

ACK = ClaimStatus.ACKNOWLEDGED.value


def _cycle(
    practice: Practice, partner: TradingPartner, at: dt.datetime
) -> tuple[Batch, str, PollResult]:
    """Batch the ready claims at ``at``, send them to the sandbox and take its answers a day
    later: the batch, its 837P text and what the poll did."""
    built = batch_build(practice=practice, partner=partner, now=at)
    assert built.batch is not None
    text = file_read(stored=built.files[0].stored).decode("ascii")
    batch_send(batch=built.batch, now=at)
    return built.batch, text, inbound_poll(partner=partner, now=at + dt.timedelta(days=1))


def _claim_segments(text: str, pcn: str) -> list[list[str]]:
    """The 2300 segments of claim ``pcn`` (CLM up to the first service line)."""
    segments = [s.split("*") for s in text.strip().split("~") if s]
    start = next(i for i, s in enumerate(segments) if s[0] == "CLM" and s[1] == pcn)
    out = [segments[start]]
    for seg in segments[start + 1 :]:
        if seg[0] in ("LX", "CLM", "HL", "SE"):
            break
        out.append(seg)
    return out


def _refs(segments: list[list[str]], qualifier: str) -> list[str]:
    return [s[2] for s in segments if s[0] == "REF" and s[1] == qualifier]


def test_rejected_claim_is_corrected_and_resent_as_an_original(practice: Practice) -> None:
    partner = partner_for(practice=practice)
    bad = Claim.objects.filter(practice=practice, status="ready").order_by("id").first()
    assert bad is not None
    coverage = Coverage.objects.get(pk=bad.coverage_id)
    right_id = coverage.member_id
    Coverage.objects.filter(pk=coverage.pk).update(member_id="UNKNOWN0001")
    start = timezone.now()
    first, _, _ = _cycle(practice, partner, start)
    bad.refresh_from_db()
    assert bad.status == ClaimStatus.REJECTED.value and bad.payer_claim_number == ""
    worklist = {c.pk: c for c in rejection_worklist(practice=practice)}
    assert "member number (A3:33, A7:164:IL)" in getattr(worklist[bad.pk], "rejection_reason", "")
    with pytest.raises(ValidationError, match="only a rejected claim"):
        claim_reopen(claim=Claim.objects.filter(status=ACK).first())  # type: ignore[arg-type]

    # The biller fixes the member id; every claim the wrong id rejected is reopened, scrubbed.
    Coverage.objects.filter(pk=coverage.pk).update(member_id=right_id)
    fixed = list(Claim.objects.filter(coverage=coverage, status=ClaimStatus.REJECTED.value))
    assert bad.pk in {c.pk for c in fixed}
    worked = start + dt.timedelta(days=1, hours=2)  # the morning after the 277CA
    for claim in fixed:
        claim_reopen(claim=claim, now=worked)
        assert claim.status == ClaimStatus.DRAFT.value
        claim_scrub(claim=claim, now=worked)
        assert claim.status == ClaimStatus.READY.value
    second, text, result = _cycle(practice, partner, start + dt.timedelta(days=2))
    assert second.pk != first.pk and second.claim_count == len(fixed)
    clm = _claim_segments(text, bad.patient_control_number)
    assert clm[0][5] == f"{clm[0][5].split(':')[0]}:B:1"  # an original, frequency 1
    assert _refs(clm, "F8") == []
    assert pyx12_errors(text) == []
    assert result.rejected == 0 and result.acknowledged == len(fixed)
    bad.refresh_from_db()
    assert bad.status == ACK and bad.payer_claim_number
    assert list(
        BatchClaim.objects.filter(claim=bad).order_by("batch_id").values_list("batch_id", "status")
    ) == [(first.pk, "rejected"), (second.pk, "accepted")]
    assert bad.pk not in {c.pk for c in rejection_worklist(practice=practice)}
    history = list(bad.history.values_list("to_status", flat=True))
    assert history[-7:] == [
        "rejected",
        "draft",
        "ready",
        "batched",
        "submitted",
        "accepted",
        "acknowledged",
    ]


def test_replacement_and_void_carry_the_payer_claim_number(practice: Practice) -> None:
    partner = partner_for(practice=practice)
    start = timezone.now()
    _cycle(practice, partner, start)
    accepted = list(Claim.objects.filter(practice=practice, status=ACK).order_by("id")[:3])
    assert len(accepted) == 3
    for claim in accepted:  # the 277CA's payer claim control number is kept on the claim
        ack = Acknowledgment.objects.get(kind="277CA", claim=claim)
        assert claim.payer_claim_number and claim.payer_claim_number == ack.payer_claim_number
    fixed, voided, unknown = accepted
    replacement = claim_replace(claim=fixed)
    void = claim_void_at_payer(claim=voided)
    stray = claim_replace(claim=unknown)
    for new, old, frequency in (
        (replacement, fixed, "7"),
        (void, voided, "8"),
        (stray, unknown, "7"),
    ):
        assert (new.frequency_code, new.replaces_id, new.status) == (frequency, old.pk, "draft")
        assert new.patient_control_number != old.patient_control_number
        assert new.payer_claim_number == old.payer_claim_number
        assert new.total_charge_cents == old.total_charge_cents
        assert list(new.lines.values_list("charge_line_id", "charge_cents")) == list(
            old.lines.values_list("charge_line_id", "charge_cents")
        )
    # A payer number the payer never gave: its sandbox rejects the replacement (A7:21).
    Claim.objects.filter(pk=unknown.pk).update(payer_claim_number="99999999999999")
    practice_scrub(practice=practice)
    for new in (replacement, void, stray):
        new.refresh_from_db()
        assert new.status == ClaimStatus.READY.value
    batch, text, result = _cycle(practice, partner, start + dt.timedelta(days=2))
    assert batch.claim_count == 3
    for new, old, frequency in ((replacement, fixed, "7"), (void, voided, "8")):
        clm = _claim_segments(text, new.patient_control_number)
        assert clm[0][5].endswith(f":B:{frequency}")
        assert _refs(clm, "F8") == [old.payer_claim_number]
    assert _refs(_claim_segments(text, stray.patient_control_number), "F8") == ["99999999999999"]
    assert pyx12_errors(text) == []
    assert (result.acknowledged, result.rejected) == (2, 1)
    for claim in (replacement, void, stray, fixed, voided):
        claim.refresh_from_db()
    assert replacement.status == void.status == ACK
    assert replacement.payer_claim_number not in ("", fixed.payer_claim_number)
    assert stray.status == ClaimStatus.REJECTED.value
    rejected = {c.pk: c for c in rejection_worklist(practice=practice)}
    reason = getattr(rejected[stray.pk], "rejection_reason", "")
    assert "(A7:21)" in reason and "ORIGINAL CLAIM NUMBER NOT FOUND" in reason
    # The originals keep their status until the payer's 835 re-adjudicates them.
    assert fixed.status == voided.status == ACK


def test_corrections_refused_plainly(practice: Practice) -> None:
    partner = partner_for(practice=practice)
    ready = Claim.objects.filter(practice=practice, status="ready").order_by("id").first()
    assert ready is not None
    with pytest.raises(ValidationError, match="no payer claim number yet"):
        claim_replace(claim=ready)
    Coverage.objects.filter(pk=ready.coverage_id).update(member_id="UNKNOWN0002")
    _cycle(practice, partner, timezone.now())
    ready.refresh_from_db()
    assert ready.status == ClaimStatus.REJECTED.value
    with pytest.raises(ValidationError, match="reopen it"):
        claim_void_at_payer(claim=ready)
    original = Claim.objects.filter(practice=practice, status=ACK).order_by("id").first()
    assert original is not None
    void = claim_void_at_payer(claim=original)
    with pytest.raises(
        ValidationError, match=f"already has a correction, claim {void.patient_control_number}"
    ):
        claim_replace(claim=original)
    with pytest.raises(ValidationError, match="is a void"):
        claim_replace(claim=void)
    assert Claim.objects.filter(replaces=original).count() == 1
