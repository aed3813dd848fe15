"""The NinjaAPI root: version 1 under /api/v1, OpenAPI docs at /api/docs."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="OpenRCM API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
