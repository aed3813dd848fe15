"""Every shared sample 835 our reader accepts plans without a problem against claims made from
its own CLP/SVC data, and the entries leave exactly the balances the adjustments say."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal

import pytest

from openrcm.core.money import decimal_to_cents
from openrcm.core.posting.entries import (
    Balances,
    Entry,
    EntryKind,
    PostedEntry,
    balances,
    totals_by_kind,
)
from openrcm.core.posting.match import OurLine
from openrcm.core.posting.plan import OurClaim, plan_claim_payment
from openrcm.core.posting.plb import remittance_totals
from openrcm.core.x12.era import ClaimPayment, Remittance, parse_835

from ..x12.x12_samples import ids, of, samples_dir

SAMPLES = of("835")
SOMEDAY = date(2026, 1, 5)
K = EntryKind


def synthesise(payment: ClaimPayment) -> OurClaim:
    """Our claim as we would have sent it: one line per SVC, with what we submitted (SVC06 when
    the payer changed the code), or one line of CLP03 when the 835 gives no SVC."""
    lines: list[OurLine] = []
    for index, svc in enumerate(payment.lines):
        original = svc.original_procedure
        code, mods = svc.procedure_code, tuple(svc.modifiers)
        if original and len(original) > 1:
            code, mods = original[1], tuple(m for m in original[2:6] if m)
        units = svc.original_units or svc.units or Decimal(1)
        lines.append(
            OurLine(
                line_id=index + 1,
                line_control_number=svc.line_control_number,
                procedure=code,
                modifiers=mods,
                service_date=svc.service_date or payment.date_of("232") or SOMEDAY,
                charge_cents=abs(decimal_to_cents(svc.charge)),
                units=abs(units),
            )
        )
    if not lines:
        lines.append(OurLine(1, None, "99213", (), SOMEDAY, abs(decimal_to_cents(payment.charge))))
    return OurClaim(1, payment.patient_control_number, tuple(lines))


def forward(payment: ClaimPayment) -> ClaimPayment:
    """The original adjudication a reversal (CLP02 22) undoes: the same with amounts negated."""
    original = copy.deepcopy(payment)
    original.status = "1"
    original.charge, original.paid = -original.charge, -original.paid
    for adj in original.adjustments:
        adj.amount = -adj.amount
    for svc in original.lines:
        svc.charge, svc.paid = -svc.charge, -svc.paid
        for adj in svc.adjustments:
            adj.amount = -adj.amount
    return original


def read_ok(path: object) -> list[Remittance]:
    result = parse_835(path)  # type: ignore[arg-type]
    return list(result.remittances)


@pytest.mark.parametrize("sample", SAMPLES, ids=ids(SAMPLES))
def test_sample_plans_without_problems(sample) -> None:  # type: ignore[no-untyped-def]
    samples_dir()
    remittances = read_ok(sample.path)
    if not remittances:
        pytest.skip(f"{sample.file}: our reader accepts no set of it")
    for remittance in remittances:
        assert remittance_totals(remittance).balanced
        for payment in remittance.claims:
            claim = synthesise(payment)
            charges = [Entry(K.CHARGE, ln.charge_cents, line_id=ln.line_id) for ln in claim.lines]
            earlier: list[PostedEntry] = []
            if payment.is_reversal:
                first = plan_claim_payment(
                    claim=claim, payment=forward(payment), has_next_payer=False
                )
                assert first.postable, first.problems
                earlier = [PostedEntry(i + 1, e) for i, e in enumerate(first.entries)]
            plan = plan_claim_payment(
                claim=claim, payment=payment, has_next_payer=False, earlier=earlier
            )
            where = f"{sample.file} CLP {payment.patient_control_number}"
            assert plan.postable, (where, plan.problems)
            assert plan.matching.complete, where
            assert not payment.lines or not plan.matching.unmentioned, where
            if payment.is_reversal:
                assert balances(charges + [p.entry for p in earlier] + list(plan.entries)) == (
                    balances(charges)
                ), where
                continue
            entries = charges + list(plan.entries)
            totals = totals_by_kind(entries)
            assert totals[K.INSURANCE_PAYMENT] == decimal_to_cents(payment.paid), where
            result = balances(entries)
            held = sum(
                e.cents
                for e in plan.entries
                if e.kind in (K.DENIAL, K.PRIOR_PAYER, K.TRANSFER_TO_NEXT_PAYER)
            )
            assert result == Balances(held, totals[K.TRANSFER_TO_PATIENT]), where
