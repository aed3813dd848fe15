"""The ledger's vocabulary: entry kinds, the two balance buckets, an entry, and the sign rules.

Every money movement on a claim line is one immutable :class:`Entry` in **integer cents**. A
line's (and a claim's) balances are never stored facts of their own: they are the sum of the
entries' effects, :func:`balances`. This module is the single place where the sign of an entry
is decided: :func:`effect`.

Conventions (the app stores entries against them; do not guess, read these):

* Two buckets (:class:`Bucket`): ``insurance`` is insurance A/R, what payers still owe on the
  line; ``patient`` is what the patient owes. A positive balance is owed *to the practice*; a
  negative balance is a credit (the practice owes money back, e.g. a patient overpaid).
* ``Entry.cents`` is a signed, non-zero ``int``. Each kind's sign rule is written for the
  natural, positive amount (a payment received, an adjustment taken, an amount transferred);
  the rule is linear, so ``effect`` of an entry with negated cents is the negated effect. A
  negative CAS amount on an 835 (a payer giving back an adjustment) is therefore an entry of the
  same kind with negative cents.
* **Reversals are not a kind.** A reversing entry is a copy of the entry it reverses, same kind,
  same codes, with the cents negated and ``reverses`` set to the id of the posted entry it
  undoes (:meth:`Entry.reversal`). So the per-kind totals (insurance paid, contractual
  adjustment ...) stay right after a reversal, and the balances return exactly to what they were.
* Entries with **no effect on the balances** are still entries: they record what an 835 said
  and keep the ledger a complete story of the claim. They are ``denial`` (the denied amount
  stays open as insurance A/R; a denial is not a write-off), ``prior_payer`` (OA-23: the effect
  of an earlier payer's adjudication, already on the ledger from that payer's posting) and
  ``transfer_to_next_payer`` (patient-responsibility amounts that stay insurance A/R because the
  next payer is billed for them). Their ``cents`` is the amount the 835 reported.

The sign rules, for a positive ``cents`` (``I`` = insurance delta, ``P`` = patient delta):

===========================  ============================  =========================================
kind                         (I, P)                        meaning
===========================  ============================  =========================================
``charge``                   (+c, 0) or (0, +c) by bucket  the line's charge; billed to insurance
                                                           (or to the patient, bucket ``patient``)
``insurance_payment``        (-c, 0)                       a payer paid (SVC03, or allocated CLP04)
``contractual_adjustment``   (-c, 0)                       CO contractual reduction: written off
``other_adjustment``         (-c, 0)                       OA/PI reduction taken off insurance A/R
``denial``                   (0, 0)                        denied; stays open as insurance A/R
``prior_payer``              (0, 0)                        OA-23: a prior payer's part (information)
``transfer_to_patient``      (-c, +c)                      PR moved to the patient, by reason
``transfer_to_next_payer``   (0, 0)                        PR left for the next payer, by reason
``write_off``                (-c, 0) or (0, -c) by bucket  a person's decision: nothing to collect
``refund``                   (+c, 0) or (0, +c) by bucket  money given back to a payer or patient
``patient_payment``          (0, -c)                       the patient paid
===========================  ============================  =========================================

``bucket`` is a free choice only for ``charge``, ``write_off`` and ``refund``; every other kind
has a fixed bucket (the one it takes money from: ``patient`` for ``patient_payment``,
``insurance`` for the rest) and :class:`Entry` refuses any other.

Invariant (the property tests check it): for any list of entries,
``charges - insurance_payments - contractual - other_adjustments - write_offs + refunds
- patient_payments == insurance balance + patient balance``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

__all__ = [
    "CAS_GROUPS",
    "Balances",
    "Bucket",
    "Entry",
    "EntryKind",
    "PatientReason",
    "PostedEntry",
    "balances",
    "effect",
    "fixed_bucket",
    "totals_by_kind",
]


class Bucket(StrEnum):
    """Who owes a balance: the payers (insurance A/R) or the patient."""

    INSURANCE = "insurance"
    PATIENT = "patient"


class EntryKind(StrEnum):
    """What a ledger entry records. The sign of each is in :func:`effect`."""

    CHARGE = "charge"
    INSURANCE_PAYMENT = "insurance_payment"
    CONTRACTUAL_ADJUSTMENT = "contractual_adjustment"
    OTHER_ADJUSTMENT = "other_adjustment"
    DENIAL = "denial"
    PRIOR_PAYER = "prior_payer"
    TRANSFER_TO_PATIENT = "transfer_to_patient"
    TRANSFER_TO_NEXT_PAYER = "transfer_to_next_payer"
    WRITE_OFF = "write_off"
    REFUND = "refund"
    PATIENT_PAYMENT = "patient_payment"

    @property
    def label(self) -> str:
        """A human label, as a billing team says it: ``"Contractual adjustment"``."""
        return _KIND_LABELS[self]

    @property
    def moves_money(self) -> bool:
        """Whether an entry of this kind changes a balance (``denial`` and the like do not)."""
        return self not in _NO_EFFECT

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(value, label)`` pairs, for model and form choices."""
        return [(member.value, member.label) for member in cls]


class PatientReason(StrEnum):
    """Why an amount is the patient's responsibility (CAS group PR): kept apart on the ledger."""

    DEDUCTIBLE = "deductible"
    """CARC 1."""
    COINSURANCE = "coinsurance"
    """CARC 2."""
    COPAY = "copay"
    """CARC 3."""
    OTHER = "other"
    """Any other PR reason (non-covered with the patient liable, benefit maximum ...)."""

    @property
    def label(self) -> str:
        """A human label: ``"Deductible"``."""
        return self.value.capitalize()

    @classmethod
    def for_carc(cls, carc: str) -> PatientReason:
        """The reason for a PR adjustment's CARC: 1, 2, 3 by name, anything else ``other``."""
        return _PR_REASONS.get(carc.strip().upper(), cls.OTHER)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """``(value, label)`` pairs, for model and form choices."""
        return [(member.value, member.label) for member in cls]


_KIND_LABELS: Final[dict[EntryKind, str]] = {
    EntryKind.CHARGE: "Charge",
    EntryKind.INSURANCE_PAYMENT: "Insurance payment",
    EntryKind.CONTRACTUAL_ADJUSTMENT: "Contractual adjustment",
    EntryKind.OTHER_ADJUSTMENT: "Other adjustment",
    EntryKind.DENIAL: "Denied (open as insurance A/R)",
    EntryKind.PRIOR_PAYER: "Prior payer's adjudication",
    EntryKind.TRANSFER_TO_PATIENT: "Transfer to patient responsibility",
    EntryKind.TRANSFER_TO_NEXT_PAYER: "Transfer to the next payer",
    EntryKind.WRITE_OFF: "Write-off",
    EntryKind.REFUND: "Refund",
    EntryKind.PATIENT_PAYMENT: "Patient payment",
}

_NO_EFFECT: Final = frozenset(
    {EntryKind.DENIAL, EntryKind.PRIOR_PAYER, EntryKind.TRANSFER_TO_NEXT_PAYER}
)

# Kinds whose bucket the poster chooses; every other kind has the fixed bucket below.
_FREE_BUCKET: Final = frozenset({EntryKind.CHARGE, EntryKind.WRITE_OFF, EntryKind.REFUND})

# (insurance, patient) multipliers for a positive amount, for kinds with a fixed bucket.
_FIXED: Final[dict[EntryKind, tuple[int, int]]] = {
    EntryKind.INSURANCE_PAYMENT: (-1, 0),
    EntryKind.CONTRACTUAL_ADJUSTMENT: (-1, 0),
    EntryKind.OTHER_ADJUSTMENT: (-1, 0),
    EntryKind.DENIAL: (0, 0),
    EntryKind.PRIOR_PAYER: (0, 0),
    EntryKind.TRANSFER_TO_PATIENT: (-1, 1),
    EntryKind.TRANSFER_TO_NEXT_PAYER: (0, 0),
    EntryKind.PATIENT_PAYMENT: (0, -1),
}

# Direction of a free-bucket kind on its chosen bucket.
_FREE_SIGN: Final[dict[EntryKind, int]] = {
    EntryKind.CHARGE: 1,
    EntryKind.WRITE_OFF: -1,
    EntryKind.REFUND: 1,
}

_PR_REASONS: Final[dict[str, PatientReason]] = {
    "1": PatientReason.DEDUCTIBLE,
    "2": PatientReason.COINSURANCE,
    "3": PatientReason.COPAY,
}

# The kinds that carry a patient-responsibility reason, and only they.
_REASON_KINDS: Final = frozenset({EntryKind.TRANSFER_TO_PATIENT, EntryKind.TRANSFER_TO_NEXT_PAYER})

CAS_GROUPS: Final = frozenset({"CO", "PR", "OA", "PI"})


def fixed_bucket(kind: EntryKind) -> Bucket | None:
    """The bucket an entry of ``kind`` must have, or ``None`` when the poster chooses it."""
    if kind in _FREE_BUCKET:
        return None
    return Bucket.PATIENT if kind is EntryKind.PATIENT_PAYMENT else Bucket.INSURANCE


@dataclass(frozen=True, slots=True)
class Entry:
    """One immutable ledger entry on a claim line (or, ``line_id`` None, on the claim).

    Fields:
        kind: what happened (:class:`EntryKind`).
        cents: the amount, signed, never zero; see the module docstring for signs.
        bucket: the bucket the entry acts on. Chosen for ``charge``, ``write_off`` and
            ``refund``; fixed for every other kind (the default ``insurance`` fits all but
            ``patient_payment``, whose bucket must be ``patient``).
        line_id: the app's id of the claim line, ``None`` for an entry on the whole claim.
        group: the CAS group (``CO``, ``PR``, ``OA``, ``PI``) for an 835 adjustment, else ``""``.
        carc: the claim adjustment reason code for an 835 adjustment, else ``""``.
        rarcs: remark codes (LQ on the line, MOA/MIA on the claim) that explain it.
        reason: the patient-responsibility reason, required for ``transfer_to_patient`` and
            ``transfer_to_next_payer`` and refused on every other kind.
        reverses: for a reversing entry, the id of the posted entry it undoes, else ``None``.
        note: free text for people (what the poster or the 835 said).
    """

    kind: EntryKind
    cents: int
    bucket: Bucket = Bucket.INSURANCE
    line_id: int | None = None
    group: str = ""
    carc: str = ""
    rarcs: tuple[str, ...] = ()
    reason: PatientReason | None = None
    reverses: int | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.cents, bool) or not isinstance(self.cents, int):
            raise TypeError(f"Entry cents must be an int, not {type(self.cents).__name__}")
        if self.cents == 0:
            raise ValueError(f"a {self.kind} entry of zero cents records nothing")
        required = fixed_bucket(self.kind)
        if required is not None and self.bucket is not required:
            raise ValueError(
                f"a {self.kind} entry acts on the {required} bucket, not {self.bucket}"
            )
        if self.group and self.group not in CAS_GROUPS:
            raise ValueError(f"group {self.group!r} is not a CAS group (CO, PR, OA, PI)")
        if (self.reason is not None) != (self.kind in _REASON_KINDS):
            if self.reason is None:
                raise ValueError(f"a {self.kind} entry needs a patient-responsibility reason")
            raise ValueError(f"a {self.kind} entry takes no patient-responsibility reason")

    @property
    def is_reversal(self) -> bool:
        """Whether this entry undoes an earlier one."""
        return self.reverses is not None

    def reversal(self, posted_id: int, *, note: str = "") -> Entry:
        """The entry that undoes this one (posted with id ``posted_id``): same kind, same codes,
        negated cents, ``reverses=posted_id``."""
        return replace(self, cents=-self.cents, reverses=posted_id, note=note or self.note)


@dataclass(frozen=True, slots=True)
class PostedEntry:
    """An entry as the ledger holds it: with the id the app gave it."""

    id: int
    entry: Entry


@dataclass(frozen=True, slots=True)
class Balances:
    """Balances in cents: ``insurance`` (insurance A/R) and ``patient``; positive is owed to the
    practice, negative is a credit."""

    insurance_cents: int = 0
    patient_cents: int = 0

    @property
    def total_cents(self) -> int:
        """Everything still owed on the line or claim."""
        return self.insurance_cents + self.patient_cents

    def __add__(self, other: Balances) -> Balances:
        if not isinstance(other, Balances):
            return NotImplemented
        return Balances(
            self.insurance_cents + other.insurance_cents, self.patient_cents + other.patient_cents
        )


def effect(entry: Entry) -> tuple[int, int]:
    """The entry's effect on the balances: ``(insurance_delta_cents, patient_delta_cents)``.

    The one place where signs are decided (table in the module docstring). Linear in
    ``entry.cents``: a reversal (negated cents) has exactly the negated effect.
    """
    fixed = _FIXED.get(entry.kind)
    if fixed is not None:
        return fixed[0] * entry.cents, fixed[1] * entry.cents
    signed = _FREE_SIGN[entry.kind] * entry.cents
    if entry.bucket is Bucket.INSURANCE:
        return signed, 0
    return 0, signed


def balances(entries: Iterable[Entry]) -> Balances:
    """The balances the entries leave, starting from zero (sum of :func:`effect`)."""
    insurance = patient = 0
    for entry in entries:
        delta_insurance, delta_patient = effect(entry)
        insurance += delta_insurance
        patient += delta_patient
    return Balances(insurance, patient)


def totals_by_kind(entries: Iterable[Entry]) -> dict[EntryKind, int]:
    """Net cents per kind (reversals included, so a reversed payment nets to zero); every kind
    is present, zero when absent. ``transfer_to_patient`` is the patient responsibility moved."""
    totals = dict.fromkeys(EntryKind, 0)
    for entry in entries:
        totals[entry.kind] += entry.cents
    return totals
