"""Claims in the core: status vocabulary, the state machine, totals."""

from openrcm.core.claims.state import (
    TRANSITIONS,
    InvalidTransition,
    allowed_from,
    can_transition,
    transition,
)
from openrcm.core.claims.status import ClaimFrequency, ClaimSequence, ClaimStatus
from openrcm.core.claims.totals import LineCharge, claim_total

__all__ = [
    "TRANSITIONS",
    "ClaimFrequency",
    "ClaimSequence",
    "ClaimStatus",
    "InvalidTransition",
    "LineCharge",
    "allowed_from",
    "can_transition",
    "claim_total",
    "transition",
]
