"""The A/R aging read from the database: totals from the balance table alone, detail on demand.

:func:`aging_sums` gives the aging's balances pre-summed by practice, provider, payer and date
of service (:class:`~openrcm.core.reporting.BalanceSum`): one ``GROUP BY`` on
:class:`~openrcm.posting.models.ChargeBalance`, which keeps those keys on each row
(:mod:`openrcm.posting.balance_keys`), no joins. For a past date it takes away the effect of
the entries effective after it, line by line for the lines they touch (so counts stay right);
it reads no entry at all when the ledger's day sums (:class:`~openrcm.posting.models.LedgerDaySum`)
show none effective after the date (today's aging), and otherwise only the entries of the
balances whose date of service the day sums name (no scan of the ledger).

:func:`aging_for` ages those sums (:func:`~openrcm.core.reporting.aging_of_sums`): the same
cells, cents and counts, as ageing each line (:func:`~openrcm.reporting.selectors.aging_balances`).
Its report's per-line balances (:attr:`~openrcm.core.reporting.AgingReport.balances`, for a
drill-down or the monthly report's open items) are read by ``aging_balances`` only when first
used: the dashboard and ``openrcm report aging`` never pay for them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any, overload

from django.db.models import Count, Q, Sum

from openrcm.core.reporting import AgingReport, BalanceFact, BalanceSum, aging_of_sums
from openrcm.posting.models import ChargeBalance, LedgerDaySum, LedgerEntry
from openrcm.reporting.selectors import _effect_sum, _nonzero, aging_balances
from openrcm.tenancy.models import Practice

__all__ = ["LineBalances", "aging_for", "aging_sums"]

# A sum's key: practice, provider, payer, date of service.
type SumKey = tuple[int, int, int | None, date]


def aging_sums(practices: Sequence[Practice], as_of: date) -> list[BalanceSum]:
    """The balances of ``practices`` as of ``as_of``, summed per practice, provider, payer and
    date of service, with how many balances are not zero on each side; groups with none are
    left out. The same totals and counts as :func:`aging_balances` per line.

    A fixed number of queries: the day sums' dates of service with entries effective after
    ``as_of`` (none: done after the next), the stored balances grouped, and, when there are
    such entries, the balances of those dates of service (an index) with their entries
    effective after ``as_of`` (by charge line, an index): no scan of the ledger. It relies on
    the day sums naming every date of service with later entries; a day-sum rebuild drops keys
    that net to zero (docs/reporting.md, "Speed")."""
    ids = [practice.pk for practice in practices]
    stored = ChargeBalance.objects.filter(practice_id__in=ids).order_by()
    # Every entry is in a day sum under its effective date and its line's date of service:
    # the lines moved since as_of are among the balances of these dates of service.
    served = sorted(
        set(
            LedgerDaySum.objects.filter(practice_id__in=ids, effective_date__gt=as_of)
            .order_by()
            .values_list("service_date", flat=True)
        )
    )
    grouped = (
        stored.filter(_nonzero())
        .values_list("practice_id", "provider_id", "payer_id", "service_date")
        .annotate(
            insurance=Sum("insurance_cents"),
            insurance_count=Count("pk", filter=~Q(insurance_cents=0)),
            patient=Sum("patient_cents"),
            patient_count=Count("pk", filter=~Q(patient_cents=0)),
        )
    )
    if not served:
        return [BalanceSum._make(row) for row in grouped]
    sums: dict[SumKey, list[int]] = {
        (practice, provider, payer, day): [insurance, i_count, patient, p_count]
        for practice, provider, payer, day, insurance, i_count, patient, p_count in grouped
    }
    candidates = stored.filter(service_date__in=served)
    # Stored keys are nullable columns, set on every row (``openrcm ledger check``).
    rows: dict[tuple[str, int], tuple[Any, int, int]] = {}
    held = candidates.values_list(
        "charge_line_id",
        "claim_id",
        "practice_id",
        "provider_id",
        "payer_id",
        "service_date",
        "insurance_cents",
        "patient_cents",
    )
    for line_id, claim_id, practice, provider, payer, day, insurance, patient in held:
        holder = ("line", line_id) if line_id is not None else ("claim", claim_id)
        rows[holder] = ((practice, provider, payer, day), insurance, patient)
    later = LedgerEntry.objects.filter(practice_id__in=ids, effective_date__gt=as_of).order_by()
    undo: dict[tuple[str, int], list[int]] = {}
    for kind, moved in (
        (
            "line",
            later.filter(
                charge_line_id__in=candidates.filter(charge_line__isnull=False).values(
                    "charge_line_id"
                )
            ).values_list("charge_line_id"),
        ),
        (
            "claim",
            later.filter(
                charge_line__isnull=True,
                claim_id__in=candidates.filter(charge_line__isnull=True).values("claim_id"),
            ).values_list("claim_id"),
        ),
    ):
        for holder_id, insurance, patient in moved.annotate(
            insurance=_effect_sum(0), patient=_effect_sum(1)
        ):
            acc = undo.setdefault((kind, holder_id), [0, 0])
            acc[0] += insurance
            acc[1] += patient
    for holder, (undo_i, undo_p) in undo.items():
        key, insurance, patient = rows[holder]
        _take_back(sums, key, insurance, patient, undo_i, undo_p)
    return [
        BalanceSum(*key, *acc) for key, acc in sums.items() if acc[1] or acc[3]
    ]  # fmt: skip


def _take_back(
    sums: dict[SumKey, list[int]],
    key: SumKey,
    insurance: int,
    patient: int,
    undo_insurance: int,
    undo_patient: int,
) -> None:
    """Replace a balance's stored amounts in its sum by its amounts as of the date (stored
    less ``undo``): cents by the difference, counts by whether each side was and is zero."""
    then_i, then_p = insurance - undo_insurance, patient - undo_patient
    acc = sums.get(key)
    if acc is None:
        acc = sums[key] = [0, 0, 0, 0]
    acc[0] -= undo_insurance
    acc[1] += (then_i != 0) - (insurance != 0)
    acc[2] -= undo_patient
    acc[3] += (then_p != 0) - (patient != 0)


class LineBalances(Sequence[BalanceFact]):
    """The per-line balances of some practices as of a date (:func:`aging_balances`), read
    from the database the first time they are used, then held."""

    def __init__(self, practices: Sequence[Practice], as_of: date) -> None:
        self._practices = list(practices)
        self._as_of = as_of
        self._facts: tuple[BalanceFact, ...] | None = None

    def _read(self) -> tuple[BalanceFact, ...]:
        if self._facts is None:
            self._facts = tuple(aging_balances(self._practices, self._as_of))
        return self._facts

    @overload
    def __getitem__(self, index: int) -> BalanceFact: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[BalanceFact]: ...

    def __getitem__(self, index: int | slice) -> BalanceFact | Sequence[BalanceFact]:
        return self._read()[index]

    def __len__(self) -> int:
        return len(self._read())

    def __iter__(self) -> Iterator[BalanceFact]:
        return iter(self._read())


def aging_for(practices: Sequence[Practice], as_of: date) -> AgingReport:
    """The A/R aging of ``practices`` at ``as_of`` (its totals from :func:`aging_sums`), with
    its drill-down (the per-line balances, read when first used)."""
    return aging_of_sums(aging_sums(practices, as_of), as_of, LineBalances(practices, as_of))
