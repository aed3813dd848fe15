"""Web: deposit reconciliation for a practice and a day: what matched, what is unmatched on
each side, discrepancies and suggestions, the PLB provider-level adjustments and the totals;
htmx forms to add a deposit, upload a bank CSV, run the matching and match (or unmatch) by
hand.

Thin like every view here: the route policy lets anyone who may VIEW the practice read the
page and only roles with POST_PAYMENTS post; the posts find their practice or deposit through
the scoped querysets with POST_PAYMENTS (another practice's deposit is a 404) and call
`openrcm.reconciliation.services`, whose writes are audited. An htmx post answers with the
report section redrawn; a plain post redirects back to the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from openrcm.core.reconciliation.bank_csv import parse_amount
from openrcm.posting.models import Remittance
from openrcm.reconciliation.models import Deposit, DepositMethod, MatchMethod
from openrcm.reconciliation.selectors import bank_import_list, reconciliation_day
from openrcm.reconciliation.services import (
    BankCsvError,
    ReconciliationError,
    deposit_create,
    deposit_match_manual,
    deposit_unmatch,
    deposits_import_csv,
    deposits_match,
    unmatched_remittances,
)
from openrcm.tenancy.models import Practice
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.scoping import get_for_user_or_404, practice_ids_for
from openrcm.tenancy.selectors import practice_list
from openrcm.web.views import _is_htmx, _practice, page

OPEN_WINDOW = dt.timedelta(days=45)


class DepositForm(forms.Form):
    """A deposit as a person enters it."""

    deposited_on = forms.DateField(label="Deposited on", widget=forms.DateInput({"type": "date"}))
    amount = forms.CharField(label="Amount", max_length=20)
    method = forms.ChoiceField(label="Method", choices=DepositMethod.choices)
    trace_number = forms.CharField(label="Trace or check number", max_length=50, required=False)
    payer_name = forms.CharField(label="Payer", max_length=100, required=False)
    note = forms.CharField(label="Note", max_length=200, required=False)

    def clean_amount(self) -> int:
        try:
            cents = parse_amount(self.cleaned_data["amount"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if cents <= 0:
            raise forms.ValidationError("a deposit is more than 0.00")
        return cents


def _id(text: str) -> int:
    """A row id from a form; a number no row can have (too long for the database) is 0."""
    value = text.strip()
    return int(value) if len(value) <= 18 else 0


def _day(text: str | None) -> dt.date:
    if text:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    return timezone.localdate()


def _chosen_practice(request: HttpRequest, raw: str | None, action: Action) -> Practice | None:
    """The practice named (id or slug), else the switcher's, else the user's first; only among
    the practices where the user may `action`."""
    allowed = practice_list(user=request.user, action=action).order_by("name", "pk")
    if raw:
        text = raw.strip()
        found = allowed.filter(pk=_id(text)) if text.isdigit() else allowed.filter(slug=text)
        practice = found.first()
        if practice is None:
            raise Http404("Not found.")
        return practice
    current = _practice(request)
    if current is not None and allowed.filter(pk=current.pk).exists():
        return current  # type: ignore[no-any-return]
    return allowed.first()


def _context(request: HttpRequest, practice: Practice, day: dt.date) -> dict[str, Any]:
    report = reconciliation_day(practice=practice, day=day)
    can_post = practice.pk in practice_ids_for(request.user, Action.POST_PAYMENTS)
    return {
        "practice": practice,
        "day": day,
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "report": report,
        "can_post": can_post,
        "form": DepositForm(initial={"deposited_on": day, "method": DepositMethod.EFT}),
        "imports": bank_import_list(practice=practice)[:5],
        # What a person may match a deposit to by hand: open 835 payments around the day.
        "open_remittances": unmatched_remittances(practice=practice)
        .filter(payment_date__range=(day - OPEN_WINDOW, day + OPEN_WINDOW))
        .order_by("-payment_date", "-id")[:100],
        "practices": practice_list(user=request.user).order_by("name", "pk"),
        "nav": "reconciliation",
    }


def _answer(request: HttpRequest, practice: Practice, day: dt.date) -> HttpResponse:
    """After a post: the report section (htmx), or back to the page."""
    if _is_htmx(request):
        context = _context(request, practice, day) | {"partial": True}
        return render(request, "web/reconciliation/report.html", context)
    query = urlencode({"practice": practice.pk, "day": day.isoformat()})
    return redirect(f"{reverse('reconciliation')}?{query}")


@page
@require_GET
def reconciliation_view(request: HttpRequest) -> HttpResponse:
    """Deposit reconciliation of a practice (``?practice=``) for a day (``?day=YYYY-MM-DD``,
    today by default)."""
    practice = _chosen_practice(request, request.GET.get("practice"), Action.VIEW)
    day = _day(request.GET.get("day"))
    if practice is None:
        return render(
            request, "web/reconciliation/page.html", {"practice": None, "nav": "reconciliation"}
        )
    return render(request, "web/reconciliation/page.html", _context(request, practice, day))


def _posting_practice(request: HttpRequest) -> Practice:
    practice = _chosen_practice(request, request.POST.get("practice"), Action.POST_PAYMENTS)
    if practice is None:
        raise Http404("Not found.")
    return practice


@page
@require_POST
def deposit_new(request: HttpRequest) -> HttpResponse:
    """Add a deposit a person saw at the bank (an EFT, a check deposited)."""
    practice = _posting_practice(request)
    day = _day(request.POST.get("day"))
    form = DepositForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[name].label if name in form.fields else name}: "
            + " ".join(str(text) for text in texts)
            for name, texts in form.errors.items()
        )
        messages.error(request, f"No deposit added: {errors}")
        return _answer(request, practice, day)
    data = form.cleaned_data
    try:
        deposit = deposit_create(
            practice=practice,
            deposited_on=data["deposited_on"],
            cents=data["amount"],
            method=data["method"],
            trace_number=data["trace_number"],
            payer_name=data["payer_name"],
            note=data["note"],
            actor=request.user,
        )
    except ReconciliationError as exc:
        messages.error(request, f"No deposit added: {exc}")
        return _answer(request, practice, day)
    messages.success(
        request, f"Deposit {deposit.pk} of {deposit.amount} on {deposit.deposited_on} added."
    )
    return _answer(request, practice, deposit.deposited_on)


@page
@require_POST
def deposit_import(request: HttpRequest) -> HttpResponse:
    """Upload a bank CSV export: its credits become deposits, all or nothing."""
    practice = _posting_practice(request)
    day = _day(request.POST.get("day"))
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose the bank's CSV file first.")
        return _answer(request, practice, day)
    try:
        result = deposits_import_csv(
            practice=practice, data=upload.read(), name=upload.name or "", actor=request.user
        )
    except (BankCsvError, ReconciliationError) as exc:
        messages.error(request, f"Nothing imported: {exc}")
        return _answer(request, practice, day)
    if result.already_imported:
        messages.info(request, "; ".join(result.warnings))
    else:
        messages.success(
            request,
            f"{result.deposits_created} deposits imported "
            f"({result.as_json()['deposits_amount']}); {result.skipped} debits or zero "
            f"skipped; {result.duplicates} already imported.",
        )
    return _answer(request, practice, day)


@page
@require_POST
def deposits_match_view(request: HttpRequest) -> HttpResponse:
    """Match the practice's deposits to its 835s by trace number and amount."""
    practice = _posting_practice(request)
    day = _day(request.POST.get("day"))
    result = deposits_match(practice=practice, actor=request.user)
    messages.success(
        request,
        f"{len(result.matched)} deposits matched by trace and amount; "
        f"{len(result.discrepancies)} discrepancies and {len(result.suggestions)} suggestions "
        "to look at.",
    )
    return _answer(request, practice, day)


def _posting_deposit(request: HttpRequest, pk: int) -> Deposit:
    return get_for_user_or_404(
        Deposit.objects.select_related("practice"), request.user, Action.POST_PAYMENTS, pk=pk
    )


@page
@require_POST
def deposit_match(request: HttpRequest, pk: int) -> HttpResponse:
    """Match a deposit by hand to the remittances chosen (or confirm a suggestion)."""
    deposit = _posting_deposit(request, pk)
    day = _day(request.POST.get("day"))
    ids = [_id(v) for v in request.POST.getlist("remittance") if v.strip().isdigit()]
    remittances = list(Remittance.objects.filter(practice=deposit.practice, pk__in=ids))
    method = request.POST.get("method") or MatchMethod.MANUAL
    try:
        deposit_match_manual(
            deposit=deposit,
            remittances=remittances,
            actor=request.user,
            note=request.POST.get("note", ""),
            method=method,
        )
    except ReconciliationError as exc:
        messages.error(request, f"Not matched: {exc}")
    else:
        messages.success(request, f"Deposit {deposit.pk} matched.")
    return _answer(request, deposit.practice, day)


@page
@require_POST
def deposit_unmatch_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a deposit's match (kept in its history, with the reason)."""
    deposit = _posting_deposit(request, pk)
    day = _day(request.POST.get("day"))
    try:
        deposit_unmatch(deposit=deposit, actor=request.user, reason=request.POST.get("reason", ""))
    except ReconciliationError as exc:
        messages.error(request, f"Not unmatched: {exc}")
    else:
        messages.success(request, f"Deposit {deposit.pk} unmatched.")
    return _answer(request, deposit.practice, day)
