"""Web UI views: thin; they validate input, call one selector or service, render.

Every object is fetched through the scoping selectors (`*_get`, `for_user`): another practice's
patient, encounter or claim is a 404. Patient search terms are PHI: they travel in POST bodies,
never in URLs.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openrcm.claims.selectors import claim_get, claim_list, claim_status_counts
from openrcm.core.claims.status import ClaimStatus
from openrcm.encounters.selectors import encounter_get, encounter_list_with_totals
from openrcm.patients.models import Patient
from openrcm.patients.selectors import coverage_list, patient_get, patient_list
from openrcm.patients.services import coverage_create, patient_create
from openrcm.payers.selectors import fee_schedule_code_search, payer_list
from openrcm.tenancy.middleware import SESSION_KEY
from openrcm.tenancy.models import Organization
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.route_access import audit_note
from openrcm.tenancy.scoping import get_for_user_or_404, practice_ids_for
from openrcm.tenancy.selectors import practice_list
from openrcm.web import encounter_entry
from openrcm.web.code_hints import describe_diagnosis, search_diagnoses
from openrcm.web.forms import (
    LINES_PREFIX,
    MAX_LINES,
    ChargeLineForm,
    ClaimFilterForm,
    CoverageForm,
    EncounterPatientSearchForm,
    PatientForm,
    PatientSearchForm,
    PracticeSwitchForm,
    apply_service_errors,
)

PER_PAGE = 25
View = Callable[..., HttpResponse]


def page(view: View) -> View:
    """A signed-in page showing PHI: login required, never cached by the browser or proxies.

    An htmx request whose session has expired gets `HX-Redirect` to the login page, so the
    whole page goes there instead of the login form landing inside a table cell.
    """
    guarded = login_required(never_cache(view))

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if _is_htmx(request) and not request.user.is_authenticated:
            referer = request.headers.get("HX-Current-URL", "")
            target = urlsplit(referer).path if referer else reverse("home")
            return HttpResponse(
                headers={"HX-Redirect": f"{reverse('login')}?{urlencode({'next': target})}"}
            )
        return guarded(request, *args, **kwargs)

    return wrapper


def _practice(request: HttpRequest) -> Any:
    """The practice chosen in the switcher, or None for all of the user's practices."""
    return getattr(request, "practice", None)


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _paginate(queryset: QuerySet[Any], number: Any) -> Page[Any]:
    return Paginator(queryset, PER_PAGE).get_page(number)


# -- sign in and out -----------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_login"] = _demo_login()
        return context


def _demo_login() -> tuple[str, str] | None:
    """The published demo login, shown only on a database that holds nothing but demo data."""
    orgs = Organization.objects.all()
    if not orgs.exists() or orgs.filter(is_demo=False).exists():
        return None
    username = settings.OPENRCM_DEMO_USERNAME
    if not get_user_model().objects.filter(username=username, is_active=True).exists():
        return None
    return username, settings.OPENRCM_DEMO_PASSWORD


login_view = never_cache(LoginView.as_view())
logout_view = auth_views.LogoutView.as_view()


# -- dashboard and practice switcher -------------------------------------------------------------


@page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    practice = _practice(request)
    claims = claim_list(user=request.user, practice=practice)
    counts = claim_status_counts(claims=claims)
    encounters = encounter_list_with_totals(user=request.user, practice=practice)
    return render(
        request,
        "web/home.html",
        {
            "patient_count": patient_list(user=request.user, practice=practice).count(),
            "encounter_count": encounters.count(),
            "claim_count": sum(counts.values()),
            "status_counts": [(s, counts.get(s.value, 0)) for s in ClaimStatus],
            "recent_encounters": encounters[:8],
            "nav": "home",
        },
    )


@login_required
@require_POST
def practice_switch(request: HttpRequest) -> HttpResponse:
    form = PracticeSwitchForm(request.POST, practices=practice_list(user=request.user))
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("home")
    if not form.is_valid():
        messages.error(request, "You are not a member of that practice.")
        return redirect(target or "home")
    chosen = form.cleaned_data["practice"]
    if chosen:
        request.session[SESSION_KEY] = int(chosen)
    else:
        request.session.pop(SESSION_KEY, None)
    return redirect(target or "home")


# -- patients ------------------------------------------------------------------------------------


@page
@require_http_methods(["GET", "POST"])
def patient_list_view(request: HttpRequest) -> HttpResponse:
    """All patients (GET, paginated by ?page=), or a search (POST: the terms stay out of URLs)."""
    searching = request.method == "POST"
    form = PatientSearchForm(request.POST if searching else None)
    terms = form.cleaned_data["q"] if searching and form.is_valid() else ""
    patients = patient_list(user=request.user, practice=_practice(request), search=terms)
    number = request.POST.get("page") if searching else request.GET.get("page")
    context = {
        "form": form,
        "page_obj": _paginate(patients, number),
        "searching": searching,
        "terms": terms,
        "nav": "patients",
    }
    if _is_htmx(request):
        return render(request, "web/partials/patient_results.html", context)
    return render(request, "web/patient_list.html", context)


@page
@require_http_methods(["GET", "POST"])
def patient_new(request: HttpRequest) -> HttpResponse:
    practices = practice_list(user=request.user, action=Action.EDIT_PATIENTS)
    if not practices.exists():
        raise PermissionDenied("Your role does not register patients.")
    current = _practice(request)
    initial = {"practice": current if current in practices else practices.first()}
    form = PatientForm(request.POST or None, initial=initial, practices=practices)
    if request.method == "POST" and form.is_valid():
        try:
            patient = patient_create(practice=form.chosen_practice(), **form.service_fields())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            audit_note(request, patient)
            messages.success(request, f"Patient {patient.full_name} registered.")
            return redirect("patient_detail", pk=patient.pk)
    return render(request, "web/patient_form.html", {"form": form, "nav": "patients"})


@page
@require_GET
def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = patient_get(user=request.user, pk=pk)
    encounters = encounter_list_with_totals(user=request.user, patient=patient)
    claims = claim_list(user=request.user, patient=patient)
    return render(
        request,
        "web/patient_detail.html",
        {
            "patient": patient,
            "coverages": coverage_list(user=request.user, patient=patient),
            "encounters": encounters[:10],
            "encounter_count": encounters.count(),
            "claims": claims[:10],
            "claim_count": claims.count(),
            "nav": "patients",
        },
    )


@page
@require_http_methods(["GET", "POST"])
def coverage_new(request: HttpRequest, pk: int) -> HttpResponse:
    patient: Patient = get_for_user_or_404(
        Patient.objects.select_related("practice"), request.user, Action.EDIT_PATIENTS, pk=pk
    )
    payers = payer_list(user=request.user, practice=patient.practice)
    form = CoverageForm(request.POST or None, payers=payers)
    if request.method == "POST" and form.is_valid():
        try:
            coverage = coverage_create(patient=patient, **form.service_fields())
        except ValidationError as exc:
            apply_service_errors(form, exc, rename={"copay_cents": "copay"})
        else:
            audit_note(request, coverage)
            messages.success(request, f"Coverage with {coverage.payer} added.")
            return redirect("patient_detail", pk=patient.pk)
    return render(
        request, "web/coverage_form.html", {"form": form, "patient": patient, "nav": "patients"}
    )


# -- encounters ----------------------------------------------------------------------------------


def _patient_filter(request: HttpRequest) -> Patient | None:
    """The ?patient=<id> filter of a list: a patient the user may see, or a 404."""
    pk = request.GET.get("patient")
    return patient_get(user=request.user, pk=pk) if pk else None


@page
@require_GET
def encounter_list_view(request: HttpRequest) -> HttpResponse:
    patient = _patient_filter(request)
    encounters = encounter_list_with_totals(
        user=request.user, practice=None if patient else _practice(request), patient=patient
    )
    return render(
        request,
        "web/encounter_list.html",
        {
            "page_obj": _paginate(encounters, request.GET.get("page")),
            "patient": patient,
            "nav": "encounters",
        },
    )


def _entry_patient(request: HttpRequest, pk: Any) -> Patient:
    """A patient the user may enter charges for, or a 404."""
    return get_for_user_or_404(
        Patient.objects.select_related("practice"), request.user, Action.ENTER_CHARGES, pk=pk
    )


@page
@require_http_methods(["GET", "POST"])
def encounter_new(request: HttpRequest) -> HttpResponse:
    """Encounter entry. Without a patient: the patient search; with one: the charge form."""
    pk = request.POST.get("patient") if request.method == "POST" else request.GET.get("patient")
    if not pk:
        return render(
            request,
            "web/encounter_pick_patient.html",
            {"form": EncounterPatientSearchForm(), "nav": "encounter_new"},
        )
    patient = _entry_patient(request, pk)
    data: QueryDict | None = request.POST if request.method == "POST" else None
    adding_line = data is not None and ("add_line" in data or "recalculate" in data)
    if adding_line and data is not None and "add_line" in data:
        data = encounter_entry.with_extra_line(data)
    entry = encounter_entry.build_entry(user=request.user, patient=patient, data=data)
    if data is not None and not adding_line:
        encounter = encounter_entry.save_entry(entry=entry, actor=request.user)
        if encounter is not None:
            audit_note(request, encounter)
            _announce_claim(request, encounter)
            return redirect("encounter_detail", pk=encounter.pk)
    return render(
        request,
        "web/encounter_form.html",
        _entry_context(request, entry, data, show_errors=not adding_line),
    )


def _entry_context(
    request: HttpRequest, entry: encounter_entry.Entry, data: Any, *, show_errors: bool
) -> dict[str, Any]:
    patient = entry.patient
    totals = encounter_entry.compute_totals(patient=patient, data=data) if data else None
    return {
        "entry": entry,
        "patient": patient,
        "form": entry.form,
        "lines": entry.lines,
        "show_errors": show_errors,
        "hide_errors": not show_errors,  # for the shared field template
        "totals": totals,
        "line_amounts": {a.index: a for a in totals.lines} if totals else {},
        "coverages": coverage_list(user=request.user, patient=patient),
        "dx_hints": search_diagnoses("", limit=200),
        "proc_hints": fee_schedule_code_search(
            practice=patient.practice, on=encounter_entry.practice_today(patient), limit=100
        ),
        "nav": "encounter_new",
    }


def _announce_claim(request: HttpRequest, encounter: Any) -> None:
    claim = encounter.claims.order_by("id").first()
    if claim is None:
        messages.warning(
            request,
            "Encounter saved. No claim was built: the patient has no primary coverage in force "
            "on the date of service (self-pay).",
        )
    else:
        messages.success(
            request,
            f"Encounter saved. Claim {claim.patient_control_number} was built "
            f"({claim.get_status_display().lower()}).",
        )


@page
@require_POST
def encounter_find_patient(request: HttpRequest) -> HttpResponse:
    """The patient search of encounter entry (POST: search terms never go in URLs)."""
    form = EncounterPatientSearchForm(request.POST)
    terms = form.cleaned_data["q"] if form.is_valid() else ""
    found = patient_list(user=request.user, practice=_practice(request), search=terms).filter(
        practice_id__in=practice_ids_for(request.user, Action.ENTER_CHARGES)
    )
    context = {"form": form, "found": found[:PER_PAGE], "terms": terms, "nav": "encounter_new"}
    if _is_htmx(request):
        return render(request, "web/partials/pick_patient_results.html", context)
    return render(request, "web/encounter_pick_patient.html", context)


@page
@require_GET
def encounter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    encounter = encounter_get(user=request.user, pk=pk)
    diagnoses = [(d, describe_diagnosis(d.code)) for d in encounter.diagnoses.all()]
    return render(
        request,
        "web/encounter_detail.html",
        {
            "encounter": encounter,
            "diagnoses": diagnoses,
            "lines": encounter.charge_lines.all(),
            "claims": encounter.claims.select_related("coverage__payer").order_by("id"),
            "nav": "encounters",
        },
    )


# -- encounter entry: htmx endpoints (each also safe to call directly) ---------------------------


@page
@require_GET
def encounter_line_row(request: HttpRequest) -> HttpResponse:
    """One more empty charge-line row for the entry form, and the formset's new row count."""
    try:
        index = int(request.GET.get(f"{LINES_PREFIX}-TOTAL_FORMS", "0"))
    except ValueError:
        index = 0
    if not 0 <= index < MAX_LINES:
        return render(request, "web/partials/line_limit.html", {"max_lines": MAX_LINES})
    line = ChargeLineForm(
        prefix=f"{LINES_PREFIX}-{index}", empty_permitted=True, use_required_attribute=False
    )
    return render(
        request,
        "web/partials/line_row_added.html",
        {"line": line, "index": index, "total_forms": index + 1},
    )


@page
@require_POST
def encounter_totals(request: HttpRequest) -> HttpResponse:
    """The lines' amounts and the encounter total, from the form as typed so far."""
    patient = _entry_patient(request, request.POST.get("patient"))
    totals = encounter_entry.compute_totals(patient=patient, data=request.POST)
    return render(request, "web/partials/totals.html", {"totals": totals, "oob": True})


def _trigger_value(request: HttpRequest) -> str:
    """The text of the input that asked (htmx names it in HX-Trigger-Name), or of `q`."""
    name = request.headers.get("HX-Trigger-Name") or "q"
    return (request.POST.get(name) or request.POST.get("q") or "").strip()


@page
@require_POST
def diagnosis_hints(request: HttpRequest) -> HttpResponse:
    """Options for the diagnosis inputs' datalist, from the built-in list of common codes."""
    hints = search_diagnoses(_trigger_value(request), limit=30)
    return render(request, "web/partials/dx_options.html", {"dx_hints": hints})


@page
@require_POST
def procedure_hints(request: HttpRequest) -> HttpResponse:
    """Options for the procedure inputs' datalist, from the practice's fee schedule."""
    patient = _entry_patient(request, request.POST.get("patient"))
    entries = fee_schedule_code_search(
        practice=patient.practice,
        on=encounter_entry.practice_today(patient),
        query=_trigger_value(request),
        limit=30,
    )
    return render(request, "web/partials/proc_options.html", {"proc_hints": entries})


# -- claims --------------------------------------------------------------------------------------


@page
@require_GET
def claim_list_view(request: HttpRequest) -> HttpResponse:
    practices = practice_list(user=request.user)
    data = request.GET.copy()
    current = _practice(request)
    data.setdefault("practice", str(current.pk) if current else "")
    form = ClaimFilterForm(data, practices=practices, payers=payer_list(user=request.user))
    form.is_valid()
    filters = form.cleaned_data
    patient = _patient_filter(request)
    chosen = filters.get("practice")
    claims = claim_list(
        user=request.user,
        practice=practices.filter(pk=chosen).first() if chosen and not patient else None,
        status=filters.get("status") or None,
        payer=filters.get("payer"),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        patient=patient,
    )
    return render(
        request,
        "web/claim_list.html",
        {
            "form": form,
            "page_obj": _paginate(claims, request.GET.get("page")),
            "patient": patient,
            "nav": "claims",
        },
    )


@page
@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = claim_get(user=request.user, pk=pk)
    diagnoses = [(d, describe_diagnosis(d.code)) for d in claim.encounter.diagnoses.all()]
    return render(
        request,
        "web/claim_detail.html",
        {
            "claim": claim,
            "lines": claim.lines.all(),
            "diagnoses": diagnoses,
            "history": claim.history.all(),
            "nav": "claims",
        },
    )
