"""The facts the reporting engine reads: what the apps store, reduced to plain values.

The apps (claims, encounters, posting, scrubbing, clearinghouse) feed these; the engine never
asks a database. Every amount is **integer cents**; every date is a plain ``date`` already
converted to the practice's own day (``openrcm.core.dates.local_date``); ids are the apps'
primary keys, carried so every number can drill down to the lines and claims behind it.

* :class:`LineFact`: one charge line that has been billed (its charge is on the ledger),
  **once** however many claims (primary, secondary) carry it.
* :class:`ClaimFact`: one claim (a bill to one payer), with the dates of its life and its
  adjudications (835 CLPs).
* :class:`MoneyFact`: one ledger entry (``posting.LedgerEntry``), or the sum of several of the
  same line, claim, kind, bucket and effective date: every figure is linear in cents, so a
  database ``GROUP BY`` may pre-sum them.
* :class:`BalanceFact`: what a line (or a claim's claim-level entries) owes at a date, with
  what aging groups it by. Made by :func:`openrcm.core.reporting.balances.balances_as_of`
  from money facts, or by the app from its stored balances for today.

The facts are named tuples (``NamedTuple``): immutable, as cheap to build as a tuple (a
frozen dataclass costs several times more per object, which shows at 200,000 lines), and
``Fact._make(row)`` takes a database row (``values_list``) as it comes. They hold no PHI
beyond ids and dates of service.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import NamedTuple

from openrcm.core.posting.entries import Bucket, EntryKind

__all__ = [
    "Adjudication",
    "AdjudicationOutcome",
    "BalanceFact",
    "ClaimFact",
    "LineFact",
    "MoneyFact",
]


class LineFact(NamedTuple):
    """One billed charge line (``encounters.ChargeLine`` with its ledger charge).

    Fields:
        charge_line_id: the charge line's id (unique among the facts fed).
        practice_id, provider_id: the practice and the encounter's rendering provider.
        payer_id: the payer of the claim now responsible for the line (the latest claim that
            carries it: the secondary after the primary), ``None`` when no payer is.
        service_date: the encounter's date of service.
        charge_cents: the line's charge (the ledger's ``charge`` entry).
        claim_ids: the claims that carry the line (primary first), for drill-down.
    """

    charge_line_id: int
    practice_id: int
    provider_id: int
    payer_id: int | None
    service_date: date
    charge_cents: int
    claim_ids: tuple[int, ...] = ()


class AdjudicationOutcome(StrEnum):
    """What one 835 claim payment (CLP) did to the claim.

    The posting app's ``RemittanceClaim.outcome`` maps to it: ``paid`` with a payment is
    :attr:`PAID`; ``paid`` with nothing paid (everything went to deductible, coinsurance,
    copay) is :attr:`PATIENT_RESPONSIBILITY`; ``partially_paid`` and ``denied`` are themselves.
    Reversals (CLP02 22) and claim payments sent to the exceptions queue are not adjudications.
    """

    PAID = "paid"
    """Paid, with no denied amount (the rest, if any, moved to the patient or the next payer)."""
    PATIENT_RESPONSIBILITY = "patient_responsibility"
    """Nothing paid and nothing denied: the whole allowed amount is the patient's."""
    PARTIALLY_PAID = "partially_paid"
    """Something paid, some line or amount denied."""
    DENIED = "denied"
    """Denied at claim level (CLP02 4) or a denial with nothing paid."""

    @property
    def denied(self) -> bool:
        """Whether the adjudication denied anything (at claim level or on any line)."""
        return self in (AdjudicationOutcome.PARTIALLY_PAID, AdjudicationOutcome.DENIED)

    @property
    def resolved(self) -> bool:
        """Whether the claim was paid or moved wholly to patient responsibility."""
        return self in (AdjudicationOutcome.PAID, AdjudicationOutcome.PATIENT_RESPONSIBILITY)


class Adjudication(NamedTuple):
    """One adjudication of a claim: an 835 claim payment (CLP) that posted.

    Fields:
        on: its effective date (the 835's payment date, BPR16).
        outcome: what it did (:class:`AdjudicationOutcome`).
        denied_cents: the amount it denied (the sum of its ``posting.Denial`` amounts), 0 when
            nothing was denied.
    """

    on: date
    outcome: AdjudicationOutcome
    denied_cents: int = 0


class ClaimFact(NamedTuple):
    """One claim (``claims.Claim``) and the dates of its life, in the practice's days.

    Fields:
        claim_id, practice_id, provider_id: ids; ``provider_id`` is the rendering provider.
        payer_id: the payer billed (through the claim's coverage), ``None`` if unknown.
        sequence: ``"P"``, ``"S"`` or ``"T"`` (primary, secondary, tertiary).
        is_replacement: a corrected claim (frequency 7 or 8, or one that ``replaces`` another).
        service_date: the encounter's date of service.
        charge_cents: the claim's total charge.
        created_on: the day the claim was created.
        submitted_on: the day it was first submitted (its first batch went out), else ``None``.
        first_submission_accepted: the answer to that first submission: ``True`` when the 999
            and the 277CA accepted it, ``False`` when either rejected it, ``None`` while
            neither answered (or it was never submitted).
        first_scrubbed_on: the day of its first scrub (``scrubbing.ClaimScrub``), else ``None``.
        first_scrub_clean: whether that first scrub passed every edit with nothing to fix or
            override (``ClaimScrub.first_clean``), ``None`` when never scrubbed.
        adjudications: its adjudications (835 claim payments that posted), any order.
        first_paid_on: the effective date of the first 835 that paid something on it.
    """

    claim_id: int
    practice_id: int
    provider_id: int
    payer_id: int | None
    sequence: str
    service_date: date
    charge_cents: int
    created_on: date
    submitted_on: date | None = None
    first_submission_accepted: bool | None = None
    first_scrubbed_on: date | None = None
    first_scrub_clean: bool | None = None
    adjudications: tuple[Adjudication, ...] = ()
    first_paid_on: date | None = None
    is_replacement: bool = False


class MoneyFact(NamedTuple):
    """One ledger movement (``posting.LedgerEntry``), or a pre-summed group of them.

    Fields:
        charge_line_id: the charge line it moves, ``None`` for an entry on a whole claim.
        claim_id: the claim it belongs to (required when ``charge_line_id`` is ``None``).
        kind: an :class:`~openrcm.core.posting.entries.EntryKind` value (a plain ``str`` from
            the database will do: the enum is a ``StrEnum``).
        bucket: ``"insurance"`` or ``"patient"`` (a :class:`Bucket` value).
        cents: signed as the ledger stores it (a reversal is the same kind, negated).
        effective_date: the 835's payment date (BPR16), or the day a manual entry was made.
        service_date: the date of service of its line (or claim), when the app gives it: the
            KPI engine then needs no line or claim id, so a database may pre-sum the ledger by
            ``kind, bucket, effective_date, date_of_service`` (the fast path for a large
            practice: far fewer facts than entries). :func:`balances_as_of` and the aging still
            need the line (or claim) id.
    """

    charge_line_id: int | None
    claim_id: int | None
    kind: str
    bucket: str
    cents: int
    effective_date: date
    service_date: date | None = None

    @classmethod
    def of(
        cls,
        kind: EntryKind,
        cents: int,
        effective_date: date,
        *,
        line: int | None = None,
        claim: int | None = None,
        bucket: Bucket = Bucket.INSURANCE,
        service_date: date | None = None,
    ) -> MoneyFact:
        """A money fact with keyword ids (for tests and hand-built books)."""
        return cls(line, claim, kind, bucket, cents, effective_date, service_date)


class BalanceFact(NamedTuple):
    """What one line (or the claim-level entries of one claim) owes at a date, in cents.

    ``charge_line_id`` is ``None`` for a claim's claim-level row (then ``claim_ids`` holds that
    claim). Positive is owed to the practice; negative is a credit.
    """

    charge_line_id: int | None
    claim_ids: tuple[int, ...]
    practice_id: int
    provider_id: int
    payer_id: int | None
    service_date: date
    insurance_cents: int
    patient_cents: int
