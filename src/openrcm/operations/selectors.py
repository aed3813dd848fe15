"""Reads for the operations commands: whole-database counts and the practice register."""

from __future__ import annotations

from typing import Any

from openrcm.claims.models import Claim
from openrcm.claims.selectors import claim_status_counts
from openrcm.core.claims.status import ClaimStatus
from openrcm.encounters.models import Encounter
from openrcm.patients.models import Patient
from openrcm.tenancy.models import Practice


def database_status() -> dict[str, Any]:
    """`{"practices": N, "patients": N, "encounters": N, "claims": {status: N}}` over all data.

    Every claim status appears, in lifecycle order, with 0 where there are none.
    """
    counts = claim_status_counts(claims=Claim.objects.all())
    return {
        "practices": Practice.objects.count(),
        "patients": Patient.objects.count(),
        "encounters": Encounter.objects.count(),
        "claims": {status.value: counts.get(status.value, 0) for status in ClaimStatus},
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
