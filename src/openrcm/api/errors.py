"""Every API error as JSON: 401, 403, 404, and 422 naming each bad field.

Two kinds of validation error reach the client in the same shape, ``{"detail": "Validation
failed", "errors": [{"field": "lines[0].procedure_code", "message": "..."}]}``:

* pydantic errors in the request (ninja's ``ValidationError``), their ``loc`` turned into a
  field path;
* Django ``ValidationError`` raised by services and model ``full_clean``, whose keys are
  already field paths (``"diagnoses[1]"``, ``"lines[0].procedure_code"``).

A malformed id in the URL is not a validation error but a 404: the object cannot exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

VALIDATION_FAILED = "Validation failed"
NOT_FOUND = "Not found."
# The name every route gives its JSON body parameter; it is not part of the field path.
BODY_PARAM = "payload"
_MODIFIER = re.compile(r"^(lines\[\d+\])\.modifier([1-4])$")


def field_path(loc: Sequence[str | int]) -> str:
    """``("lines", 0, "procedure_code")`` -> ``"lines[0].procedure_code"``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _schema_error_field(loc: Sequence[str | int]) -> str:
    source, *rest = loc or ("body",)
    if source == "body" and rest and rest[0] == BODY_PARAM:
        rest = rest[1:]
    return field_path(rest) or str(source)


def _api_field(key: str) -> str:
    """A model's field name as the API spells it (charge lines take a list of modifiers)."""
    match = _MODIFIER.match(key)
    if match:
        return f"{match.group(1)}.modifiers[{int(match.group(2)) - 1}]"
    return key


def _django_error_items(exc: DjangoValidationError) -> Iterable[dict[str, Any]]:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            yield {"field": None, "message": message}
        return
    for key, errors in exc.error_dict.items():
        for error in errors:
            field: str | None = _api_field(key)
            if key == NON_FIELD_ERRORS:
                # A uniqueness rule names its fields: report the one the client chose.
                params = error.params or {}
                named = [f for f in params.get("unique_check", ()) if f != "practice"]
                field = named[0] if named else None
            for message in error.messages:
                yield {"field": field, "message": message}


def validation_response(
    api: NinjaAPI, request: HttpRequest, errors: Iterable[dict[str, Any]]
) -> HttpResponse:
    body = {"detail": VALIDATION_FAILED, "errors": list(errors)}
    return api.create_response(request, body, status=422)


def install(api: NinjaAPI) -> None:
    """Register the handlers that give every error its JSON shape."""

    def on_schema_error(request: HttpRequest, exc: Any) -> HttpResponse:
        if any(error.get("loc", ("",))[0] == "path" for error in exc.errors):
            return not_found(request, exc)
        items = (
            {"field": _schema_error_field(error.get("loc", ())), "message": error["msg"]}
            for error in exc.errors
        )
        return validation_response(api, request, items)

    def on_service_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return validation_response(api, request, _django_error_items(exc))

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return api.create_response(request, {"detail": NOT_FOUND}, status=404)

    def unauthenticated(request: HttpRequest, exc: Any) -> HttpResponse:
        response = api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
        response["WWW-Authenticate"] = 'Bearer realm="openrcm"'
        return response

    def forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        detail = str(exc) or "You do not have permission to do this."
        return api.create_response(request, {"detail": detail}, status=403)

    api.add_exception_handler(SchemaValidationError, on_schema_error)
    api.add_exception_handler(DjangoValidationError, on_service_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(ObjectDoesNotExist, not_found)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(PermissionDenied, forbidden)
