"""Pack ``identifiers``: NPI check digits for every provider on the claim, and the tax id's shape.

An NPI is ten digits whose last is a Luhn check digit computed over ``80840`` and the first nine
(the card-issuer prefix for US health applications). A typo in one digit almost always fails it,
and a payer rejects the claim (CARC 206/207, RARC N290) before anyone reads it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from openrcm.core.identifiers import npi_is_valid
from openrcm.core.scrub.engine import Finding, Rule, RulePack, Severity

if TYPE_CHECKING:
    from openrcm.core.scrub.context import ScrubContext
    from openrcm.core.scrub.snapshot import ClaimSnapshot

__all__ = ["PACK"]

_PACK: Final = "identifiers"
_NPI_STANDARD: Final = (
    "45 CFR 162.406 (NPI standard; check digit: Luhn over 80840 and the first nine digits)"
)
_TR3: Final = "ASC X12 837P 005010X222A1"


def _npi_rule(rule_id: str, who: str, loop: str) -> Rule:
    return Rule(
        rule_id,
        1,
        Severity.ERROR,
        f"The {who} NPI {{npi}} {{problem}}: check it against the NPI registry (NPPES) and "
        "correct the digits.",
        f"{_NPI_STANDARD}; {_TR3} loop {loop} NM109",
        _PACK,
        f"{who.capitalize()} NPI invalid",
    )


BILLING_NPI = _npi_rule("NPI-001", "billing provider", "2010AA")
RENDERING_NPI = _npi_rule("NPI-002", "rendering provider", "2310B")
REFERRING_NPI = _npi_rule("NPI-003", "referring provider", "2310A")
FACILITY_NPI = _npi_rule("NPI-004", "service facility", "2310C")
LINE_RENDERING_NPI = _npi_rule("NPI-005", "line rendering provider", "2420A")
TIN_SHAPE = Rule(
    "TIN-001",
    1,
    Severity.ERROR,
    "The billing provider's tax id {tin} is not a valid EIN or SSN (nine digits, not all "
    "zeros): correct it from the IRS letter or W-9.",
    f"{_TR3} loop 2010AA REF*EI / REF*SY (billing provider tax identification number)",
    _PACK,
    "Billing provider tax id malformed",
)

# The same few NPIs appear on thousands of claims: remember the answers.
_npi_ok: Final = lru_cache(maxsize=8192)(npi_is_valid)

_TIN: Final = re.compile(r"[0-9]{2}-?[0-9]{7}|[0-9]{3}-?[0-9]{2}-?[0-9]{4}")


def _problem(npi: str) -> str:
    digits = npi.strip()
    if len(digits) != 10 or not digits.isdigit():
        return "is not ten digits"
    return "fails its check digit"


def _check(claim: ClaimSnapshot, context: ScrubContext) -> list[Finding]:
    found: list[Finding] = []
    npi = claim.billing.npi
    if npi and not _npi_ok(npi):
        found.append(BILLING_NPI.finding(field="billing.npi", npi=npi, problem=_problem(npi)))
    value = claim.rendering_npi
    if value and not _npi_ok(value):
        found.append(
            RENDERING_NPI.finding(field="rendering_npi", npi=value, problem=_problem(value))
        )
    value = claim.referring_npi
    if value and not _npi_ok(value):
        found.append(
            REFERRING_NPI.finding(field="referring_npi", npi=value, problem=_problem(value))
        )
    value = claim.service_facility_npi
    if value and not _npi_ok(value):
        found.append(
            FACILITY_NPI.finding(field="service_facility_npi", npi=value, problem=_problem(value))
        )
    for index, line in enumerate(claim.lines):
        value = line.rendering_npi
        if value and value != claim.rendering_npi and not _npi_ok(value):
            found.append(
                LINE_RENDERING_NPI.finding(
                    line=line.number,
                    field=f"lines[{index}].rendering_npi",
                    npi=value,
                    problem=_problem(value),
                )
            )
    found.extend(_tin(claim.billing.tin))
    return found


@lru_cache(maxsize=4096)
def _tin(value: str) -> tuple[Finding, ...]:
    tin = value.strip()
    if tin and (not _TIN.fullmatch(tin) or set(tin.replace("-", "")) == {"0"}):
        return (TIN_SHAPE.finding(field="billing.tin", tin=tin),)
    return ()


PACK: Final = RulePack(
    name=_PACK,
    version=1,
    description="NPI check digits and the billing tax id",
    rules=(BILLING_NPI, RENDERING_NPI, REFERRING_NPI, FACILITY_NPI, LINE_RENDERING_NPI, TIN_SHAPE),
    checks=(_check,),
)
