"""Pack ``timely_filing``: the payer's deadline for receiving the claim, counted from the date of
service.

The limit is the payer's own (:attr:`Payer.timely_filing_days`) or, when unknown, the default
for the claim filing indicator (Medicare 365 days, see
:data:`~openrcm.core.scrub.context.TIMELY_FILING_DEFAULTS`). A claim past the deadline is
denied (CARC 29) and can rarely be saved: it is an error, so someone looks before it goes. A
claim within :attr:`ScrubContext.filing_warning_days` (15) of it is a warning: send it today.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

from openrcm.core.scrub.engine import Finding, Rule, RulePack, Severity

if TYPE_CHECKING:
    from openrcm.core.scrub.context import ScrubContext
    from openrcm.core.scrub.snapshot import ClaimSnapshot

__all__ = ["PACK"]

_PACK: Final = "timely_filing"
_CITATION: Final = (
    "42 CFR 424.44 and CMS Medicare Claims Processing Manual (Pub. 100-04) Chapter 1, Section "
    "70 (Medicare: 12 months from the date of service); the payer's contract or provider manual "
    "for other payers; X12 CARC 29"
)

PASSED = Rule(
    "TF-001",
    1,
    Severity.ERROR,
    "The filing deadline passed on {deadline} ({limit} days from the date of service {date}"
    "{source}): unless you hold proof of an earlier timely submission, the claim will be "
    "denied; attach the proof (clearinghouse acceptance report) or write the balance off.",
    _CITATION,
    _PACK,
    "Timely filing limit passed",
)
CLOSE = Rule(
    "TF-002",
    1,
    Severity.WARNING,
    "The filing deadline is {deadline}, in {days_left} days ({limit} days from the date of "
    "service {date}{source}): submit this claim today.",
    _CITATION,
    _PACK,
    "Timely filing deadline within 15 days",
)


def _check(claim: ClaimSnapshot, context: ScrubContext) -> list[Finding]:
    first = claim.first_date
    if first is None:
        return []
    limit = context.filing_limit_days(claim)
    # Day numbers (ordinals) keep the common case, far from the deadline, to integer math.
    if context.today_ordinal + context.filing_warning_days <= first.toordinal() + limit:
        return []
    deadline = first + timedelta(days=limit)
    today = context.today
    source = (
        ""
        if claim.payer.timely_filing_days is not None
        else f", the default for claim filing indicator {claim.payer.filing_indicator}"
    )
    if today > deadline:
        return [
            PASSED.finding(
                field="lines",
                deadline=deadline.isoformat(),
                limit=limit,
                date=first.isoformat(),
                source=source,
            )
        ]
    return [
        CLOSE.finding(
            field="lines",
            deadline=deadline.isoformat(),
            days_left=(deadline - today).days,
            limit=limit,
            date=first.isoformat(),
            source=source,
        )
    ]


PACK: Final = RulePack(
    name=_PACK,
    version=1,
    description="Payer filing deadlines from the date of service",
    rules=(PASSED, CLOSE),
    checks=(_check,),
)
