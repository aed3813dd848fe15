"""The claims behind a KPI: the drill-down of every claim-counted number of a period.

The rules are the engine's own (:mod:`openrcm.core.reporting.kpis`), so the claims listed are
exactly those the number counted: ``len(numerator)`` and ``len(denominator)`` are the report's
counts. For lags both parts are the claims measured. Money KPIs (charges, payments) drill down
through the ledger and the aging (:meth:`AgingReport.drill_down
<openrcm.core.reporting.aging.AgingReport.drill_down>`) instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from openrcm.core.reporting.facts import AdjudicationOutcome, ClaimFact
from openrcm.core.reporting.periods import check_period

__all__ = ["CLAIM_METRICS", "ClaimsBehind", "claims_behind"]

CLAIM_METRICS: Final = (
    "denial_rate",
    "denial_rate_dollars",
    "first_pass_resolution",
    "clean_claim_rate",
    "first_pass_acceptance",
    "charge_lag",
    "submission_lag",
    "payer_lag",
)
"""The KPI keys counted over claims, which :func:`claims_behind` drills into."""

_DENIED: Final = frozenset(o.value for o in AdjudicationOutcome if o.denied)
_RESOLVED: Final = frozenset(o.value for o in AdjudicationOutcome if o.resolved)


@dataclass(frozen=True, slots=True)
class ClaimsBehind:
    """The claim ids a KPI counted: its numerator and its denominator, in the facts' order."""

    numerator: tuple[int, ...]
    denominator: tuple[int, ...]


def claims_behind(
    metric: str, claims: Iterable[ClaimFact], *, period_start: date, period_end: date
) -> ClaimsBehind:
    """The claims behind ``metric`` (one of :data:`CLAIM_METRICS`) for the period.

    Raises:
        ValueError: an unknown metric (naming it and the known ones), or a period that ends
            before it starts.
    """
    if metric not in CLAIM_METRICS:
        raise ValueError(
            f"no claim drill-down for KPI {metric!r}; known: {', '.join(CLAIM_METRICS)}"
        )
    check_period(period_start, period_end)

    def inside(day: date | None) -> bool:
        return day is not None and period_start <= day <= period_end

    numerator: list[int] = []
    denominator: list[int] = []
    for claim in claims:
        counted, hit = _rule(metric, claim, inside)
        if counted:
            denominator.append(claim.claim_id)
            if hit:
                numerator.append(claim.claim_id)
    return ClaimsBehind(tuple(numerator), tuple(denominator))


def _rule(
    metric: str, claim: ClaimFact, inside: Callable[[date | None], bool]
) -> tuple[bool, bool]:
    """``(in the denominator, in the numerator)`` of ``metric`` for one claim."""
    if metric in ("denial_rate", "denial_rate_dollars"):
        in_period = [a for a in claim.adjudications if inside(a.on)]
        return bool(in_period), any(a.outcome in _DENIED for a in in_period)
    if metric == "first_pass_resolution":
        if not claim.adjudications:
            return False, False
        first = min(claim.adjudications, key=lambda a: a.on)
        return bool(inside(first.on)), first.outcome in _RESOLVED
    if metric == "clean_claim_rate":
        counted = claim.first_scrub_clean is not None and inside(claim.first_scrubbed_on)
        return bool(counted), bool(claim.first_scrub_clean)
    if metric == "first_pass_acceptance":
        counted = claim.first_submission_accepted is not None and inside(claim.submitted_on)
        return bool(counted), bool(claim.first_submission_accepted)
    if metric == "charge_lag":
        counted = claim.sequence == "P" and not claim.is_replacement and inside(claim.created_on)
        return bool(counted), bool(counted)
    if metric == "submission_lag":
        counted = inside(claim.submitted_on)
        return bool(counted), bool(counted)
    counted = claim.submitted_on is not None and inside(claim.first_paid_on)  # payer_lag
    return bool(counted), bool(counted)
