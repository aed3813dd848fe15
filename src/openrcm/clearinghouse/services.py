"""Batches of ready claims written as 837P files, sent through a partner's transport, and the
acknowledgments (TA1, 999, 277CA) taken in and applied to batches and claims."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from openrcm.audit.services import audit_record
from openrcm.claims.models import Claim, ClaimLine, ClaimStatusChange
from openrcm.claims.services import claim_transition, claims_transition_many
from openrcm.clearinghouse import reasons
from openrcm.clearinghouse.acknowledged import acknowledged_claims_choose
from openrcm.clearinghouse.models import (
    Acknowledgment,
    Batch,
    BatchClaim,
    BatchFile,
    BatchStatus,
    ControlNumber,
    InboundFile,
    TradingPartner,
    TransportKind,
)
from openrcm.clearinghouse.professional import sendable_claims
from openrcm.clearinghouse.transports import Transport, TransportError, transport_for
from openrcm.core.claims.status import ClaimFrequency, ClaimStatus
from openrcm.core.files.uploads import UploadRefused, check_x12_upload, sanitize_name
from openrcm.core.posting.claim_match import describe_candidate
from openrcm.core.x12 import claim837p as x
from openrcm.core.x12.ack277ca import read_277ca
from openrcm.core.x12.ack999 import read_999
from openrcm.core.x12.errors import X12Error
from openrcm.core.x12.ta1 import read_ta1
from openrcm.files.models import StoredFileKind
from openrcm.files.services import file_store
from openrcm.posting.balance_keys import charge_balances_rekey
from openrcm.posting.ledger import ledger_charges_post
from openrcm.posting.secondary import prior_adjudication_apply
from openrcm.reporting.timelines import claim_timelines_refresh
from openrcm.tenancy.models import Practice
from openrcm.tenancy.services import practice_next_number

logger = logging.getLogger(__name__)

SENT = (BatchStatus.SUBMITTED, BatchStatus.ACCEPTED)
MAX_CLAIMS_PER_SET = x.MAX_CLAIMS_PER_SET
SANDBOX_NAME = "sandbox"


class SubmissionError(Exception):
    """A batch could not be built or sent (the message is for people)."""


# -- partners and control numbers ------------------------------------------------------------


def partner_for(*, practice: Practice, name: str | None = None) -> TradingPartner:
    """The practice's partner called ``name``, else its default one. The sandbox is a product
    component: asking for ``sandbox`` (or for the default of a practice with none) sets it up."""
    partners = TradingPartner.objects.filter(practice=practice)
    if name:
        found = partners.filter(name=name).first()
        if found is not None:
            return found
        if name != SANDBOX_NAME:
            raise SubmissionError(f"practice {practice.slug} has no clearinghouse named {name!r}")
    else:
        found = partners.filter(is_default=True).order_by("id").first()
        if found is not None:
            return found
    sender = f"OPENRCM{practice.pk:08d}"
    partner, _ = TradingPartner.objects.get_or_create(
        practice=practice,
        name=SANDBOX_NAME,
        defaults={
            "transport": TransportKind.SANDBOX,
            "settings": {"seed": practice.pk},
            "sender_id": sender,
            "receiver_id": "OPENRCMSANDBOX",
            "receiver_name": "OPENRCM SANDBOX CLEARINGHOUSE",
            "usage": "T",
            "is_default": not partners.exists(),
        },
    )
    return partner


def control_numbers_take(*, partner: TradingPartner, kind: str, count: int = 1) -> list[int]:
    """``count`` new, increasing numbers of ``kind`` (ISA, GS, ST) for ``partner``: the row
    is locked while it moves, so concurrent workers never share a number."""
    with transaction.atomic():
        ControlNumber.objects.get_or_create(partner=partner, kind=kind)
        ControlNumber.objects.filter(partner=partner, kind=kind).update(value=F("value") + count)
        row = ControlNumber.objects.select_for_update().get(partner=partner, kind=kind)
        last = row.value
    if last > 999_999_999:
        raise SubmissionError(f"{kind} control numbers of {partner.name} are exhausted")
    return list(range(last - count + 1, last + 1))


# -- batches -----------------------------------------------------------------------------------


@dataclass
class BuiltBatch:
    batch: Batch | None
    files: list[BatchFile] = field(default_factory=list)
    skipped: int = 0


def _sendable(practice: Practice) -> QuerySet[Claim]:
    """The practice's ready claims that no sent batch holds."""
    already = BatchClaim.objects.filter(status__in=SENT).values("claim_id")
    return Claim.objects.filter(practice=practice, status=ClaimStatus.READY.value).exclude(
        pk__in=already
    )


def _insert_links(rows: list[tuple[int, int, int, str, str]]) -> None:
    """INSERT a batch's BatchClaim rows (batch, claim, file, ST02, status) as plain rows, 500
    to a statement: a batch holds thousands of claims, and model instances (or one statement
    per row) cost more than writing the 837P itself."""
    quote = connection.ops.quote_name
    names = ("batch", "claim", "file", "st02", "status")
    columns = ", ".join(
        quote(str(getattr(BatchClaim._meta.get_field(n), "column", n))) for n in names
    )
    head = f"INSERT INTO {quote(BatchClaim._meta.db_table)} ({columns}) VALUES "  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            marks = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(head + marks, [value for row in chunk for value in row])


def batch_build(
    *,
    practice: Practice,
    partner: TradingPartner,
    actor: Any = None,
    now: dt.datetime | None = None,
    max_claims_per_set: int = MAX_CLAIMS_PER_SET,
) -> BuiltBatch:
    """Put the practice's ready claims (not already sent) into a new batch: one 837P
    interchange (at most ``max_claims_per_set`` claims per ST-SE) stored encrypted, its
    envelope ids recorded, the claims moved ready -> batched. None when nothing is ready."""
    if partner.practice_id != practice.pk:
        raise SubmissionError(f"{partner.name} is not a clearinghouse of {practice.slug}")
    moment = now or timezone.now()
    by = actor if getattr(actor, "pk", None) else None
    try:
        claims = sendable_claims(practice=practice, claims=_sendable(practice))
        # Secondary and tertiary claims carry the prior payers' adjudication (2320/2430).
        prior_adjudication_apply(practice=practice, claims=claims)
    except (ValueError, KeyError) as exc:  # pragma: no cover - data the scrub passed
        raise SubmissionError(f"the claims of {practice.slug} could not be read: {exc}") from exc
    if not claims:
        return BuiltBatch(None)
    with transaction.atomic():
        batch = Batch.objects.create(
            practice=practice,
            partner=partner,
            claim_count=len(claims),
            total_cents=sum(c.total_charge_cents for c in claims),
            created_by=by,
        )
        chunks = [
            claims[i : i + max_claims_per_set] for i in range(0, len(claims), max_claims_per_set)
        ]
        isa = control_numbers_take(partner=partner, kind="ISA")[0]
        gs = control_numbers_take(partner=partner, kind="GS")[0]
        sts = [
            f"{n:04d}" for n in control_numbers_take(partner=partner, kind="ST", count=len(chunks))
        ]
        sets = [
            x.ProfessionalClaimBatch(
                submitter=x.Submitter(
                    name=x.Name(last=practice.name, person=False),
                    id=partner.gs_sender or partner.sender_id,
                    contacts=[
                        x.Contact(name="BILLING OFFICE", phone=practice.phone or "0000000000")
                    ],
                ),
                receiver=x.Receiver(
                    name=partner.receiver_name, id=partner.gs_receiver or partner.receiver_id
                ),
                reference=f"B{batch.pk}-{st}",
                created_date=moment.date(),
                created_time=dt.time(moment.hour, moment.minute),
                claims=[c.claim for c in chunk],
            )
            for chunk, st in zip(chunks, sts, strict=True)
        ]
        try:
            text = x.write_837p_interchange(
                sets,
                set_control_numbers=sts,
                sender_id=partner.sender_id,
                receiver_id=partner.receiver_id,
                sender_qualifier=partner.sender_qualifier,
                receiver_qualifier=partner.receiver_qualifier,
                gs_sender=partner.gs_sender or None,
                gs_receiver=partner.gs_receiver or None,
                isa_control=isa,
                gs_control=gs,
                usage=partner.usage,
                now=moment,
            )
        except ValueError as exc:
            raise SubmissionError(f"the 837P could not be written: {exc}") from exc
        data = text.encode("ascii")
        name = f"837P-{practice.slug}-{isa:09d}.x12"
        stored = file_store(
            data=data,
            kind=StoredFileKind.X12_OUT,
            practice=practice,
            original_name=name,
            actor=by,
        )
        bfile = BatchFile.objects.create(
            batch=batch,
            stored=stored,
            name=name,
            sha256=hashlib.sha256(data).hexdigest(),
            isa13=f"{isa:09d}",
            gs06=str(gs),
            st02=sts,
        )
        _insert_links(
            [
                (batch.pk, claim.pk, bfile.pk, st, BatchStatus.BUILT.value)
                for chunk, st in zip(chunks, sts, strict=True)
                for claim in chunk
            ]
        )
        claims_transition_many(
            claims=claims,
            to=ClaimStatus.BATCHED,
            actor=by,
            note=f"In batch {batch.pk}.",
            now=moment,
        )
        audit_record(
            action="create",
            actor=by,
            practice=practice,
            object_type="clearinghouse.batch",
            object_id=batch.pk,
            detail={"claims": len(claims), "files": 1, "partner": partner.name, "isa13": isa},
        )
    return BuiltBatch(batch, [bfile])


def _mark_submitted(batch: Batch, *, actor: Any, note: str, moment: dt.datetime) -> None:
    claims = list(
        Claim.objects.filter(batch_links__batch=batch, status=ClaimStatus.BATCHED.value).only(
            "pk", "practice_id", "status", "status_changed_at"
        )
    )
    claims_transition_many(
        claims=claims, to=ClaimStatus.SUBMITTED, actor=actor, note=note, now=moment
    )
    # Their lines are final now: the charges enter the ledger (once per charge line).
    ledger_charges_post(claims=claims, actor=actor, now=moment)
    BatchClaim.objects.filter(batch=batch).update(status=BatchStatus.SUBMITTED)
    batch.status = BatchStatus.SUBMITTED
    batch.submitted_at = moment
    batch.save(update_fields=["status", "submitted_at"])


def batch_send(
    *,
    batch: Batch,
    actor: Any = None,
    now: dt.datetime | None = None,
    transport: Transport | None = None,
) -> None:
    """Send a built batch's files through its partner's transport; its claims are submitted."""
    from openrcm.files.services import file_read

    if batch.status != BatchStatus.BUILT:
        raise SubmissionError(f"batch {batch.pk} was already sent")
    moment = now or timezone.now()
    by = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        partner = TradingPartner.objects.select_for_update().get(pk=batch.partner_id)
        channel = transport or transport_for(partner, now=moment)
        for bfile in batch.files.select_related("stored"):
            channel.send(name=bfile.name, data=file_read(stored=bfile.stored))
        _mark_submitted(batch, actor=by, note=f"Sent to {partner.name}.", moment=moment)
        audit_record(
            action="export",
            actor=by,
            practice=batch.practice_id,
            object_type="clearinghouse.batch",
            object_id=batch.pk,
            detail={"partner": partner.name, "transport": partner.transport},
        )


def batch_write_to(
    *, batch: Batch, out_dir: str | Path, actor: Any = None, now: dt.datetime | None = None
) -> list[Path]:
    """Write a built batch's files into ``out_dir`` instead of sending them (someone uploads
    them by hand); the claims count as submitted."""
    from openrcm.clearinghouse.transports import FolderTransport
    from openrcm.files.services import file_read

    if batch.status != BatchStatus.BUILT:
        raise SubmissionError(f"batch {batch.pk} was already sent")
    moment = now or timezone.now()
    by = actor if getattr(actor, "pk", None) else None
    folder = FolderTransport(out_dir, out_dir)
    paths = []
    with transaction.atomic():
        for bfile in batch.files.select_related("stored"):
            folder.send(name=bfile.name, data=file_read(stored=bfile.stored))
            paths.append(Path(out_dir) / bfile.name)
        _mark_submitted(batch, actor=by, note=f"Written to {out_dir}.", moment=moment)
        audit_record(
            action="export",
            actor=by,
            practice=batch.practice_id,
            object_type="clearinghouse.batch",
            object_id=batch.pk,
            detail={"out_dir": str(out_dir)},
        )
    return paths


# -- acknowledgments in ------------------------------------------------------------------------


@dataclass
class PollResult:
    taken: list[InboundFile] = field(default_factory=list)
    skipped: int = 0
    accepted: int = 0
    acknowledged: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)


def _kind(data: bytes) -> str:
    text = data.decode("ascii", errors="replace").lstrip("\ufeff")
    if not text.startswith("ISA") or len(text) < 106:
        return "unknown"
    sep, term = text[3], text[105]
    for segment in text.split(term)[1:6]:
        parts = segment.strip().split(sep)
        if parts[0] == "TA1":
            return "TA1"
        if parts[0] == "GS" and len(parts) > 1:
            return {"FA": "999", "HN": "277CA", "HP": "835"}.get(parts[1], parts[1])
    return "unknown"


def _move(
    claims: list[Claim],
    to: ClaimStatus,
    *,
    actor: Any,
    note: str,
    result: PollResult,
    moment: dt.datetime | None = None,
) -> None:
    from openrcm.core.claims.state import can_transition

    movable = [c for c in claims if can_transition(c.status, to)]
    if not movable:
        return
    claims_transition_many(claims=movable, to=to, actor=actor, note=note[:500], now=moment)
    if to == ClaimStatus.ACCEPTED:
        result.accepted += len(movable)
    elif to == ClaimStatus.ACKNOWLEDGED:
        result.acknowledged += len(movable)
    elif to == ClaimStatus.REJECTED:
        result.rejected += len(movable)
        BatchClaim.objects.filter(claim__in=movable, status__in=SENT).update(
            status=BatchStatus.REJECTED
        )


def _claims_of(bfile: BatchFile, st02: str | None = None) -> list[Claim]:
    links = BatchClaim.objects.filter(file=bfile)
    if st02 is not None:
        links = links.filter(st02=st02)
    return list(
        Claim.objects.filter(pk__in=links.values("claim_id")).only(
            "pk", "practice_id", "status", "status_changed_at", "patient_control_number"
        )
    )


def _apply_ta1(
    inbound: InboundFile, data: bytes, actor: Any, result: PollResult, moment: dt.datetime
) -> None:
    partner = inbound.partner
    for ack in read_ta1(data, file=inbound.name):
        bfile = (
            BatchFile.objects.filter(batch__partner=partner, isa13=ack.control_number)
            .select_related("batch")
            .first()
        )
        reason = reasons.ta1_reason(ack.note_code) if ack.status == "R" else ""
        Acknowledgment.objects.create(
            inbound=inbound,
            kind="TA1",
            batch=bfile.batch if bfile else None,
            control_number=ack.control_number,
            status=ack.status,
            codes=[ack.note_code],
            reason=reason,
        )
        if bfile is not None:
            _alert_clear(bfile.batch, moment=moment, actor=actor, answer="TA1")
        if bfile is not None and ack.status == "R":
            _move(
                _claims_of(bfile),
                ClaimStatus.REJECTED,
                actor=actor,
                note=reason,
                result=result,
                moment=moment,
            )
            Batch.objects.filter(pk=bfile.batch_id).update(status=BatchStatus.REJECTED)


def _apply_999(
    inbound: InboundFile, data: bytes, actor: Any, result: PollResult, moment: dt.datetime
) -> None:
    partner = inbound.partner
    for ack in read_999(data, file=inbound.name):
        bfile = (
            BatchFile.objects.filter(batch__partner=partner, gs06=ack.group_control_number)
            .select_related("batch")
            .first()
        )
        batch = bfile.batch if bfile else None
        for response in ack.sets:
            accepted = response.status in ("A", "E")
            reason = "" if accepted else reasons.set_reason(response)
            Acknowledgment.objects.create(
                inbound=inbound,
                kind="999",
                batch=batch,
                control_number=response.control_number,
                status=response.status,
                codes=list(response.codes),
                reason=reason,
            )
            if bfile is None:
                continue
            claims = _claims_of(bfile, response.control_number)
            if accepted:
                _move(
                    claims,
                    ClaimStatus.ACCEPTED,
                    actor=actor,
                    note=f"Accepted by the clearinghouse (999 {inbound.name}).",
                    result=result,
                    moment=moment,
                )
                BatchClaim.objects.filter(file=bfile, st02=response.control_number).exclude(
                    status=BatchStatus.REJECTED
                ).update(status=BatchStatus.ACCEPTED)
            else:
                _move(
                    claims,
                    ClaimStatus.REJECTED,
                    actor=actor,
                    note=reason,
                    result=result,
                    moment=moment,
                )
        if batch is not None:
            statuses = {r.status in ("A", "E") for r in ack.sets}
            batch.status = (
                BatchStatus.ACCEPTED
                if statuses == {True}
                else BatchStatus.REJECTED
                if statuses == {False}
                else BatchStatus.PARTIAL
            )
            batch.ack_999_at = moment
            batch.save(update_fields=["status", "ack_999_at"])
            _alert_clear(batch, moment=moment, actor=actor, answer="999")


def _apply_277ca(
    inbound: InboundFile,
    data: bytes,
    actor: Any,
    result: PollResult,
    moment: dt.datetime | None = None,
) -> None:
    acks = [
        (patient, claim_ack)
        for doc in read_277ca(data, file=inbound.name)
        for source in doc.sources
        for provider in source.receiver.providers
        for patient in provider.patients
        for claim_ack in patient.claims
    ]
    found = acknowledged_claims_choose(
        practice_id=inbound.partner.practice_id, partner_id=inbound.partner_id, acks=acks
    )
    moves: dict[tuple[ClaimStatus, str], list[Claim]] = defaultdict(list)
    numbered: list[Claim] = []
    for item in found:
        claim_ack, claim, choice = item.ack, item.claim, item.choice
        rejected = any(s.rejected for s in claim_ack.statuses)
        reason = reasons.stc_reason(claim_ack.statuses)
        # Claims sharing an imported number that the 277CA does not tell apart: applied to
        # none, recorded with the candidates for a person (the reason says so).
        unsure = (
            f"not applied: patient control number {claim_ack.patient_control_number} names "
            f"{len(choice.candidates)} claims; candidates: "
            + "; ".join(describe_candidate(c) for c in choice.candidates)
            if claim is None and choice.candidates
            else ""
        )
        Acknowledgment.objects.create(
            inbound=inbound,
            kind="277CA",
            claim=claim,
            control_number=claim_ack.patient_control_number[:9],
            status=claim_ack.statuses[0].category if claim_ack.statuses else "",
            codes=[
                ":".join(p for p in (c.category, c.code, c.entity) if p)
                for s in claim_ack.statuses
                for c in s.codes
            ],
            reason=" | ".join(r for r in (reason if rejected else "", unsure) if r)[:500],
            payer_claim_number=claim_ack.payer_claim_control_number,
        )
        if claim is None:
            result.errors.append(
                f"{inbound.name}: {unsure}; {choice.message}"
                if unsure
                else f"{inbound.name}: no claim with patient control number "
                f"{claim_ack.patient_control_number}"
            )
            continue
        if rejected:
            moves[(ClaimStatus.REJECTED, reason)].append(claim)
        else:
            number = claim_ack.payer_claim_control_number
            if number and number != claim.payer_claim_number:
                claim.payer_claim_number = number  # REF*F8 of a later replacement or void
                numbered.append(claim)
            if claim.status == ClaimStatus.SUBMITTED.value:  # 277CA before its 999
                moves[(ClaimStatus.ACCEPTED, "Accepted (the 277CA came before the 999).")].append(
                    claim
                )
            note = f"Accepted by the payer (277CA {inbound.name})."
            moves[(ClaimStatus.ACKNOWLEDGED, note)].append(claim)
    Claim.objects.bulk_update(numbered, ["payer_claim_number"], batch_size=500)
    # In order: a claim accepted here first is then acknowledged (its status moves in memory).
    for target in (ClaimStatus.ACCEPTED, ClaimStatus.ACKNOWLEDGED, ClaimStatus.REJECTED):
        for (to, note), claims in moves.items():
            if to == target:
                _move(claims, to, actor=actor, note=note, result=result, moment=moment)


def inbound_poll(
    *,
    partner: TradingPartner,
    now: dt.datetime | None = None,
    actor: Any = None,
    transport: Transport | None = None,
) -> PollResult:
    """Take every new file of the partner's inbound folder once (by name and SHA-256), store
    it, and apply the TA1, 999 and 277CA it carries to batches and claims. 835s are stored for
    posting. Polling again changes nothing."""
    from openrcm.audit.services import audit_service_actor

    moment = now or timezone.now()
    by = actor if getattr(actor, "pk", None) else audit_service_actor("clearinghouse")
    result = PollResult()
    with transaction.atomic():
        partner = TradingPartner.objects.select_for_update().get(pk=partner.pk)
        channel = transport or transport_for(partner, now=moment)
        try:
            files = channel.poll()
        except TransportError:
            raise
        for name, data in files:
            sha = hashlib.sha256(data).hexdigest()
            if InboundFile.objects.filter(partner=partner, name=name, sha256=sha).exists():
                result.skipped += 1
                continue
            kind = _kind(data)
            refusal: UploadRefused | None = None
            try:
                check_x12_upload(data, name=sanitize_name(name), max_bytes=max(len(data), 1))
            except UploadRefused as exc:
                refusal = exc
            if refusal is not None:
                # Not X12 (a stray report, a half-copied file): say so on every poll and go on
                # with the other files; one bad file must not stop acknowledgments or 835s.
                result.errors.append(f"{name}: not taken: {refusal}")
                logger.warning("inbound file %s of %s not taken: %s", name, partner, refusal)
                continue
            with transaction.atomic():
                stored = file_store(
                    data=data,
                    kind=StoredFileKind.X12_IN,
                    practice=partner.practice,
                    original_name=name,
                    actor=by,
                )
                inbound = InboundFile.objects.create(
                    partner=partner, name=name, sha256=sha, stored=stored, kind=kind
                )
                try:
                    if kind == "TA1":
                        _apply_ta1(inbound, data, by, result, moment)
                    elif kind == "999":
                        _apply_999(inbound, data, by, result, moment)
                    elif kind == "277CA":
                        _apply_277ca(inbound, data, by, result, moment)
                except X12Error as exc:
                    inbound.note = f"unreadable: {exc}"[:500]
                    inbound.save(update_fields=["note"])
                    result.errors.append(f"{name}: {exc}")
            result.taken.append(inbound)
            audit_record(
                action="import",
                actor=by,
                practice=partner.practice,
                object_type="clearinghouse.inbound",
                object_id=inbound.pk,
                detail={"kind": kind, "sha256": sha},
            )
    return result


# -- corrections: rejected claims reopened, adjudicated claims replaced or voided ---------------

# Claims the payer took into adjudication (277CA) or adjudicated (835): they carry its claim
# number and are corrected by a new claim, frequency 7 (replacement) or 8 (void).
AT_PAYER = frozenset(
    {
        ClaimStatus.ACKNOWLEDGED.value,
        ClaimStatus.PAID.value,
        ClaimStatus.PARTIALLY_PAID.value,
        ClaimStatus.DENIED.value,
        ClaimStatus.CLOSED.value,
    }
)


def claim_reopen(
    *, claim: Claim, actor: Any = None, note: str = "", now: dt.datetime | None = None
) -> Claim:
    """Reopen a rejected claim (999 or 277CA) for correction: rejected -> draft. A rejected
    claim was never adjudicated, so once fixed (the coverage's member id, a code...) and
    scrubbed to ready it goes out again as an original (frequency 1) in the next batch."""
    if claim.status != ClaimStatus.REJECTED.value:
        raise ValidationError(
            {
                "status": f"claim {claim.patient_control_number} is {claim.status_enum.label}: "
                "only a rejected claim is reopened for correction"
            }
        )
    return claim_transition(
        claim=claim,
        to=ClaimStatus.DRAFT,
        actor=actor,
        note=note or "Reopened to correct the rejection.",
        now=now,
    )


def _correction(*, claim: Claim, actor: Any, frequency: ClaimFrequency) -> Claim:
    word = "replacement" if frequency == ClaimFrequency.REPLACEMENT else "void"
    by = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        original = Claim.objects.select_for_update().select_related("practice").get(pk=claim.pk)
        where = f"claim {original.patient_control_number}"
        if original.frequency_code == ClaimFrequency.VOID.value:
            raise ValidationError({"claim": f"{where} is a void: it cannot be replaced or voided"})
        if original.status == ClaimStatus.REJECTED.value:
            raise ValidationError(
                {
                    "claim": f"{where} was rejected and never adjudicated: reopen it, correct it "
                    f"and send it again as an original instead of a {word}"
                }
            )
        if original.status not in AT_PAYER or not original.payer_claim_number:
            raise ValidationError(
                {
                    "claim": f"{where} is {original.status_enum.label} and has no payer claim "
                    f"number yet: a {word} needs the number the payer's 277CA gives (REF*F8)"
                }
            )
        live = original.replaced_by.exclude(status=ClaimStatus.VOID.value).order_by("-id").first()
        if live is not None:
            raise ValidationError(
                {
                    "claim": f"{where} already has a correction, claim "
                    f"{live.patient_control_number} ({live.status_enum.label}): work that one"
                }
            )
        # Numbered as claims.services numbers a new claim (PCNs are unique in a practice).
        number = practice_next_number(practice=original.practice, name="patient_control")
        now = timezone.now()
        new = Claim.objects.create(
            practice_id=original.practice_id,
            encounter_id=original.encounter_id,
            coverage_id=original.coverage_id,
            sequence=original.sequence,
            frequency_code=frequency.value,
            patient_control_number=f"{original.practice_id}C{number:08d}",
            # REF*F8 until the payer accepts this claim and its 277CA gives it its own number.
            payer_claim_number=original.payer_claim_number,
            replaces=original,
            total_charge_cents=original.total_charge_cents,
            status=ClaimStatus.DRAFT.value,
            status_changed_at=now,
            created_by=by,
        )
        ClaimLine.objects.bulk_create(
            ClaimLine(
                practice_id=line.practice_id,
                claim=new,
                charge_line_id=line.charge_line_id,
                line_number=line.line_number,
                charge_cents=line.charge_cents,
            )
            for line in original.lines.order_by("line_number")
        )
        # The aging's responsible payer of the lines is now the new claim's.
        charge_balances_rekey(claim_ids=[new.pk])
        ClaimStatusChange.objects.create(
            practice_id=new.practice_id,
            claim=new,
            from_status="",
            to_status=ClaimStatus.DRAFT.value,
            at=now,
            actor=by,
            note=(
                f"{word.capitalize()} (frequency {frequency.value}) of claim "
                f"{original.patient_control_number}, payer claim {original.payer_claim_number}."
            ),
        )
        claim_timelines_refresh(claim_ids=[new.pk])
        patient_id = original.encounter.patient_id
        audit_record(
            action="create",
            actor=by,
            practice=original.practice_id,
            object_type="claims.claim",
            object_id=new.pk,
            patient_id=patient_id,
            detail={"frequency": frequency.value, "replaces": original.pk},
        )
    return new


def claim_replace(*, claim: Claim, actor: Any = None) -> Claim:
    """A corrected claim (frequency 7) for a claim the payer accepted or adjudicated: a new
    draft claim with the original's lines, ``replaces`` pointing to it and the payer's claim
    number of the original as REF*F8. Scrubbed to ready, it goes out in the next batch. The
    original keeps its status: the payer's 835 reverses its adjudication (posting moves it).
    Refused for a rejected claim (reopen it: it goes out again as an original), a void, a
    claim without the payer's claim number, or one that already has a live correction."""
    return _correction(claim=claim, actor=actor, frequency=ClaimFrequency.REPLACEMENT)


def claim_void_at_payer(*, claim: Claim, actor: Any = None) -> Claim:
    """A void (frequency 8) of a claim the payer accepted or adjudicated, as
    :func:`claim_replace` builds a replacement: it cancels the payer's claim (REF*F8), whose
    payment the payer takes back on an 835. A claim that never reached the payer is voided in
    place instead (draft, ready or rejected -> void)."""
    return _correction(claim=claim, actor=actor, frequency=ClaimFrequency.VOID)


# -- the missing-999 alert -------------------------------------------------------------------


def batch_ack_alerts_raise(
    *, now: dt.datetime | None = None, practice: Practice | None = None, actor: Any = None
) -> list[Batch]:
    """Raise the missing-999 alert on every submitted batch that has had no 999 for
    ``OPENRCM_ACK_ALERT_HOURS`` (default 24): the alert is recorded on the batch, logged and
    audited once; a batch already alerted is left alone, so the polling job calls this every
    few minutes. Returns the batches alerted by this call. The alert clears when a 999 (or a
    TA1) for the batch arrives (:func:`inbound_poll`)."""
    from openrcm.audit.services import audit_service_actor
    from openrcm.clearinghouse.selectors import ack_alert_hours, batches_missing_999

    moment = now or timezone.now()
    by = actor if getattr(actor, "pk", None) else audit_service_actor("clearinghouse")
    hours = ack_alert_hours()
    raised: list[Batch] = []
    candidates = (
        batches_missing_999(practice=practice, now=moment)
        .filter(alert_raised_at__isnull=True)
        .select_related("partner")
    )
    for batch in candidates:
        assert batch.submitted_at is not None  # batches_missing_999 filters on it
        text = (
            f"No 999 from {batch.partner.name} {hours:g} hours after the batch was sent "
            f"({batch.submitted_at:%Y-%m-%d %H:%M} UTC): ask the clearinghouse whether the "
            "file arrived."
        )[:200]
        with transaction.atomic():
            # Conditional: of two workers polling at once, only one raises it.
            taken = Batch.objects.filter(pk=batch.pk, alert_raised_at__isnull=True).update(
                alert=text, alert_raised_at=moment, alert_cleared_at=None
            )
            if not taken:
                continue
            audit_record(
                action="update",
                actor=by,
                practice=batch.practice_id,
                object_type="clearinghouse.batch",
                object_id=batch.pk,
                detail={
                    "alert": "missing_999",
                    "hours": f"{hours:g}",
                    "partner": batch.partner.name,
                },
            )
        logger.warning(
            "batch %s of partner %s: no 999 %g hours after submission",
            batch.pk,
            batch.partner_id,
            hours,
        )
        batch.alert, batch.alert_raised_at, batch.alert_cleared_at = text, moment, None
        raised.append(batch)
    return raised


def _alert_clear(batch: Batch, *, moment: dt.datetime, actor: Any, answer: str) -> None:
    """Clear the batch's missing-999 alert (kept with both times) now that it was answered."""
    cleared = Batch.objects.filter(
        pk=batch.pk, alert_raised_at__isnull=False, alert_cleared_at__isnull=True
    ).update(alert_cleared_at=moment)
    if cleared:
        batch.alert_cleared_at = moment
        audit_record(
            action="update",
            actor=actor,
            practice=batch.practice_id,
            object_type="clearinghouse.batch",
            object_id=batch.pk,
            detail={"alert": "cleared", "answer": answer},
        )
        logger.info("batch %s: missing-999 alert cleared by a %s", batch.pk, answer)
