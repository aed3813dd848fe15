"""PLB provider-level adjustments: what each is, its sign, and its place in the payment.

A PLB item (PLB03-1 reason, PLB03-2 reference, PLB04 amount) belongs to the remittance, not to a
claim: it is posted at provider level and shown in reconciliation. The sign rule is the 835's:
**a positive PLB amount reduces the payment**, a negative one increases it, and
``BPR02 = sum(CLP04) - sum(PLB04)``. So interest (L6) comes as a negative amount (money added),
an overpayment recovery (WO) as a positive one (money taken back, with the claim it recovers in
PLB03-2), and a forwarding balance (FB) is negative when the payer carries a balance it still
has to take back into a later remittance, positive when it takes that balance back.

:class:`ProviderEntry` keeps the 835's amount as ``cents`` and gives the effect on the money the
practice receives as ``payment_effect_cents`` (= ``-cents``). A recoupment changes no claim
balance by itself: the claim it recovers is corrected by its reversal (CLP02 22), in this or an
earlier 835; the PLB is the cash side of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from openrcm.core.money import cents_to_decimal, decimal_to_cents
from openrcm.core.x12.era import ProviderAdjustment, Remittance

__all__ = [
    "PLB_CODES",
    "PlbKind",
    "ProviderEntry",
    "RemittanceTotals",
    "plb_code",
    "provider_entries",
    "remittance_totals",
]


class PlbKind(StrEnum):
    """What a provider-level adjustment is, for reports and reconciliation."""

    INTEREST = "interest"
    RECOUPMENT = "recoupment"
    FORWARDING_BALANCE = "forwarding_balance"
    RETURN = "return"
    WITHHOLDING = "withholding"
    PENALTY = "penalty"
    CAPITATION = "capitation"
    INCENTIVE = "incentive"
    SETTLEMENT = "settlement"
    PASSTHROUGH = "passthrough"
    OTHER = "other"

    @property
    def label(self) -> str:
        """A human label: ``"Forwarding balance"``."""
        return self.value.replace("_", " ").capitalize()


@dataclass(frozen=True, slots=True)
class PlbCode:
    """One PLB03-1 reason code: our short description and its kind."""

    code: str
    description: str
    kind: PlbKind


_K = PlbKind

_TABLE: Final = (
    PlbCode("50", "Late charge", _K.PENALTY),
    PlbCode("51", "Interest penalty charge", _K.PENALTY),
    PlbCode("72", "Authorized return (refund the provider sent back)", _K.RETURN),
    PlbCode("90", "Early payment allowance", _K.INCENTIVE),
    PlbCode("AH", "Origination fee", _K.OTHER),
    PlbCode("AM", "Applied to borrower's account", _K.OTHER),
    PlbCode("AP", "Acceleration of benefits", _K.SETTLEMENT),
    PlbCode("B2", "Rebate", _K.INCENTIVE),
    PlbCode("B3", "Recovery allowance", _K.RECOUPMENT),
    PlbCode("BD", "Bad debt adjustment", _K.SETTLEMENT),
    PlbCode("BN", "Bonus", _K.INCENTIVE),
    PlbCode("C5", "Temporary allowance", _K.SETTLEMENT),
    PlbCode("CR", "Capitation interest", _K.CAPITATION),
    PlbCode("CS", "Adjustment (see the reference)", _K.OTHER),
    PlbCode("CT", "Capitation payment", _K.CAPITATION),
    PlbCode("CV", "Capital passthrough", _K.PASSTHROUGH),
    PlbCode("CW", "Nurse anesthetist passthrough", _K.PASSTHROUGH),
    PlbCode("DM", "Direct medical education passthrough", _K.PASSTHROUGH),
    PlbCode("E3", "Withholding", _K.WITHHOLDING),
    PlbCode("FB", "Forwarding balance", _K.FORWARDING_BALANCE),
    PlbCode("FC", "Fund allocation", _K.OTHER),
    PlbCode("GO", "Graduate medical education passthrough", _K.PASSTHROUGH),
    PlbCode("HM", "Hemophilia clotting factor supplement", _K.PASSTHROUGH),
    PlbCode("IP", "Incentive premium payment", _K.INCENTIVE),
    PlbCode("IR", "Internal Revenue Service withholding", _K.WITHHOLDING),
    PlbCode("IS", "Interim settlement", _K.SETTLEMENT),
    PlbCode("J1", "Nonreimbursable", _K.OTHER),
    PlbCode("L3", "Penalty", _K.PENALTY),
    PlbCode("L6", "Interest owed", _K.INTEREST),
    PlbCode("LE", "Levy", _K.WITHHOLDING),
    PlbCode("LS", "Lump sum", _K.SETTLEMENT),
    PlbCode("OA", "Organ acquisition passthrough", _K.PASSTHROUGH),
    PlbCode("OB", "Offset for affiliated providers", _K.RECOUPMENT),
    PlbCode("PI", "Periodic interim payment", _K.SETTLEMENT),
    PlbCode("PL", "Payment final", _K.SETTLEMENT),
    PlbCode("RA", "Retroactivity adjustment", _K.SETTLEMENT),
    PlbCode("RE", "Return on equity", _K.PASSTHROUGH),
    PlbCode("SL", "Student loan repayment", _K.WITHHOLDING),
    PlbCode("TL", "Third-party liability", _K.RECOUPMENT),
    PlbCode("WO", "Overpayment recovery", _K.RECOUPMENT),
    PlbCode("WU", "Unspecified recovery", _K.RECOUPMENT),
)

PLB_CODES: Final[dict[str, PlbCode]] = {entry.code: entry for entry in _TABLE}


def plb_code(code: str) -> PlbCode:
    """The table entry for a PLB03-1 code; an unknown code is ``other``, described as such."""
    key = code.strip().upper()
    return PLB_CODES.get(key) or PlbCode(key, "Adjustment code not in the OpenRCM table", _K.OTHER)


@dataclass(frozen=True, slots=True)
class ProviderEntry:
    """One provider-level adjustment as the app stores it.

    ``cents`` is PLB04 as the 835 gives it (positive reduces the payment); ``reference`` is
    PLB03-2 (for WO/FB/L6 often the payer claim number or our patient control number the item
    concerns); ``provider_id`` and ``fiscal_period_date`` come from PLB01-02.
    """

    provider_id: str
    fiscal_period_date: date
    code: str
    kind: PlbKind
    description: str
    reference: str
    cents: int

    @property
    def payment_effect_cents(self) -> int:
        """What the item does to the money the practice receives: ``-cents``."""
        return -self.cents

    @property
    def label(self) -> str:
        """``"Interest owed (L6): +$2.50"``: code, description and effect on the payment."""
        effect = cents_to_decimal(self.payment_effect_cents)
        sign = "+" if effect >= 0 else "-"
        return f"{self.description} ({self.code}): {sign}${abs(effect):,.2f}"


def _entries(adjustment: ProviderAdjustment) -> Iterable[ProviderEntry]:
    for item in adjustment.items:
        found = plb_code(item.reason)
        yield ProviderEntry(
            provider_id=adjustment.provider_id,
            fiscal_period_date=adjustment.fiscal_period_date,
            code=found.code,
            kind=found.kind,
            description=found.description,
            reference=item.reference,
            cents=decimal_to_cents(item.amount),
        )


def provider_entries(adjustments: Iterable[ProviderAdjustment]) -> list[ProviderEntry]:
    """One :class:`ProviderEntry` per PLB item, in the 835's order (zero amounts included:
    they are what the payer reported)."""
    return [entry for adjustment in adjustments for entry in _entries(adjustment)]


@dataclass(frozen=True, slots=True)
class RemittanceTotals:
    """The payment of one 835 set, taken apart: ``claims_paid_cents`` (sum of CLP04) plus
    ``provider_effect_cents`` (the PLBs' effect, ``-sum(PLB04)``) is ``payment_cents``
    (BPR02), and ``by_kind`` gives the PLB effect per kind for reconciliation."""

    claims_paid_cents: int
    provider_effect_cents: int
    payment_cents: int
    by_kind: dict[PlbKind, int]

    @property
    def balanced(self) -> bool:
        return self.claims_paid_cents + self.provider_effect_cents == self.payment_cents


def remittance_totals(remittance: Remittance) -> RemittanceTotals:
    """The totals of a remittance read in full (:func:`openrcm.core.x12.era.read_835`)."""
    entries = provider_entries(remittance.provider_adjustments)
    by_kind: dict[PlbKind, int] = {}
    for entry in entries:
        by_kind[entry.kind] = by_kind.get(entry.kind, 0) + entry.payment_effect_cents
    # BPR02 as the reader balances it: sum(CLP04) - sum(PLB04), whatever BPR03 says.
    amount = decimal_to_cents(remittance.payment.amount)
    return RemittanceTotals(
        claims_paid_cents=sum(decimal_to_cents(c.paid) for c in remittance.claims),
        provider_effect_cents=sum(e.payment_effect_cents for e in entries),
        payment_cents=amount,
        by_kind=by_kind,
    )
