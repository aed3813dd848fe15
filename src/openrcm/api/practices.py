"""/api/v1/practices and /api/v1/payers: what a client needs to name in the bodies it sends."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.http import HttpRequest
from ninja import Query, Router

from openrcm.api.auth import current_user
from openrcm.api.schemas.common import LIST_ERRORS, Page, PageParams, paginate
from openrcm.api.schemas.practices import PayerOut, PracticeOut
from openrcm.payers.models import Payer
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import practice_ids_for

router = Router(tags=["practices"])


@router.get("/practices", response={200: Page[PracticeOut], **LIST_ERRORS})
def list_practices(request: HttpRequest, page: Query[PageParams]) -> Any:
    """Your practices, your role in each, and their providers and locations."""
    user = current_user(request)
    mine = (
        Practice.objects.filter(pk__in=practice_ids_for(user), memberships__user=user)
        .annotate(role=F("memberships__role"))
        .prefetch_related("providers", "locations")
        .order_by("name", "id")
    )
    return paginate(mine, page)


@router.get("/payers", response={200: Page[PayerOut], **LIST_ERRORS})
def list_payers(request: HttpRequest, page: Query[PageParams]) -> Any:
    """Payers of your billing organization (ids for coverages and claim filters)."""
    return paginate(Payer.objects.for_user(current_user(request)).order_by("name", "id"), page)
