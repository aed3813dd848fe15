"""Request id and client IP for every request; the X-Request-ID response header."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from openrcm.audit.context import (
    audit_context,
    client_ip_from_meta,
    new_request_id,
    sane_request_id,
    trusted_proxies,
)

REQUEST_ID_HEADER = "X-Request-ID"


class RequestContextMiddleware:
    """Sets `request.request_id` (an incoming X-Request-ID when sane, else a new UUID4) and
    `request.client_ip` (REMOTE_ADDR; X-Forwarded-For only from OPENRCM_TRUSTED_PROXIES),
    makes both current for audit_record, and echoes the id in the X-Request-ID header.

    Place it first in MIDDLEWARE so every response, even a redirect or an error, carries the id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = sane_request_id(request.META.get("HTTP_X_REQUEST_ID")) or new_request_id()
        client_ip = client_ip_from_meta(request.META, trusted_proxies())
        request.request_id = request_id  # type: ignore[attr-defined]
        request.client_ip = client_ip  # type: ignore[attr-defined]
        with audit_context(request_id=request_id, client_ip=client_ip):
            response = self.get_response(request)
        response.headers[REQUEST_ID_HEADER] = request_id
        return response
