"""Web pages of payment posting: ERAs (list, upload, detail), the exceptions worklist with
manual matching, the denials worklist, and a claim's ledger.

Thin like every view here: reads through `openrcm.posting.worklists` (scoped to the user's
practices), writes through the posting services (`era_import`, `posting_exception_match`,
`denial_work`), render. Pages that show patients write their audit event: the lists through the
route policy (LIST), the ERA and exception pages here (READ), the ledger through the policy
(READ of the claim). Searches are POSTs: patient names never travel in URLs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from openrcm.audit.models import AuditAction
from openrcm.audit.services import audit_record
from openrcm.claims.models import Claim
from openrcm.core.money import Money
from openrcm.core.x12.era import ClaimPayment
from openrcm.posting.denials import DenialAction, DenialWorkError, denial_work
from openrcm.posting.exceptions import (
    ExceptionMatchError,
    exception_claim_payment,
    posting_exception_match,
)
from openrcm.posting.models import Denial, PostingException
from openrcm.posting.payments import PatientPaymentError, patient_payment_post
from openrcm.posting.selectors import claim_money
from openrcm.posting.services import EraImportError, era_import
from openrcm.posting.worklists import (
    claim_ledger,
    denial_age_days,
    denial_categories,
    denial_codes,
    denial_list,
    era_claims,
    era_files_unreadable,
    era_get,
    era_list,
    era_provider_adjustments,
    exception_get,
    exception_list,
    match_candidates,
)
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.scoping import get_for_user_or_404, practice_ids_for
from openrcm.tenancy.selectors import practice_list
from openrcm.web.views import _paginate, _practice, page

MAX_ERA_BYTES = 50 * 1024 * 1024  # an 835 bigger than this is not uploaded through the browser
RECENT = 25  # resolved exceptions and worked denials shown under the worklists


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


# -- ERAs ---------------------------------------------------------------------------------------


@page
@require_GET
def era_list_view(request: HttpRequest) -> HttpResponse:
    """The 835s received, one row per payment (transaction set), newest first, and the form
    to upload one."""
    practice = _practice(request)
    page_obj = _paginate(era_list(user=request.user, practice=practice), request.GET.get("page"))
    return render(
        request,
        "web/posting/era_list.html",
        {
            "page_obj": page_obj,
            "unreadable": list(era_files_unreadable(user=request.user, practice=practice)[:RECENT]),
            "upload_practices": list(practice_list(user=request.user, action=Action.POST_PAYMENTS)),
            "nav": "eras",
        },
    )


@page
@require_POST
def era_upload(request: HttpRequest) -> HttpResponse:
    """Import an uploaded 835 for the practice chosen (as `openrcm era import` does) and say
    what it did; the same file again changes nothing and says so."""
    chosen = _int(request.POST.get("practice"))
    practice = (
        practice_list(user=request.user, action=Action.POST_PAYMENTS).filter(pk=chosen).first()
        if chosen is not None
        else None
    )
    if practice is None:
        raise Http404("Not found.")
    upload = request.FILES.get("file")
    if upload is None or not upload.size:
        messages.error(request, "Choose an 835 file to upload.")
        return redirect("era_list")
    if upload.size > MAX_ERA_BYTES:
        messages.error(
            request,
            f"{upload.name} is {upload.size // (1024 * 1024)} MB: upload at most "
            f"{MAX_ERA_BYTES // (1024 * 1024)} MB here, or use `openrcm era import`.",
        )
        return redirect("era_list")
    try:
        result = era_import(
            data=upload.read(), practice=practice, actor=request.user, name=upload.name or ""
        )
    except EraImportError as exc:
        messages.error(request, f"{upload.name} was not imported: {exc}")
        return redirect("era_list")
    if result.duplicates and not result.sets_posted:
        messages.warning(
            request,
            f"{upload.name} was already imported: nothing changed "
            f"({result.duplicates} payment(s) posted before).",
        )
    else:
        messages.success(
            request,
            f"{upload.name}: {result.sets_posted} payment(s) posted "
            f"({Money.from_cents(result.payment_cents)}), {result.claims_posted} claim(s) and "
            f"{result.lines_posted} line(s) posted, {result.denials} denial(s), "
            f"{result.exceptions} exception(s), {result.duplicate_claims} claim payment(s) "
            f"already posted, {result.refused_sets} set(s) refused.",
        )
    for error in result.errors:
        messages.error(request, error)
    if len(result.remittance_ids) == 1:
        return redirect("era_detail", pk=result.remittance_ids[0])
    return redirect("era_list")


@page
@require_GET
def era_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One payment: its header, every claim payment and what it did (adjustments by group and
    CARC, patient responsibility, outcome, how each line matched), PLBs and exceptions."""
    remittance = era_get(user=request.user, pk=pk)
    claims = era_claims(remittance=remittance)
    audit_record(
        action=AuditAction.READ,
        target=remittance,
        request=request,
        detail={"claims": len(claims)},
    )
    return render(
        request,
        "web/posting/era_detail.html",
        {
            "remittance": remittance,
            "claims": claims,
            "plbs": era_provider_adjustments(remittance=remittance),
            "can_match": remittance.practice_id
            in practice_ids_for(request.user, Action.POST_PAYMENTS),
            "nav": "eras",
        },
    )


# -- exceptions -----------------------------------------------------------------------------------


@page
@require_GET
def exception_list_view(request: HttpRequest) -> HttpResponse:
    """Open exceptions, oldest first, with what matching tried; the latest resolved below."""
    practice = _practice(request)
    return render(
        request,
        "web/posting/exception_list.html",
        {
            "page_obj": _paginate(
                exception_list(user=request.user, practice=practice), request.GET.get("page")
            ),
            "resolved": list(
                exception_list(user=request.user, practice=practice, resolved=True)[:RECENT]
            ),
            "nav": "exceptions",
        },
    )


def _exception_page(
    request: HttpRequest,
    exception: PostingException,
    candidates: list[Claim],
    *,
    terms: str = "",
    service_date: str = "",
    searched: bool = False,
) -> HttpResponse:
    payment: ClaimPayment | None
    try:
        payment = exception_claim_payment(exception)
    except ExceptionMatchError:
        payment = None
    audit_record(
        action=AuditAction.READ,
        target=exception,
        request=request,
        detail={"candidates": len(candidates)},
    )
    return render(
        request,
        "web/posting/exception_detail.html",
        {
            "exception": exception,
            "rc": exception.remittance_claim,
            "payment": payment,
            "patient": payment.patient if payment else None,
            "candidates": candidates,
            "terms": terms,
            "service_date": service_date,
            "searched": searched,
            "can_match": exception.resolved_at is None
            and exception.practice_id in practice_ids_for(request.user, Action.POST_PAYMENTS),
            "nav": "exceptions",
        },
    )


@page
@require_GET
def exception_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One exception: what the 835 says, what was tried, the claims with the same charge."""
    exception = exception_get(user=request.user, pk=pk)
    candidates = match_candidates(exception=exception) if exception.resolved_at is None else []
    return _exception_page(request, exception, candidates)


@page
@require_POST
def exception_search(request: HttpRequest, pk: int) -> HttpResponse:
    """Search the exception's practice's claims by patient control number, patient name or
    account number, and date of service."""
    exception = exception_get(user=request.user, pk=pk)
    terms = str(request.POST.get("q", ""))[:100]
    raw_date = str(request.POST.get("date_of_service", "")).strip()
    day: dt.date | None = None
    if raw_date:
        try:
            day = dt.date.fromisoformat(raw_date)
        except ValueError:
            messages.error(request, f"{raw_date!r} is not a date (YYYY-MM-DD).")
    candidates = match_candidates(exception=exception, terms=terms, service_date=day)
    return _exception_page(
        request, exception, candidates, terms=terms, service_date=raw_date, searched=True
    )


@page
@require_POST
def exception_match(request: HttpRequest, pk: int) -> HttpResponse:
    """Match the exception to the claim chosen: the payment posts as the import posts it."""
    exception = get_for_user_or_404(
        PostingException.objects.all(), request.user, Action.POST_PAYMENTS, pk=pk
    )
    chosen = _int(request.POST.get("claim"))
    claim = (
        Claim.objects.filter(practice_id=exception.practice_id, pk=chosen).first()
        if chosen is not None
        else None
    )
    if claim is None:
        messages.error(request, "Choose a claim of the practice to match the payment to.")
        return redirect("posting_exception", pk=exception.pk)
    try:
        rc = posting_exception_match(exception=exception, claim=claim, actor=request.user)
    except ExceptionMatchError as exc:
        messages.error(request, f"Not matched: {exc}.")
        return redirect("posting_exception", pk=exception.pk)
    messages.success(
        request,
        f"Matched to claim {claim.patient_control_number} and posted: "
        f"{Money.from_cents(rc.paid_cents)} paid, outcome {rc.outcome.replace('_', ' ')}.",
    )
    return redirect("posting_exceptions")


# -- denials --------------------------------------------------------------------------------------


@page
@require_GET
def denial_list_view(request: HttpRequest) -> HttpResponse:
    """Denials waiting for a person, oldest first, by category, with the CARC and RARC texts,
    the amount, age and next action; the latest worked below."""
    practice = _practice(request)
    category = str(request.GET.get("category", ""))[:40]
    page_obj = _paginate(
        denial_list(user=request.user, practice=practice, category=category),
        request.GET.get("page"),
    )
    today = dt.date.today()  # noqa: DTZ011 - ages in whole days
    rows = [(d, *denial_codes(d), denial_age_days(d, today)) for d in page_obj.object_list]
    done = [
        (d, *denial_codes(d))
        for d in denial_list(user=request.user, practice=practice, category=category, done=True)[
            :RECENT
        ]
    ]
    return render(
        request,
        "web/posting/denial_list.html",
        {
            "page_obj": page_obj,
            "rows": rows,
            "done": done,
            "categories": denial_categories(user=request.user, practice=practice),
            "category": category,
            "workers": set(practice_ids_for(request.user, Action.WORK_AR)),
            "actions": list(DenialAction),
            "nav": "denials",
        },
    )


@page
@require_POST
def denial_work_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Work one denial: appeal, corrected and resubmitted, or write off (reason required)."""
    denial = get_for_user_or_404(Denial.objects.all(), request.user, Action.WORK_AR, pk=pk)
    action = str(request.POST.get("action", ""))
    try:
        denial_work(
            denial=denial,
            action=action,
            note=str(request.POST.get("note", ""))[:500],
            actor=request.user,
        )
    except DenialWorkError as exc:
        messages.error(request, f"Denial {denial.group_code}-{denial.carc} not worked: {exc}.")
    else:
        messages.success(
            request,
            f"Denial {denial.group_code}-{denial.carc}: {denial.get_status_display().lower()}.",
        )
    return redirect("denial_list")


# -- a claim's ledger -----------------------------------------------------------------------------


@page
@require_GET
def claim_ledger_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The claim's ledger: every entry in order with running balances, and its denials."""
    claim = get_for_user_or_404(
        Claim.objects.select_related("practice", "encounter__patient", "coverage__payer"),
        request.user,
        pk=pk,
    )
    denials = list(
        claim.denials.select_related("claim_line", "remittance_claim", "worked_by").order_by("id")
    )
    return render(
        request,
        "web/posting/claim_ledger.html",
        {
            "claim": claim,
            "rows": claim_ledger(claim=claim),
            "money": claim_money(claim),
            "denials": [(d, *denial_codes(d)) for d in denials],
            "can_post": claim.practice_id in practice_ids_for(request.user, Action.POST_PAYMENTS),
            "nav": "claims",
        },
    )


@page
@require_POST
def claim_patient_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a patient's payment on the claim (applied to what the patient owes, line by line)."""
    claim = get_for_user_or_404(
        Claim.objects.select_related("encounter"), request.user, Action.POST_PAYMENTS, pk=pk
    )
    raw = str(request.POST.get("amount", "")).strip().replace("$", "").replace(",", "")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        messages.error(request, f"{raw or 'Nothing'} is not an amount in dollars and cents.")
        return redirect("claim_ledger", pk=claim.pk)
    cents = int(amount * 100)
    try:
        patient_payment_post(
            claim=claim,
            cents=cents,
            actor=request.user,
            note=str(request.POST.get("note", ""))[:200],
        )
    except PatientPaymentError as exc:
        messages.error(request, f"Payment not posted: {exc}.")
    else:
        messages.success(
            request, f"Patient payment of {Money.from_cents(int(amount * 100))} posted."
        )
    return redirect("claim_ledger", pk=claim.pk)
