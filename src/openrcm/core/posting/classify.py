"""What one CAS adjustment (group, CARC, amount) does to the ledger.

The rules, in the order :func:`classify` applies them (CARC facts from
:mod:`openrcm.core.codes.carc`):

===========  ==========================================  ====================================
group        CARC                                        ledger
===========  ==========================================  ====================================
any          23 (impact of the prior payer)              ``prior_payer``: no new balance
any          100 (payment made to the patient)           ``transfer_to_patient`` (other)
PR           1, 2, 3 and any other                       ``transfer_to_patient`` by reason;
                                                         ``transfer_to_next_payer`` when the
                                                         patient has a next payer
CO           42, A2 (deactivated contractual codes)      ``contractual_adjustment``
CO, OA, PI   a denial CARC (``is_denial``; any code not  ``denial``: stays open as insurance
             in our table), or one whose next action is  A/R, with a :class:`DenialFinding`
             to wait (133 pending review, B11 forwarded)
CO           any other (45, 253, 24, 59, 131 ...)        ``contractual_adjustment``
OA           any other (131 ...)                         ``other_adjustment``
PI           any other (45, 253 ...)                     ``other_adjustment``, flagged for
                                                         review (no contract supports it)
===========  ==========================================  ====================================

A denial is never a write-off: the denied amount stays insurance A/R until a person appeals,
corrects and resubmits, or writes it off. That holds whether or not the payer paid the rest of
the line (a CO-151 units reduction or a B10 partial bundling on a paid line is a denied amount
too: never hidden, worked or written off by a person).

A PR amount is never a denial, even when the payer paid nothing: a claim paid zero because
everything went to the deductible is not a denial.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from openrcm.core.codes.carc import DenialCategory, NextAction, carc
from openrcm.core.codes.rarc import RARCS
from openrcm.core.posting.entries import CAS_GROUPS, EntryKind, PatientReason

__all__ = ["AdjustmentEffect", "DenialFinding", "classify", "denial_finding"]

PRIOR_PAYER_CARC: Final = "23"
PAID_TO_PATIENT_CARC: Final = "100"

# Deactivated CARCs some payers still send for the contractual write-off (the shared samples
# have both): 42, charges exceed the fee schedule (now 45), and A2, contractual adjustment.
LEGACY_CONTRACTUAL: Final = frozenset({"42", "A2"})


@dataclass(frozen=True, slots=True)
class AdjustmentEffect:
    """The ledger kind for one CAS adjustment, with its patient reason (for transfers), and
    whether it is a denial (kept open, reported) or a reduction to review (PI)."""

    kind: EntryKind
    reason: PatientReason | None = None
    review: bool = False

    @property
    def is_denial(self) -> bool:
        return self.kind is EntryKind.DENIAL


@dataclass(frozen=True, slots=True)
class DenialFinding:
    """A denied amount for a person to work: on a line (``line_id``) or the whole claim (None).

    ``category`` and ``next_action`` come from the CARC table; ``amount_cents`` is the amount
    the CAS denied (kept open as insurance A/R); ``group`` is its CAS group.
    """

    carc: str
    rarcs: tuple[str, ...]
    category: DenialCategory
    next_action: NextAction
    line_id: int | None
    amount_cents: int
    group: str = "CO"
    description: str = ""


@lru_cache(maxsize=4096)
def classify(group: str, reason_code: str, *, has_next_payer: bool) -> AdjustmentEffect:
    """The ledger effect of a CAS adjustment of ``group`` with CARC ``reason_code``.

    ``has_next_payer``: the patient has another coverage after this payer, so patient
    responsibility (PR) stays insurance A/R for the next payer to see.

    Raises:
        ValueError: ``group`` is not CO, PR, OA or PI (5010 has no CR group).
    """
    group = group.strip().upper()
    code = reason_code.strip().upper()
    if group not in CAS_GROUPS:
        raise ValueError(f"CAS group {group!r} is not one of CO, PR, OA, PI")
    if code == PRIOR_PAYER_CARC:
        return AdjustmentEffect(EntryKind.PRIOR_PAYER)
    if code == PAID_TO_PATIENT_CARC:
        # The payer paid the patient, who now owes the practice; no next payer owes it.
        return AdjustmentEffect(EntryKind.TRANSFER_TO_PATIENT, PatientReason.OTHER)
    if group == "PR":
        kind = EntryKind.TRANSFER_TO_NEXT_PAYER if has_next_payer else EntryKind.TRANSFER_TO_PATIENT
        return AdjustmentEffect(kind, PatientReason.for_carc(code))
    if group == "CO" and code in LEGACY_CONTRACTUAL:
        return AdjustmentEffect(EntryKind.CONTRACTUAL_ADJUSTMENT)
    entry = carc(code)
    if entry.is_denial or entry.next_action is NextAction.WAIT:
        return AdjustmentEffect(EntryKind.DENIAL)
    if group == "CO":
        return AdjustmentEffect(EntryKind.CONTRACTUAL_ADJUSTMENT)
    return AdjustmentEffect(EntryKind.OTHER_ADJUSTMENT, review=group == "PI")


def denial_finding(
    *,
    group: str,
    reason_code: str,
    rarcs: Sequence[str],
    line_id: int | None,
    amount_cents: int,
) -> DenialFinding:
    """The finding for a denied amount, with category and next action from the CARC table;
    a RARC that names a sharper category (CARC 16 or A1 with M76, say) refines a general one."""
    entry = carc(reason_code)
    category, action = entry.category, entry.next_action
    if category is DenialCategory.GENERAL or reason_code.strip().upper() == "16":
        refined = _refine(rarcs)
        if refined is not None and refined[0] is not DenialCategory.GENERAL:
            category, action = refined
    return DenialFinding(
        carc=entry.code,
        rarcs=tuple(rarcs),
        category=category,
        next_action=action,
        line_id=line_id,
        amount_cents=amount_cents,
        group=group.strip().upper(),
        description=entry.description,
    )


def _refine(rarcs: Sequence[str]) -> tuple[DenialCategory, NextAction] | None:
    for code in rarcs:
        found = RARCS.get(code.strip().upper())
        if found is not None and found.category is not DenialCategory.GENERAL:
            return found.category, found.next_action
    return None
