"""Enforcing the route policy (`tenancy.route_policy`) and writing the audit events it names.

    web:  RoutePolicyMiddleware (settings.MIDDLEWARE), by URL name and method
    API:  openrcm.api.policy.enforce_operation (installed on every operation by api.root)

Both call `route_enforce` before the view and `audit_success` / `audit_refusal` after it. A
view that creates or changes PHI names what it wrote with `audit_note(request, target)`.

The check, for a rule requiring an Action:
1. every object the request names (`Ref`s) must be visible to the user (their practices,
   `for_user`): if not, 404, exactly like an object that does not exist (when it does exist in
   another practice, `permission_denied` is recorded with outcome `denied`);
2. the user's role in each named object's practice must grant the action: if not, 403;
3. naming no object, some practice of the user must grant the action (VIEW excepted: a user
   with no practice reaches the lists, which are empty): if not, 403.
Each 403 writes `permission_denied`. The views still fetch through the scoped selectors.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.urls import reverse

from openrcm.audit.models import AuditAction, AuditOutcome
from openrcm.audit.services import audit_record
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.route_policy import (
    ADMIN_NAMESPACE,
    ADMIN_PUBLIC,
    ADMIN_RULE,
    API_NAMESPACE,
    API_PAGES,
    LIST,
    PHI_MODELS,
    PRACTICE,
    READ,
    WEB,
    Access,
    Ref,
    Rule,
    web_rule,
)
from openrcm.tenancy.scoping import practice_ids_for

logger = logging.getLogger(__name__)

STATE_ATTR = "_openrcm_route"
NOTE_ATTR = "_openrcm_audit_note"
MAX_PK = 2**63 - 1

ACTION_WORDS: dict[Action, str] = {
    Action.VIEW: "see patients, encounters and claims",
    Action.EDIT_PATIENTS: "edit patients and coverages",
    Action.ENTER_CHARGES: "enter encounters and charges",
    Action.MANAGE_CLAIMS: "manage claims",
    Action.POST_PAYMENTS: "post payments",
    Action.WORK_AR: "work accounts receivable",
    Action.ADMINISTER: "administer the practice",
}


def refusal_message(action: Action) -> str:
    return f"Your role in this practice does not allow you to {ACTION_WORDS[action]}."


@dataclass
class RouteState:
    """What the policy check of one request found: its rule and the objects it names."""

    rule: Rule
    route: str  # "patient_detail", "GET /api/v1/patients/{patient_id}", "admin:index"
    objects: list[models.Model] = field(default_factory=list)
    refused: bool = False


@dataclass(frozen=True)
class AuditNote:
    action: str
    target: models.Model
    detail: dict[str, Any] | None = None


def route_state(request: HttpRequest) -> RouteState | None:
    return getattr(request, STATE_ATTR, None)


def audit_note(
    request: HttpRequest,
    target: models.Model,
    *,
    action: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Name the object this request created or changed (after the service call succeeded).

    The policy's event for the request becomes `action` (default: the rule's `writes`) on
    `target`, written once the answer is ready; never values, only ids and field names.
    """
    state = route_state(request)
    chosen = action or (state.rule.writes if state is not None else None) or AuditAction.CREATE
    setattr(request, NOTE_ATTR, AuditNote(action=str(chosen), target=target, detail=detail))


# -- the check -----------------------------------------------------------------------------------


def _pk_value(raw: Any) -> int | None:
    text = str(raw).strip()
    if not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= MAX_PK else None


def _visible(user: Any, ref: Ref, raw: Any) -> models.Model | None:
    model = apps.get_model(ref.model)
    text = str(raw).strip()
    if ref.model == PRACTICE:
        pk = _pk_value(text)
        named = Q(slug=text) | Q(pk=pk) if pk is not None else Q(slug=text)
        found: models.Model | None = model._default_manager.filter(
            named, pk__in=practice_ids_for(user)
        ).first()
        return found
    pk = _pk_value(text)
    if pk is None:
        return None
    scoped: Any = model._default_manager
    visible: models.Model | None = scoped.for_user(user).filter(pk=pk).first()
    return visible


def _elsewhere(ref: Ref, raw: Any) -> models.Model | None:
    """The object `raw` names when it exists at all (for the record of a refused look-up)."""
    if ref.model == PRACTICE:
        return None
    pk = _pk_value(raw)
    if pk is None:
        return None
    found: models.Model | None = apps.get_model(ref.model)._default_manager.filter(pk=pk).first()
    return found


def _practice_id(ref: Ref, obj: models.Model) -> int:
    return int(obj.pk if ref.model == PRACTICE else obj.practice_id)  # type: ignore[attr-defined]


def _deny(
    request: HttpRequest,
    state: RouteState,
    *,
    status: int,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
) -> None:
    state.refused = True
    detail: dict[str, Any] = {"status": status, "route": state.route}
    if state.rule.action is not None:
        detail["needs"] = str(state.rule.action)
    audit_record(
        action=AuditAction.PERMISSION_DENIED,
        outcome=AuditOutcome.DENIED,
        request=request,
        target=target,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def route_enforce(request: HttpRequest, state: RouteState, value_of: Callable[[Ref], Any]) -> None:
    """Check the request against its rule: returns when allowed, raises Http404 or
    PermissionDenied (recording `permission_denied`) when not. The caller has already sent
    anonymous visitors to sign in, for anything but PUBLIC and STAFF routes."""
    rule = state.rule
    if rule.access in (Access.PUBLIC, Access.STAFF):
        return
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    if rule.access == Access.AUTHENTICATED:
        return
    action = rule.action
    assert action is not None
    named: list[tuple[Ref, models.Model]] = []
    for ref in rule.refs:
        raw = value_of(ref)
        if raw is None or str(raw).strip() == "":
            continue
        obj = _visible(user, ref, raw)
        if obj is None:
            other = _elsewhere(ref, raw)
            if other is not None:
                _deny(request, state, status=404, target=other)
            raise Http404("Not found.")
        named.append((ref, obj))
    state.objects = [obj for _, obj in named]
    allowed = practice_ids_for(user, action)
    for ref, obj in named:
        if _practice_id(ref, obj) not in allowed:
            _deny(request, state, status=403, target=obj)
            raise PermissionDenied(refusal_message(action))
    if not named and action != Action.VIEW and not allowed:
        _deny(request, state, status=403, object_type=rule.object_type or rule.write_type)
        raise PermissionDenied(refusal_message(action))


# -- the audit events ----------------------------------------------------------------------------


def _phi_object(state: RouteState) -> models.Model | None:
    for obj in state.objects:
        if obj._meta.label_lower != PRACTICE:
            return obj
    return None


def _event_practice(request: HttpRequest, state: RouteState) -> Any:
    """The practice a list event names: the one filtered on, else the current one (switcher),
    else the user's only practice; None for a list over several practices."""
    if state.objects:
        first = state.objects[0]
        return (
            first.pk if first._meta.label_lower == PRACTICE else getattr(first, "practice_id", None)
        )
    current = getattr(request, "practice", None)
    if current is not None:
        return current
    mine = practice_ids_for(request.user)
    return mine[0] if len(mine) == 1 else None


def audit_success(
    request: HttpRequest,
    state: RouteState,
    *,
    target: models.Model | None = None,
    action: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """The event of a successful answer: a noted write, or the rule's READ / LIST."""
    note: AuditNote | None = getattr(request, NOTE_ATTR, None)
    if note is not None:
        audit_record(action=note.action, target=note.target, request=request, detail=note.detail)
        return
    rule = state.rule
    chosen = action or rule.audit
    if chosen is None:
        return
    if chosen == LIST:
        phi = _phi_object(state)
        audit_record(
            action=AuditAction.LIST,
            object_type=rule.object_type,
            practice=_event_practice(request, state),
            patient_id=_patient_of(phi),
            request=request,
            detail=detail,
        )
        return
    obj = target if target is not None else (_phi_object(state) if chosen == READ else None)
    if obj is None:
        return
    audit_record(action=chosen, target=obj, request=request, detail=detail)


def _patient_of(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label_lower == "patients.patient":
        return int(obj.pk)
    value = getattr(obj, "patient_id", None)
    return int(value) if value is not None else None


def audit_refusal(request: HttpRequest, state: RouteState, status: int = 403) -> None:
    """A refusal the view itself raised (its own role check): `permission_denied`."""
    if state.refused:
        return
    target = _phi_object(state)
    _deny(
        request,
        state,
        status=status,
        target=target,
        object_type="" if target is not None else state.rule.object_type,
    )


# -- the web: middleware -------------------------------------------------------------------------


def _web_value(request: HttpRequest, kwargs: dict[str, Any]) -> Callable[[Ref], Any]:
    def value_of(ref: Ref) -> Any:
        if ref.source == "path":
            return kwargs.get(ref.name)
        if ref.source == "query":
            return request.GET.get(ref.name)
        if ref.source == "form":
            return request.POST.get(ref.name)
        if ref.source == "param":
            return (request.POST if request.method == "POST" else request.GET).get(ref.name)
        raise ValueError(f"a web route cannot name an object by {ref.source!r}")

    return value_of


def _to_login(request: HttpRequest) -> HttpResponse:
    """Anonymous: the login page; an htmx request sends the whole page there (HX-Redirect)."""
    if request.headers.get("HX-Request") == "true":
        referer = request.headers.get("HX-Current-URL", "")
        target = urlsplit(referer).path if referer else reverse("home")
        return HttpResponse(
            headers={"HX-Redirect": f"{reverse('login')}?{urlencode({'next': target})}"}
        )
    return redirect_to_login(request.get_full_path())


_ADMIN_MODEL_PAGE = re.compile(r"^(?P<app>[a-z0-9_]+?)_(?P<model>[a-z0-9]+)_(?P<page>\w+)$")


class RoutePolicyMiddleware:
    """Applies the route policy to every page (not the API's operations, which
    `openrcm.api.policy` checks once the caller is known) and writes the audit events.

    Place it after CurrentPracticeMiddleware (events name the current practice). A route without
    a policy entry is refused with 403 and logged: add it to `openrcm.tenancy.route_policy`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        state = route_state(request)
        if state is None:
            return response
        if state.rule is ADMIN_RULE:
            _audit_admin(request, state, response)
        elif response.status_code < 400:
            audit_success(request, state)
        elif response.status_code == 403:
            audit_refusal(request, state)
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        match = request.resolver_match
        if match is None:  # pragma: no cover - process_view runs after resolving
            return None
        namespace = match.namespaces[0] if match.namespaces else ""
        name = match.url_name or ""
        if namespace == API_NAMESPACE:
            if name in API_PAGES:
                setattr(request, STATE_ATTR, RouteState(API_PAGES[name], f"api:{name}"))
            return None  # operations: openrcm.api.policy, after the API's authentication
        if namespace == ADMIN_NAMESPACE:
            setattr(request, STATE_ATTR, RouteState(ADMIN_RULE, f"admin:{name}"))
            return None  # the admin's own staff check; its PHI pages are audited
        method = request.method or "GET"
        route = f"{namespace}:{name}" if namespace else name
        if route not in WEB:
            logger.error(
                "route %r has no access policy: refused. Add it to openrcm.tenancy.route_policy.",
                route,
            )
            if request.user.is_authenticated:
                _deny(request, RouteState(Rule(Access.PUBLIC), route), status=403)
            raise PermissionDenied("This page has no access policy yet.")
        rule = web_rule(route, method)
        if rule is None:
            return HttpResponseNotAllowed(sorted(WEB[route]))
        if rule.access != Access.PUBLIC and not request.user.is_authenticated:
            return _to_login(request)
        state = RouteState(rule, route)
        setattr(request, STATE_ATTR, state)
        route_enforce(request, state, _web_value(request, view_kwargs))
        return None


def _audit_admin(request: HttpRequest, state: RouteState, response: HttpResponseBase) -> None:
    """The Django admin's pages on PHI models: lists, reads, and the writes they post."""
    name = state.route.removeprefix(f"{ADMIN_NAMESPACE}:")
    found = _ADMIN_MODEL_PAGE.match(name)
    if name in ADMIN_PUBLIC or found is None or not request.user.is_authenticated:
        return
    label = f"{found['app']}.{found['model']}"
    if label not in PHI_MODELS:
        return
    page = found["page"]
    object_id = request.resolver_match.kwargs.get("object_id", "") if request.resolver_match else ""
    status = response.status_code
    if status == 403:
        _deny(request, state, status=403, object_type=label, object_id=object_id)
        return
    if request.method == "GET" and status == 200:
        if page == "changelist":
            audit_record(
                action=AuditAction.LIST,
                object_type=label,
                request=request,
                detail={"filters": sorted(request.GET.keys())},
            )
        elif page in ("change", "history", "delete") and object_id:
            _admin_object_event(request, AuditAction.READ, label, object_id)
        return
    if request.method != "POST" or status not in (301, 302, 303):
        return
    if page == "change" and object_id:
        _admin_object_event(request, AuditAction.UPDATE, label, object_id)
    elif page == "delete" and object_id:
        _admin_object_event(request, AuditAction.DELETE, label, object_id)
    elif page == "add":
        _admin_object_event(request, AuditAction.CREATE, label, _admin_added_id(request, label))
    elif page == "changelist":
        selected = request.POST.getlist("_selected_action")
        audit_record(
            action=AuditAction.DELETE
            if request.POST.get("action") == "delete_selected"
            else AuditAction.UPDATE,
            object_type=label,
            request=request,
            detail={"admin_action": request.POST.get("action", ""), "ids": selected[:100]},
        )


def _admin_object_event(request: HttpRequest, action: str, label: str, object_id: Any) -> None:
    from django.contrib.admin.utils import unquote

    pk = _pk_value(unquote(str(object_id))) if object_id else None
    target = apps.get_model(label)._default_manager.filter(pk=pk).first() if pk else None
    audit_record(
        action=action,
        target=target,
        object_type=label,
        object_id=str(pk) if pk else str(object_id),
        request=request,
        detail={"via": "admin"},
    )


def _admin_added_id(request: HttpRequest, label: str) -> str:
    """The id of the object the admin just added, from the admin's own log of additions."""
    from django.contrib.admin.models import ADDITION, LogEntry
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(apps.get_model(label))
    entry = (
        LogEntry.objects.filter(
            user_id=int(request.user.pk or 0), content_type=content_type, action_flag=ADDITION
        )
        .order_by("-id")
        .first()
    )
    return str(entry.object_id) if entry is not None and entry.object_id else ""
