"""Pack ``coverage``: the patient covered by this payer on every date of service, and a secondary
(or tertiary) claim that carries what the prior payer did with it.

A secondary payer adjudicates from the primary's remittance: without the prior payer's paid
amount and adjustments (loops 2320 and 2430) it rejects the claim (RARC MA04). The prior
payer's line adjudication must also balance: what it paid plus its adjustments equals our line
charge.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Final

from openrcm.core.scrub.engine import Finding, Rule, RulePack, Severity

if TYPE_CHECKING:
    from openrcm.core.scrub.context import ScrubContext
    from openrcm.core.scrub.snapshot import ClaimSnapshot

__all__ = ["PACK"]

_PACK: Final = "coverage"
_TR3: Final = "ASC X12 837P 005010X222A1"
E = Severity.ERROR

BEFORE_COVERAGE = Rule(
    "COV-001",
    1,
    E,
    "Line {line} is dated {date}, before the coverage with {payer} began on {start}: verify "
    "eligibility (270/271) and bill the payer that covered that date, or the patient.",
    "X12 CARC 26 (expenses incurred before coverage); ASC X12 270/271 005010X279A1 (plan "
    "begin date)",
    _PACK,
    "Date of service before coverage began",
)
AFTER_COVERAGE = Rule(
    "COV-002",
    1,
    E,
    "Line {line} is dated {date}, after the coverage with {payer} ended on {end}: verify "
    "eligibility (270/271) and bill the payer that covered that date, or the patient.",
    "X12 CARC 27 (expenses incurred after coverage terminated); ASC X12 270/271 005010X279A1 "
    "(plan end date)",
    _PACK,
    "Date of service after coverage ended",
)
NO_PRIOR_ADJUDICATION = Rule(
    "COV-003",
    1,
    E,
    "This claim goes to {payer} as the {sequence} payer but carries no adjudication from the "
    "prior payer: post the primary's remittance (835) first so its payment and adjustments go "
    "on the claim.",
    f"{_TR3} loops 2320 (other subscriber information, AMT*D, CAS), 2330B (other payer, DTP*573) "
    "and 2430 (line adjudication); RARC MA04",
    _PACK,
    "Secondary claim without the primary's adjudication",
)
PRIOR_UNBALANCED = Rule(
    "COV-004",
    1,
    E,
    "Line {line}: prior payer {prior} paid {paid} and adjusted {adjusted}, which does not add up "
    "to the line charge {charge}: post the prior remittance again or correct the line's "
    "adjustments.",
    f"{_TR3} loop 2430 SVD02 and CAS (paid plus adjustments equal the line charge SV102)",
    _PACK,
    "Prior payer's line adjudication does not balance",
)

_SEQUENCE: Final = {"S": "secondary", "T": "tertiary"}
_ZERO: Final = Decimal(0)


def _check(claim: ClaimSnapshot, context: ScrubContext) -> list[Finding]:
    found: list[Finding] = []
    coverage = claim.coverage
    payer = claim.payer.name or claim.payer.id
    if coverage is not None and (coverage.active_from or coverage.active_to):
        start, end = coverage.active_from, coverage.active_to
        for index, line in enumerate(claim.lines):
            day = line.service_date
            if day is None:
                continue
            if start is not None and day < start:
                found.append(
                    BEFORE_COVERAGE.finding(
                        line=line.number,
                        field=f"lines[{index}].service_date",
                        date=day.isoformat(),
                        payer=payer,
                        start=start.isoformat(),
                    )
                )
            elif end is not None and day > end:
                found.append(
                    AFTER_COVERAGE.finding(
                        line=line.number,
                        field=f"lines[{index}].service_date",
                        date=day.isoformat(),
                        payer=payer,
                        end=end.isoformat(),
                    )
                )
    if not claim.is_secondary:
        return found
    adjudicated = [
        prior
        for prior in claim.prior_payers
        if (prior.adjudicated_on is not None and (prior.lines or prior.claim_adjustments))
        or prior.paid.amount != _ZERO
    ]
    if not adjudicated:
        found.append(
            NO_PRIOR_ADJUDICATION.finding(
                field="prior_payers",
                payer=payer,
                sequence=_SEQUENCE.get(claim.payer.responsibility, "next"),
            )
        )
        return found
    charges = {line.number: line.charge for line in claim.lines}
    for prior in adjudicated:
        for result in prior.lines:
            charge = charges.get(result.line)
            if charge is None:
                continue
            adjusted = sum([item.amount.amount for item in result.adjustments], _ZERO)
            if result.paid.amount + adjusted != charge.amount:
                found.append(
                    PRIOR_UNBALANCED.finding(
                        line=result.line,
                        field="prior_payers",
                        prior=prior.payer_id,
                        paid=result.paid,
                        adjusted=f"${adjusted:,.2f}",
                        charge=charge,
                    )
                )
    return found


PACK: Final = RulePack(
    name=_PACK,
    version=1,
    description="Coverage dates and prior payers' adjudication on secondary claims",
    rules=(BEFORE_COVERAGE, AFTER_COVERAGE, NO_PRIOR_ADJUDICATION, PRIOR_UNBALANCED),
    checks=(_check,),
)
