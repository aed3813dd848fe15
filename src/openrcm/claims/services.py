"""Writes for claims: built from encounters, moved only through the core state machine."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openrcm.claims.models import Claim, ClaimLine, ClaimStatusChange
from openrcm.core.claims.state import InvalidTransition, transition
from openrcm.core.claims.status import ClaimStatus
from openrcm.encounters.models import Encounter
from openrcm.patients.models import Coverage
from openrcm.tenancy.services import practice_next_number

# Statuses in which the claim still mirrors its encounter and may be rebuilt from it.
EDITABLE = frozenset({ClaimStatus.DRAFT, ClaimStatus.READY})
SEQUENCE_BY_PRIORITY = {1: "P", 2: "S", 3: "T"}


def encounter_is_locked(*, encounter: Encounter) -> bool:
    """True once any claim of the encounter has left the editable statuses."""
    return (
        encounter.claims.exclude(status__in=[s.value for s in EDITABLE])
        .exclude(status=ClaimStatus.VOID.value)
        .exists()
    )


def coverage_for_encounter(*, encounter: Encounter, priority: int = 1) -> Coverage | None:
    """The patient's coverage at `priority` in force on the date of service."""
    candidates = Coverage.objects.filter(
        patient_id=encounter.patient_id, priority=priority
    ).order_by("-effective_from")
    for coverage in candidates:
        if coverage.is_active_on(encounter.date_of_service):
            return coverage
    return None


def _next_pcn(encounter: Encounter) -> str:
    number = practice_next_number(practice=encounter.practice, name="patient_control")
    return f"{encounter.practice_id}C{number:08d}"


def _record(claim: Claim, from_status: str, to_status: str, actor: Any, note: str) -> None:
    ClaimStatusChange.objects.create(
        practice_id=claim.practice_id,
        claim=claim,
        from_status=from_status,
        to_status=to_status,
        at=claim.status_changed_at,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
    )


def claim_sync_from_encounter(*, encounter: Encounter, actor: Any = None) -> Claim | None:
    """Create the primary claim of an encounter, or rebuild its lines while it is editable.

    Returns None when the patient has no primary coverage in force on the date of service
    (self-pay): nothing to bill to a payer.
    """
    with transaction.atomic():
        claim = (
            encounter.claims.filter(sequence="P", status__in=[s.value for s in EDITABLE])
            .order_by("-id")
            .first()
        )
        lines = list(encounter.charge_lines.order_by("line_number"))
        total = sum(line.charge_cents for line in lines)
        if claim is None:
            if encounter.claims.filter(sequence="P").exists():
                return None  # the primary already left the editable statuses
            coverage = coverage_for_encounter(encounter=encounter)
            if coverage is None:
                return None
            now = timezone.now()
            claim = Claim.objects.create(
                practice_id=encounter.practice_id,
                encounter=encounter,
                coverage=coverage,
                sequence=SEQUENCE_BY_PRIORITY[coverage.priority],
                patient_control_number=_next_pcn(encounter),
                total_charge_cents=total,
                status=ClaimStatus.DRAFT.value,
                status_changed_at=now,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            _record(claim, "", ClaimStatus.DRAFT.value, actor, "Built from the encounter.")
        else:
            claim.lines.all().delete()
            claim.total_charge_cents = total
            claim.save(update_fields=["total_charge_cents"])
        ClaimLine.objects.bulk_create(
            ClaimLine(
                practice_id=encounter.practice_id,
                claim=claim,
                charge_line=line,
                line_number=line.line_number,
                charge_cents=line.charge_cents,
            )
            for line in lines
        )
    return claim


def claim_transition(*, claim: Claim, to: ClaimStatus, actor: Any = None, note: str = "") -> Claim:
    """Move a claim to `to` if the core state machine allows it; history is written alongside."""
    with transaction.atomic():
        locked = Claim.objects.select_for_update().get(pk=claim.pk)
        try:
            new = transition(ClaimStatus(locked.status), to)
        except InvalidTransition as exc:
            raise ValidationError({"status": str(exc)}) from exc
        previous = locked.status
        locked.status = new.value
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_changed_at"])
        _record(locked, previous, new.value, actor, note)
    claim.status = locked.status
    claim.status_changed_at = locked.status_changed_at
    return claim
