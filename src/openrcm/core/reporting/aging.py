"""A/R aging: balances by the age of their date of service at an as-of date.

Buckets (days from the date of service to the as-of date, the same day being 0):
``0-30``, ``31-60``, ``61-90``, ``91-120``, ``120+`` (121 days and more). Insurance and patient
balances are aged apart, in total and grouped by payer, provider and practice. Each cell holds
its cents and, when asked (``with_ids``), the charge lines and claims in it (the drill-down).

Cells sum balances as they are, credits included, so the buckets of a side always add up to
that side's total A/R. A date of service after the as-of date (a line billed ahead of its
day) ages as 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from openrcm.core.money import cents_to_decimal
from openrcm.core.reporting.facts import BalanceFact

__all__ = [
    "BUCKETS",
    "SIDES",
    "AgingCell",
    "AgingReport",
    "AgingRow",
    "aging",
    "bucket_index",
]

BUCKETS: Final = ("0-30", "31-60", "61-90", "91-120", "120+")
"""The bucket labels, youngest first (the CLI's JSON keys)."""

SIDES: Final = ("insurance", "patient")

# The last age (days) of each bucket but the open-ended last one.
_UPPER: Final = (30, 60, 90, 120)


def bucket_index(age_days: int) -> int:
    """The index in :data:`BUCKETS` of a balance whose date of service is ``age_days`` old."""
    for index, upper in enumerate(_UPPER):
        if age_days <= upper:
            return index
    return len(_UPPER)


@dataclass(frozen=True, slots=True)
class AgingCell:
    """One bucket of one side of one row: its cents and, if asked, what is in it."""

    cents: int = 0
    charge_line_ids: tuple[int, ...] = ()
    claim_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class AgingRow:
    """One row of the aging: the five buckets of insurance and of patient balances.

    ``key`` is the payer, provider or practice id (``None`` for the total row, and for lines
    with no payer in the by-payer grouping).
    """

    key: int | None
    insurance: tuple[AgingCell, ...]
    patient: tuple[AgingCell, ...]

    def cell(self, side: str, bucket: str) -> AgingCell:
        """The cell of ``side`` (``"insurance"`` or ``"patient"``) and bucket label."""
        if side not in SIDES:
            raise ValueError(f"aging side must be insurance or patient, not {side!r}")
        if bucket not in BUCKETS:
            raise ValueError(f"aging bucket must be one of {', '.join(BUCKETS)}, not {bucket!r}")
        cells = self.insurance if side == "insurance" else self.patient
        return cells[BUCKETS.index(bucket)]

    @property
    def insurance_cents(self) -> int:
        """Insurance A/R of the row (all buckets)."""
        return sum(cell.cents for cell in self.insurance)

    @property
    def patient_cents(self) -> int:
        """Patient balances of the row (all buckets)."""
        return sum(cell.cents for cell in self.patient)


@dataclass(frozen=True, slots=True)
class AgingReport:
    """The aging at ``as_of``: the total row and the rows by payer, provider and practice."""

    as_of: date
    total: AgingRow
    by_payer: dict[int | None, AgingRow]
    by_provider: dict[int, AgingRow]
    by_practice: dict[int, AgingRow]

    def as_dict(self) -> dict[str, dict[str, str]]:
        """The CLI's JSON: ``{"insurance": {"0-30": "12.34", ...}, "patient": {...}}``."""
        return {
            side: {
                label: f"{cents_to_decimal(cell.cents):.2f}"
                for label, cell in zip(BUCKETS, getattr(self.total, side), strict=True)
            }
            for side in SIDES
        }


_CELLS: Final = 2 * len(BUCKETS)


class _Acc:
    """Per-row accumulator: 10 sums (5 insurance, 5 patient) and, if asked, their ids."""

    __slots__ = ("claims", "lines", "sums")

    def __init__(self, with_ids: bool) -> None:
        self.sums = [0] * _CELLS
        self.lines: list[list[int]] | None = [[] for _ in range(_CELLS)] if with_ids else None
        self.claims: list[list[int]] | None = [[] for _ in range(_CELLS)] if with_ids else None

    def row(self, key: int | None) -> AgingRow:
        cells = []
        for index in range(_CELLS):
            if self.lines is not None and self.claims is not None:
                cells.append(
                    AgingCell(
                        self.sums[index],
                        tuple(dict.fromkeys(self.lines[index])),
                        tuple(dict.fromkeys(self.claims[index])),
                    )
                )
            else:
                cells.append(AgingCell(self.sums[index]))
        n = len(BUCKETS)
        return AgingRow(key, tuple(cells[:n]), tuple(cells[n:]))


def aging(balances: Iterable[BalanceFact], as_of: date, *, with_ids: bool = True) -> AgingReport:
    """Age ``balances`` (as of ``as_of``) by date of service into 0-30, 31-60, 61-90, 91-120
    and 120+ days, insurance and patient apart, in total and by payer, provider, practice.

    Formula shown in the UI: "balance of each line, in the bucket of (as-of date - date of
    service) in days; 120+ is 121 days and more".

    ``with_ids`` keeps, per cell, the charge lines and claims in it (the drill-down); the
    dashboard's sums alone need not pay for them.
    """
    as_of_ord = as_of.toordinal()
    bounds = [as_of_ord - upper for upper in _UPPER]  # oldest date of service of each bucket
    last = len(_UPPER)
    n = len(BUCKETS)
    total = _Acc(with_ids)
    by_payer: dict[int | None, _Acc] = {}
    by_provider: dict[int, _Acc] = {}
    by_practice: dict[int, _Acc] = {}
    for fact in balances:
        dos = fact.service_date.toordinal()
        if dos >= bounds[0]:
            index = 0
        elif dos >= bounds[1]:
            index = 1
        elif dos >= bounds[2]:
            index = 2
        elif dos >= bounds[3]:
            index = 3
        else:
            index = last
        payer = by_payer.get(fact.payer_id)
        if payer is None:
            payer = by_payer[fact.payer_id] = _Acc(with_ids)
        provider = by_provider.get(fact.provider_id)
        if provider is None:
            provider = by_provider[fact.provider_id] = _Acc(with_ids)
        practice = by_practice.get(fact.practice_id)
        if practice is None:
            practice = by_practice[fact.practice_id] = _Acc(with_ids)
        accs = (total, payer, provider, practice)
        for cents, cell in ((fact.insurance_cents, index), (fact.patient_cents, index + n)):
            if not cents:
                continue
            for acc in accs:
                acc.sums[cell] += cents
                if acc.lines is not None and acc.claims is not None:
                    if fact.charge_line_id is not None:
                        acc.lines[cell].append(fact.charge_line_id)
                    acc.claims[cell].extend(fact.claim_ids)
    return AgingReport(
        as_of=as_of,
        total=total.row(None),
        by_payer={key: acc.row(key) for key, acc in by_payer.items()},
        by_provider={key: acc.row(key) for key, acc in by_provider.items()},
        by_practice={key: acc.row(key) for key, acc in by_practice.items()},
    )
