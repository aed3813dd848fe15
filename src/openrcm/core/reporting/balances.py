"""Balances at a date, from money facts, with the core ledger's sign rules.

:func:`balances_as_of` sums each line's money facts with an effective date on or before the
as-of date, through :func:`openrcm.core.posting.entries.effect` (read once into a table of
``(insurance, patient)`` multipliers per kind and bucket, so the hot loop multiplies ints).
Balances as of a past date are what the ledger said then, not today's balances.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Final

from openrcm.core.posting.entries import (
    Bucket,
    Entry,
    EntryKind,
    PatientReason,
    effect,
    fixed_bucket,
)
from openrcm.core.reporting.facts import BalanceFact, ClaimFact, LineFact, MoneyFact

__all__ = ["EFFECTS", "balances_as_of", "multipliers"]


def _unit_effects() -> dict[tuple[str, str], tuple[int, int]]:
    table: dict[tuple[str, str], tuple[int, int]] = {}
    for kind in EntryKind:
        fixed = fixed_bucket(kind)
        buckets = [fixed] if fixed is not None else list(Bucket)
        reason = (
            PatientReason.OTHER
            if kind in (EntryKind.TRANSFER_TO_PATIENT, EntryKind.TRANSFER_TO_NEXT_PAYER)
            else None
        )
        for bucket in buckets:
            table[(kind.value, bucket.value)] = effect(Entry(kind, 1, bucket, reason=reason))
    return table


EFFECTS: Final[dict[tuple[str, str], tuple[int, int]]] = _unit_effects()
"""``(kind, bucket) -> (insurance, patient)`` multipliers of one cent, from the core's
``effect()``. A ``(kind, bucket)`` pair that is not here is not a valid ledger entry."""


def multipliers(fact: MoneyFact) -> tuple[int, int]:
    """The ``(insurance, patient)`` multipliers of ``fact``'s kind and bucket.

    Raises:
        ValueError: the kind is unknown or acts on another bucket (naming the fact).
    """
    try:
        return EFFECTS[(fact.kind, fact.bucket)]
    except KeyError:
        raise ValueError(
            f"money fact {fact!r}: {fact.kind!r} on the {fact.bucket!r} bucket is not a "
            "ledger entry kind and bucket"
        ) from None


def balances_as_of(
    lines: Iterable[LineFact],
    claims: Iterable[ClaimFact],
    money: Iterable[MoneyFact],
    as_of: date,
) -> list[BalanceFact]:
    """Each line's balances from its money facts with ``effective_date <= as_of``, and one row
    per claim with claim-level money facts; rows that are zero in both buckets are left out.

    Raises:
        ValueError: a money fact names a line not in ``lines`` (or, claim-level, a claim not in
            ``claims``), or has an unknown kind and bucket.
    """
    line_by_id = {line.charge_line_id: line for line in lines}
    claim_by_id = {claim.claim_id: claim for claim in claims}
    per_line: dict[int, list[int]] = {}
    per_claim: dict[int, list[int]] = {}
    effects = EFFECTS
    for fact in money:
        line_id, claim_id, kind, bucket, cents, effective, _service = fact
        if effective > as_of:
            continue
        unit = effects.get((kind, bucket))
        if unit is None:
            multipliers(fact)  # raises, naming the fact
            continue
        if line_id is not None:
            acc = per_line.get(line_id)
            if acc is None:
                if line_id not in line_by_id:
                    raise ValueError(
                        f"money fact {fact!r}: charge line {line_id} is not a line fact"
                    )
                acc = per_line[line_id] = [0, 0]
        else:
            acc = per_claim.get(claim_id) if claim_id is not None else None
            if acc is None:
                if claim_id is None or claim_id not in claim_by_id:
                    raise ValueError(
                        f"money fact {fact!r}: a claim-level fact needs a claim among the "
                        "claim facts"
                    )
                acc = per_claim[claim_id] = [0, 0]
        acc[0] += unit[0] * cents
        acc[1] += unit[1] * cents
    result: list[BalanceFact] = []
    for line_id, (insurance, patient) in per_line.items():
        if insurance or patient:
            line = line_by_id[line_id]
            result.append(
                BalanceFact(
                    line_id,
                    line.claim_ids,
                    line.practice_id,
                    line.provider_id,
                    line.payer_id,
                    line.service_date,
                    insurance,
                    patient,
                )
            )
    for claim_id, (insurance, patient) in per_claim.items():
        if insurance or patient:
            claim = claim_by_id[claim_id]
            result.append(
                BalanceFact(
                    None,
                    (claim_id,),
                    claim.practice_id,
                    claim.provider_id,
                    claim.payer_id,
                    claim.service_date,
                    insurance,
                    patient,
                )
            )
    return result
