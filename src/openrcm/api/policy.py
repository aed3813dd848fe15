"""The route policy on every API operation: `enforce_operation`, installed by `api.root` with
`api.add_decorator`, runs once the caller is authenticated (bearer token or session) and the
parameters are parsed; it checks the rule of `tenancy.route_policy.API` for the operation's
method and OpenAPI path, and writes the audit event of the answer (the object comes from the
operation's result: the patient read, the coverage created ...).

An operation without a rule is refused (403) and logged.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest
from ninja import Status

from openrcm.tenancy.route_access import (
    RouteState,
    audit_refusal,
    audit_success,
    route_enforce,
)
from openrcm.tenancy.route_policy import CREATE, LIST, UPDATE, Access, Ref, Rule, api_rule

logger = logging.getLogger(__name__)

_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


def openapi_path(request: HttpRequest) -> str:
    """The OpenAPI path of the operation answering `request`: "/api/v1/patients/{patient_id}"."""
    match = request.resolver_match
    route = match.route if match is not None else request.path_info.lstrip("/")
    return "/" + _PARAM.sub(r"{\1}", route)


def _value_of(request: HttpRequest, values: dict[str, Any]) -> Callable[[Ref], Any]:
    def value_of(ref: Ref) -> Any:
        if ref.source == "path":
            return values.get(ref.name)
        if ref.source == "query":
            return request.GET.get(ref.name)
        if ref.source == "body":
            return getattr(values.get("payload"), ref.name, None)
        raise ValueError(f"an API route cannot name an object by {ref.source!r}")

    return value_of


def _fields(values: dict[str, Any]) -> list[str]:
    """The names (never the values) of the fields an update body set."""
    payload = values.get("payload")
    return sorted(getattr(payload, "model_fields_set", ()) or ())


def enforce_operation(view_func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view_func)
    def operation(request: HttpRequest, *args: Any, **values: Any) -> Any:
        method = (request.method or "GET").upper()
        path = openapi_path(request)
        route = f"{method} {path}"
        rule = api_rule(method, path)
        if rule is None:
            logger.error(
                "API operation %r has no access policy: refused. "
                "Add it to openrcm.tenancy.route_policy.API.",
                route,
            )
            state = RouteState(Rule(Access.AUTHENTICATED), route)
            if request.user.is_authenticated:
                audit_refusal(request, state)
            raise PermissionDenied("This operation has no access policy yet.")
        state = RouteState(rule, route)
        route_enforce(request, state, _value_of(request, values))
        try:
            result = view_func(request, *args, **values)
        except PermissionDenied:
            audit_refusal(request, state)
            raise
        _audit_result(request, state, result, values)
        return result

    return operation


def _audit_result(
    request: HttpRequest, state: RouteState, result: Any, values: dict[str, Any]
) -> None:
    rule = state.rule
    if rule.audit is None:
        return
    if isinstance(result, Status):
        if result.status_code >= 400:
            return
        result = result.value
    if rule.audit == LIST:
        detail = None
        if isinstance(result, dict) and "count" in result:
            detail = {"count": result["count"], "shown": len(result.get("items", ()))}
        audit_success(request, state, detail=detail)
        return
    if not isinstance(result, models.Model):
        return
    detail = {"fields": _fields(values)} if rule.audit in (UPDATE, CREATE) else None
    audit_success(request, state, target=result, detail=detail)
