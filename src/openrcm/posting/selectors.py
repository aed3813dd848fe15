"""Reads of posting: a claim's money as `openrcm claims show --json` prints it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, Sum

from openrcm.claims.models import Claim
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.posting.entries import EntryKind, totals_by_kind
from openrcm.posting.ledger import core_entry
from openrcm.posting.models import ChargeBalance, Denial, LedgerEntry, NextPayerClaim


def _money(cents: int) -> str:
    return f"{cents / 100:.2f}"


def claim_entries(claim: Claim) -> list[LedgerEntry]:
    """The ledger of a claim: its own entries, and those on its lines that belong to no
    payer's claim (patient payments, refunds to the patient), oldest first."""
    lines = list(claim.lines.values_list("charge_line_id", flat=True))
    return list(
        LedgerEntry.objects.filter(Q(claim=claim) | Q(claim__isnull=True, charge_line_id__in=lines))
        .select_related("claim_line")
        .order_by("id")
    )


def next_payer_claim_of(claim: Claim) -> str | None:
    """The patient control number of the claim to the next payer made after `claim` was
    adjudicated (`posting.secondary`): the live one (not void), else the latest; for a primary
    without one, a secondary claim of its encounter made otherwise (imported)."""
    made = (
        NextPayerClaim.objects.filter(prior_claim=claim)
        .annotate(void=Q(claim__status=ClaimStatus.VOID.value))
        .order_by("void", "-id")
        .values_list("claim__patient_control_number", flat=True)
        .first()
    )
    if made is not None or claim.sequence != "P":
        return made
    return (
        Claim.objects.filter(encounter_id=claim.encounter_id, sequence="S")
        .exclude(pk=claim.pk)
        .order_by("id")
        .values_list("patient_control_number", flat=True)
        .first()
    )


def claim_money(claim: Claim) -> dict[str, Any]:
    """What the payer paid and adjusted on `claim`, what remains, its denials and ledger.

    Amounts are strings like "120.00". The paid, adjusted and patient-responsibility figures
    are this claim's (this payer's) entries; `insurance_balance` and `patient_balance` are
    what remains on the claim's charge lines across every payer and the patient (a secondary
    claim bills the same charge lines).
    """
    entries = claim_entries(claim)
    own = [core_entry(e) for e in entries if e.claim_id == claim.pk]
    totals = totals_by_kind(own)
    lines = list(claim.lines.values_list("charge_line_id", flat=True))
    sums = ChargeBalance.objects.filter(charge_line_id__in=lines).aggregate(
        insurance=Sum("insurance_cents"), patient=Sum("patient_cents")
    )
    denials = [
        {
            "line": d.claim_line.line_number if d.claim_line else None,
            "group": d.group_code,
            "carc": d.carc,
            "rarcs": d.rarcs,
            "category": d.category,
            "next_action": d.next_action,
            "amount": _money(d.cents),
            "status": d.status,
        }
        for d in Denial.objects.filter(claim=claim).select_related("claim_line").order_by("id")
    ]
    secondary = next_payer_claim_of(claim)
    return {
        "charge": _money(claim.total_charge_cents),
        "insurance_paid": _money(totals[EntryKind.INSURANCE_PAYMENT]),
        "contractual_adjustment": _money(totals[EntryKind.CONTRACTUAL_ADJUSTMENT]),
        "patient_responsibility": _money(
            totals[EntryKind.TRANSFER_TO_PATIENT] + totals[EntryKind.TRANSFER_TO_NEXT_PAYER]
        ),
        "insurance_balance": _money(sums["insurance"] or 0),
        "patient_balance": _money(sums["patient"] or 0),
        "denied": any(d["status"] == "open" for d in denials),
        "denials": denials,
        "secondary_claim": secondary,
        "ledger": [
            {
                "id": e.pk,
                "date": e.effective_date.isoformat(),
                "kind": e.kind,
                "amount": _money(e.cents),
                "bucket": e.bucket,
                "line": e.claim_line.line_number if e.claim_line else None,
                "group": e.group_code,
                "carc": e.carc,
                "rarcs": e.rarcs,
                "patient_reason": e.patient_reason,
                "source": e.source,
                "reverses": e.reverses_id,
                "note": e.note,
            }
            for e in entries
        ],
    }
