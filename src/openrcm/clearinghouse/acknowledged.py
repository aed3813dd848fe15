"""Which of our claims each 277CA claim acknowledgment answers.

TRN02 of a 277CA's 2200D is the CLM01 we sent. Numbers OpenRCM draws name one claim of the
practice, but claims imported from another biller keep that system's number and may share it;
then :func:`openrcm.core.claims.ack_match.choose_acknowledged_claim` chooses among them from
what the 277CA says (patient, REF*1K, charge, dates, lines, the batch awaiting an answer).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openrcm.claims.models import Claim, ClaimLine
from openrcm.clearinghouse.models import BatchClaim, BatchStatus
from openrcm.core.claims.ack_match import AckCandidate, choose_acknowledged_claim
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.posting.claim_match import ClaimCandidate, ClaimChoice
from openrcm.core.posting.match import OurLine
from openrcm.core.posting.plan import OurClaim
from openrcm.core.x12.ack277ca import ClaimAck, PatientAck

__all__ = ["AcknowledgedClaim", "acknowledged_claims_choose"]

# A claim waits for a 277CA while the clearinghouse has taken it and the payer has not answered.
_AWAITING = (ClaimStatus.SUBMITTED.value, ClaimStatus.ACCEPTED.value)
_SENT = (BatchStatus.SUBMITTED, BatchStatus.ACCEPTED)


@dataclass(frozen=True, slots=True)
class AcknowledgedClaim:
    """One 2200D and its claim (``None`` when no claim, or no one claim, is surely it);
    ``choice`` says how the claim was chosen or why none was (the candidates a person
    chooses among)."""

    ack: ClaimAck
    claim: Claim | None
    choice: ClaimChoice


def acknowledged_claims_choose(
    *, practice_id: int, partner_id: int, acks: Sequence[tuple[PatientAck, ClaimAck]]
) -> list[AcknowledgedClaim]:
    """The claim each acknowledgment (with its 2000D patient) answers, among the practice's
    claims with its TRN02; claims sharing an imported number are told apart by the core's
    chooser, and an ambiguous one gets no claim. In the order of ``acks``."""
    groups: dict[str, list[Claim]] = defaultdict(list)
    for claim in (
        Claim.objects.filter(
            practice_id=practice_id,
            patient_control_number__in={a.patient_control_number for _, a in acks},
        )
        .only(
            "pk",
            "practice_id",
            "status",
            "status_changed_at",
            "patient_control_number",
            "payer_claim_number",
        )
        .order_by("id")
    ):
        groups[claim.patient_control_number].append(claim)
    shared = [c for group in groups.values() if len(group) > 1 for c in group]
    candidates = _candidates(shared, partner_id=partner_id) if shared else {}
    by_id = {c.pk: c for c in shared}
    out: list[AcknowledgedClaim] = []
    for patient, ack in acks:
        group = groups.get(ack.patient_control_number, [])
        if len(group) == 1:  # our own numbers, and an imported number no other claim has
            out.append(AcknowledgedClaim(ack, group[0], ClaimChoice(None, (), ())))
            continue
        choice = choose_acknowledged_claim([candidates[c.pk] for c in group], ack, patient.patient)
        chosen = by_id[choice.chosen.claim_id] if choice.chosen is not None else None
        out.append(AcknowledgedClaim(ack, chosen, choice))
    return out


def _candidates(claims: list[Claim], *, partner_id: int) -> dict[int, AckCandidate]:
    """What the chooser compares for claims sharing a number: lines with their dates, member
    id, patient name, payer claim number, and whether a batch we sent awaits its answer."""
    ids = [c.pk for c in claims]
    people = {
        pk: (member_id, last, first)
        for pk, member_id, last, first in Claim.objects.filter(pk__in=ids).values_list(
            "pk",
            "coverage__member_id",
            "encounter__patient__last_name",
            "encounter__patient__first_name",
        )
    }
    lines: dict[int, list[OurLine]] = defaultdict(list)
    for line in (
        ClaimLine.objects.filter(claim_id__in=ids)
        .select_related("charge_line", "claim__encounter")
        .order_by("claim_id", "line_number")
    ):
        charge = line.charge_line
        lines[line.claim_id].append(
            OurLine(
                line_id=line.pk,
                line_control_number=charge.line_control_number or None,
                procedure=charge.procedure_code,
                modifiers=tuple(charge.modifiers),
                service_date=charge.service_date or line.claim.encounter.date_of_service,
                service_end_date=charge.service_end_date,
                charge_cents=line.charge_cents,
                units=Decimal(charge.units),
            )
        )
    in_sent_batch = set(
        BatchClaim.objects.filter(
            claim_id__in=ids, batch__partner_id=partner_id, status__in=_SENT
        ).values_list("claim_id", flat=True)
    )
    return {
        c.pk: AckCandidate(
            ClaimCandidate(
                OurClaim(c.pk, c.patient_control_number, tuple(lines[c.pk])),
                member_id=people[c.pk][0] or "",
                last_name=people[c.pk][1] or "",
                first_name=people[c.pk][2] or "",
            ),
            payer_claim_number=c.payer_claim_number,
            awaiting=c.pk in in_sent_batch and c.status in _AWAITING,
        )
        for c in claims
    }
