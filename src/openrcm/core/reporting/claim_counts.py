"""Claim facts counted by day: what the KPI engine reads of claims, pre-summed.

The engine's claim KPIs (denial rate, clean claim rate, first-pass acceptance and resolution,
the three lags) only ever ask "how many claims had this event on this day, with this lag or
this outcome". :class:`ClaimCount` is one such group; :func:`claim_counts` reduces
:class:`~openrcm.core.reporting.facts.ClaimFact` s to them. A database may produce the same
counts with a ``GROUP BY`` over a per-claim table (``reporting.ClaimTimeline``), so a large
practice's dashboard reads a few thousand groups instead of one row per claim; both feed the
engine through the same code (:func:`openrcm.core.reporting.kpi_report` converts the claim
facts it is given with :func:`claim_counts`).

One exception to "by day": a claim adjudicated more than once counts once per *period* it was
adjudicated in, with its first adjudication deciding first-pass resolution, which depends on
the periods asked for; such claims (few: reversals and re-adjudications) keep their
adjudications whole (:attr:`ClaimMeasure.READJUDICATED`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from openrcm.core.reporting.facts import Adjudication, ClaimFact

__all__ = ["ClaimCount", "ClaimMeasure", "claim_counts"]


class ClaimMeasure(StrEnum):
    """What a :class:`ClaimCount` counts, and what its ``day`` and ``lag_days`` are."""

    CREATED = "created"
    """Primary original claims created that day (corrected claims and secondaries left out);
    ``lag_days``: the charge lag, created - date of service."""
    SUBMITTED = "submitted"
    """Claims first submitted that day; ``lag_days``: submission lag, submitted - created;
    ``passed``: the answer to that first submission (accepted, rejected, ``None`` while none)."""
    SCRUBBED = "scrubbed"
    """Claims first scrubbed that day; ``passed``: whether that scrub was clean."""
    PAID = "paid"
    """Submitted claims first paid that day (the 835's payment date); ``lag_days``: payer lag,
    first paid - first submitted."""
    ADJUDICATED = "adjudicated"
    """Claims adjudicated exactly once, that day; ``outcome``: what it did
    (:class:`~openrcm.core.reporting.facts.AdjudicationOutcome` value); ``charge_cents``: the
    claims' charges; ``denied_cents``: what they denied."""
    READJUDICATED = "readjudicated"
    """Claims adjudicated more than once: ``adjudications`` whole, ``charge_cents`` one claim's
    charge, ``day`` the last adjudication's (for filtering only)."""


class ClaimCount(NamedTuple):
    """``claims`` claims with the same event on the same day (see :class:`ClaimMeasure`).

    ``charge_cents`` and ``denied_cents`` are totals over the group, except for
    :attr:`ClaimMeasure.READJUDICATED`, where they are one claim's (``claims`` claims with the
    same charge and the same adjudications).
    """

    measure: str
    day: date
    claims: int
    lag_days: int | None = None
    passed: bool | None = None
    outcome: str | None = None
    charge_cents: int = 0
    denied_cents: int = 0
    adjudications: tuple[Adjudication, ...] = ()


_Key = tuple[str, date, int | None, bool | None, str | None, int, tuple[Adjudication, ...]]


def claim_counts(claims: Iterable[ClaimFact]) -> list[ClaimCount]:
    """``claims`` counted by measure, day, lag and outcome (see :class:`ClaimMeasure`), in a
    stable order (sorted by measure, day and the rest), so two sources can be compared."""
    groups: dict[_Key, list[int]] = defaultdict(lambda: [0, 0, 0])

    def add(key: _Key, charge: int = 0, denied: int = 0) -> None:
        group = groups[key]
        group[0] += 1
        group[1] += charge
        group[2] += denied

    none: tuple[Adjudication, ...] = ()
    for claim in claims:
        if claim.sequence == "P" and not claim.is_replacement:
            lag = (claim.created_on - claim.service_date).days
            add((ClaimMeasure.CREATED.value, claim.created_on, lag, None, None, 0, none))
        submitted = claim.submitted_on
        if submitted is not None:
            lag = (submitted - claim.created_on).days
            accepted = claim.first_submission_accepted
            add((ClaimMeasure.SUBMITTED.value, submitted, lag, accepted, None, 0, none))
            if claim.first_paid_on is not None:
                lag = (claim.first_paid_on - submitted).days
                add((ClaimMeasure.PAID.value, claim.first_paid_on, lag, None, None, 0, none))
        scrubbed, clean = claim.first_scrubbed_on, claim.first_scrub_clean
        if scrubbed is not None and clean is not None:
            add((ClaimMeasure.SCRUBBED.value, scrubbed, None, clean, None, 0, none))
        if len(claim.adjudications) == 1:
            [only] = claim.adjudications
            outcome = str(only.outcome.value)
            add(
                (ClaimMeasure.ADJUDICATED.value, only.on, None, None, outcome, 0, none),
                claim.charge_cents,
                only.denied_cents,
            )
        elif claim.adjudications:
            done = tuple(sorted(claim.adjudications))
            last = max(a.on for a in done)
            add(
                (ClaimMeasure.READJUDICATED.value, last, None, None, None, claim.charge_cents, done)
            )
    out = []
    for key, (n, charges, denied) in groups.items():
        measure, day, lag_days, passed, result, charge, done = key
        if measure == ClaimMeasure.READJUDICATED.value:
            out.append(ClaimCount(measure, day, n, charge_cents=charge, adjudications=done))
        else:
            out.append(ClaimCount(measure, day, n, lag_days, passed, result, charges, denied))
    out.sort(key=_order)
    return out


def _order(count: ClaimCount) -> tuple[object, ...]:
    """A total order on counts (``None`` before values), for comparing two sources."""
    return (
        count.measure,
        count.day,
        count.lag_days is not None,
        count.lag_days or 0,
        count.passed is not None,
        bool(count.passed),
        count.outcome or "",
        count.charge_cents,
        count.adjudications,
    )
