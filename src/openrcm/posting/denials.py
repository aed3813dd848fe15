"""Writes of the denials worklist: a person works a payer's denial.

The 835 import records a `Denial` and keeps the denied amount open as insurance A/R (a
denial is not a write-off). Someone then decides, with :func:`denial_work`:

- **appeal**: the appeal is filed with the payer; the amount stays open, the claim stays
  denied, the denial waits (as *appealed*) for the payer's answer, which comes as a new 835.
- **resubmit** (corrected and resubmitted): the claim goes back to *ready* through the state
  machine (denied -> ready) to be corrected and sent again; the amount stays open.
- **write off**: a reason is required. The open insurance balance the denial left on each
  of its lines (the `denial` entries the 835 posted, capped by what is still open on the line)
  is written off by `ledger_entry_post` (kind `write_off`, bucket insurance, the reason in the
  note), in the same transaction as the denial's status. When nothing is left to work on the
  claim (no denial open or appealed, both balances zero) the claim closes.

An open or appealed denial may be worked; a written-off or resubmitted one is done. Every
step is audited (`update` of `posting.denial`, the action in the detail).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from openrcm.audit.services import audit_record
from openrcm.claims.models import Claim, ClaimLine
from openrcm.claims.services import claim_transition
from openrcm.core.claims.state import can_transition
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.posting.entries import Bucket, EntryKind
from openrcm.posting.models import ChargeBalance, Denial, DenialStatus, LedgerEntry
from openrcm.posting.services import ledger_entry_post

__all__ = ["DenialAction", "DenialWorkError", "denial_work", "denial_write_off_plan"]

NOTE_MAX = 200  # a ledger entry's note


class DenialAction(StrEnum):
    APPEAL = "appeal"
    RESUBMIT = "resubmit"
    WRITE_OFF = "write_off"

    @property
    def label(self) -> str:
        return {
            DenialAction.APPEAL: "Appeal",
            DenialAction.RESUBMIT: "Corrected and resubmitted",
            DenialAction.WRITE_OFF: "Write off",
        }[self]


_DONE = {
    DenialAction.APPEAL: DenialStatus.APPEALED,
    DenialAction.RESUBMIT: DenialStatus.RESUBMITTED,
    DenialAction.WRITE_OFF: DenialStatus.WRITTEN_OFF,
}
# What each action may follow: an appeal is filed once; a lost appeal is corrected or written off.
_FROM = {
    DenialAction.APPEAL: {DenialStatus.OPEN},
    DenialAction.RESUBMIT: {DenialStatus.OPEN, DenialStatus.APPEALED},
    DenialAction.WRITE_OFF: {DenialStatus.OPEN, DenialStatus.APPEALED},
}
WORKABLE = (DenialStatus.OPEN, DenialStatus.APPEALED)


class DenialWorkError(ValueError):
    """The denial cannot be worked that way: the message says why; nothing changed."""


def denial_write_off_plan(denial: Denial) -> list[tuple[ClaimLine, int]]:
    """(claim line, cents) a write-off of `denial` would post: per line, the amount the 835
    denied with this CARC on it, capped by the insurance balance still open on the line."""
    lines = (
        [denial.claim_line]
        if denial.claim_line is not None
        else list(denial.claim.lines.select_related("charge_line").order_by("line_number"))
    )
    denied = dict(
        LedgerEntry.objects.filter(
            remittance_claim_id=denial.remittance_claim_id,
            kind=EntryKind.DENIAL.value,
            group_code=denial.group_code,
            carc=denial.carc,
            claim_line_id__in=[ln.pk for ln in lines],
        )
        .values("claim_line_id")
        .annotate(cents=Sum("cents"))
        .values_list("claim_line_id", "cents")
    )
    open_cents = dict(
        ChargeBalance.objects.filter(
            charge_line_id__in=[ln.charge_line_id for ln in lines]
        ).values_list("charge_line_id", "insurance_cents")
    )
    plan: list[tuple[ClaimLine, int]] = []
    for line in lines:
        cents = min(denied.get(line.pk) or 0, open_cents.get(line.charge_line_id, 0))
        if cents > 0:
            plan.append((line, cents))
    return plan


def _close_when_done(claim: Claim, actor: Any, now: dt.datetime | None = None) -> None:
    if Denial.objects.filter(claim=claim, status__in=WORKABLE).exists():
        return
    charge_lines = list(claim.lines.values_list("charge_line_id", flat=True))
    left = ChargeBalance.objects.filter(charge_line_id__in=charge_lines).aggregate(
        insurance=Sum("insurance_cents"), patient=Sum("patient_cents")
    )
    settled = (left["insurance"] or 0) == 0 and (left["patient"] or 0) == 0
    if settled and can_transition(claim.status, ClaimStatus.CLOSED):
        claim_transition(
            claim=claim,
            to=ClaimStatus.CLOSED,
            actor=actor,
            note="Closed: the last denial was written off, nothing left to collect.",
            now=now,
        )


def denial_work(
    *,
    denial: Denial,
    action: DenialAction | str,
    note: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Denial:
    """Work one denial: appeal, corrected and resubmitted, or write off (reason required).

    The module docstring gives what each does. Raises `DenialWorkError` (nothing written) for
    an unknown action, a denial already done, a write-off without a reason or with nothing
    left open, or a claim the state machine does not let go back to ready.
    """
    try:
        chosen = DenialAction(action)
    except ValueError:
        raise DenialWorkError(
            f"unknown action {action!r} (one of: {', '.join(a.value for a in DenialAction)})"
        ) from None
    note = " ".join(note.split())
    if chosen is DenialAction.WRITE_OFF and not note:
        raise DenialWorkError("a write-off needs a reason")
    moment = now or timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        locked = (
            Denial.objects.select_for_update(of=("self",))
            .select_related("claim__encounter", "claim_line__charge_line", "remittance_claim")
            .get(pk=denial.pk)
        )
        if locked.status not in _FROM[chosen]:
            raise DenialWorkError(
                f"this denial is {locked.get_status_display().lower()}: it cannot be "
                f"{'written off' if chosen is DenialAction.WRITE_OFF else chosen.label.lower()}"
            )
        claim = Claim.objects.select_for_update().get(pk=locked.claim_id)
        label = f"{locked.group_code}-{locked.carc}"
        written = 0
        if chosen is DenialAction.WRITE_OFF:
            if locked.remittance_claim.reversed_by_id is not None:
                raise DenialWorkError(
                    "the payer reversed the claim payment of this denial: nothing to write off"
                )
            plan = denial_write_off_plan(locked)
            if not plan:
                raise DenialWorkError(
                    f"nothing of the {label} denial is still open on the claim's lines"
                )
            for line, cents in plan:
                ledger_entry_post(
                    charge_line=line.charge_line,
                    kind=EntryKind.WRITE_OFF,
                    cents=cents,
                    bucket=Bucket.INSURANCE,
                    claim=claim,
                    actor=user,
                    now=moment,
                    note=f"denial {label} written off: {note}"[:NOTE_MAX],
                )
                written += cents
        elif chosen is DenialAction.RESUBMIT and claim.status != ClaimStatus.READY.value:
            if not can_transition(claim.status, ClaimStatus.READY):
                raise DenialWorkError(
                    f"claim {claim.patient_control_number} is {claim.status}: a "
                    f"{claim.status} claim cannot go back to ready (only a denied claim can)"
                )
            claim_transition(
                claim=claim,
                to=ClaimStatus.READY,
                actor=user,
                note=f"Denial {label}: corrected and resubmitted. {note}".strip()[:500],
            )
        locked.status = _DONE[chosen]
        locked.worked_by = user
        locked.worked_at = moment
        locked.save(update_fields=["status", "worked_by", "worked_at"])
        if chosen is DenialAction.WRITE_OFF:
            _close_when_done(claim, user, moment)
        detail: dict[str, Any] = {"action": chosen.value, "carc": locked.carc}
        if note:
            detail["note"] = note[:NOTE_MAX]
        if written:
            detail["written_off"] = f"{written / 100:.2f}"
        audit_record(
            action="update",
            actor=user,
            practice=locked.practice_id,
            object_type="posting.denial",
            object_id=locked.pk,
            patient_id=claim.encounter.patient_id,
            detail=detail,
        )
    denial.status = locked.status
    denial.worked_by_id = locked.worked_by_id
    denial.worked_at = locked.worked_at
    return locked
