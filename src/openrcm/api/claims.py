"""/api/v1/claims: the billing worklist (list with filters) and a claim with lines and history."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from openrcm.api.access import practice_get_or_404
from openrcm.api.auth import current_user
from openrcm.api.schemas.claims import ClaimDetail, ClaimFilters, ClaimOut
from openrcm.api.schemas.common import (
    LIST_ERRORS,
    READ_ERRORS,
    Page,
    PageParams,
    PathId,
    paginate,
)
from openrcm.claims.selectors import claim_get, claim_list

router = Router(tags=["claims"])


@router.get("", response={200: Page[ClaimOut], **LIST_ERRORS})
def list_claims(request: HttpRequest, filters: Query[ClaimFilters], page: Query[PageParams]) -> Any:
    user = current_user(request)
    practice = practice_get_or_404(user=user, ref=filters.practice) if filters.practice else None
    found = claim_list(
        user=user,
        practice=practice,
        status=filters.status,
        payer=filters.payer,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    return paginate(found, page)


@router.get("/{claim_id}", response={200: ClaimDetail, **READ_ERRORS})
def get_claim(request: HttpRequest, claim_id: PathId) -> Any:
    return claim_get(user=current_user(request), pk=claim_id)
