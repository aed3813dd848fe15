"""Reads for scrubbing: a claim's findings, the held queue, payer rules, the clean claim rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from openrcm.claims.models import Claim
from openrcm.claims.selectors import claim_list
from openrcm.core.claims.status import ClaimStatus
from openrcm.payers.models import Payer
from openrcm.scrubbing.models import (
    ClaimFinding,
    ClaimScrub,
    CleanClaimStat,
    PayerRule,
    Severity,
    WarningOverride,
)
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.scoping import get_for_user_or_404


@dataclass(frozen=True, slots=True)
class FindingView:
    """A finding as the faces show it: with the override that lets a warning go, if any."""

    finding: ClaimFinding
    override: WarningOverride | None

    @property
    def needs_override(self) -> bool:
        return self.finding.severity == Severity.WARNING and self.override is None


@dataclass(frozen=True, slots=True)
class ClaimFindings:
    """A claim's latest scrub: when, what it found, and what still holds the claim."""

    claim: Claim
    state: ClaimScrub | None
    items: list[FindingView]

    @property
    def scrubbed(self) -> bool:
        return self.state is not None

    @property
    def errors(self) -> list[FindingView]:
        return [item for item in self.items if item.finding.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[FindingView]:
        return [item for item in self.items if item.finding.severity == Severity.WARNING]

    @property
    def open_warnings(self) -> list[FindingView]:
        return [item for item in self.items if item.needs_override]

    @property
    def open_rule_ids(self) -> list[str]:
        return sorted({item.finding.rule_id for item in self.open_warnings})


def claim_findings(*, claim: Claim) -> ClaimFindings:
    """The findings of the claim's latest scrub, errors first, with the warnings' overrides.
    (The caller fetched `claim` through a scoped selector.)"""
    state = ClaimScrub.objects.filter(claim=claim).first()
    overrides: dict[str, WarningOverride] = {}
    for override in WarningOverride.objects.filter(claim=claim).select_related("actor"):
        overrides.setdefault(override.rule_id, override)  # newest first
    findings = sorted(
        ClaimFinding.objects.filter(claim=claim),
        key=lambda f: (f.severity != Severity.ERROR, f.line or 0, f.pk),
    )
    items = [
        FindingView(f, overrides.get(f.rule_id) if f.severity == Severity.WARNING else None)
        for f in findings
    ]
    return ClaimFindings(claim=claim, state=state, items=items)


def held_claim_list(*, user: Any, practice: Any = None) -> QuerySet[Claim]:
    """Draft claims whose latest scrub found an error, oldest date of service first (timely
    filing runs from it), each with its error findings prefetched as `errors`."""
    return (
        claim_list(user=user, practice=practice)
        .filter(status=ClaimStatus.DRAFT.value, scrub__error_count__gt=0)
        .select_related("scrub")
        .prefetch_related(
            Prefetch(
                "findings",
                queryset=ClaimFinding.objects.filter(severity=Severity.ERROR).order_by("id"),
                to_attr="errors",
            )
        )
        .order_by("encounter__date_of_service", "id")
    )


def payer_rule_list(*, user: Any, payer: Any = None, include_retired: bool = False) -> Any:
    """Payer rules the user may administer (rules of their organizations' payers)."""
    qs = PayerRule.objects.for_user(user, Action.ADMINISTER).select_related("payer", "created_by")
    if payer is not None:
        qs = qs.filter(payer=payer)
    if not include_retired:
        qs = qs.filter(active=True)
    return qs.order_by("payer__name", "rule_id", "-version")


def payer_rule_get(*, user: Any, pk: Any) -> PayerRule:
    """A payer rule of the user's organizations (404 otherwise). Whether the user may change
    it is the caller's check (`can_administer_payer_rules`)."""
    return get_for_user_or_404(PayerRule.objects.select_related("payer"), user, pk=pk)


def payer_rule_history(*, rule: PayerRule) -> QuerySet[PayerRule]:
    return PayerRule.objects.filter(payer_id=rule.payer_id, rule_id=rule.rule_id).order_by(
        "-version"
    )


def administrable_payers(*, user: Any) -> QuerySet[Payer]:
    """Payers whose rules the user may write: those of organizations where they are admin."""
    return Payer.objects.for_user(user, Action.ADMINISTER).order_by("name", "id")


def can_administer_payer_rules(*, user: Any) -> bool:
    return administrable_payers(user=user).exists()


def clean_claim_rates(*, user: Any, practice: Any = None) -> QuerySet[CleanClaimStat]:
    """HFMA CL-1 by practice and month, newest month first."""
    qs = CleanClaimStat.objects.for_user(user).select_related("practice")
    if practice is not None:
        qs = qs.filter(practice=practice)
    return qs.order_by("-month", "practice__name")
