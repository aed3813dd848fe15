"""The matching rules over plain values, and their invariants (Hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.reconciliation.matching import (
    DepositItem,
    RemittanceItem,
    plan_matches,
)

DAY = dt.date(2026, 11, 2)


def test_trace_and_amount_match_leading_zeros_and_case_do_not_matter() -> None:
    plan = plan_matches(
        [DepositItem(1, DAY, 11750, "eft-100234", "1512345678")],
        [RemittanceItem(10, DAY, 11750, "EFT100234", "1512345678")],
    )
    assert plan.matches == [(1, (10,))]
    assert plan.discrepancies == [] and plan.suggestions == []


def test_same_trace_different_amount_is_a_discrepancy_not_a_match() -> None:
    plan = plan_matches(
        [DepositItem(1, DAY, 7900, "EFT100999")], [RemittanceItem(10, DAY, 8000, "EFT100999")]
    )
    assert plan.matches == []
    (found,) = plan.discrepancies
    assert (found.deposit_id, found.remittance_ids, found.difference_cents) == (1, (10,), -100)
    assert plan.suggestions == []  # a traced deposit is never suggested by amount


def test_a_batched_deposit_takes_every_remittance_of_its_trace() -> None:
    plan = plan_matches(
        [DepositItem(1, DAY, 30000, "B77")],
        [RemittanceItem(10, DAY, 10000, "B77", "1111"), RemittanceItem(11, DAY, 20000, "B77", "2")],
    )
    assert plan.matches == [(1, (10, 11))]


def test_another_payers_trace_is_not_ours() -> None:
    plan = plan_matches(
        [DepositItem(1, DAY, 500, "55", "1512345678")], [RemittanceItem(10, DAY, 500, "55", "19")]
    )
    assert plan.matches == [] and plan.discrepancies == []
    assert plan.suggestions == [(1, 10)]  # same amount, same day: a person decides


def test_amount_and_date_suggestions_only_when_unambiguous() -> None:
    deposits = [DepositItem(1, DAY, 13000), DepositItem(2, DAY, 4200), DepositItem(3, DAY, 900)]
    remits = [
        RemittanceItem(10, DAY - dt.timedelta(days=3), 13000, "CHK4417"),
        RemittanceItem(11, DAY, 4200),
        RemittanceItem(12, DAY, 4200),  # two candidates for deposit 2: none suggested
        RemittanceItem(13, DAY + dt.timedelta(days=6), 900),  # too far
    ]
    plan = plan_matches(deposits, remits)
    assert plan.suggestions == [(1, 10)]
    assert plan.matches == []


def test_two_deposits_wanting_one_remittance_get_no_suggestion() -> None:
    plan = plan_matches(
        [DepositItem(1, DAY, 500), DepositItem(2, DAY, 500)], [RemittanceItem(10, DAY, 500)]
    )
    assert plan.suggestions == []


def test_a_second_deposit_for_a_matched_trace_stays_unmatched() -> None:
    plan = plan_matches(
        [DepositItem(1, DAY, 500, "T1"), DepositItem(2, DAY, 500, "T1")],
        [RemittanceItem(10, DAY, 500, "T1")],
    )
    assert plan.matches == [(1, (10,))]
    assert plan.discrepancies == [] and plan.suggestions == []


traces = st.sampled_from(["", "T1", "T2", "0T1", "T3"])
cents = st.integers(min_value=1, max_value=5000)
days = st.integers(min_value=0, max_value=10).map(lambda n: DAY + dt.timedelta(days=n))


@given(
    st.lists(st.tuples(days, cents, traces), max_size=12),
    st.lists(st.tuples(days, cents, traces), max_size=12),
)
def test_invariants(
    deposit_specs: list[tuple[dt.date, int, str]], remit_specs: list[tuple[dt.date, int, str]]
) -> None:
    deposits = [DepositItem(i + 1, d, c, t) for i, (d, c, t) in enumerate(deposit_specs)]
    remits = [RemittanceItem(100 + i, d, c, t) for i, (d, c, t) in enumerate(remit_specs)]
    plan = plan_matches(deposits, remits)
    by_deposit = {d.id: d for d in deposits}
    by_remit = {r.id: r for r in remits}
    used = [r for _, rs in plan.matches for r in rs]
    # Each remittance in at most one match, each deposit at most once.
    assert len(used) == len(set(used))
    assert len(plan.matches) == len({d for d, _ in plan.matches})
    for deposit_id, remit_ids in plan.matches:
        deposit = by_deposit[deposit_id]
        # Amounts equal, traces equal: nothing is matched on a difference.
        assert sum(by_remit[r].cents for r in remit_ids) == deposit.cents
        assert {by_remit[r].trace.lstrip("0") for r in remit_ids} == {deposit.trace.lstrip("0")}
    for found in plan.discrepancies:
        assert found.deposit_id not in plan.matched_deposit_ids
        assert found.deposit_cents != found.remittance_cents
    for deposit_id, remit_id in plan.suggestions:
        assert deposit_id not in plan.matched_deposit_ids
        assert remit_id not in plan.matched_remittance_ids
        assert by_deposit[deposit_id].cents == by_remit[remit_id].cents
    # Same inputs, same plan.
    assert plan_matches(list(reversed(deposits)), remits).matches == plan.matches
