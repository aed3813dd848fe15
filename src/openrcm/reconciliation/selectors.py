"""Reads of reconciliation: the daily (or period) report of deposits against 835 payments.

`reconciliation_period(practice=, start=, end=)` (and `reconciliation_day`) gathers:

- the period's deposits (by the day deposited) and remittances (by BPR16, the day the money
  moves; the day posted when the 835 gives none), each with its live matches;
- matched pairs touching the period (a deposit of the day matched to an 835 of an earlier day
  is shown, with both days);
- unmatched deposits, unmatched remittances (that move money), discrepancies (same trace,
  different amount) and amount-and-date suggestions, by the core's rules;
- the PLB provider-level adjustments of the period's remittances (interest, recoupment,
  forwarding balance...), each with its kind and its effect on the payment;
- totals in cents: deposits, remittance payments (BPR02), claim payments (sum of CLP04 =
  BPR02 + sum of PLB04), PLB effect (in all and by kind), matched and unmatched on each side,
  and the difference deposits less remittance payments.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from openrcm.core.posting.plb import PlbKind, plb_code
from openrcm.posting.models import ProviderAdjustment, Remittance, RemittanceStatus
from openrcm.reconciliation.models import BankImport, Deposit, DepositMatch
from openrcm.reconciliation.services import (
    eligible_remittances,
    match_plan,
    money,
    remittance_day,
    unmatched_deposits,
    unmatched_remittances,
)
from openrcm.tenancy.models import Practice

__all__ = [
    "Reconciliation",
    "bank_import_list",
    "reconciliation_day",
    "reconciliation_period",
]

# How far around the period discrepancies and suggestions look for the other side.
AROUND = dt.timedelta(days=60)


@dataclass
class MatchedPair:
    deposit: Deposit
    remittances: list[Remittance]
    method: str
    note: str = ""

    @property
    def remittance_cents(self) -> int:
        return sum(r.payment_cents for r in self.remittances)

    @property
    def difference_cents(self) -> int:
        return self.deposit.cents - self.remittance_cents


@dataclass
class PlbRow:
    adjustment: ProviderAdjustment
    remittance: Remittance
    kind: PlbKind
    description: str

    @property
    def effect_cents(self) -> int:
        """Its effect on the money paid: -PLB04 (interest adds, a recoupment takes back)."""
        return -self.adjustment.cents


@dataclass
class DiscrepancyRow:
    deposit: Deposit
    remittances: list[Remittance]
    difference_cents: int


@dataclass
class Reconciliation:
    practice: Practice
    start: dt.date
    end: dt.date
    deposits: list[Deposit] = field(default_factory=list)
    remittances: list[Remittance] = field(default_factory=list)
    matched: list[MatchedPair] = field(default_factory=list)
    unmatched_deposits: list[Deposit] = field(default_factory=list)
    unmatched_remittances: list[Remittance] = field(default_factory=list)
    no_payment: list[Remittance] = field(default_factory=list)
    discrepancies: list[DiscrepancyRow] = field(default_factory=list)
    suggestions: list[tuple[Deposit, Remittance]] = field(default_factory=list)
    pending_trace_matches: int = 0
    plbs: list[PlbRow] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    plb_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def is_day(self) -> bool:
        return self.start == self.end

    def as_json(self) -> dict[str, Any]:
        """The document `openrcm reconcile --json` prints (amounts as "1234.50" strings)."""
        period: dict[str, Any] = (
            {"day": self.start.isoformat()}
            if self.is_day
            else {"from": self.start.isoformat(), "to": self.end.isoformat()}
        )
        return {
            "practice": self.practice.slug,
            **period,
            "totals": {key: money(value) for key, value in self.totals.items()},
            "provider_adjustments_by_kind": {k: money(v) for k, v in self.plb_by_kind.items()},
            "matched": [
                {
                    "deposit": _deposit_json(pair.deposit),
                    "remittances": [_remittance_json(r) for r in pair.remittances],
                    "match_method": pair.method,
                    "note": pair.note,
                    "difference": money(pair.difference_cents),
                }
                for pair in self.matched
            ],
            "pending_trace_matches": self.pending_trace_matches,
            "unmatched_deposits": [_deposit_json(d) for d in self.unmatched_deposits],
            "unmatched_remittances": [_remittance_json(r) for r in self.unmatched_remittances],
            "no_payment_remittances": [_remittance_json(r) for r in self.no_payment],
            "discrepancies": [
                {
                    "deposit": _deposit_json(row.deposit),
                    "remittances": [_remittance_json(r) for r in row.remittances],
                    "difference": money(row.difference_cents),
                }
                for row in self.discrepancies
            ],
            "suggestions": [
                {
                    "deposit": _deposit_json(deposit),
                    "remittance": _remittance_json(remit),
                    "method": "amount_date",
                }
                for deposit, remit in self.suggestions
            ],
            "provider_adjustments": [
                {
                    "remittance_id": row.remittance.pk,
                    "trace_number": row.remittance.trace_number,
                    "payer": row.remittance.payer_name,
                    "reason": row.adjustment.reason,
                    "kind": row.kind.value,
                    "description": row.description,
                    "reference": row.adjustment.reference,
                    "amount": money(row.adjustment.cents),
                    "payment_effect": money(row.effect_cents),
                }
                for row in self.plbs
            ],
        }


def _live(obj: Deposit | Remittance) -> list[DepositMatch]:
    """The live matches prefetched on a deposit or remittance of the report."""
    found: list[DepositMatch] = getattr(obj, "live", [])
    return found


def _deposit_json(deposit: Deposit) -> dict[str, Any]:
    return {
        "id": deposit.pk,
        "deposited_on": deposit.deposited_on.isoformat(),
        "amount": deposit.amount,
        "method": deposit.method,
        "trace_number": deposit.trace_number,
        "payer": deposit.payer_name,
        "source": deposit.source,
        "row": deposit.row_number,
    }


def _remittance_json(remit: Remittance) -> dict[str, Any]:
    return {
        "id": remit.pk,
        "payment_date": remittance_day(remit).isoformat(),
        "payer": remit.payer_name,
        "trace_number": remit.trace_number,
        "method": remit.method,
        "payment_amount": money(remit.payment_cents),
    }


def _in_period(start: dt.date, end: dt.date) -> Q:
    return Q(payment_date__range=(start, end)) | Q(
        payment_date__isnull=True, posted_at__date__range=(start, end)
    )


def reconciliation_period(*, practice: Practice, start: dt.date, end: dt.date) -> Reconciliation:
    """The reconciliation report of `practice` from `start` to `end` (both included)."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    report = Reconciliation(practice=practice, start=start, end=end)
    live = DepositMatch.objects.filter(ended_at__isnull=True).select_related("remittance")
    report.deposits = list(
        Deposit.objects.filter(practice=practice, deposited_on__range=(start, end))
        .prefetch_related(Prefetch("matches", queryset=live, to_attr="live"))
        .order_by("deposited_on", "id")
    )
    posted = Remittance.objects.filter(practice=practice, status=RemittanceStatus.POSTED)
    report.remittances = list(
        posted.filter(_in_period(start, end))
        .prefetch_related(
            Prefetch(
                "deposit_matches",
                queryset=DepositMatch.objects.filter(ended_at__isnull=True).select_related(
                    "deposit"
                ),
                to_attr="live",
            ),
            "provider_adjustments",
        )
        .order_by("payment_date", "id")
    )

    # Matched pairs touching the period, keyed by deposit.
    pairs: dict[int, MatchedPair] = {}
    for deposit in report.deposits:
        for match in _live(deposit):
            pair = pairs.setdefault(deposit.pk, MatchedPair(deposit, [], match.method, match.note))
            pair.remittances.append(match.remittance)
    for remit in report.remittances:
        for match in _live(remit):
            if match.deposit_id in pairs:
                continue
            others = live.filter(deposit_id=match.deposit_id)
            pairs[match.deposit_id] = MatchedPair(
                match.deposit, [m.remittance for m in others], match.method, match.note
            )
    report.matched = sorted(pairs.values(), key=lambda p: (p.deposit.deposited_on, p.deposit.pk))

    moves_money = {
        r.pk for r in eligible_remittances(practice=practice).filter(_in_period(start, end))
    }
    report.unmatched_deposits = [d for d in report.deposits if not _live(d)]
    report.unmatched_remittances = [
        r for r in report.remittances if r.pk in moves_money and not _live(r)
    ]
    report.no_payment = [r for r in report.remittances if r.pk not in moves_money]

    # Discrepancies and suggestions: the core's rules over what is open around the period.
    window = (start - AROUND, end + AROUND)
    open_deposits = list(unmatched_deposits(practice=practice).filter(deposited_on__range=window))
    open_remits = list(unmatched_remittances(practice=practice).filter(_in_period(*window)))
    plan = match_plan(open_deposits, open_remits)
    deposit_by_id = {d.pk: d for d in open_deposits}
    remit_by_id = {r.pk: r for r in open_remits}
    in_period_deposits = {d.pk for d in report.unmatched_deposits}
    in_period_remits = {r.pk for r in report.unmatched_remittances}
    for found in plan.discrepancies:
        if found.deposit_id in in_period_deposits or in_period_remits & set(found.remittance_ids):
            report.discrepancies.append(
                DiscrepancyRow(
                    deposit_by_id[found.deposit_id],
                    [remit_by_id[i] for i in found.remittance_ids],
                    found.difference_cents,
                )
            )
    for deposit_id, remit_id in plan.suggestions:
        if deposit_id in in_period_deposits or remit_id in in_period_remits:
            report.suggestions.append((deposit_by_id[deposit_id], remit_by_id[remit_id]))
    # Trace-and-amount pairs found but not yet written (`deposits_match` not run since).
    report.pending_trace_matches = sum(
        1
        for deposit_id, remit_ids in plan.matches
        if deposit_id in in_period_deposits or in_period_remits & set(remit_ids)
    )

    # PLBs of the period's remittances.
    by_kind: dict[str, int] = defaultdict(int)
    for remit in report.remittances:
        for adjustment in remit.provider_adjustments.all():
            code = plb_code(adjustment.reason)
            row = PlbRow(adjustment, remit, code.kind, code.description)
            report.plbs.append(row)
            by_kind[code.kind.value] += row.effect_cents
    report.plb_by_kind = dict(by_kind)

    deposits_cents = sum(d.cents for d in report.deposits)
    payments_cents = sum(r.payment_cents for r in report.remittances)
    plb_effect = sum(row.effect_cents for row in report.plbs)
    report.totals = {
        "deposits": deposits_cents,
        "remittance_payments": payments_cents,
        "claim_payments": payments_cents - plb_effect,
        "provider_adjustments": plb_effect,
        "interest": by_kind.get(PlbKind.INTEREST.value, 0),
        "recoupment": by_kind.get(PlbKind.RECOUPMENT.value, 0),
        "forwarding_balance": by_kind.get(PlbKind.FORWARDING_BALANCE.value, 0),
        "matched_deposits": sum(d.cents for d in report.deposits if _live(d)),
        "matched_remittances": sum(r.payment_cents for r in report.remittances if _live(r)),
        "unmatched_deposits": sum(d.cents for d in report.unmatched_deposits),
        "unmatched_remittances": sum(r.payment_cents for r in report.unmatched_remittances),
        "difference": deposits_cents - payments_cents,
    }
    return report


def reconciliation_day(*, practice: Practice, day: dt.date) -> Reconciliation:
    """The daily reconciliation report: `reconciliation_period` of one day."""
    return reconciliation_period(practice=practice, start=day, end=day)


def bank_import_list(*, practice: Practice) -> QuerySet[BankImport]:
    """The practice's bank CSV imports, newest first."""
    return BankImport.objects.filter(practice=practice).order_by("-imported_at", "-id")
