"""What the web dashboard shows: KPIs with their 12-month trend, the A/R aging, denials by
category and payer, and the claims behind every number (drill-down).

Built on :mod:`openrcm.reporting.selectors` (one read of the facts per page) and the core's
engine; claim-counted KPIs drill down through the core's own rules
(:func:`openrcm.core.reporting.claims_behind`), the aging through
:meth:`AgingReport.drill_down`, payments through the ledger, so a drill-down lists exactly the
claims its number counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from django.db.models import QuerySet

from openrcm.claims.models import Claim
from openrcm.core.posting.entries import EntryKind
from openrcm.core.reporting import (
    BUCKETS,
    CLAIM_METRICS,
    SIDES,
    AgingReport,
    ClaimFact,
    KpiReport,
    aging,
    claims_behind,
    monthly_trend,
)
from openrcm.core.reporting.periods import last_months
from openrcm.posting.models import Denial, LedgerEntry
from openrcm.reporting.aging_selectors import aging_for
from openrcm.reporting.selectors import KpiFacts, aging_balances, denied_claim_ids, kpi_facts
from openrcm.tenancy.models import Practice

__all__ = [
    "METRICS",
    "Dashboard",
    "DrillRequest",
    "dashboard_for",
    "drill_claim_ids",
    "drill_claims",
]


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Everything one dashboard page shows, for some practices."""

    start: date
    end: date
    as_of: date
    report: KpiReport
    trend: list[KpiReport]
    aging: AgingReport
    denials_by_category: list[tuple[str, int]]
    denials_by_payer: list[tuple[int | None, str, int]]


def _in(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end


def _denied(claims: list[ClaimFact], start: date, end: date) -> list[int]:
    """The claims adjudicated with a denial in the period (the denial rate's numerator)."""
    return list(claims_behind("denial_rate", claims, period_start=start, period_end=end).numerator)


def _billed_in(claim: ClaimFact, start: date, end: date) -> bool:
    """The claim carries charges of the period: its date of service is in it and it was
    submitted (charges reach the ledger when a claim is first sent)."""
    return claim.submitted_on is not None and _in(claim.service_date, start, end)


_PAYMENT_KINDS: Final = (
    EntryKind.INSURANCE_PAYMENT.value,
    EntryKind.PATIENT_PAYMENT.value,
    EntryKind.REFUND.value,
)

# Metrics whose claims are the aging's: (side or None for both, buckets).
_AGING_RULES: Final[dict[str, tuple[str | None, tuple[str, ...]]]] = {
    "ar_over_90": ("insurance", ("91-120", "120+")),
    "ar_over_120": ("insurance", ("120+",)),
    "insurance_ar": ("insurance", BUCKETS),
    "ar_end": (None, BUCKETS),
    "days_in_ar": (None, BUCKETS),
}

METRICS: Final = frozenset(
    {*CLAIM_METRICS, *_AGING_RULES, "charges", "payments", "net_collection_rate", "aging"}
    | {"denials"}
)
"""The metric names a drill-down accepts (the ``metric`` query parameter)."""


def dashboard_for(
    practices: Sequence[Practice], *, start: date, end: date, as_of: date
) -> Dashboard:
    """The dashboard of ``practices`` for the period ``start`` .. ``end``, A/R at ``as_of``;
    the trend is the 12 months ending with ``end``'s month."""
    trend_start = last_months(end, 12)[0][0]
    facts = kpi_facts(practices, since=min(start, trend_start))
    report = facts.report(start=start, end=end, as_of=as_of)
    trend = monthly_trend(facts.lines, facts.claims, facts.money, through=end, counts=facts.counts)
    report_aging = aging_for(practices, as_of)  # totals by one GROUP BY, lines on demand
    denied = denied_claim_ids(practices, start=start, end=end)
    by_category, by_payer = _denial_breakdown(practices, denied)
    return Dashboard(start, end, as_of, report, trend, report_aging, by_category, by_payer)


def _denial_breakdown(
    practices: Sequence[Practice], claim_ids: list[int]
) -> tuple[list[tuple[str, int]], list[tuple[int | None, str, int]]]:
    """Denied claims counted by denial category and by payer (a claim once per category)."""
    rows = (
        Denial.objects.filter(practice__in=practices, claim_id__in=claim_ids)
        .values_list(
            "claim_id", "category", "claim__coverage__payer_id", "claim__coverage__payer__name"
        )
        .distinct()
    )
    categories: Counter[str] = Counter()
    payers: dict[int | None, list[object]] = {}
    seen_payer: set[int] = set()
    for claim_id, category, payer_id, payer_name in rows:
        categories[category or "uncategorized"] += 1
        if claim_id not in seen_payer:
            seen_payer.add(claim_id)
            entry = payers.setdefault(payer_id, [payer_name or "no payer", 0])
            entry[1] = int(str(entry[1])) + 1
    by_category = sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))
    by_payer = sorted(
        ((pid, str(v[0]), int(str(v[1]))) for pid, v in payers.items()), key=lambda r: (-r[2], r[1])
    )
    return by_category, by_payer


@dataclass(frozen=True, slots=True)
class DrillRequest:
    """Which number to drill into: a metric over a period, or an aging cell."""

    metric: str
    start: date
    end: date
    as_of: date
    side: str | None = None
    bucket: str | None = None
    payer: int | None = None
    category: str | None = None
    by_payer: bool = False
    everything_counted: bool = False
    """For a rate: the claims of its denominator (all it counted), not only its numerator."""


def drill_claim_ids(practices: Sequence[Practice], want: DrillRequest) -> list[int]:
    """The ids of the claims behind one dashboard number (see :data:`METRICS`).

    Raises:
        ValueError: an unknown metric, side or bucket (naming it).
    """
    if want.metric not in METRICS:
        raise ValueError(f"unknown dashboard metric {want.metric!r}")
    if want.metric == "aging" or want.metric in _AGING_RULES:
        return _aging_ids(practices, want)
    if want.metric in ("payments", "net_collection_rate"):
        rows = LedgerEntry.objects.filter(
            practice__in=practices,
            kind__in=_PAYMENT_KINDS,
            effective_date__gte=want.start,
            effective_date__lte=want.end,
        )
        return sorted(
            {cid for cid in rows.values_list("claim_id", flat=True).distinct() if cid is not None}
        )
    facts: KpiFacts = kpi_facts(practices, since=want.start, per_claim=True)
    if want.metric == "charges":
        return sorted(c.claim_id for c in facts.claims if _billed_in(c, want.start, want.end))
    if want.metric in CLAIM_METRICS:
        behind = claims_behind(
            want.metric, facts.claims, period_start=want.start, period_end=want.end
        )
        return sorted(behind.denominator if want.everything_counted else behind.numerator)
    if want.metric == "denials":
        ids = _denied(facts.claims, want.start, want.end)
        if want.category is None and not want.by_payer:
            return sorted(ids)
        denials = Denial.objects.filter(practice__in=practices, claim_id__in=ids)
        if want.category is not None:
            denials = denials.filter(category=want.category)
        if want.by_payer:
            denials = (
                denials.filter(claim__coverage__payer__isnull=True)
                if want.payer is None
                else denials.filter(claim__coverage__payer_id=want.payer)
            )
        return sorted(set(denials.values_list("claim_id", flat=True)))
    raise ValueError(f"unknown dashboard metric {want.metric!r}")  # pragma: no cover


def _aging_ids(practices: Sequence[Practice], want: DrillRequest) -> list[int]:
    report = aging(aging_balances(practices, want.as_of), want.as_of)
    if want.metric == "aging":
        if want.side not in SIDES:
            raise ValueError(f"aging side must be insurance or patient, not {want.side!r}")
        sides: tuple[str, ...] = (want.side,)
        buckets: tuple[str, ...] = (want.bucket or "",)
    else:
        side, buckets = _AGING_RULES[want.metric]
        sides = SIDES if side is None else (side,)
    ids: dict[int, None] = {}
    for one_side in sides:
        for bucket in buckets:
            if want.by_payer:
                cell = report.drill_down(one_side, bucket, group="payer", key=want.payer)
            else:
                cell = report.drill_down(one_side, bucket)
            ids.update(dict.fromkeys(cell.claim_ids))
    return sorted(ids)


def drill_claims(practices: Sequence[Practice], ids: Sequence[int]) -> QuerySet[Claim]:
    """The claims of ``ids`` among ``practices``, with what the drill-down table shows."""
    return (
        Claim.objects.filter(practice__in=practices, pk__in=list(ids))
        .select_related("encounter__patient", "encounter", "coverage__payer", "practice")
        .order_by("encounter__date_of_service", "pk")
    )
