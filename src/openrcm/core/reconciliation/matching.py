"""Pairing deposits with 835 remittances: the rules, over plain values.

Rules, in order, for each deposit not yet matched (oldest first):

1. **Trace and amount** (matched automatically): the deposit's trace number (an EFT's TRN02,
   a check's number) equals a remittance's TRN02 (compared by `normalize_trace`: case,
   punctuation and leading zeros do not matter; when both sides know the payer's TRN03 it must
   agree too), and the amounts are equal. One remittance of that trace with the deposit's
   amount is taken; else, when the bank batched several remittances of the same trace into one
   deposit, all of them together when their payments sum to the deposit.
2. **Same trace, different amount** is a *discrepancy*: shown to a person, never matched.
3. **Amount and date** (suggested only): a deposit with no trace match and exactly one
   unmatched remittance of the same amount paid within `SUGGEST_DAYS` days of it (and that
   remittance no other such deposit's only candidate) is a *suggestion*; a person confirms it.

What neither rule pairs stays unmatched on its side.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from openrcm.core.reconciliation.bank_csv import normalize_trace

__all__ = [
    "SUGGEST_DAYS",
    "DepositItem",
    "Discrepancy",
    "MatchPlan",
    "RemittanceItem",
    "plan_matches",
]

SUGGEST_DAYS: Final = 5


@dataclass(frozen=True, slots=True)
class DepositItem:
    id: int
    day: dt.date
    cents: int
    trace: str = ""
    originator: str = ""


@dataclass(frozen=True, slots=True)
class RemittanceItem:
    id: int
    day: dt.date | None
    cents: int
    trace: str = ""
    originator: str = ""


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """A deposit whose trace names remittances whose payment is not the deposit's amount."""

    deposit_id: int
    remittance_ids: tuple[int, ...]
    deposit_cents: int
    remittance_cents: int

    @property
    def difference_cents(self) -> int:
        """Deposit less remittances: negative when less money arrived than the 835 says."""
        return self.deposit_cents - self.remittance_cents


@dataclass(slots=True)
class MatchPlan:
    matches: list[tuple[int, tuple[int, ...]]] = field(default_factory=list)  # deposit, remits
    discrepancies: list[Discrepancy] = field(default_factory=list)
    suggestions: list[tuple[int, int]] = field(default_factory=list)  # deposit, remittance

    @property
    def matched_deposit_ids(self) -> set[int]:
        return {deposit for deposit, _ in self.matches}

    @property
    def matched_remittance_ids(self) -> set[int]:
        return {remit for _, remits in self.matches for remit in remits}


def _same_payer(deposit: DepositItem, remittance: RemittanceItem) -> bool:
    if not deposit.originator or not remittance.originator:
        return True
    return normalize_trace(deposit.originator) == normalize_trace(remittance.originator)


def plan_matches(
    deposits: Sequence[DepositItem], remittances: Sequence[RemittanceItem]
) -> MatchPlan:
    """Apply the module's rules to unmatched deposits and unmatched remittances."""
    plan = MatchPlan()
    by_trace: dict[str, list[RemittanceItem]] = defaultdict(list)
    for remittance in sorted(remittances, key=lambda r: r.id):
        key = normalize_trace(remittance.trace)
        if key:
            by_trace[key].append(remittance)
    taken: set[int] = set()
    traced: set[int] = set()  # deposits whose trace named some remittance
    ordered = sorted(deposits, key=lambda d: (d.day, d.id))
    for deposit in ordered:
        key = normalize_trace(deposit.trace)
        if not key or key not in by_trace:
            continue
        same_payer = [r for r in by_trace[key] if _same_payer(deposit, r)]
        if not same_payer:
            continue
        traced.add(deposit.id)
        candidates = [r for r in same_payer if r.id not in taken]
        if not candidates:
            continue  # a second deposit for a payment already matched: stays unmatched
        exact = [r for r in candidates if r.cents == deposit.cents]
        chosen: list[RemittanceItem] = []
        if exact:
            chosen = exact[:1]
        elif len(candidates) > 1 and sum(r.cents for r in candidates) == deposit.cents:
            chosen = candidates
        if chosen:
            plan.matches.append((deposit.id, tuple(r.id for r in chosen)))
            taken.update(r.id for r in chosen)
        else:
            plan.discrepancies.append(
                Discrepancy(
                    deposit_id=deposit.id,
                    remittance_ids=tuple(r.id for r in candidates),
                    deposit_cents=deposit.cents,
                    remittance_cents=sum(r.cents for r in candidates),
                )
            )
    # Amount and date: only for deposits no trace spoke for, and only unambiguous pairs.
    window = dt.timedelta(days=SUGGEST_DAYS)
    by_cents: dict[int, list[RemittanceItem]] = defaultdict(list)
    for remittance in remittances:
        if remittance.id not in taken and remittance.day is not None:
            by_cents[remittance.cents].append(remittance)
    matched = plan.matched_deposit_ids
    candidates_of: dict[int, list[int]] = {}
    for deposit in ordered:
        if deposit.id in matched or deposit.id in traced:
            continue
        near = [
            r.id
            for r in by_cents.get(deposit.cents, ())
            if r.day is not None and abs(r.day - deposit.day) <= window
        ]
        if len(near) == 1:
            candidates_of[deposit.id] = near
    claimed: dict[int, int] = defaultdict(int)
    for near in candidates_of.values():
        claimed[near[0]] += 1
    for deposit_id, near in candidates_of.items():
        if claimed[near[0]] == 1:
            plan.suggestions.append((deposit_id, near[0]))
    return plan
