"""Reads for the clearinghouse: the correction worklist, batches waiting for their 999, and
what the web's submission pages show (ready queue, batches, inbound files, X12 files)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from openrcm.claims.models import Claim, ClaimStatusChange
from openrcm.clearinghouse.models import (
    Acknowledgment,
    Batch,
    BatchClaim,
    BatchFile,
    BatchStatus,
    InboundFile,
    TradingPartner,
)
from openrcm.core.claims.status import ClaimStatus
from openrcm.files.models import StoredFile, StoredFileKind
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import get_for_user_or_404, practice_ids_for


def ack_alert_hours() -> float:
    return float(getattr(settings, "OPENRCM_ACK_ALERT_HOURS", 24))


def rejection_worklist(*, practice: Practice) -> QuerySet[Claim]:
    """Rejected claims of the practice, each annotated with ``rejection_reason`` (the newest
    acknowledgment that rejected it), oldest rejection first."""
    reason = (
        Acknowledgment.objects.filter(claim=OuterRef("pk"))
        .exclude(reason="")
        .order_by("-created_at", "-id")
        .values("reason")[:1]
    )
    return (
        Claim.objects.filter(practice=practice, status=ClaimStatus.REJECTED.value)
        .annotate(rejection_reason=Subquery(reason))
        .select_related("encounter__patient", "coverage__payer")
        .order_by("status_changed_at", "id")
    )


def batches_missing_999(
    *, practice: Practice | None = None, now: dt.datetime | None = None
) -> QuerySet[Batch]:
    """Submitted batches with no 999 after ``OPENRCM_ACK_ALERT_HOURS`` (default 24)."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=ack_alert_hours())
    qs = Batch.objects.filter(
        status=BatchStatus.SUBMITTED, ack_999_at__isnull=True, submitted_at__lt=cutoff
    )
    if practice is not None:
        qs = qs.filter(practice=practice)
    return qs.order_by("submitted_at", "id")


def batch_ack_overdue(batch: Batch, *, now: dt.datetime | None = None) -> bool:
    """Whether ``batch`` raises the missing-999 alert."""
    if batch.status != BatchStatus.SUBMITTED or batch.ack_999_at or not batch.submitted_at:
        return False
    cutoff = (now or timezone.now()) - dt.timedelta(hours=ack_alert_hours())
    return batch.submitted_at < cutoff


# -- the web's submission pages --------------------------------------------------------------

ACCEPTED_999 = frozenset({"A", "E"})


def submission_queue(*, user: Any, practice: Practice | None = None) -> QuerySet[Claim]:
    """Ready claims the next batch would take (not already in a batch that went out), of the
    practices ``user`` sees, oldest date of service first (timely filing runs from it)."""
    sent = BatchClaim.objects.filter(status__in=(BatchStatus.SUBMITTED, BatchStatus.ACCEPTED))
    claims = (
        Claim.objects.for_user(user)
        .filter(status=ClaimStatus.READY.value)
        .exclude(pk__in=sent.values("claim_id"))
        .select_related("practice", "encounter__patient", "coverage__payer")
    )
    if practice is not None:
        claims = claims.filter(practice=practice)
    return claims.order_by("encounter__date_of_service", "id")


def submission_queue_totals(*, claims: QuerySet[Claim]) -> list[dict[str, Any]]:
    """Per practice of ``claims``: ``practice_id``, ``name``, ``slug``, ``count``, ``total``
    (cents), in name order."""
    rows = (
        claims.order_by()
        .values("practice_id")
        .annotate(
            name=F("practice__name"),
            slug=F("practice__slug"),
            count=Count("id"),
            total=Sum("total_charge_cents"),
        )
        .order_by("name", "practice_id")
    )
    return [dict(row) for row in rows]


def default_partner(*, practice: Practice) -> TradingPartner | None:
    """The clearinghouse the practice's batches go to: its default partner, else None."""
    return TradingPartner.objects.filter(practice=practice, is_default=True).order_by("id").first()


def default_partners(*, practice_ids: list[int]) -> dict[int, TradingPartner]:
    """The default clearinghouse of each of these practices (by practice id; none: absent)."""
    found: dict[int, TradingPartner] = {}
    for partner in TradingPartner.objects.filter(
        practice_id__in=practice_ids, is_default=True
    ).order_by("-id"):
        found[partner.practice_id] = partner  # the lowest id wins, as in default_partner
    return found


# A sandbox partner keeps its simulated payer's state (megabytes of JSON) on its row: a list
# joining its partner to every row would carry (and sort) that blob once per row.
PARTNER_HEAVY = ("sandbox_state",)
LIST_DEFERRED = tuple(f"partner__{name}" for name in PARTNER_HEAVY)


def batch_list(*, user: Any, practice: Practice | None = None) -> QuerySet[Batch]:
    """Batches of the practices ``user`` sees, newest first, each with ``rejected_count``."""
    batches = (
        Batch.objects.for_user(user)
        .select_related("practice", "partner")
        .defer(*LIST_DEFERRED)
        .annotate(
            rejected_count=Count("claims", filter=Q(claims__status=BatchStatus.REJECTED)),
        )
    )
    if practice is not None:
        batches = batches.filter(practice=practice)
    return batches.order_by("-created_at", "-id")


def batch_get(*, user: Any, pk: Any) -> Batch:
    """One batch ``user`` sees, or Http404."""
    return get_for_user_or_404(
        Batch.objects.select_related("practice", "partner", "created_by"), user, pk=pk
    )


def batch_claims(*, batch: Batch) -> QuerySet[BatchClaim]:
    """The batch's claims (with patient and payer), in file and transaction-set order."""
    return (
        BatchClaim.objects.filter(batch=batch)
        .select_related("claim__encounter__patient", "claim__coverage__payer", "file")
        .order_by("file_id", "st02", "claim_id")
    )


def ack_rejected(ack: Acknowledgment) -> bool:
    """Whether the acknowledgment refused what it answers (the interchange, a set, a claim)."""
    if ack.kind == "TA1":
        return ack.status == "R"
    if ack.kind == "999":
        return ack.status not in ACCEPTED_999
    return bool(ack.reason)  # a 277CA: the reason is written for rejections only


@dataclass
class AckFile:
    """What one inbound file said about a batch: its acknowledgments, how many accepted and
    rejected, and the reasons of the rejections."""

    inbound: InboundFile
    acks: list[Acknowledgment] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.inbound.kind

    @property
    def accepted(self) -> int:
        return sum(1 for a in self.acks if not ack_rejected(a))

    @property
    def rejected(self) -> int:
        return sum(1 for a in self.acks if ack_rejected(a))

    @property
    def reasons(self) -> list[Acknowledgment]:
        return [a for a in self.acks if ack_rejected(a)]


def batch_acknowledgments(
    *, batch: Batch, claim_ids: list[int]
) -> tuple[list[AckFile], dict[int, Acknowledgment]]:
    """The acknowledgments of a batch grouped by the file they came in, oldest first, and the
    latest one of each of its claims (by claim id).

    TA1 and 999 name the batch; a 277CA names only the claim, so a claim's 277CA counts for
    this batch when it came after the batch was built and before the claim's next batch."""
    windows: dict[int, Any] = {}
    later = (
        BatchClaim.objects.filter(claim_id__in=claim_ids, batch__created_at__gt=batch.created_at)
        .values_list("claim_id", "batch__created_at")
        .order_by("batch__created_at")
    )
    for claim_id, created in later:
        windows.setdefault(claim_id, created)
    acks = (
        Acknowledgment.objects.filter(
            Q(batch=batch) | Q(claim_id__in=claim_ids, batch__isnull=True)
        )
        .filter(created_at__gte=batch.created_at)
        .select_related("inbound", "claim")
        .order_by("created_at", "id")
    )
    files: dict[int, AckFile] = {}
    latest: dict[int, Acknowledgment] = {}
    for ack in acks:
        if ack.batch_id is None:
            until = windows.get(ack.claim_id or 0)
            if until is not None and ack.created_at >= until:
                continue
        files.setdefault(ack.inbound_id, AckFile(ack.inbound)).acks.append(ack)
        if ack.claim_id is not None:
            latest[ack.claim_id] = ack
    return list(files.values()), latest


def inbound_list(*, user: Any, practice: Practice | None = None) -> QuerySet[InboundFile]:
    """Files taken in from the clearinghouses of the practices ``user`` sees, newest first,
    with ``ack_count`` and ``rejected_count`` (acknowledgments that carry a reason)."""
    # Counted by correlated subqueries, evaluated for the page's rows only: a GROUP BY over
    # every file joined to its acknowledgments took seconds on SQLite with a demo's 800 files.
    acks = Acknowledgment.objects.filter(inbound=OuterRef("pk")).order_by().values("inbound")
    files = (
        InboundFile.objects.filter(partner__practice_id__in=practice_ids_for(user))
        .select_related("partner__practice", "stored")
        .defer(*LIST_DEFERRED)
        .annotate(
            ack_count=Coalesce(Subquery(acks.annotate(n=Count("pk")).values("n")), 0),
            rejected_count=Coalesce(
                Subquery(acks.exclude(reason="").annotate(n=Count("pk")).values("n")), 0
            ),
        )
    )
    if practice is not None:
        files = files.filter(partner__practice=practice)
    return files.order_by("-received_at", "-id")


def x12_file_get(*, user: Any, pk: Any) -> StoredFile:
    """A stored X12 file (sent or received) of a practice ``user`` sees, or Http404."""
    return get_for_user_or_404(
        StoredFile.objects.filter(kind__in=(StoredFileKind.X12_IN, StoredFileKind.X12_OUT)),
        user,
        pk=pk,
    )


def x12_file_origin(*, stored: StoredFile) -> BatchFile | InboundFile | None:
    """The batch file or inbound file a stored X12 file belongs to (None when neither)."""
    if stored.kind == StoredFileKind.X12_OUT:
        return BatchFile.objects.filter(stored=stored).select_related("batch").first()
    return InboundFile.objects.filter(stored=stored).select_related("partner").first()


def rejected_claims(*, user: Any, practice: Practice | None = None) -> QuerySet[Claim]:
    """The rejection worklist of the practices ``user`` sees: rejected claims, oldest
    rejection first, each with ``rejection_reason`` (the note of its move to rejected: the
    TA1's, 999's or 277CA's reason in plain English) and ``rejection_kind`` (TA1, 999, 277CA:
    the newest acknowledgment that refused the claim, its set or its interchange)."""
    note = (
        ClaimStatusChange.objects.filter(claim=OuterRef("pk"), to_status=ClaimStatus.REJECTED.value)
        .order_by("-at", "-id")
        .values("note")[:1]
    )
    refusal = (
        Acknowledgment.objects.filter(
            Q(claim=OuterRef("pk"))
            | Q(kind="TA1", batch__claims__claim=OuterRef("pk"))
            | Q(
                kind="999",
                batch__claims__claim=OuterRef("pk"),
                control_number=F("batch__claims__st02"),
            )
        )
        .exclude(reason="")
        .order_by("-created_at", "-id")
        .values("kind")[:1]
    )
    claims = (
        Claim.objects.for_user(user)
        .filter(status=ClaimStatus.REJECTED.value)
        .annotate(rejection_reason=Subquery(note), rejection_kind=Subquery(refusal))
        .select_related("practice", "encounter__patient", "coverage__payer")
    )
    if practice is not None:
        claims = claims.filter(practice=practice)
    return claims.order_by("status_changed_at", "id")


class ClaimLookupError(Exception):
    """A patient control number that names no claim, or several, said for people."""


def _initials(first: str, last: str) -> str:
    return "".join(f"{part[:1].upper()}." for part in (first, last) if part)


def claim_by_pcn(
    *,
    pcn: str,
    practice_slug: str | None = None,
    claim_id: int | None = None,
    patient: str | None = None,
) -> Claim:
    """The claim with patient control number ``pcn`` (``openrcm claims show PCN``).

    Numbers OpenRCM draws name one claim of a practice; claims imported from another biller
    may share one. Narrowed by the practice's slug, the claim's id, and the patient (last name,
    or ``LAST,FIRST``, any case); when that still leaves several claims of one practice the
    error names them (id, patient initials, date of service, total) and how to choose."""
    claims = (
        Claim.objects.filter(patient_control_number=pcn)
        .select_related("practice", "encounter__patient", "coverage__payer")
        .order_by("id")
    )
    if practice_slug:
        claims = claims.filter(practice__slug=practice_slug)
    found = list(claims)
    if not found:
        raise ClaimLookupError(f"no claim with patient control number {pcn!r}")
    if len({c.practice_id for c in found}) > 1:
        raise ClaimLookupError(f"{pcn} names claims of several practices: add --practice")
    chosen = found
    if claim_id is not None:
        chosen = [c for c in chosen if c.pk == claim_id]
    if patient:
        last, _, first = (part.strip().upper() for part in patient.partition(","))
        chosen = [
            c
            for c in chosen
            if c.encounter.patient.last_name.upper() == last
            and (not first or c.encounter.patient.first_name.upper() == first)
        ]
    if len(chosen) == 1:
        return chosen[0]
    listed = "\n".join(
        f"  claim {c.pk}  {_initials(p.first_name, p.last_name)}  "
        f"{c.encounter.date_of_service.isoformat()}  {c.total_charge_cents / 100:.2f}  {c.status}"
        for c in found
        for p in [c.encounter.patient]
    )
    slug = found[0].practice.slug
    if chosen:
        head = f"{pcn} names {len(chosen)} claims of practice {slug}"
    else:
        asked = " and ".join(
            part
            for part in (
                f"claim id {claim_id}" if claim_id is not None else "",
                f"patient {patient!r}" if patient else "",
            )
            if part
        )
        head = f"{pcn} names {len(found)} claims of practice {slug}, none with {asked}"
    raise ClaimLookupError(
        f"{head}; choose one with --claim-id ID or --patient LAST[,FIRST]:\n{listed}"
    )
