"""The aging of pre-summed balances (``aging_of_sums``, what a database ``GROUP BY`` feeds) is
the aging of the balances one by one: the same cells, cents and counts, in total and by payer,
provider and practice, for any book Hypothesis makes up; credits that cancel a group's sum
still count; a sum with no balance on either side is no row."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.reporting import (
    BalanceFact,
    BalanceSum,
    ClaimFact,
    LineFact,
    MoneyFact,
    aging,
    aging_of_sums,
    balances_as_of,
)
from tests.core.reporting.test_properties import DAYS, _day, books


def summed(rows: list[BalanceFact]) -> list[BalanceSum]:
    """``rows`` grouped as the database groups them."""
    groups: dict[tuple[int, int, int | None, date], list[int]] = {}
    for row in rows:
        key = (row.practice_id, row.provider_id, row.payer_id, row.service_date)
        acc = groups.setdefault(key, [0, 0, 0, 0])
        acc[0] += row.insurance_cents
        acc[1] += 1 if row.insurance_cents else 0
        acc[2] += row.patient_cents
        acc[3] += 1 if row.patient_cents else 0
    return [BalanceSum(*key, *acc) for key, acc in groups.items()]


@given(books(), st.integers(0, DAYS + 30))
def test_pre_summed_balances_age_the_same(
    book: tuple[list[LineFact], list[ClaimFact], list[MoneyFact]], offset: int
) -> None:
    lines, claims, money = book
    as_of = _day(offset)
    rows = balances_as_of(lines, claims, money, as_of)
    one_by_one = aging(rows, as_of)
    grouped = aging_of_sums(summed(rows), as_of, tuple(rows))
    assert grouped.total == one_by_one.total
    assert grouped.by_payer == one_by_one.by_payer
    assert grouped.by_provider == one_by_one.by_provider
    assert grouped.by_practice == one_by_one.by_practice
    assert grouped.drill_down("insurance", "0-30") == one_by_one.drill_down("insurance", "0-30")


def test_a_credit_cancelling_a_group_still_counts_and_an_empty_sum_is_no_row() -> None:
    as_of = date(2026, 10, 31)
    day = date(2026, 10, 20)
    sums = [
        BalanceSum(1, 10, 100, day, 0, 2, 0, 0),  # 50.00 and a 50.00 credit: two balances
        BalanceSum(1, 11, 200, day, 0, 0, 0, 0),  # nothing open: no row for provider 11
    ]
    report = aging_of_sums(sums, as_of)
    assert report.total.cell("insurance", "0-30").count == 2
    assert report.total.cell("insurance", "0-30").cents == 0
    assert set(report.by_provider) == {10}
    assert set(report.by_payer) == {100}
    assert report.balances == ()
