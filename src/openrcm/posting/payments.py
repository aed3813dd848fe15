"""Writes of manual patient payments: money a patient paid at the desk or by mail, on a claim.

A payment is applied to the claim's lines in line order, each up to what the patient owes on
it (the line's patient balance), as `patient_payment` entries through `ledger_entry_post` (no
payer's claim: the entries name only the charge line). More than the patient owes on the claim
is refused: a credit balance is a decision for a person (a refund), not a side effect.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from openrcm.audit.services import audit_record
from openrcm.claims.models import Claim
from openrcm.core.posting.entries import EntryKind
from openrcm.posting.models import ChargeBalance, LedgerEntry
from openrcm.posting.services import ledger_entry_post

__all__ = ["PatientPaymentError", "patient_payment_post"]


class PatientPaymentError(ValueError):
    """The payment cannot be posted as asked: the message says why; nothing changed."""


def _money(cents: int) -> str:
    return f"{cents / 100:.2f}"


def patient_payment_post(
    *,
    claim: Claim,
    cents: int,
    actor: Any = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> list[LedgerEntry]:
    """Post a patient's payment of `cents` on `claim`, line by line (module docstring).
    Raises `PatientPaymentError` for an amount that is not positive or more than the patient
    owes on the claim's lines."""
    if cents <= 0:
        raise PatientPaymentError("a payment is an amount above zero")
    note = " ".join(note.split())[:200]
    with transaction.atomic():
        lines = list(claim.lines.select_related("charge_line").order_by("line_number"))
        owed = dict(
            ChargeBalance.objects.select_for_update()
            .filter(charge_line_id__in=[ln.charge_line_id for ln in lines])
            .values_list("charge_line_id", "patient_cents")
        )
        total = sum(max(owed.get(ln.charge_line_id, 0), 0) for ln in lines)
        if cents > total:
            raise PatientPaymentError(
                f"the patient owes {_money(total)} on claim {claim.patient_control_number}: "
                f"a payment of {_money(cents)} is more (a credit is a refund decision)"
            )
        left = cents
        rows: list[LedgerEntry] = []
        for line in lines:
            take = min(left, max(owed.get(line.charge_line_id, 0), 0))
            if take <= 0:
                continue
            rows.append(
                ledger_entry_post(
                    charge_line=line.charge_line,
                    kind=EntryKind.PATIENT_PAYMENT,
                    cents=take,
                    actor=actor if getattr(actor, "pk", None) else None,
                    now=now,
                    note=note or "patient payment",
                )
            )
            left -= take
            if left == 0:
                break
        audit_record(
            action="create",
            actor=actor if getattr(actor, "pk", None) else None,
            practice=claim.practice_id,
            object_type="posting.ledgerentry",
            object_id=rows[0].pk,
            patient_id=claim.encounter.patient_id,
            detail={"kind": "patient_payment", "amount": _money(cents), "entries": len(rows)},
        )
    return rows
