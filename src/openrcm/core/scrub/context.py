"""What the rules look things up in: today's date, the code sets, the NCCI tables, the payer's
data rules, and the practice's other claims for duplicate detection.

A :class:`ScrubContext` is built once for a batch (a Django service builds it per practice; the
``openrcm scrub FILE`` command builds one with the shipped code sets) and shared by every claim:
nothing in it changes while claims are scrubbed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from openrcm.core.codes.hcpcs import HcpcsTable, curated_table
from openrcm.core.codes.icd10cm import Icd10CodeSet, default_code_set
from openrcm.core.codes.modifiers import MODIFIERS, Modifier
from openrcm.core.codes.ncci import MueTable, PtpTable
from openrcm.core.codes.pos import PLACES_OF_SERVICE, PlaceOfService
from openrcm.core.codes.procedures import DEFAULT_GLOBAL_DAYS

if TYPE_CHECKING:
    from openrcm.core.scrub.engine import Check, Rule, RulePack
    from openrcm.core.scrub.snapshot import ClaimSnapshot, ServiceLine

__all__ = [
    "TIMELY_FILING_DEFAULTS",
    "ClaimIndex",
    "ScrubContext",
    "ServiceRecord",
    "service_provider",
]

# Days from the date of service to file, by claim filing indicator (SBR09), used when the
# payer's own limit is unknown. Medicare: 12 months (42 CFR 424.44); Medicaid varies by state
# (the shortest common limit is used); commercial plans mostly 90 to 180 days.
TIMELY_FILING_DEFAULTS: Mapping[str, int] = {
    "MA": 365,
    "MB": 365,
    "16": 365,
    "MC": 180,
    "CH": 365,
    "VA": 365,
    "OF": 365,
    "BL": 180,
    "CI": 90,
    "HM": 90,
    "12": 90,
    "13": 90,
    "14": 90,
    "15": 180,
    "WC": 365,
    "AM": 365,
    "LM": 365,
}
DEFAULT_TIMELY_FILING_DAYS = 90


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """One service line of another claim, as the duplicate index keeps it."""

    claim_id: str
    patient_key: str
    provider_npi: str
    service_date: date
    procedure: str
    modifiers: tuple[str, ...] = ()


def service_provider(claim: ClaimSnapshot, line: ServiceLine) -> str:
    """The NPI that furnished a line: the line's rendering provider, the claim's, or the biller."""
    return line.rendering_npi or claim.rendering_npi or claim.billing.npi


class ClaimIndex:
    """The practice's other claims, keyed by (patient, provider, date of service, procedure)."""

    __slots__ = ("_by_key", "_count")

    def __init__(self, records: Iterable[ServiceRecord] = ()) -> None:
        self._by_key: dict[tuple[str, str, date, str], list[tuple[str, tuple[str, ...]]]] = {}
        self._count = 0
        for record in records:
            self.add(record)

    def add(self, record: ServiceRecord) -> None:
        key = (record.patient_key, record.provider_npi, record.service_date, record.procedure)
        self._by_key.setdefault(key, []).append((record.claim_id, record.modifiers))
        self._count += 1

    def add_claim(self, claim: ClaimSnapshot) -> None:
        """Index every dated line of a claim (a void, frequency 8, adds nothing)."""
        if claim.frequency == "8":
            return
        for line in claim.lines:
            if line.service_date is None:
                continue
            self.add(
                ServiceRecord(
                    claim.claim_id,
                    claim.patient.key,
                    service_provider(claim, line),
                    line.service_date,
                    line.procedure,
                    line.modifiers,
                )
            )

    @classmethod
    def from_claims(cls, claims: Iterable[ClaimSnapshot]) -> ClaimIndex:
        index = cls()
        for claim in claims:
            index.add_claim(claim)
        return index

    def __len__(self) -> int:
        return self._count

    def matches(
        self, patient_key: str, provider_npi: str, service_date: date, procedure: str
    ) -> Sequence[tuple[str, tuple[str, ...]]]:
        """``(claim_id, modifiers)`` of every indexed line with this key."""
        return self._by_key.get((patient_key, provider_npi, service_date, procedure), ())


def _default_packs() -> tuple[RulePack, ...]:
    from openrcm.core.scrub.rules import ALL_PACKS

    return ALL_PACKS


@dataclass(frozen=True, slots=True)
class ScrubContext:
    """Everything a rule may consult besides the claim itself."""

    today: date
    icd10: Icd10CodeSet = field(default_factory=default_code_set)
    hcpcs: HcpcsTable = field(default_factory=curated_table)
    places_of_service: Mapping[str, PlaceOfService] = field(
        default_factory=lambda: PLACES_OF_SERVICE
    )
    modifiers: Mapping[str, Modifier] = field(default_factory=lambda: MODIFIERS)
    ptp: PtpTable | None = None
    mue: MueTable | None = None
    global_days: Mapping[str, str] = field(default_factory=lambda: DEFAULT_GLOBAL_DAYS)
    """Procedure code -> Medicare global period (000, 010, 090, XXX, ZZZ ...)."""
    history: ClaimIndex = field(default_factory=ClaimIndex)
    payer_rules: Mapping[str, Sequence[Rule]] = field(default_factory=dict)
    """Data rules by payer id; the key ``"*"`` holds rules for every payer."""
    disabled_rules: frozenset[str] = frozenset()
    packs: tuple[RulePack, ...] | None = None
    """The packs :func:`~openrcm.core.scrub.engine.scrub` runs by default (None: all)."""
    timely_filing_defaults: Mapping[str, int] = field(
        default_factory=lambda: TIMELY_FILING_DEFAULTS
    )
    filing_warning_days: int = 15
    default_checks: tuple[tuple[str, Check], ...] = field(init=False, repr=False)
    today_ordinal: int = field(init=False, repr=False)
    _payer_rules_cache: dict[str, tuple[Rule, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        packs = self.packs if self.packs is not None else _default_packs()
        object.__setattr__(
            self,
            "default_checks",
            tuple((pack.name, check) for pack in packs for check in pack.checks),
        )
        object.__setattr__(self, "today_ordinal", self.today.toordinal())
        object.__setattr__(self, "_payer_rules_cache", {})

    def payer_rules_for(self, payer_id: str) -> Sequence[Rule]:
        """The data rules for this payer, then those for every payer."""
        rules = self.payer_rules
        if not rules:
            return ()
        cached = self._payer_rules_cache.get(payer_id)
        if cached is None:
            cached = (*rules.get(payer_id, ()), *rules.get("*", ()))
            self._payer_rules_cache[payer_id] = cached
        return cached

    def filing_limit_days(self, claim: ClaimSnapshot) -> int:
        """The payer's filing limit, or the default for its claim filing indicator."""
        days = claim.payer.timely_filing_days
        if days is not None:
            return days
        return self.timely_filing_defaults.get(
            claim.payer.filing_indicator, DEFAULT_TIMELY_FILING_DAYS
        )
