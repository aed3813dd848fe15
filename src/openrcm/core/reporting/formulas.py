"""The published formulas, and the two pieces of arithmetic every KPI shares.

:data:`FORMULAS` holds, per KPI key (the keys of :meth:`KpiReport.as_dict
<openrcm.core.reporting.kpis.KpiReport.as_dict>` and of the CLI's JSON), the formula the UI and
the monthly report print beside the number. Each KPI function's docstring states the same
formula; ``docs/reporting.md`` explains the choices.

* Rates are exact fractions rounded once, half up, to 4 places (``Decimal("0.4215")``), and
  ``None`` when there is nothing to divide by (a zero or negative denominator).
* Percentiles are **nearest-rank**: the p-th percentile of n ascending values is the value at
  rank ``ceil(p/100 * n)`` (1-based). The median is the 50th percentile by nearest rank: for an
  even count, the lower of the two middle values. Always one of the observed values, in whole
  days.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Final

__all__ = ["FORMULAS", "nearest_rank", "ratio"]

FORMULAS: Final[dict[str, str]] = {
    "charges": (
        "Sum of the charges of service lines with a date of service in the period "
        "(each line once, however many claims carry it)"
    ),
    "payments": (
        "Insurance payments + patient payments - refunds, with an effective date in the period "
        "(835 payment date BPR16, or the day of a manual posting; reversals count negative on "
        "their own date; PLB interest and recoupments excluded)"
    ),
    "insurance_payments": "Insurance payments with an effective date in the period",
    "patient_payments": "Patient payments with an effective date in the period",
    "refunds": "Refunds to payers and patients with an effective date in the period",
    "contractual_adjustments": (
        "Contractual adjustments (CO write-offs) with an effective date in the period"
    ),
    "net_charges": "Charges - contractual adjustments, same period",
    "gross_collection_rate": "Payments / charges",
    "net_collection_rate": "Payments / (charges - contractual adjustments)",
    "ar_end": (
        "A/R at the period's last day: insurance + patient balances of every line "
        "(credits included)"
    ),
    "days_in_ar": (
        "A/R at the period's last day / (net charges of the 3 months ending on that day "
        "/ days in those 3 months)"
    ),
    "denial_rate": (
        "Claims adjudicated in the period with a denial at claim level or on any line "
        "/ claims adjudicated in the period"
    ),
    "denial_rate_dollars": (
        "Amounts denied on the claims adjudicated in the period / charges of the claims "
        "adjudicated in the period"
    ),
    "clean_claim_rate": (
        "Claims whose first scrub in the period passed every edit with nothing to fix or "
        "override / claims first scrubbed in the period (HFMA CL-1)"
    ),
    "first_pass_acceptance": (
        "Claims first submitted in the period and accepted on that submission (999 and 277CA) "
        "/ claims first submitted in the period and answered"
    ),
    "first_pass_resolution": (
        "Claims paid or moved wholly to patient responsibility at their first adjudication "
        "/ claims first adjudicated in the period"
    ),
    "insurance_ar": "Insurance balances of every line at the as-of date",
    "ar_over_90": (
        "Insurance A/R on lines whose date of service is more than 90 days before the as-of "
        "date / insurance A/R"
    ),
    "ar_over_120": (
        "Insurance A/R on lines whose date of service is more than 120 days before the as-of "
        "date / insurance A/R"
    ),
    "charge_lag": (
        "Days from date of service to claim created, for primary original claims created "
        "in the period: median and 90th percentile (nearest rank)"
    ),
    "submission_lag": (
        "Days from claim created to first submitted, for claims first submitted in the "
        "period: median and 90th percentile (nearest rank)"
    ),
    "payer_lag": (
        "Days from first submitted to first payment, for claims first paid in the period: "
        "median and 90th percentile (nearest rank)"
    ),
}

_SCALE: Final = 10_000  # 4 decimal places


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` rounded half up to 4 places, exactly (integer arithmetic,
    no float, no context); ``None`` when the denominator is zero or negative."""
    if denominator <= 0:
        return None
    quotient, remainder = divmod(abs(numerator) * _SCALE, denominator)
    if remainder * 2 >= denominator:
        quotient += 1
    return Decimal(-quotient if numerator < 0 else quotient).scaleb(-4)


def nearest_rank(ordered: Sequence[int], percent: int) -> int | None:
    """The ``percent``-th percentile of ascending ``ordered`` by nearest rank: the value at
    rank ``ceil(percent/100 * n)``; ``None`` for no values."""
    n = len(ordered)
    if n == 0:
        return None
    if not 0 < percent <= 100:
        raise ValueError(f"percentile must be in 1..100, not {percent}")
    rank = -(-percent * n // 100)  # ceil without float
    return ordered[rank - 1]
