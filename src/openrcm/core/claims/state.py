"""The one claim state machine. Every status change of a claim goes through :func:`transition`.

The moves follow how a billing team works a claim::

    draft -> ready -> batched -> submitted -> accepted (999) -> acknowledged (277CA)
          -> paid | partially_paid | denied (835) -> closed

with the detours for rejections, corrections, reversals and voids documented in
:data:`TRANSITIONS`. A move to the same status is not a transition and is refused: callers
that may see the same event twice (a re-imported file) check ``current == target`` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from openrcm.core.claims.status import ClaimStatus

__all__ = ["TRANSITIONS", "InvalidTransition", "allowed_from", "can_transition", "transition"]

_S = ClaimStatus
_ADJUDICATED: Final = frozenset({_S.PAID, _S.PARTIALLY_PAID, _S.DENIED})

TRANSITIONS: Final[Mapping[ClaimStatus, frozenset[ClaimStatus]]] = MappingProxyType(
    {
        # Built and scrubbed clean; or abandoned before it ever went out.
        _S.DRAFT: frozenset({_S.READY, _S.VOID}),
        # Back to draft when someone edits it; into the day's batch; or abandoned.
        _S.READY: frozenset({_S.DRAFT, _S.BATCHED, _S.VOID}),
        # The file goes out; or the claim is pulled from the batch before it does.
        _S.BATCHED: frozenset({_S.SUBMITTED, _S.READY}),
        # The 999 decides: the clearinghouse took the claim, or refused the file or set.
        _S.SUBMITTED: frozenset({_S.ACCEPTED, _S.REJECTED}),
        # The payer's 277CA accepts or rejects it; some payers send no 277CA and go straight
        # to the 835, so adjudication may follow the 999 directly.
        _S.ACCEPTED: frozenset({_S.ACKNOWLEDGED, _S.REJECTED} | _ADJUDICATED),
        # In adjudication: the 835 decides; a late 277CA rejection can still arrive.
        _S.ACKNOWLEDGED: frozenset({_S.REJECTED} | _ADJUDICATED),
        # Never adjudicated, so it is fixed (draft) or resent as is (ready) as an original,
        # not a replacement; or abandoned.
        _S.REJECTED: frozenset({_S.DRAFT, _S.READY, _S.VOID}),
        # Adjudicated claims close when nothing is left to work, or move among each other
        # when a reversal or corrected remittance re-adjudicates them.
        _S.PAID: frozenset({_S.CLOSED, _S.PARTIALLY_PAID, _S.DENIED}),
        _S.PARTIALLY_PAID: frozenset({_S.CLOSED, _S.PAID, _S.DENIED}),
        # A denial can also be corrected and resubmitted (e.g. CARC 4 or 16).
        _S.DENIED: frozenset({_S.CLOSED, _S.PAID, _S.PARTIALLY_PAID, _S.READY}),
        # A closed claim reopens only when a payer re-adjudicates it (a reversal, CLP02 = 22,
        # or a corrected payment).
        _S.CLOSED: _ADJUDICATED,
        # Final. Voiding a claim the payer already adjudicated is a separate claim with
        # frequency code 8 that travels this lifecycle itself.
        _S.VOID: frozenset(),
    }
)

_ORDER: Final = {status: index for index, status in enumerate(ClaimStatus)}


def _names(statuses: frozenset[ClaimStatus]) -> str:
    return ", ".join(s.value for s in sorted(statuses, key=_ORDER.__getitem__)) or "none"


class InvalidTransition(ValueError):
    """A claim was asked to move to a status its current status does not allow.

    The message reads ``claim cannot go from submitted to draft; allowed: accepted, rejected``.
    """

    def __init__(self, current: ClaimStatus, target: ClaimStatus) -> None:
        self.current = current
        self.target = target
        self.allowed = allowed_from(current)
        super().__init__(
            f"claim cannot go from {current.value} to {target.value}; "
            f"allowed: {_names(self.allowed)}"
        )


def allowed_from(current: ClaimStatus | str) -> frozenset[ClaimStatus]:
    """The statuses a claim in ``current`` may move to (empty for a void claim)."""
    return TRANSITIONS[ClaimStatus(current)]


def can_transition(current: ClaimStatus | str, target: ClaimStatus | str) -> bool:
    """Whether a claim in ``current`` may move to ``target``."""
    return ClaimStatus(target) in allowed_from(current)


def transition(current: ClaimStatus | str, target: ClaimStatus | str) -> ClaimStatus:
    """Return ``target`` if a claim in ``current`` may move there, else raise.

    Accepts the enum or its string value (as a model field holds it); an unknown value raises
    ``ValueError``.

    Raises:
        InvalidTransition: the move is not in :data:`TRANSITIONS`.
    """
    current_status, target_status = ClaimStatus(current), ClaimStatus(target)
    if target_status not in TRANSITIONS[current_status]:
        raise InvalidTransition(current_status, target_status)
    return target_status
