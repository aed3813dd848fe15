"""Small builders of 835 dataclasses and our claim lines for the posting tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from openrcm.core.posting.match import OurLine
from openrcm.core.x12.era import (
    Adjustment,
    ClaimPayment,
    DateRef,
    Reference,
    Remark,
    ServiceLine,
)

DOS = date(2026, 1, 5)


def cas(spec: str) -> list[Adjustment]:
    """``"CO-45:20.00 PR-2:5"`` -> adjustments."""
    out = []
    for item in spec.split():
        code, amount = item.split(":")
        group, reason = code.split("-", 1)
        out.append(Adjustment(group, reason, Decimal(amount)))
    return out


def svc(
    code: str,
    charge: str,
    paid: str,
    adjustments: str = "",
    *,
    mods: tuple[str, ...] = (),
    lcn: str | None = None,
    day: date | None = DOS,
    units: str | None = None,
    original: list[str] | None = None,
    rarcs: tuple[str, ...] = (),
) -> ServiceLine:
    line = ServiceLine("HC", code, Decimal(charge), Decimal(paid), list(mods))
    line.adjustments = cas(adjustments)
    if lcn is not None:
        line.references = [Reference("6R", lcn)]
    if day is not None:
        line.dates = [DateRef("472", day)]
    if units is not None:
        line.units = Decimal(units)
    line.original_procedure = original
    line.remarks = [Remark("HE", r) for r in rarcs]
    return line


def clp(
    pcn: str,
    status: str,
    charge: str,
    paid: str,
    lines: list[ServiceLine],
    adjustments: str = "",
    *,
    payer_claim: str = "PAYERCLAIM1",
    moa: tuple[str, ...] = (),
) -> ClaimPayment:
    claim = ClaimPayment(pcn, status, Decimal(charge), Decimal(paid), "CI", payer_claim)
    claim.lines = lines
    claim.adjustments = cas(adjustments)
    if moa:
        claim.outpatient = ["", "", *moa]
    return claim


def ours(
    line_id: int,
    code: str,
    charge_cents: int,
    *,
    mods: tuple[str, ...] = (),
    lcn: str | None = None,
    day: date = DOS,
    units: str = "1",
) -> OurLine:
    return OurLine(line_id, lcn, code, mods, day, charge_cents, Decimal(units))
