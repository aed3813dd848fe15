"""Reads for the operations commands: whole-database counts and the practice register."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Sum

from openrcm.claims.models import Claim, ClaimLine
from openrcm.claims.selectors import claim_status_counts
from openrcm.core.claims.status import ClaimStatus
from openrcm.encounters.models import Encounter
from openrcm.patients.models import Patient
from openrcm.posting.models import ChargeBalance
from openrcm.tenancy.models import Practice


def _dollars(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


def database_status() -> dict[str, Any]:
    """`{"practices": N, "patients": N, "encounters": N, "claims": {status: N}, ...}` over all
    data.

    Every claim status appears, in lifecycle order, with 0 where there are none, under
    `claims` and `claims_by_status` (the same counts). `balances` sums the ledger's balances
    ("1234.56"): insurance A/R and what patients owe; `patient_responsibility_claims` counts
    the primary claims whose charge lines patients still owe on.
    """
    counts = claim_status_counts(claims=Claim.objects.all())
    by_status = {status.value: counts.get(status.value, 0) for status in ClaimStatus}
    sums = ChargeBalance.objects.aggregate(
        insurance=Sum("insurance_cents"), patient=Sum("patient_cents")
    )
    owed = ChargeBalance.objects.filter(patient_cents__gt=0, charge_line__isnull=False)
    patient_claims = (
        ClaimLine.objects.filter(
            claim__sequence="P", charge_line_id__in=owed.values("charge_line_id")
        )
        .values("claim_id")
        .distinct()
        .count()
    )
    return {
        "practices": Practice.objects.count(),
        "patients": Patient.objects.count(),
        "encounters": Encounter.objects.count(),
        "claims": by_status,
        "claims_by_status": dict(by_status),
        "balances": {
            "insurance": _dollars(sums["insurance"] or 0),
            "patient": _dollars(sums["patient"] or 0),
        },
        "patient_responsibility_claims": patient_claims,
    }


def practice_rows() -> list[dict[str, Any]]:
    """Every practice as plain data, by name."""
    return [
        {
            "slug": p.slug,
            "name": p.name,
            "organization": p.organization.slug,
            "is_demo": p.organization.is_demo,
            "npi": p.group_npi,
            "tin": p.tin,
            "taxonomy": p.taxonomy,
            "specialty": p.specialty,
            "time_zone": p.time_zone,
            "address_line1": p.address_line1,
            "address_line2": p.address_line2,
            "city": p.city,
            "state": p.state,
            "zip_code": p.zip_display,
            "phone": p.phone,
            "auto_submit": p.auto_submit,  # the daily batch (`openrcm worker`)
            "submit_at": p.submit_at.strftime("%H:%M"),
        }
        for p in Practice.objects.select_related("organization").order_by("name", "slug")
    ]
