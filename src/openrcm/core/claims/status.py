"""The vocabulary of a claim: its lifecycle status, its frequency code, its payer sequence."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

__all__ = ["ClaimFrequency", "ClaimSequence", "ClaimStatus"]


class ClaimStatus(StrEnum):
    """Where a claim is in its life. The allowed moves are in :mod:`openrcm.core.claims.state`."""

    DRAFT = "draft"
    """Being built or edited; not yet clean enough to send."""
    READY = "ready"
    """Scrubbed clean (or warnings overridden); waiting for the next batch."""
    BATCHED = "batched"
    """In a batch (an 837P file) that has not gone out yet."""
    SUBMITTED = "submitted"
    """Sent to the clearinghouse; no acknowledgment yet."""
    ACCEPTED = "accepted"
    """The clearinghouse accepted the file (999)."""
    ACKNOWLEDGED = "acknowledged"
    """The payer accepted the claim into adjudication (277CA)."""
    REJECTED = "rejected"
    """Refused by the clearinghouse (999) or the payer (277CA); never adjudicated."""
    PAID = "paid"
    """Adjudicated and paid in full (835)."""
    PARTIALLY_PAID = "partially_paid"
    """Adjudicated with a payment and some lines or amounts denied (835)."""
    DENIED = "denied"
    """Adjudicated and paid nothing (835)."""
    CLOSED = "closed"
    """Nothing left to collect or work from this payer."""
    VOID = "void"
    """Cancelled before any payer adjudicated it; never to be sent."""

    @property
    def label(self) -> str:
        """A human label, as a billing team says it: ``"Accepted by clearinghouse"``."""
        return _STATUS_LABELS[self]

    @classmethod
    def adjudicated(cls) -> frozenset[ClaimStatus]:
        """The statuses a payer's remittance (835) puts a claim in: paid, partially paid, denied."""
        return frozenset({cls.PAID, cls.PARTIALLY_PAID, cls.DENIED})

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(value, label)`` pairs in lifecycle order, for form and model choices."""
        return [(member.value, member.label) for member in cls]


_STATUS_LABELS: Final[dict[ClaimStatus, str]] = {
    ClaimStatus.DRAFT: "Draft",
    ClaimStatus.READY: "Ready to submit",
    ClaimStatus.BATCHED: "Batched",
    ClaimStatus.SUBMITTED: "Submitted",
    ClaimStatus.ACCEPTED: "Accepted by clearinghouse",
    ClaimStatus.ACKNOWLEDGED: "Accepted by payer",
    ClaimStatus.REJECTED: "Rejected",
    ClaimStatus.PAID: "Paid",
    ClaimStatus.PARTIALLY_PAID: "Partially paid",
    ClaimStatus.DENIED: "Denied",
    ClaimStatus.CLOSED: "Closed",
    ClaimStatus.VOID: "Void",
}


class ClaimFrequency(StrEnum):
    """Claim frequency type code (837P CLM05-3; CMS-1500 box 22)."""

    ORIGINAL = "1"
    REPLACEMENT = "7"
    """Replaces a claim the payer adjudicated; needs the payer's claim number (REF*F8)."""
    VOID = "8"
    """Voids a claim the payer adjudicated; needs the payer's claim number (REF*F8)."""

    @property
    def label(self) -> str:
        """A human label: ``"Original"``, ``"Replacement"``, ``"Void"``."""
        return _FREQUENCY_LABELS[self]

    @property
    def needs_payer_claim_number(self) -> bool:
        """Whether the claim must carry the payer's original claim number (REF*F8)."""
        return self is not ClaimFrequency.ORIGINAL

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(value, label)`` pairs, for form and model choices."""
        return [(member.value, member.label) for member in cls]


_FREQUENCY_LABELS: Final[dict[ClaimFrequency, str]] = {
    ClaimFrequency.ORIGINAL: "Original",
    ClaimFrequency.REPLACEMENT: "Replacement",
    ClaimFrequency.VOID: "Void",
}


class ClaimSequence(StrEnum):
    """Which payer the claim goes to, by coverage priority (837P SBR01)."""

    PRIMARY = "P"
    SECONDARY = "S"
    TERTIARY = "T"

    @property
    def label(self) -> str:
        """A human label: ``"Primary"``, ``"Secondary"``, ``"Tertiary"``."""
        return _SEQUENCE_LABELS[self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(value, label)`` pairs, for form and model choices."""
        return [(member.value, member.label) for member in cls]


_SEQUENCE_LABELS: Final[dict[ClaimSequence, str]] = {
    ClaimSequence.PRIMARY: "Primary",
    ClaimSequence.SECONDARY: "Secondary",
    ClaimSequence.TERTIARY: "Tertiary",
}
