"""Reporting: KPIs with published formulas and A/R aging, over facts the apps feed.

Pure: no Django, no app. The apps reduce their rows to :mod:`~openrcm.core.reporting.facts`;
:func:`kpi_report` / :func:`monthly_trend` give the KPIs (formulas in :data:`FORMULAS`),
:func:`balances_as_of` and :func:`aging` (or :func:`aging_of_sums`, from balances pre-summed
by the database) the A/R aging with its drill-down ids.
"""

from openrcm.core.reporting.aging import (
    BUCKETS,
    GROUPS,
    SIDES,
    AgingCell,
    AgingReport,
    AgingRow,
    BalanceSum,
    DrillDown,
    aging,
    aging_of_sums,
    bucket_index,
)
from openrcm.core.reporting.balances import balances_as_of
from openrcm.core.reporting.drilldown import CLAIM_METRICS, ClaimsBehind, claims_behind
from openrcm.core.reporting.facts import (
    Adjudication,
    AdjudicationOutcome,
    BalanceFact,
    ClaimFact,
    LineFact,
    MoneyFact,
)
from openrcm.core.reporting.formulas import FORMULAS, nearest_rank, ratio
from openrcm.core.reporting.kpis import KpiReport, LagStats, kpi_report, monthly_trend

__all__ = [
    "BUCKETS",
    "CLAIM_METRICS",
    "FORMULAS",
    "GROUPS",
    "SIDES",
    "Adjudication",
    "AdjudicationOutcome",
    "AgingCell",
    "AgingReport",
    "AgingRow",
    "BalanceFact",
    "BalanceSum",
    "ClaimFact",
    "ClaimsBehind",
    "DrillDown",
    "KpiReport",
    "LagStats",
    "LineFact",
    "MoneyFact",
    "aging",
    "aging_of_sums",
    "balances_as_of",
    "bucket_index",
    "claims_behind",
    "kpi_report",
    "monthly_trend",
    "nearest_rank",
    "ratio",
]
