"""A/R aging: balances by the age of their date of service at an as-of date.

Buckets (days from the date of service to the as-of date, the same day being 0):
``0-30``, ``31-60``, ``61-90``, ``91-120``, ``120+`` (121 days and more). Insurance and patient
balances are aged apart, in total and grouped by payer, provider and practice. Each cell holds
its cents and how many balances are in it; :meth:`AgingReport.drill_down` lists the charge
lines and claims of any cell.

Cells sum balances as they are, credits included, so the buckets of a side always add up to
that side's total A/R. A date of service after the as-of date (a line billed ahead of its
day) ages as 0.

:func:`aging` ages one :class:`BalanceFact` per line; :func:`aging_of_sums` ages the same
balances pre-summed by practice, provider, payer and date of service (:class:`BalanceSum`,
a database ``GROUP BY``: a few thousand rows instead of one per open line) into the same
cells, counts included. Its report's drill-down reads the per-line balances it is given,
which may be a sequence that loads them only when first read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, NamedTuple

from openrcm.core.money import cents_to_decimal
from openrcm.core.reporting.facts import BalanceFact

__all__ = [
    "BUCKETS",
    "GROUPS",
    "SIDES",
    "AgingCell",
    "AgingReport",
    "AgingRow",
    "BalanceSum",
    "DrillDown",
    "aging",
    "aging_of_sums",
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
    """One bucket of one side of one row: its cents and how many balances (lines, or a claim's
    claim-level row) are in it."""

    cents: int = 0
    count: int = 0


@dataclass(frozen=True, slots=True)
class DrillDown:
    """What is in one cell: its charge lines and claims (each once, in the balances' order)."""

    cents: int
    charge_line_ids: tuple[int, ...]
    claim_ids: tuple[int, ...]


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
        return (self.insurance if _side(side) == 0 else self.patient)[_bucket(bucket)]

    @property
    def insurance_cents(self) -> int:
        """Insurance A/R of the row (all buckets)."""
        return sum(cell.cents for cell in self.insurance)

    @property
    def patient_cents(self) -> int:
        """Patient balances of the row (all buckets)."""
        return sum(cell.cents for cell in self.patient)


def _side(side: str) -> int:
    if side not in SIDES:
        raise ValueError(f"aging side must be insurance or patient, not {side!r}")
    return SIDES.index(side)


def _bucket(bucket: str) -> int:
    if bucket not in BUCKETS:
        raise ValueError(f"aging bucket must be one of {', '.join(BUCKETS)}, not {bucket!r}")
    return BUCKETS.index(bucket)


GROUPS: Final = ("payer", "provider", "practice")


@dataclass(frozen=True, slots=True)
class AgingReport:
    """The aging at ``as_of``: the total row, the rows by payer, provider and practice, and the
    per-line balances behind them (for :meth:`drill_down`; from :func:`aging_of_sums`, a
    sequence the caller may load only when it is first read)."""

    as_of: date
    total: AgingRow
    by_payer: dict[int | None, AgingRow]
    by_provider: dict[int, AgingRow]
    by_practice: dict[int, AgingRow]
    balances: Sequence[BalanceFact]

    def as_dict(self) -> dict[str, dict[str, str]]:
        """The CLI's JSON: ``{"insurance": {"0-30": "12.34", ...}, "patient": {...}}``."""
        return {
            side: {
                label: f"{cents_to_decimal(cell.cents):.2f}"
                for label, cell in zip(BUCKETS, getattr(self.total, side), strict=True)
            }
            for side in SIDES
        }

    def drill_down(
        self, side: str, bucket: str, *, group: str | None = None, key: int | None = None
    ) -> DrillDown:
        """The charge lines and claims in one cell: of the total row, or (``group`` one of
        ``"payer"``, ``"provider"``, ``"practice"``) of the row of ``key`` in that grouping
        (``key`` None with ``"payer"``: the lines no payer is responsible for)."""
        side_index = _side(side)
        wanted = _bucket(bucket)
        if group is not None and group not in GROUPS:
            raise ValueError(f"aging group must be payer, provider or practice, not {group!r}")
        as_of_ord = self.as_of.toordinal()
        cents = 0
        lines: dict[int, None] = {}
        claims: dict[int, None] = {}
        for fact in self.balances:
            amount = fact.insurance_cents if side_index == 0 else fact.patient_cents
            if not amount:
                continue
            if group == "payer" and fact.payer_id != key:
                continue
            if group == "provider" and fact.provider_id != key:
                continue
            if group == "practice" and fact.practice_id != key:
                continue
            if bucket_index(as_of_ord - fact.service_date.toordinal()) != wanted:
                continue
            cents += amount
            if fact.charge_line_id is not None:
                lines[fact.charge_line_id] = None
            claims.update(dict.fromkeys(fact.claim_ids))
        return DrillDown(cents, tuple(lines), tuple(claims))


_CELLS: Final = 2 * len(BUCKETS)


def _row(key: int | None, sums: list[int], counts: list[int]) -> AgingRow:
    n = len(BUCKETS)
    cells = [AgingCell(sums[i], counts[i]) for i in range(_CELLS)]
    return AgingRow(key, tuple(cells[:n]), tuple(cells[n:]))


class BalanceSum(NamedTuple):
    """Balances of one practice, provider, payer and date of service, summed: each side's
    cents and how many balances (lines, or claims' claim-level rows) are not zero on it."""

    practice_id: int
    provider_id: int
    payer_id: int | None
    service_date: date
    insurance_cents: int
    insurance_count: int
    patient_cents: int
    patient_count: int


def aging(balances: Iterable[BalanceFact], as_of: date) -> AgingReport:
    """Age ``balances`` (as of ``as_of``) by date of service into 0-30, 31-60, 61-90, 91-120
    and 120+ days, insurance and patient apart, in total and by payer, provider, practice.

    Formula shown in the UI: "balance of each line, in the bucket of (as-of date - date of
    service) in days; 120+ is 121 days and more". One pass; the drill-down of a cell
    (:meth:`AgingReport.drill_down`) reads the balances again, only when asked.
    """
    held = tuple(balances)
    sums = (
        (practice, provider, payer, service, insurance, 1 if insurance else 0, patient,
         1 if patient else 0)
        for _line, _claims, practice, provider, payer, service, insurance, patient in held
    )  # fmt: skip
    return _aged(sums, as_of, held)


def aging_of_sums(
    sums: Iterable[BalanceSum], as_of: date, balances: Sequence[BalanceFact] = ()
) -> AgingReport:
    """The :func:`aging` of the balances ``sums`` pre-sums: the same cells (cents and counts)
    as ageing each balance, since every balance of a sum has its date of service. Rows with
    no balance on either side (both counts zero) are left out, as :func:`aging` never sees
    a zero balance. ``balances`` are the per-line balances for :meth:`AgingReport.drill_down`
    (a sequence that loads them when first read keeps the totals from paying for them)."""
    return _aged((s for s in sums if s[5] or s[7]), as_of, balances)


def _aged(
    sums: Iterable[tuple[int, int, int | None, date, int, int, int, int]],
    as_of: date,
    balances: Sequence[BalanceFact],
) -> AgingReport:
    as_of_ord = as_of.toordinal()
    bounds = [as_of_ord - upper for upper in _UPPER]  # oldest date of service of each bucket
    b0, b1, b2, b3 = bounds
    n = len(BUCKETS)
    # Per row: 10 sums then 10 counts (insurance buckets, patient buckets).
    total = [0] * (2 * _CELLS)
    by_payer: dict[int | None, list[int]] = {}
    by_provider: dict[int, list[int]] = {}
    by_practice: dict[int, list[int]] = {}
    for practice_id, provider_id, payer_id, service, insurance, i_count, patient, p_count in sums:
        dos = service.toordinal()
        if dos >= b0:
            index = 0
        elif dos >= b1:
            index = 1
        elif dos >= b2:
            index = 2
        elif dos >= b3:
            index = 3
        else:
            index = 4
        payer = by_payer.get(payer_id)
        if payer is None:
            payer = by_payer[payer_id] = [0] * (2 * _CELLS)
        provider = by_provider.get(provider_id)
        if provider is None:
            provider = by_provider[provider_id] = [0] * (2 * _CELLS)
        practice = by_practice.get(practice_id)
        if practice is None:
            practice = by_practice[practice_id] = [0] * (2 * _CELLS)
        if i_count:
            count = index + _CELLS
            for acc in (total, payer, provider, practice):
                acc[index] += insurance
                acc[count] += i_count
        if p_count:
            cell = index + n
            count = cell + _CELLS
            for acc in (total, payer, provider, practice):
                acc[cell] += patient
                acc[count] += p_count
    return AgingReport(
        as_of=as_of,
        total=_row(None, total, total[_CELLS:]),
        by_payer={k: _row(k, acc, acc[_CELLS:]) for k, acc in by_payer.items()},
        by_provider={k: _row(k, acc, acc[_CELLS:]) for k, acc in by_provider.items()},
        by_practice={k: _row(k, acc, acc[_CELLS:]) for k, acc in by_practice.items()},
        balances=balances,
    )
