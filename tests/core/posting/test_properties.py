"""Invariants of posting, for any balanced claim payment against its claim (Hypothesis)."""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.money import cents_to_decimal
from openrcm.core.posting.entries import (
    Balances,
    Entry,
    EntryKind,
    PostedEntry,
    balances,
    totals_by_kind,
)
from openrcm.core.posting.plan import (
    ClaimPostingPlan,
    OurClaim,
    allocate,
    content_key,
    plan_claim_payment,
)
from openrcm.core.x12.era import Adjustment, ClaimPayment

from .builders import clp, ours, svc

K = EntryKind
HELD = (K.DENIAL, K.PRIOR_PAYER, K.TRANSFER_TO_NEXT_PAYER)
REASONS = [
    ("CO", "45"), ("CO", "253"), ("CO", "24"), ("CO", "50"), ("CO", "97"), ("CO", "16"),
    ("CO", "133"), ("PR", "1"), ("PR", "2"), ("PR", "3"), ("PR", "204"), ("OA", "23"),
    ("OA", "18"), ("OA", "100"), ("PI", "45"), ("PI", "204"),
]  # fmt: skip
CODES = ["99213", "99214", "93000", "36415", "97110"]


def split(total: int, parts: int, draw: st.DrawFn) -> list[int]:
    """``total`` cut into ``parts`` non-negative amounts."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    edges = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(edges)]


def adjustments(amounts: list[int], draw: st.DrawFn) -> list[Adjustment]:
    out = []
    for cents in amounts:
        group, reason = draw(st.sampled_from(REASONS))
        out.append(Adjustment(group, reason, cents_to_decimal(cents)))
    return out


@dataclass
class Case:
    claim: OurClaim
    payment: ClaimPayment
    has_next_payer: bool


@st.composite
def cases(draw: st.DrawFn) -> Case:
    count = draw(st.integers(1, 4))
    with_6r = draw(st.booleans())
    lines = [
        ours(
            i + 1,
            draw(st.sampled_from(CODES)),
            draw(st.integers(1, 500_000)),
            lcn=f"L{i + 1}" if with_6r else None,
        )
        for i in range(count)
    ]
    claim = OurClaim(7, "PCN7", tuple(lines))
    total = claim.charge_cents
    if draw(st.integers(0, 4)) == 0:
        # no service lines: the claim's payment and CAS only
        parts = split(total, draw(st.integers(1, 4)), draw)
        payment = clp("PCN7", "1", str(cents_to_decimal(total)), str(cents_to_decimal(parts[0])),
                      [])  # fmt: skip
        payment.adjustments = adjustments(parts[1:], draw)
        return Case(claim, payment, draw(st.booleans()))
    svcs = []
    for line in draw(st.permutations(lines)):
        parts = split(line.charge_cents, draw(st.integers(1, 4)), draw)
        service = svc(
            line.procedure,
            str(cents_to_decimal(line.charge_cents)),
            str(cents_to_decimal(parts[0])),
            lcn=line.line_control_number,
        )
        service.adjustments = adjustments(parts[1:], draw)
        svcs.append(service)
    paid = sum(int(s.paid * 100) for s in svcs)
    claim_level = split(draw(st.integers(0, paid)), draw(st.integers(1, 3)), draw)[1:]
    clp04 = paid - sum(claim_level)
    payment = clp("PCN7", "1", str(cents_to_decimal(total)), str(cents_to_decimal(clp04)), svcs)
    payment.adjustments = adjustments(claim_level, draw)
    return Case(claim, payment, draw(st.booleans()))


def charges(claim: OurClaim) -> list[Entry]:
    return [Entry(K.CHARGE, line.charge_cents, line_id=line.line_id) for line in claim.lines]


def plan(case: Case) -> ClaimPostingPlan:
    return plan_claim_payment(
        claim=case.claim, payment=case.payment, has_next_payer=case.has_next_payer
    )


@given(cases())
def test_charge_less_payments_and_adjustments_is_the_balance(case: Case) -> None:
    # the 835 balances by construction: CLP03 - all CAS == CLP04
    assert case.payment.charge - case.payment.adjustment_total == case.payment.paid
    result = plan(case)
    assert result.postable, result.problems
    entries = charges(case.claim) + list(result.entries)
    t = totals_by_kind(entries)
    assert t[K.INSURANCE_PAYMENT] == int(case.payment.paid * 100)
    after = balances(entries)
    assert (
        t[K.CHARGE] - t[K.INSURANCE_PAYMENT] - t[K.CONTRACTUAL_ADJUSTMENT] - t[K.OTHER_ADJUSTMENT]
        == after.total_cents
    )
    held = sum(e.cents for e in result.entries if e.kind in HELD)
    assert after == Balances(held, t[K.TRANSFER_TO_PATIENT])
    # every line accounts for its whole charge: paid, adjusted, moved or held
    for line in case.claim.lines:
        on_line = [e for e in result.entries if e.line_id == line.line_id]
        assert sum(e.cents for e in on_line) == line.charge_cents
    if any(e.kind is K.DENIAL and e.cents > 0 for e in result.entries):
        assert result.denials
    else:
        assert not result.denials


@given(cases())
def test_reversing_a_posting_returns_the_balances_exactly(case: Case) -> None:
    first = plan(case)
    ledger = [PostedEntry(100 + i, e) for i, e in enumerate(first.entries)]
    reversal = copy.deepcopy(case.payment)
    reversal.status = "22"
    reversal.charge, reversal.paid = -reversal.charge, -reversal.paid
    for adj in reversal.adjustments + [a for s in reversal.lines for a in s.adjustments]:
        adj.amount = -adj.amount
    for service in reversal.lines:
        service.charge, service.paid = -service.charge, -service.paid
    undo = plan_claim_payment(
        claim=case.claim, payment=reversal, has_next_payer=case.has_next_payer, earlier=ledger
    )
    before = balances(charges(case.claim))
    if not ledger:
        assert not undo.postable
        return
    assert undo.postable and undo.warnings == ()
    entries = charges(case.claim) + list(first.entries) + list(undo.entries)
    assert balances(entries) == before
    totals = totals_by_kind(entries)
    assert all(cents == 0 for kind, cents in totals.items() if kind is not K.CHARGE)
    assert sorted(undo.reversed_ids) == [p.id for p in ledger]


@given(cases())
def test_content_key_is_deterministic_and_sees_every_amount(case: Case) -> None:
    key = content_key(case.payment)
    assert key == content_key(copy.deepcopy(case.payment))
    changed = copy.deepcopy(case.payment)
    changed.paid += Decimal("0.01")
    assert content_key(changed) != key


@given(st.integers(-(10**9), 10**9), st.lists(st.integers(0, 10**6), min_size=1, max_size=8))
def test_allocate_splits_exactly_and_in_proportion(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total
    whole = sum(weights) or len(weights)
    used = weights if any(weights) else [1] * len(weights)
    for part, weight in zip(parts, used, strict=True):
        assert abs(part * whole - total * weight) < whole  # within one cent of the exact share


def test_content_key_reads_every_field_of_the_835_claim_and_line() -> None:
    # A field added to the 835 dataclasses must be added to the key (plan.content_key).
    from dataclasses import fields

    from openrcm.core.posting.plan import KEY_FIELDS
    from openrcm.core.x12.era import ServiceLine

    assert {f.name for f in fields(ClaimPayment)} - {"header"} == KEY_FIELDS["ClaimPayment"]
    assert {f.name for f in fields(ServiceLine)} == KEY_FIELDS["ServiceLine"]


def test_content_key_compares_amounts_by_value_and_ignores_the_lx_header() -> None:
    payment = clp("P", "1", "100", "80", [svc("99213", "100", "80", "CO-45:20")])
    same = clp("P", "1", "100.00", "80.0", [svc("99213", "100.00", "80", "CO-45:20.00")])
    assert content_key(payment) == content_key(same)
    from openrcm.core.x12.era import ClaimHeader

    same.header = ClaimHeader("2")
    assert content_key(payment) == content_key(same)
    other = clp("P", "1", "100", "80", [svc("99213", "100", "80", "CO-45:20", rarcs=("M15",))])
    assert content_key(other) != content_key(payment)
