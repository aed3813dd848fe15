"""Choose our claim for a 277CA claim acknowledgment (loop 2200D) when its TRN02 names several.

Claims imported from another billing system (``openrcm claims import-837``) keep the CLM01 that
system sent, and several of a practice's claims may share it; the 277CA echoes it in TRN02 for
each. :func:`choose_acknowledged_claim` picks the claim an acknowledgment answers from what the
277CA carries, the way :func:`~openrcm.core.posting.claim_match.choose_claim` does for an 835,
narrowing step by step:

1. ``member_id`` / ``patient_name``: the patient (2100D NM1*QC: last and first name, NM109 the
   member id). When the 277CA names a patient and none of the claims is that patient's, nothing
   is chosen: another patient's claim is never acknowledged by elimination.
2. ``payer_claim_number``: REF*1K, when one of the claims already has that payer claim number.
3. ``charge``: the total charge (STC04 of the first STC).
4. ``service_dates``: every line of the claim lies within the claim's DTP*472 period.
5. ``lines``: every 2220D service line finds a line with its procedure code and charge.
6. ``awaiting_acknowledgment``: a 277CA answers claims of batches we sent, so a claim in a sent
   batch that has no payer acknowledgment yet is preferred over one already acknowledged.

A step no claim passes narrows nothing and is noted (the patient step is the exception above).
One claim left: chosen. Several: they are alike in everything the 277CA says, and nothing is
chosen; the app records the acknowledgment naming them, applies it to none, and a person
decides. The result is the 835 chooser's :class:`ClaimChoice`, so both read alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from openrcm.core.money import cents_to_decimal, decimal_to_cents
from openrcm.core.posting.claim_match import (
    ClaimCandidate,
    ClaimChoice,
    ClaimCriterion,
    narrow_by_patient,
    narrow_by_steps,
)
from openrcm.core.x12.ack277ca import ClaimAck
from openrcm.core.x12.hierarchy import Party

__all__ = ["AckCandidate", "choose_acknowledged_claim"]


@dataclass(frozen=True, slots=True)
class AckCandidate:
    """One of our claims with the acknowledgment's TRN02: the 835 chooser's candidate (claim,
    lines, member id, patient name), the payer claim number the claim already has (``""``:
    none), and whether it waits for this answer (``awaiting``: in a batch we sent, with no
    payer acknowledgment yet)."""

    candidate: ClaimCandidate
    payer_claim_number: str = ""
    awaiting: bool = False


def _norm(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


def _fits_period(c: AckCandidate, ack: ClaimAck) -> bool:
    period = ack.service_period
    lines = c.candidate.claim.lines
    return bool(lines) and all(
        period.start <= line.service_date and line.last_date <= period.end for line in lines
    )


def _fits_lines(c: AckCandidate, ack: ClaimAck) -> bool:
    ours = [(line.procedure, line.charge_cents) for line in c.candidate.claim.lines]
    for line in ack.lines:
        key = (line.procedure.code, decimal_to_cents(line.charge))
        if key not in ours:
            return False
        ours.remove(key)  # each of our lines answers one 2220D
    return True


def choose_acknowledged_claim(
    candidates: Sequence[AckCandidate], ack: ClaimAck, patient: Party
) -> ClaimChoice:
    """Choose the claim ``ack`` (a 2200D of the 277CA, under ``patient``'s 2000D) answers
    among ``candidates`` (our claims whose patient control number is its TRN02); see the module
    docstring. ``chosen`` and ``candidates`` of the result are the 835 chooser's
    :class:`ClaimCandidate`. No candidates: nothing chosen (``kind`` ``"unmatched"``)."""
    if not candidates:
        return ClaimChoice(None, (), ("no claim has this patient control number",), (), "unmatched")
    if len(candidates) == 1:
        return ClaimChoice(candidates[0].candidate, (), ())
    left = list(candidates)
    criteria: list[ClaimCriterion] = []
    tried: list[str] = [
        f"{len(left)} claims have patient control number {ack.patient_control_number!r}"
    ]

    # 1. The patient: an acknowledgment never lands on another patient's claim.
    member = _norm(patient.identifier)
    name = (
        (_norm(patient.name), _norm(patient.first_name))
        if _norm(patient.name) and _norm(patient.first_name)
        else None
    )
    patients = narrow_by_patient(
        left,
        ids={member} if member else set(),
        name=name,
        candidate=lambda c: c.candidate,
        criteria=criteria,
        tried=tried,
    )
    if patients is None:
        return ClaimChoice(None, (), tuple(tried), tuple(c.candidate for c in left), "unmatched")
    left = patients

    # 2 to 6: each narrows when some claim fits; a step the 277CA gives nothing for is skipped.
    steps: list[tuple[ClaimCriterion, str, Callable[[AckCandidate], bool]]] = []
    number = ack.payer_claim_control_number.strip()
    if number:
        steps.append(
            (
                ClaimCriterion.PAYER_CLAIM_NUMBER,
                f"payer claim number {number} (REF*1K)",
                lambda c: c.payer_claim_number == number,
            )
        )
    total = ack.total_charge
    if total is not None:
        charge = abs(decimal_to_cents(total))
        steps.append(
            (
                ClaimCriterion.CHARGE,
                f"total charge ${cents_to_decimal(charge):,.2f} (STC04)",
                lambda c: c.candidate.claim.charge_cents == charge,
            )
        )
    period = ack.service_period
    steps.append(
        (
            ClaimCriterion.SERVICE_DATES,
            f"lines within {period.start.isoformat()} to {period.end.isoformat()} (DTP*472)",
            lambda c: _fits_period(c, ack),
        )
    )
    if ack.lines:
        steps.append(
            (
                ClaimCriterion.LINES,
                "every service line by procedure and charge (SVC)",
                lambda c: _fits_lines(c, ack),
            )
        )
    steps.append(
        (
            ClaimCriterion.AWAITING_ACKNOWLEDGMENT,
            "in a batch we sent, not yet acknowledged by the payer",
            lambda c: c.awaiting,
        )
    )
    left = narrow_by_steps(left, steps, criteria=criteria, tried=tried)
    if len(left) == 1:
        return ClaimChoice(left[0].candidate, tuple(criteria), tuple(tried))
    return ClaimChoice(
        None, tuple(criteria), tuple(tried), tuple(c.candidate for c in left), "ambiguous"
    )
