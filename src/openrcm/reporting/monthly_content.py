"""What the monthly practice report holds, read once from the database for one practice and
month: the dashboard's numbers (:func:`openrcm.reporting.dashboard.dashboard_for`: the month's
KPIs, the 12-month trend, the A/R aging at the month's last day), the month's denials by
category with what was recovered, and the largest open insurance balances.

Minimum necessary PHI: the only patient data is the initials beside each open item's patient
control number (the practice owner may see the practice's claims; the report needs no more).

*Recovered* (on a denial of the month): insurance payments posted on the denied line (a
claim-level denial: on any line of its claim) with an effective date after the denial's 835
payment date and on or before the month's last day, net of reversals, at most the amount denied.
A line's payments fill its denials oldest first, each cent once. *Recovered in the month on
earlier denials*: the same, for denials of earlier months, counting only the money whose
effective date is in the month.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from openrcm.claims.models import Claim, ClaimLine
from openrcm.core.posting.entries import EntryKind
from openrcm.core.reporting import AgingRow, BalanceFact, KpiReport
from openrcm.core.reporting.periods import month_end
from openrcm.payers.models import Payer
from openrcm.posting.models import Denial, DenialStatus, LedgerEntry
from openrcm.reporting.dashboard import dashboard_for
from openrcm.tenancy.models import Practice

__all__ = [
    "DenialCategory",
    "MonthlyContent",
    "OpenItem",
    "PayerAging",
    "month_parse",
    "monthly_content",
]

TOP_OPEN_ITEMS: Final = 15
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_parse(text: str) -> date:
    """The first day of the month ``YYYY-MM`` names.

    Raises:
        ValueError: not ``YYYY-MM``, or no such month (the message quotes the text).
    """
    found = _MONTH.fullmatch(text.strip())
    if found is None or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 1900:
        raise ValueError(f"month {text!r} is not a month (YYYY-MM, e.g. 2026-10)")
    return date(int(found.group(1)), int(found.group(2)), 1)


@dataclass(frozen=True, slots=True)
class DenialCategory:
    """The month's denials of one category (``Denial.category``)."""

    category: str
    denials: int
    claims: int
    denied_cents: int
    recovered_cents: int
    still_open: int
    """Denials still open or appealed (not resubmitted, not written off) when generated."""
    earlier_recovered_cents: int = 0
    """What denials of earlier months recovered in this month."""


@dataclass(frozen=True, slots=True)
class OpenItem:
    """One claim's open insurance balance at the as-of date (the claim now responsible)."""

    claim_id: int
    patient_control_number: str
    patient_initials: str
    service_date: date
    payer: str
    balance_cents: int
    age_days: int


@dataclass(frozen=True, slots=True)
class PayerAging:
    """The aging row of one payer (``None``: lines no payer is responsible for)."""

    payer_id: int | None
    payer: str
    row: AgingRow


@dataclass(frozen=True, slots=True)
class MonthlyContent:
    """Everything the monthly PDF prints, for one practice and month."""

    practice_name: str
    practice_slug: str
    month: date
    as_of: date
    generated_at: dt.datetime
    report: KpiReport
    trend: list[KpiReport]
    aging_total: AgingRow
    aging_by_payer: list[PayerAging]
    denials: list[DenialCategory]
    open_items: list[OpenItem]

    @property
    def month_label(self) -> str:
        """``October 2026``."""
        return self.month.strftime("%B %Y")


def monthly_content(
    *, practice: Practice, month: date, generated_at: dt.datetime
) -> MonthlyContent:
    """The monthly report's content for ``practice`` and the month of ``month`` (A/R as of the
    month's last day; ``generated_at`` is printed on every page)."""
    start = month.replace(day=1)
    end = month_end(start)
    board = dashboard_for([practice], start=start, end=end, as_of=end)
    return MonthlyContent(
        practice_name=practice.name,
        practice_slug=practice.slug,
        month=start,
        as_of=end,
        generated_at=generated_at,
        report=board.report,
        trend=board.trend,
        aging_total=board.aging.total,
        aging_by_payer=_payer_rows(board.aging.by_payer),
        denials=_denial_categories(practice, start, end),
        open_items=_open_items(practice, board.aging.balances, end),
    )


def _payer_rows(by_payer: dict[int | None, AgingRow]) -> list[PayerAging]:
    names = dict(
        Payer.objects.filter(pk__in=[k for k in by_payer if k is not None]).values_list(
            "pk", "name"
        )
    )
    rows = [
        PayerAging(key, names.get(key, "No payer") if key is not None else "No payer", row)
        for key, row in by_payer.items()
        if row.insurance_cents or row.patient_cents
    ]
    return sorted(rows, key=lambda r: (-r.row.insurance_cents, r.payer))


@dataclass(frozen=True, slots=True)
class _Denied:
    """One denial: its claim, the charge lines it denied (a claim-level one: all of the claim's),
    its category, amount, whether still open, and its 835's payment date."""

    claim_id: int
    lines: tuple[int, ...]
    category: str
    cents: int
    still_open: bool
    on: date


def _recoveries(
    denied: Sequence[_Denied], payments: Mapping[int, list[tuple[date, int]]], through: date
) -> list[int]:
    """What each denial (``denied`` oldest first) recovered by ``through``: each line's
    insurance payments, in date order, fill the oldest denial of that line dated before them
    that is not yet fully recovered; a reversal (negative) takes back the latest money given,
    so a line's money is counted once and net of reversals."""
    recovered = [0] * len(denied)
    by_line: dict[int, list[int]] = defaultdict(list)
    for index, denial in enumerate(denied):
        for line in denial.lines:
            by_line[line].append(index)
    for line, indexes in by_line.items():
        given: list[tuple[int, int]] = []  # (denial index or -1 for none, cents), in order
        for on, amount in sorted(payments.get(line, ())):
            if on > through:
                break
            if amount < 0:
                back = -amount
                while back and given:
                    index, cents = given.pop()
                    undo = min(back, cents)
                    if index >= 0:
                        recovered[index] -= undo
                    back -= undo
                    if cents > undo:
                        given.append((index, cents - undo))
                continue
            for index in indexes:
                denial = denied[index]
                if amount and denial.on < on and recovered[index] < denial.cents:
                    take = min(amount, denial.cents - recovered[index])
                    recovered[index] += take
                    given.append((index, take))
                    amount -= take
            if amount:
                given.append((-1, amount))
    return recovered


def _denial_categories(practice: Practice, start: date, end: date) -> list[DenialCategory]:
    """The denials of 835s paid in the month (not reversed since), by category, each with
    what was recovered by ``end``; and, per category, what denials of earlier months
    recovered in the month (see the module docstring)."""
    found = Denial.objects.filter(
        practice=practice,
        remittance_claim__remittance__payment_date__lte=end,
        remittance_claim__reversed_by__isnull=True,
    )
    claim_lines: dict[int, list[int]] = defaultdict(list)
    for claim_id, line_id in ClaimLine.objects.filter(
        claim_id__in=found.values("claim_id")
    ).values_list("claim_id", "charge_line_id"):
        claim_lines[claim_id].append(line_id)
    denied = [
        _Denied(
            claim_id,
            (line_id,) if line_id is not None else tuple(claim_lines[claim_id]),
            category or "uncategorized",
            cents,
            status in (DenialStatus.OPEN, DenialStatus.APPEALED),
            on,
        )
        for claim_id, line_id, category, cents, status, on in found.order_by(
            "remittance_claim__remittance__payment_date", "id"
        ).values_list(
            "claim_id",
            "claim_line__charge_line_id",
            "category",
            "cents",
            "status",
            "remittance_claim__remittance__payment_date",
        )
        if on is not None  # the filter on the payment date leaves none without one
    ]
    if not denied:
        return []
    payments: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for line_id, effective, cents in LedgerEntry.objects.filter(
        practice=practice,
        kind=EntryKind.INSURANCE_PAYMENT.value,
        charge_line_id__in=ClaimLine.objects.filter(claim_id__in=found.values("claim_id")).values(
            "charge_line_id"
        ),
        effective_date__lte=end,
    ).values_list("charge_line_id", "effective_date", "cents"):
        payments[line_id].append((effective, cents))
    by_end = _recoveries(denied, payments, end)
    before = _recoveries(denied, payments, start - dt.timedelta(days=1))

    rows: dict[str, list[int]] = {}
    claims: dict[str, set[int]] = defaultdict(set)
    for denial, recovered, recovered_before in zip(denied, by_end, before, strict=True):
        row = rows.setdefault(denial.category, [0, 0, 0, 0, 0])
        if denial.on >= start:  # a denial of the month
            row[0] += 1
            row[1] += denial.cents
            row[2] += recovered
            row[3] += int(denial.still_open)
            claims[denial.category].add(denial.claim_id)
        else:
            row[4] += recovered - recovered_before
    result = [
        DenialCategory(key, row[0], len(claims[key]), row[1], row[2], row[3], row[4])
        for key, row in rows.items()
        if row[0] or row[4]
    ]
    return sorted(result, key=lambda r: (-r.denied_cents, -r.earlier_recovered_cents, r.category))


def _initials(first: str, last: str) -> str:
    return "".join(f"{part.strip()[:1].upper()}." for part in (first, last) if part.strip())


def _open_items(practice: Practice, balances: Iterable[BalanceFact], as_of: date) -> list[OpenItem]:
    """The largest open insurance balances at ``as_of``, by claim now responsible (largest
    first, then oldest date of service)."""
    open_cents: dict[int, int] = defaultdict(int)
    oldest: dict[int, date] = {}
    for fact in balances:
        if not fact.insurance_cents or not fact.claim_ids:
            continue
        claim_id = fact.claim_ids[-1]  # the claim now responsible (the aging's payer)
        open_cents[claim_id] += fact.insurance_cents
        service = fact.service_date
        oldest[claim_id] = min(oldest.get(claim_id, service), service)
    ranked = sorted(
        (cid for cid, cents in open_cents.items() if cents > 0),
        key=lambda cid: (-open_cents[cid], oldest[cid], cid),
    )[:TOP_OPEN_ITEMS]
    claims = {
        claim.pk: claim
        for claim in Claim.objects.filter(practice=practice, pk__in=ranked).select_related(
            "encounter__patient", "coverage__payer"
        )
    }
    items = []
    for cid in ranked:
        claim = claims[cid]
        patient = claim.encounter.patient
        items.append(
            OpenItem(
                claim_id=cid,
                patient_control_number=claim.patient_control_number,
                patient_initials=_initials(patient.first_name, patient.last_name),
                service_date=oldest[cid],
                payer=claim.coverage.payer.name,
                balance_cents=open_cents[cid],
                age_days=(as_of - oldest[cid]).days,
            )
        )
    return items
