"""Sandbox configuration: the seed, rates, delays and the payers' behaviour.

A :class:`SandboxConfig` is plain, immutable data given by the caller (the Django side builds it
from settings and payer records). Rates are ``Decimal`` shares (``Decimal("0.07")`` = 7 %),
amounts integer cents. Payers the configuration does not name get a profile from their claim
filing indicator (SBR09) by :meth:`SandboxConfig.profile`:

=========== ================================================== ========== ========================
kind        filing indicators                                  lag (days) patient responsibility
=========== ================================================== ========== ========================
Medicare    MA, MB                                             14-16      annual Part B deductible
                                                                          ($257), then 20 %
                                                                          coinsurance; 2 %
                                                                          sequestration (CO-253)
Medicaid    MC                                                 14-45      none
commercial  everything else (CI, BL, HM, 12-17, CH, VA, ...)   7-30       $25 copay on office E/M
                                                                          visits; $1,000
                                                                          deductible then 20 %
                                                                          coinsurance on other
                                                                          services; preventive
                                                                          visits free
=========== ================================================== ========== ========================

Allowed amounts come from the profile's ``fee_schedule`` (a mapping or a callable giving the
allowed amount per unit of a procedure code); a code it does not price is allowed at a share of
the charge between ``allowed_share`` bounds (55-80 % for commercial payers), fixed per payer and
code by the seed, so a code is always priced alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Final

from openrcm.core.sandbox.determinism import digits, unit

__all__ = [
    "DEFAULT_DENIALS",
    "Benefits",
    "DenialReason",
    "FeeSchedule",
    "PayerKind",
    "PayerProfile",
    "SandboxConfig",
    "is_office_em",
    "is_preventive",
    "payer_kind",
]

type FeeSchedule = Mapping[str, Decimal] | Callable[[str, Sequence[str]], Decimal | None]
"""Allowed amount per unit of a procedure code (the callable also gets the modifiers); a code
without a price (missing key, or None) is allowed at the profile's default share of the charge."""


class PayerKind(StrEnum):
    MEDICARE = "medicare"
    MEDICAID = "medicaid"
    COMMERCIAL = "commercial"


MEDICARE_FILING: Final = frozenset({"MA", "MB"})
MEDICAID_FILING: Final = frozenset({"MC"})


def payer_kind(filing_indicator: str) -> PayerKind:
    """The kind of payer a claim filing indicator (SBR09) names."""
    if filing_indicator in MEDICARE_FILING:
        return PayerKind.MEDICARE
    if filing_indicator in MEDICAID_FILING:
        return PayerKind.MEDICAID
    return PayerKind.COMMERCIAL


def _code_number(code: str) -> int | None:
    return int(code) if len(code) == 5 and code.isdigit() else None


def is_office_em(code: str) -> bool:
    """Office, outpatient, consultation, urgent and virtual E/M visits (a copay applies)."""
    n = _code_number(code)
    if n is None:
        return False
    return 99202 <= n <= 99215 or 99241 <= n <= 99245 or 99421 <= n <= 99423


def is_preventive(code: str) -> bool:
    """Preventive visits and counselling (no cost sharing under the ACA and for Medicare AWVs)."""
    n = _code_number(code)
    if n is not None:
        return 99381 <= n <= 99397 or 99401 <= n <= 99404
    return code in ("G0402", "G0438", "G0439")


@dataclass(frozen=True, slots=True)
class Benefits:
    """Cost sharing of a plan, amounts in cents.

    ``copay`` applies once per claim to the first office E/M line; ``deductible`` (per member
    and calendar year) and then ``coinsurance`` apply to every other line, and to E/M lines
    too when ``deductible_on_em``. Preventive lines carry no cost sharing when
    ``preventive_free``.
    """

    deductible: int = 0
    coinsurance: Decimal = Decimal(0)
    copay: int = 0
    deductible_on_em: bool = False
    preventive_free: bool = True


MEDICARE_BENEFITS: Final = Benefits(
    deductible=25_700, coinsurance=Decimal("0.20"), copay=0, deductible_on_em=True
)
COMMERCIAL_BENEFITS: Final = Benefits(deductible=100_000, coinsurance=Decimal("0.20"), copay=2_500)
MEDICAID_BENEFITS: Final = Benefits()


@dataclass(frozen=True, slots=True)
class PayerProfile:
    """How one payer adjudicates and pays.

    ``lag_days``: days from receipt to payment, drawn per claim within the bounds (then moved
    to the next weekday). ``crossover``: the payer forwards claims to the secondary payer the
    claim names (CLP02 19 and NM1*TT). ``sequestration``: a share of the payment withheld as
    CO-253 (Medicare's 2 %). ``timely_filing_days``: claims received later than this after
    the date of service are denied CO-29. ``requires_group_number``: claims without SBR03 are
    rejected by the 277CA (A6:163:IL).
    """

    payer_id: str
    name: str
    kind: PayerKind
    lag_days: tuple[int, int]
    benefits: Benefits
    fee_schedule: FeeSchedule | None = None
    allowed_share: tuple[Decimal, Decimal] = (Decimal("0.55"), Decimal("0.80"))
    timely_filing_days: int = 180
    crossover: bool = False
    sequestration: Decimal = Decimal(0)
    requires_group_number: bool = False
    tax_id: str = ""
    address: tuple[str, str, str, str] = ("PO BOX 1000", "HARRISBURG", "PA", "17101")
    contact_phone: str = "8005550100"

    def allowed_per_unit(self, code: str, modifiers: Sequence[str]) -> Decimal | None:
        fs = self.fee_schedule
        if fs is None:
            return None
        if isinstance(fs, Mapping):
            return fs.get(code)
        return fs(code, modifiers)


@dataclass(frozen=True, slots=True)
class DenialReason:
    """One kind of denial the payer draws: CAS group and CARC, the RARCs that come with it,
    whether it denies the whole claim or one line, and its weight in the mix. ``min_lines``:
    drawn only for claims with at least that many lines (bundling needs another service)."""

    key: str
    group: str
    carc: str
    rarcs: tuple[str, ...] = ()
    level: str = "claim"
    weight: int = 1
    min_lines: int = 1


DEFAULT_DENIALS: Final[tuple[DenialReason, ...]] = (
    DenialReason("missing-information", "CO", "16", ("MA130", "N290"), "claim", 18),
    DenialReason("medical-necessity", "CO", "50", ("N115",), "line", 14),
    DenialReason("bundled", "CO", "97", ("M15",), "line", 16, min_lines=2),
    DenialReason("authorization", "CO", "197", (), "claim", 10),
    DenialReason("diagnosis", "CO", "11", ("M76",), "claim", 9),
    DenialReason("not-covered", "PR", "204", ("N130",), "claim", 8),
    DenialReason("coverage-ended", "CO", "27", (), "claim", 6),
    DenialReason("timely-filing", "CO", "29", (), "claim", 4),
    DenialReason("duplicate", "CO", "18", (), "claim", 3),
)
"""The denial mix: CARCs and RARCs as payers send them (see docs/sandbox.md)."""


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """Everything the sandbox clearinghouse and payers need besides the files they receive.

    Rates: ``denial_rate`` the share of adjudicated claims with a denial (claim or line);
    ``reversal_rate`` the share of paid claims later reversed (CLP02 22) and paid again
    corrected; ``interest_rate`` the share of paid claims that carry prompt-pay interest (PLB
    L6); ``recoupment_rate`` the share of paid claims whose payment is partly taken back later
    (PLB WO); ``unknown_member_rate`` the share of member ids the payer does not know (277CA
    A3:33), fixed per payer and member id.
    """

    seed: int | str = 0
    denial_rate: Decimal = Decimal("0.07")
    denials: tuple[DenialReason, ...] = DEFAULT_DENIALS
    reversal_rate: Decimal = Decimal("0.01")
    interest_rate: Decimal = Decimal("0.02")
    annual_interest: Decimal = Decimal("0.05")
    recoupment_rate: Decimal = Decimal("0.005")
    unknown_member_rate: Decimal = Decimal("0.02")
    unknown_member_ids: frozenset[str] = frozenset()
    unknown_member_prefixes: tuple[str, ...] = ("UNKNOWN",)
    reversal_delay_days: tuple[int, int] = (14, 45)
    recoupment_delay_days: tuple[int, int] = (20, 60)
    payers: Mapping[str, PayerProfile] = field(default_factory=dict)
    clearinghouse_id: str = "OPENRCMSANDBOX"
    clearinghouse_name: str = "OPENRCM SANDBOX CLEARINGHOUSE"
    ta1_delay: timedelta = timedelta(minutes=1)
    ack_delay: timedelta = timedelta(minutes=2)
    claim_ack_delay: timedelta = timedelta(hours=4)
    remittance_time: time = time(6, 0)
    payee_bank: tuple[str, str] = ("011000015", "12345678901")
    payer_bank: tuple[str, str] = ("021000021", "99887766")

    def with_seed(self, seed: int | str) -> SandboxConfig:
        return replace(self, seed=seed)

    def profile(self, payer_id: str, payer_name: str, filing_indicator: str) -> PayerProfile:
        """The configured profile of ``payer_id``, else a default one for the filing indicator."""
        configured = self.payers.get(payer_id)
        if configured is not None:
            return configured
        kind = payer_kind(filing_indicator)
        tax_id = "9" + digits(self.seed, 8, "payer-tin", payer_id)
        if kind is PayerKind.MEDICARE:
            return PayerProfile(
                payer_id,
                payer_name,
                kind,
                (14, 16),
                MEDICARE_BENEFITS,
                allowed_share=(Decimal("0.45"), Decimal("0.65")),
                timely_filing_days=365,
                crossover=True,
                sequestration=Decimal("0.02"),
                tax_id=tax_id,
            )
        if kind is PayerKind.MEDICAID:
            return PayerProfile(
                payer_id,
                payer_name,
                kind,
                (14, 45),
                MEDICAID_BENEFITS,
                allowed_share=(Decimal("0.40"), Decimal("0.60")),
                timely_filing_days=180,
                tax_id=tax_id,
            )
        return PayerProfile(payer_id, payer_name, kind, (7, 30), COMMERCIAL_BENEFITS, tax_id=tax_id)

    def default_share(self, profile: PayerProfile, code: str) -> Decimal:
        """The share of the charge a payer allows for a code it does not price (2 decimals)."""
        low, high = profile.allowed_share
        u = unit(self.seed, "share", profile.payer_id, code)
        return (low + (high - low) * u).quantize(Decimal("0.01"))
