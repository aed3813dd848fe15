"""The NinjaAPI root: version 1 under /api/v1, OpenAPI docs at /api/docs.

Every route needs a bearer token or a logged-in session (see api.auth), then passes the route
policy and writes its audit event (see api.policy); every error is JSON (see api.errors).
Swagger UI is served from ninja's own static files (ninja is an installed app), so the docs
work offline.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router, Swagger

from openrcm.api import (
    claims,
    coverages,
    encounters,
    errors,
    patients,
    policy,
    practices,
    scrubbing,
)
from openrcm.api.auth import BearerTokenAuth, SessionCookieAuth


class OpenRcmApi(NinjaAPI):
    """Answers carry PHI: no browser or proxy may keep a copy."""

    def create_response(self, request: HttpRequest, data: Any, **kwargs: Any) -> HttpResponse:
        response = super().create_response(request, data, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


api = OpenRcmApi(
    title="OpenRCM API",
    version="1",
    description=(
        "Patients, coverages, encounters and claims of the practices you belong to. "
        "Authenticate with `Authorization: Bearer orcm_...` (`openrcm token create USER`) "
        "or a logged-in session (send X-CSRFToken on changes). Lists take `limit` (default "
        '50, at most 500) and `offset` and return `{"items": [...], "count": N}`. Money '
        'is a string with two decimals ("125.00") and the same amount in integer `*_cents`.'
    ),
    urls_namespace="api",
    docs_url="/docs",
    # No calls out of the building: Swagger UI from local files, no online spec validator.
    docs=Swagger(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
    auth=[BearerTokenAuth(), SessionCookieAuth()],
)
errors.install(api)
# Every operation: the route policy (tenancy.route_policy.API) and its audit event.
api.add_decorator(policy.enforce_operation)

api.add_router("/v1/", practices.router)
api.add_router("/v1/patients", patients.router)
api.add_router("/v1/coverages", coverages.router)
api.add_router("/v1/encounters", encounters.router)
api.add_router("/v1/claims", claims.router)
api.add_router("/v1/claims", scrubbing.router)  # findings and scrub of a claim

# Last: any other path under /api/ is a JSON 404 too, not Django's HTML page.
unknown = Router(auth=None)


@unknown.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def not_found(request: HttpRequest, rest: str) -> None:
    raise Http404("Not found.")


api.add_router("/", unknown)
