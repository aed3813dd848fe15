"""/api/v1/claims/{id}/findings and /api/v1/claims/{id}/scrub: the scrubber's findings on a
claim, and a scrub on demand (draft -> ready when clean, held when it has an error)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema

from openrcm.api.auth import current_user
from openrcm.api.schemas.common import READ_ERRORS, ErrorOut, PathId
from openrcm.claims.models import Claim
from openrcm.claims.selectors import claim_get
from openrcm.scrubbing.selectors import ClaimFindings, claim_findings
from openrcm.scrubbing.services import claim_scrub
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.scoping import practice_ids_for

router = Router(tags=["claims"])


class FindingOut(Schema):
    rule: str = Field(description="Rule id, e.g. ICD-003 or a payer rule's id.")
    version: int
    severity: str = Field(description="error (holds the claim) or warning (needs an override).")
    message: str
    line: int | None = Field(description="Service line number, or null for the whole claim.")
    field: str
    overridden: bool = Field(description="A warning someone let go, with a reason.")


class FindingsOut(Schema):
    id: int = Field(description="The claim's id.")
    patient_control_number: str
    status: str
    scrubbed_at: dt.datetime | None = Field(description="null: never scrubbed.")
    errors: int
    warnings: int
    open_warnings: int = Field(description="Warnings without an override.")
    findings: list[FindingOut]

    @staticmethod
    def resolve_scrubbed_at(obj: Any) -> Any:
        view: ClaimFindings = obj.scrub_findings
        return view.state.scrubbed_at if view.state else None

    @staticmethod
    def resolve_errors(obj: Any) -> int:
        return len(obj.scrub_findings.errors)

    @staticmethod
    def resolve_warnings(obj: Any) -> int:
        return len(obj.scrub_findings.warnings)

    @staticmethod
    def resolve_open_warnings(obj: Any) -> int:
        return len(obj.scrub_findings.open_warnings)

    @staticmethod
    def resolve_findings(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "rule": item.finding.rule_id,
                "version": item.finding.rule_version,
                "severity": item.finding.severity,
                "message": item.finding.message,
                "line": item.finding.line,
                "field": item.finding.field,
                "overridden": item.override is not None,
            }
            for item in obj.scrub_findings.items
        ]


def _with_findings(claim: Claim) -> Claim:
    """The claim (the operation's object, for the audit event) with its findings attached."""
    claim.scrub_findings = claim_findings(claim=claim)  # type: ignore[attr-defined]
    return claim


@router.get("/{claim_id}/findings", response={200: FindingsOut, **READ_ERRORS})
def get_findings(request: HttpRequest, claim_id: PathId) -> Any:
    """The findings of the claim's last scrub, errors first."""
    return _with_findings(claim_get(user=current_user(request), pk=claim_id))


@router.post("/{claim_id}/scrub", response={200: FindingsOut, 403: ErrorOut, **READ_ERRORS})
def scrub_claim(request: HttpRequest, claim_id: PathId) -> Any:
    """Scrub the claim now; a draft with no error and no open warning becomes ready."""
    user = current_user(request)
    claim: Claim = claim_get(user=user, pk=claim_id)
    if claim.practice_id not in practice_ids_for(user, Action.MANAGE_CLAIMS):
        raise PermissionDenied("Your role in this practice does not allow you to work claims.")
    claim_scrub(claim=claim, actor=user)
    return _with_findings(claim)
