"""Writing the 835s of the worked scenarios with the core's writer (balanced by construction:
BPR02 is computed from the CLPs and PLBs, CLP04 from the lines)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from openrcm.core.x12.era import (
    Address,
    Adjustment,
    ClaimPayment,
    Contact,
    DateRef,
    EntityName,
    Party,
    Payment,
    PlbItem,
    ProviderAdjustment,
    Reference,
    Remark,
    Remittance,
    ServiceLine,
    Trace,
    write_835,
)

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
PAID_ON = date(2026, 11, 2)
D = Decimal


def svc(
    line: Any,
    paid: str,
    *adjustments: tuple[str, str, str],
    remarks: tuple[str, ...] = (),
    lcn: bool = True,
) -> ServiceLine:
    """An SVC for our claim line `line` (its charge, procedure, date and REF*6R)."""
    charge = line.charge_line
    return ServiceLine(
        procedure_qualifier="HC",
        procedure_code=charge.procedure_code,
        modifiers=list(charge.modifiers),
        charge=D(line.charge_cents) / 100,
        paid=D(paid),
        dates=[DateRef("472", charge.service_date or line.claim.encounter.date_of_service)],
        adjustments=[Adjustment(g, r, D(a)) for g, r, a in adjustments],
        references=[Reference("6R", charge.line_control_number)] if lcn else [],
        remarks=[Remark("HE", code) for code in remarks],
    )


def clp(
    claim: Any,
    lines: list[ServiceLine],
    *,
    status: str = "1",
    icn: str = "ICN0001",
    adjustments: tuple[tuple[str, str, str], ...] = (),
    remarks: tuple[str, ...] = (),
    pcn: str | None = None,
    sign: int = 1,
) -> ClaimPayment:
    """A CLP for `claim`: charge from our claim, paid = sum of the SVC payments less the
    claim-level CAS (or, without lines, charge less the CAS)."""
    claim_cas = [Adjustment(g, r, D(a) * sign) for g, r, a in adjustments]
    charge = D(claim.total_charge_cents) / 100 * sign
    if lines:
        paid = sum((ln.paid for ln in lines), D(0)) - sum((a.amount for a in claim_cas), D(0))
    else:
        paid = charge - sum((a.amount for a in claim_cas), D(0))
    pr = sum((a.amount for a in claim_cas if a.group == "PR"), D(0)) + sum(
        (a.amount for ln in lines for a in ln.adjustments if a.group == "PR"), D(0)
    )
    return ClaimPayment(
        patient_control_number=pcn or claim.patient_control_number,
        status=status,
        charge=charge,
        paid=paid,
        filing_indicator="MB",
        payer_claim_number=icn,
        patient_responsibility=pr or None,
        adjustments=claim_cas,
        outpatient=["", "", *remarks] if remarks else None,
        names=[EntityName("QC", "1", "TESTPATIENT", "JORDAN", id_qualifier="MI", id="MA0001")],
        lines=lines,
    )


def negate(line: ServiceLine) -> ServiceLine:
    """The SVC of a reversal: the original's amounts negated."""
    return ServiceLine(
        procedure_qualifier=line.procedure_qualifier,
        procedure_code=line.procedure_code,
        modifiers=line.modifiers,
        charge=-line.charge,
        paid=-line.paid,
        dates=line.dates,
        adjustments=[Adjustment(a.group, a.reason, -a.amount) for a in line.adjustments],
        references=line.references,
        remarks=line.remarks,
    )


def remittance(
    claims: list[ClaimPayment],
    *,
    trace: str = "TRACE0001",
    payer_id: str = "1512345678",
    control: str = "0001",
    plb: list[tuple[str, str, str]] | None = None,
    payee_npi: str = "1234567893",
) -> Remittance:
    items = [PlbItem(reason, D(amount), reference) for reason, amount, reference in plb or []]
    plbs = [ProviderAdjustment("1234567893", date(2026, 12, 31), items)] if items else []
    total = sum((c.paid for c in claims), D(0)) - sum((i.amount for i in items), D(0))
    return Remittance(
        control_number=control,
        payment=Payment("I" if total else "H", total, "C", "CHK" if total else "NON", PAID_ON),
        trace=Trace(trace, payer_id),
        payer=Party(
            "PR",
            "MEDICARE PART B",
            address=Address("PO BOX 1", city="SPRINGFIELD", state="IL", postal_code="62704"),
            contacts=[Contact("BL", "EDI SUPPORT", [("TE", "8005551212")])],
        ),
        payee=Party("PE", "PRACTICE A", "XX", payee_npi),
        claims=claims,
        provider_adjustments=plbs,
    )


def era(*remittances: Remittance, isa: int = 1) -> bytes:
    """The 835 interchange holding `remittances`, as bytes."""
    text = write_835(
        list(remittances),
        sender_id="MEDICARE",
        receiver_id="CLINIC",
        isa_control=isa,
        gs_control=isa,
        now=NOW,
    )
    return text.encode()
