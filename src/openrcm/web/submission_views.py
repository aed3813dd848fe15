"""Web pages of claim submission: the ready-to-submit queue ("Submit now"), batches with their
files and acknowledgments, the files taken in from the clearinghouses, a readable X12 viewer,
and the rejection worklist (correct, re-scrub, resend).

Thin like every view here: fetch through the scoped selectors, call the clearinghouse, claims
and scrubbing services, render. Every page that shows PHI writes its audit event: the lists
through the route policy (LIST), the batch page and the X12 files here (READ, EXPORT).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from openrcm.audit.models import AuditAction
from openrcm.audit.services import audit_record
from openrcm.claims.models import Claim
from openrcm.claims.services import claim_transition
from openrcm.clearinghouse.models import Batch, BatchFile, BatchStatus, TradingPartner
from openrcm.clearinghouse.selectors import (
    batch_ack_overdue,
    batch_acknowledgments,
    batch_claims,
    batch_get,
    batch_list,
    default_partner,
    default_partners,
    inbound_list,
    rejected_claims,
    submission_queue,
    submission_queue_totals,
    x12_file_get,
    x12_file_origin,
)
from openrcm.clearinghouse.services import (
    SubmissionError,
    batch_build,
    batch_send,
    claim_reopen,
    partner_for,
)
from openrcm.clearinghouse.transports import TransportError
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.money import Money
from openrcm.core.x12.errors import X12Error
from openrcm.core.x12.readable import PAGE_SIZE, readable
from openrcm.files.models import StoredFile
from openrcm.files.services import StoredFileError, file_read
from openrcm.scrubbing.services import claim_scrub
from openrcm.tenancy.models import Practice
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.scoping import practice_ids_for
from openrcm.tenancy.selectors import practice_list
from openrcm.web.scrub_views import _managed_claim
from openrcm.web.views import _paginate, _practice, page

# -- the ready-to-submit queue -------------------------------------------------------------------


@page
@require_GET
def submission_queue_view(request: HttpRequest) -> HttpResponse:
    """Ready claims waiting for the next batch, oldest date of service first, with each
    practice's count and total and its "Submit now" button."""
    claims = submission_queue(user=request.user, practice=_practice(request))
    totals = submission_queue_totals(claims=claims)
    partners = default_partners(practice_ids=[t["practice_id"] for t in totals])
    managed = set(practice_ids_for(request.user, Action.MANAGE_CLAIMS))
    for row in totals:
        row["partner"] = partners.get(row["practice_id"])
        row["can_submit"] = row["practice_id"] in managed
    return render(
        request,
        "web/submission/queue.html",
        {
            "page_obj": _paginate(claims, request.GET.get("page")),
            "totals": totals,
            "count": sum(t["count"] for t in totals),
            "total": sum(t["total"] or 0 for t in totals),
            "nav": "submit",
        },
    )


def _partner(practice: Practice) -> TradingPartner | None:
    """The practice's default clearinghouse; a demo practice (synthetic data only) falls
    back to the built-in sandbox clearinghouse."""
    partner = default_partner(practice=practice)
    if partner is None and practice.organization.is_demo:
        partner = partner_for(practice=practice)
    return partner


@page
@require_POST
def batch_submit(request: HttpRequest) -> HttpResponse:
    """Submit now: batch the practice's ready claims and send them to its clearinghouse."""
    chosen = _int(request.POST.get("practice"))
    practice = (
        practice_list(user=request.user, action=Action.MANAGE_CLAIMS)
        .select_related("organization")
        .filter(pk=chosen)
        .first()
        if chosen is not None
        else None
    )
    if practice is None:
        raise Http404("Not found.")
    partner = _partner(practice)
    if partner is None:
        messages.error(
            request,
            f"{practice.name} has no clearinghouse set up: an administrator adds its trading "
            "partner (transport, sender and receiver ids) before claims can be submitted.",
        )
        return redirect("submission_queue")
    try:
        built = batch_build(practice=practice, partner=partner, actor=request.user)
    except (SubmissionError, ValidationError) as exc:
        messages.error(request, f"No batch was built for {practice.name}: {_text(exc)}")
        return redirect("submission_queue")
    if built.batch is None:
        messages.info(request, f"{practice.name} has no ready claims to submit.")
        return redirect("submission_queue")
    return _send(request, built.batch, partner)


def _send(request: HttpRequest, batch: Batch, partner: TradingPartner) -> HttpResponse:
    try:
        batch_send(batch=batch, actor=request.user)
    except (SubmissionError, TransportError) as exc:
        messages.error(
            request,
            f"Batch {batch.pk} was built but not sent to {partner.name}: {exc}. "
            "Its claims wait in the batch; send it again from this page.",
        )
    else:
        messages.success(
            request,
            f"Batch {batch.pk} sent to {partner.name}: {batch.claim_count} claim(s), "
            f"{Money.from_cents(batch.total_cents)}.",
        )
    return redirect("batch_detail", pk=batch.pk)


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def _text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


# -- batches -------------------------------------------------------------------------------------


@page
@require_GET
def batch_list_view(request: HttpRequest) -> HttpResponse:
    """Batches, newest first: claims, total, status, the 999's state and the missing-999
    alert."""
    page_obj = _paginate(
        batch_list(user=request.user, practice=_practice(request)), request.GET.get("page")
    )
    rows = [(batch, batch_ack_overdue(batch)) for batch in page_obj.object_list]
    return render(
        request,
        "web/submission/batch_list.html",
        {"page_obj": page_obj, "rows": rows, "nav": "batches"},
    )


@page
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One batch: its claims (patients: audited as a read), files and acknowledgments."""
    batch = batch_get(user=request.user, pk=pk)
    links = list(batch_claims(batch=batch))
    ack_files, latest = batch_acknowledgments(
        batch=batch, claim_ids=[link.claim_id for link in links]
    )
    files = list(batch.files.select_related("stored").order_by("id"))
    audit_record(
        action=AuditAction.READ, target=batch, request=request, detail={"claims": len(links)}
    )
    return render(
        request,
        "web/submission/batch_detail.html",
        {
            "batch": batch,
            "claims": [(link, latest.get(link.claim_id)) for link in links],
            "files": files,
            "ack_files": ack_files,
            "overdue": batch_ack_overdue(batch),
            "can_send": batch.status == BatchStatus.BUILT
            and batch.practice_id in practice_ids_for(request.user, Action.MANAGE_CLAIMS),
            "nav": "batches",
        },
    )


@page
@require_POST
def batch_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a batch that was built but not sent (its transport failed the first time)."""
    batch = batch_get(user=request.user, pk=pk)
    if batch.practice_id not in practice_ids_for(request.user, Action.MANAGE_CLAIMS):
        raise PermissionDenied("Your role in this practice does not submit claims.")
    if batch.status != BatchStatus.BUILT:
        messages.info(request, f"Batch {batch.pk} was already sent.")
        return redirect("batch_detail", pk=batch.pk)
    return _send(request, batch, batch.partner)


@page
@require_GET
def inbound_list_view(request: HttpRequest) -> HttpResponse:
    """Files taken in from the clearinghouses (TA1, 999, 277CA, 835), newest first."""
    files = inbound_list(user=request.user, practice=_practice(request))
    return render(
        request,
        "web/submission/inbound_list.html",
        {"page_obj": _paginate(files, request.GET.get("page")), "nav": "batches"},
    )


# -- X12 files -----------------------------------------------------------------------------------


def x12_page_size() -> int:
    """Segments per page of the X12 viewer (settings.OPENRCM_X12_PAGE_SIZE, default 500)."""
    return max(1, int(getattr(settings, "OPENRCM_X12_PAGE_SIZE", PAGE_SIZE)))


def _page_number(request: HttpRequest) -> int:
    number = _int(request.GET.get("page"))
    return max(1, number or 1)


@page
@require_GET
def x12_file_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A stored X12 file, readable (segments, loops, element names, dates and amounts) or raw,
    a page of segments at a time. Opening it is audited as a read of the file."""
    stored = x12_file_get(user=request.user, pk=pk)
    origin = x12_file_origin(stored=stored)
    number = _page_number(request)
    size = x12_page_size()
    raw = request.GET.get("raw") == "1"
    error = ""
    view = None
    try:
        data = file_read(stored=stored)
        view = readable(data, start=(number - 1) * size, limit=size)
        if not view.lines and view.total:  # past the end: the last page
            number = -(-view.total // size)
            view = readable(data, start=(number - 1) * size, limit=size)
    except StoredFileError as exc:
        error = f"The file cannot be opened: {exc.reason}."
    except X12Error as exc:
        error = f"The file is not readable X12: {exc}"
    audit_record(
        action=AuditAction.READ,
        target=stored,
        request=request,
        detail={"view": "raw" if raw else "readable", "page": number},
    )
    return render(
        request,
        "web/submission/x12_file.html",
        {
            "stored": stored,
            "origin": origin,
            "batch_file": origin if isinstance(origin, BatchFile) else None,
            "view": view,
            "error": error,
            "raw": raw,
            "number": number,
            "pages": -(-view.total // size) if view is not None else 0,
            "nav": "batches",
        },
    )


@page
@require_GET
def x12_file_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored X12 file as it was sent or received (audited as an export)."""
    stored: StoredFile = x12_file_get(user=request.user, pk=pk)
    try:
        data = file_read(stored=stored)
    except StoredFileError as exc:
        raise Http404(f"The file cannot be opened: {exc.reason}.") from None
    audit_record(
        action=AuditAction.EXPORT, target=stored, request=request, detail={"format": "x12"}
    )
    name = stored.original_name or f"file-{stored.pk}.x12"
    response = HttpResponse(data, content_type="application/edi-x12")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- the rejection worklist ----------------------------------------------------------------------


@page
@require_GET
def rejection_list_view(request: HttpRequest) -> HttpResponse:
    """Rejected claims with the clearinghouse's or payer's reason in plain English."""
    claims = rejected_claims(user=request.user, practice=_practice(request))
    return render(
        request,
        "web/submission/rejections.html",
        {
            "page_obj": _paginate(claims, request.GET.get("page")),
            "managed": set(practice_ids_for(request.user, Action.MANAGE_CLAIMS)),
            "nav": "rejections",
        },
    )


def _rejected(request: HttpRequest, claim: Claim) -> bool:
    if claim.status != ClaimStatus.REJECTED.value:
        messages.info(
            request,
            f"Claim {claim.patient_control_number} is {claim.get_status_display().lower()}, "
            "not rejected: nothing to do.",
        )
        return False
    return True


@page
@require_POST
def claim_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """Scrub a rejected claim again; clean (no error, no open warning), it goes back to the
    ready queue for the next batch, else it stays on the worklist with its findings."""
    claim = _managed_claim(request, pk)
    if _rejected(request, claim):
        result = claim_scrub(claim=claim, actor=request.user)
        pcn = claim.patient_control_number
        if result.errors or result.open_warnings:
            messages.error(
                request,
                f"Claim {pcn} is not resent: the scrubber found {result.errors} error(s) and "
                f"{result.open_warnings} open warning(s). Correct it (open the claim) first.",
            )
        else:
            claim_transition(
                claim=claim,
                to=ClaimStatus.READY,
                actor=request.user,
                note="Resent after a rejection: scrubbed clean.",
            )
            messages.success(request, f"Claim {pcn} is ready: it goes out with the next batch.")
    return redirect("rejection_list")


@page
@require_POST
def claim_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a rejected claim back to draft so its encounter and coverage can be corrected
    (a draft claim is rebuilt from its encounter and scrubbed to ready when clean)."""
    claim = _managed_claim(request, pk)
    if _rejected(request, claim):
        claim_reopen(claim=claim, actor=request.user)
        messages.success(
            request,
            f"Claim {claim.patient_control_number} is a draft again: correct it, then scrub it.",
        )
        return redirect("claim_detail", pk=claim.pk)
    return redirect("rejection_list")
