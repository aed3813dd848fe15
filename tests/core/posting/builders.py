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


# -- whole 835 files, read by our reader (so every scenario's 835 is balanced) ---------------

_HEAD = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*CLINIC         *260301*0930*^*00501*"
    "000000001*0*P*:~GS*HP*PAYER*CLINIC*20260301*0930*1*X*005010X221A1~"
)
_PARTIES = [
    "TRN*1*{trace}*1512345678",
    "N1*PR*ACME HEALTH",
    "N3*1 MAIN ST",
    "N4*TOWN*PA*17111",
    "PER*BL*EDI*TE*8005551212",
    "N1*PE*CLINIC*XX*1234567893",
]


def era_text(
    body: list[str], *, payment: str, trace: str = "CHK100", plb: tuple[str, ...] = ()
) -> str:
    """An 835 interchange with one set: BPR of ``payment``, one LX holding ``body`` (CLP, CAS,
    NM1, SVC ... segments without terminators), then the PLB segments."""
    handling, method = ("I", "CHK") if payment.strip("0.") else ("H", "NON")
    segs = [f"BPR*{handling}*{payment}*C*{method}************20260301"]
    segs += [s.replace("{trace}", trace) for s in _PARTIES]
    segs += ["LX*1", *body, *plb]
    text = "ST*835*0001*005010X221A1~" + "".join(s + "~" for s in segs)
    text += f"SE*{len(segs) + 2}*0001~"
    return _HEAD + text + "GE*1*1~IEA*1*000000001~"


def read_claims(body: list[str], *, payment: str, plb: tuple[str, ...] = ()) -> list[ClaimPayment]:
    """The claim payments of a one-set 835 made by :func:`era_text`, read by our reader."""
    from openrcm.core.x12.era import read_835

    (remittance,) = read_835(era_text(body, payment=payment, plb=plb))
    return remittance.claims
