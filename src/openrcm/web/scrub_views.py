"""Web pages of the scrubber: the findings panel of a claim ("Scrub now", overrides), the live
findings of the encounter form, the held queue, and the payer rules admins write as data.

Thin like every view here: fetch through the scoping selectors, call one service, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openrcm.claims.models import Claim
from openrcm.claims.selectors import claim_get
from openrcm.core.scrub.conditions import ConditionError
from openrcm.scrubbing.models import PayerRule
from openrcm.scrubbing.selectors import (
    administrable_payers,
    can_administer_payer_rules,
    claim_findings,
    held_claim_list,
    payer_rule_get,
    payer_rule_history,
    payer_rule_list,
)
from openrcm.scrubbing.services import (
    claim_override_warning,
    claim_scrub,
    entry_findings,
    payer_rule_create,
    payer_rule_update,
)
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.scoping import practice_ids_for
from openrcm.web.scrub_entry import entry_draft
from openrcm.web.scrub_forms import (
    OverrideForm,
    PayerRuleForm,
    condition_fields,
    condition_operators,
)
from openrcm.web.views import _entry_patient, _is_htmx, _paginate, _practice, page

PANEL = "web/partials/scrub_panel.html"


def scrub_panel_context(user: Any, claim: Claim, **extra: Any) -> dict[str, Any]:
    """What the findings panel of the claim page shows (also for its htmx answers)."""
    return {
        "claim": claim,
        "findings": claim_findings(claim=claim),
        "can_scrub": claim.practice_id in practice_ids_for(user, Action.MANAGE_CLAIMS),
        **extra,
    }


def _managed_claim(request: HttpRequest, pk: int) -> Claim:
    """A claim the user sees (else 404) and may work (else 403)."""
    claim = claim_get(user=request.user, pk=pk)
    if claim.practice_id not in practice_ids_for(request.user, Action.MANAGE_CLAIMS):
        raise PermissionDenied("Your role in this practice does not work claims.")
    return claim


def _panel_or_back(request: HttpRequest, claim: Claim, **extra: Any) -> HttpResponse:
    if _is_htmx(request):
        return render(request, PANEL, scrub_panel_context(request.user, claim, **extra))
    return redirect("claim_detail", pk=claim.pk)


# -- the claim page's findings panel -------------------------------------------------------------


@page
@require_POST
def claim_scrub_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Scrub the claim now and show the new findings."""
    claim = _managed_claim(request, pk)
    result = claim_scrub(claim=claim, actor=request.user)
    note = f"Scrubbed: {result.errors} error(s), {result.warnings} warning(s)."
    if not _is_htmx(request):
        messages.info(request, note)
    return _panel_or_back(request, claim, note=note)


@page
@require_POST
def claim_override_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Override a warning of the claim's last scrub, with the reason (required; audited)."""
    claim = _managed_claim(request, pk)
    form = OverrideForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            claim_override_warning(
                claim=claim,
                rule_id=form.cleaned_data["rule_id"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    rule_id = request.POST.get("rule_id", "")
    if not _is_htmx(request):
        if error:
            messages.error(request, f"{rule_id}: {error}")
        else:
            messages.success(request, f"Warning {rule_id} overridden.")
    return _panel_or_back(request, claim, override_error=error, override_rule=rule_id)


# -- the encounter form's live findings ----------------------------------------------------------


@page
@require_POST
def encounter_findings(request: HttpRequest) -> HttpResponse:
    """What the scrubber would find on the encounter as typed so far (nothing is saved)."""
    patient = _entry_patient(request, request.POST.get("patient"))
    draft = entry_draft(user=request.user, patient=patient, data=request.POST)
    findings = entry_findings(draft=draft) if draft is not None else None
    return render(request, "web/partials/entry_findings.html", {"findings": findings})


# -- the held queue ------------------------------------------------------------------------------


@page
@require_GET
def held_queue(request: HttpRequest) -> HttpResponse:
    """Claims the scrubber holds (errors), oldest date of service first."""
    claims = held_claim_list(user=request.user, practice=_practice(request))
    return render(
        request,
        "web/held_queue.html",
        {"page_obj": _paginate(claims, request.GET.get("page")), "nav": "held"},
    )


# -- payer rules (admins) ------------------------------------------------------------------------


def _require_rule_admin(request: HttpRequest) -> None:
    if not can_administer_payer_rules(user=request.user):
        raise PermissionDenied("Only a practice's admin writes payer rules.")


def _rule_form_page(request: HttpRequest, form: PayerRuleForm, **extra: Any) -> HttpResponse:
    context = {
        "form": form,
        "fields": condition_fields(),
        "operators": condition_operators(),
        "nav": "payer_rules",
        **extra,
    }
    return render(request, "web/payer_rule_form.html", context)


@page
@require_GET
def payer_rule_list_view(request: HttpRequest) -> HttpResponse:
    _require_rule_admin(request)
    retired = request.GET.get("all") == "1"
    rules = payer_rule_list(user=request.user, include_retired=retired)
    return render(
        request,
        "web/payer_rule_list.html",
        {
            "page_obj": _paginate(rules, request.GET.get("page")),
            "retired": retired,
            "nav": "payer_rules",
        },
    )


@page
@require_http_methods(["GET", "POST"])
def payer_rule_new(request: HttpRequest) -> HttpResponse:
    _require_rule_admin(request)
    form = PayerRuleForm(request.POST or None, payers=administrable_payers(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            rule = payer_rule_create(
                payer=form.cleaned_data["payer"], data=form.data_for_rule(), actor=request.user
            )
        except ConditionError as error:
            form.add_condition_error(error)
        else:
            messages.success(request, f"Rule {rule.rule_id} (version 1) added.")
            return redirect("payer_rule_list")
    return _rule_form_page(request, form)


def _administered_rule(request: HttpRequest, pk: int) -> PayerRule:
    """A rule of the user's organizations (else 404) that they may change (else 403)."""
    rule = payer_rule_get(user=request.user, pk=pk)
    if not administrable_payers(user=request.user).filter(pk=rule.payer_id).exists():
        raise PermissionDenied("Only a practice's admin writes payer rules.")
    return rule


@page
@require_http_methods(["GET", "POST"])
def payer_rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _administered_rule(request, pk)
    initial = PayerRuleForm.initial_from(rule.data, rule.payer, rule.active)
    form = PayerRuleForm(
        request.POST or None,
        initial=initial,
        payers=administrable_payers(user=request.user),
        editing=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            new = payer_rule_update(
                rule=rule,
                data=form.data_for_rule(),
                actor=request.user,
                active=form.cleaned_data["active"],
            )
        except ConditionError as error:
            form.add_condition_error(error)
        else:
            state = "active" if new.active else "retired"
            messages.success(
                request, f"Rule {new.rule_id} saved as version {new.version} ({state})."
            )
            return redirect("payer_rule_list")
    return _rule_form_page(request, form, rule=rule, history=payer_rule_history(rule=rule))
