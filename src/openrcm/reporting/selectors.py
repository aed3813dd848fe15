"""The reporting core's facts, read from the database for one practice or several.

Reads only (``values()`` / ``values_list()``, no model instances), a handful of queries, with
the sums the core's engine would do anyway pushed into SQL:

* :func:`kpi_facts` gives what :func:`openrcm.core.reporting.kpi_report` and
  :func:`~openrcm.core.reporting.monthly_trend` read. Charges and ledger money are **pre-summed**
  (the engine is linear in cents): one line fact per practice, rendering provider and date of
  service (standing for every billed line of that day, with the smallest line id as its id),
  and one money fact per kind, bucket, effective date and date of service. Claim facts are one
  per claim, with the dates of their life (created, first submitted, first 277CA answer, first
  scrub) and their adjudications (835 claim payments that posted).
* :func:`aging_balances` gives each line's (and each claim's claim-level) balances as of a
  date, summed in SQL with the core ledger's sign rules (:data:`openrcm.core.reporting.balances.
  EFFECTS`), for :func:`openrcm.core.reporting.aging` and its drill-down.

Dates are the practice's own days (its time zone), as the core expects. Tenancy: callers pass
practices they already hold (a command's ``--practice``) or :func:`practices_for_user`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case, F, IntegerField, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate

from openrcm.claims.models import Claim, ClaimLine
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.reporting import (
    Adjudication,
    AdjudicationOutcome,
    AgingReport,
    BalanceFact,
    ClaimFact,
    KpiReport,
    LineFact,
    MoneyFact,
    aging,
    kpi_report,
)
from openrcm.core.reporting.balances import EFFECTS
from openrcm.posting.models import LedgerEntry, RemittanceClaim
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import practice_ids_for

__all__ = [
    "KpiFacts",
    "aging_balances",
    "aging_for",
    "kpi_facts",
    "kpi_for",
    "practices_for_user",
]

# The RemittanceClaim outcomes that are adjudications (reversals, exceptions are not).
_ADJUDICATED = (
    ClaimStatus.PAID.value,
    ClaimStatus.PARTIALLY_PAID.value,
    ClaimStatus.DENIED.value,
)
_CHUNK = 10_000  # ids per IN (...) list: under SQLite's 32,766 variables


@dataclass(frozen=True, slots=True)
class KpiFacts:
    """The facts the KPI engine reads for some practices."""

    lines: list[LineFact]
    claims: list[ClaimFact]
    money: list[MoneyFact]


def practices_for_user(user: Any) -> list[Practice]:
    """The practices ``user`` may view (for a report across the practices they serve)."""
    return list(Practice.objects.filter(pk__in=practice_ids_for(user)).order_by("slug"))


def _by_zone(practices: Iterable[Practice]) -> dict[str, list[int]]:
    """Practice ids grouped by time zone: each group's dates are truncated in its own zone."""
    zones: dict[str, list[int]] = defaultdict(list)
    for practice in practices:
        zones[practice.time_zone].append(practice.pk)
    return zones


def kpi_facts(practices: Sequence[Practice]) -> KpiFacts:
    """The line, claim and money facts of ``practices`` for the KPI engine (pre-summed, see the
    module docstring): 5 queries per time zone among the practices."""
    lines: list[LineFact] = []
    claims: list[ClaimFact] = []
    money: list[MoneyFact] = []
    for zone_name, ids in _by_zone(practices).items():
        zone = ZoneInfo(zone_name)
        lines.extend(_line_facts(ids))
        money.extend(_money_facts(ids))
        claims.extend(_claim_facts(ids, zone))
    return KpiFacts(lines, claims, money)


def _line_facts(ids: list[int]) -> list[LineFact]:
    rows = (
        LedgerEntry.objects.filter(practice_id__in=ids, kind="charge", charge_line__isnull=False)
        .values_list(
            "practice_id",
            "charge_line__encounter__provider_id",
            "charge_line__encounter__date_of_service",
        )
        .annotate(first=Min("charge_line_id"), total=Sum("cents"))
        .order_by()
    )
    return [
        LineFact(first, practice, provider, None, dos, total)
        for practice, provider, dos, first, total in rows
    ]


def _money_facts(ids: list[int]) -> list[MoneyFact]:
    rows = (
        LedgerEntry.objects.filter(practice_id__in=ids)
        .annotate(
            dos=Coalesce(
                "charge_line__encounter__date_of_service", "claim__encounter__date_of_service"
            )
        )
        .values_list("kind", "bucket", "effective_date", "dos")
        .annotate(total=Sum("cents"))
        .order_by()
    )
    return [
        MoneyFact(None, None, kind, bucket, total, effective, dos)
        for kind, bucket, effective, dos, total in rows
        if total
    ]


def _claim_facts(ids: list[int], zone: ZoneInfo) -> list[ClaimFact]:
    adjudications = _adjudications(ids, zone)
    history = Q(history__to_status=ClaimStatus.SUBMITTED.value)
    rows = (
        Claim.objects.filter(practice_id__in=ids)
        .exclude(status=ClaimStatus.VOID.value)
        .values_list(
            "id",
            "practice_id",
            "encounter__provider_id",
            "coverage__payer_id",
            "sequence",
            "encounter__date_of_service",
            "total_charge_cents",
            "frequency_code",
            "replaces_id",
        )
        .annotate(
            created=TruncDate("created_at", tzinfo=zone),
            submitted=TruncDate(Min("history__at", filter=history), tzinfo=zone),
            acked=Min("history__at", filter=Q(history__to_status=ClaimStatus.ACKNOWLEDGED.value)),
            rejected=Min("history__at", filter=Q(history__to_status=ClaimStatus.REJECTED.value)),
            scrubbed=TruncDate("scrub__first_scrubbed_at", tzinfo=zone),
            scrub_clean=F("scrub__first_clean"),
        )
        .order_by()
    )
    facts = []
    for (
        claim_id,
        practice,
        provider,
        payer,
        sequence,
        dos,
        charge,
        frequency,
        replaces,
        created,
        submitted,
        acked,
        rejected,
        scrubbed,
        clean,
    ) in rows:
        # The first answer to the first submission: the 277CA's acceptance, or a rejection
        # (999 or 277CA), whichever came first; None while neither came.
        accepted: bool | None = None
        if acked is not None and (rejected is None or acked < rejected):
            accepted = True
        elif rejected is not None:
            accepted = False
        mine = adjudications.get(claim_id, ())
        paid_on = min((a.on for a, paid in mine if paid), default=None)
        facts.append(
            ClaimFact(
                claim_id,
                practice,
                provider,
                payer,
                sequence,
                dos,
                charge,
                created,
                submitted,
                accepted if submitted is not None else None,
                scrubbed,
                clean,
                tuple(a for a, _paid in mine),
                paid_on,
                frequency in ("7", "8") or replaces is not None,
            )
        )
    return facts


def _adjudications(ids: list[int], zone: ZoneInfo) -> dict[int, list[tuple[Adjudication, bool]]]:
    """Per claim: its adjudications (835 claim payments posted, not reversals nor exceptions),
    each with whether it paid something."""
    rows = (
        RemittanceClaim.objects.filter(
            practice_id__in=ids, claim__isnull=False, outcome__in=_ADJUDICATED
        )
        .annotate(
            on=Coalesce(
                "remittance__payment_date", TruncDate("remittance__posted_at", tzinfo=zone)
            ),
            denied=Coalesce(Sum("denials__cents"), 0),
        )
        .values_list("claim_id", "on", "outcome", "paid_cents", "denied")
        .order_by()
    )
    out: dict[int, list[tuple[Adjudication, bool]]] = defaultdict(list)
    for claim_id, on, outcome, paid, denied in rows:
        out[claim_id].append((Adjudication(on, _outcome(outcome, paid, denied), denied), paid > 0))
    return out


def _outcome(status: str, paid_cents: int, denied_cents: int) -> AdjudicationOutcome:
    """The core's outcome of a posted claim payment (see ``AdjudicationOutcome``)."""
    if status == ClaimStatus.DENIED.value:
        return AdjudicationOutcome.DENIED
    if status == ClaimStatus.PARTIALLY_PAID.value or denied_cents > 0:
        return AdjudicationOutcome.PARTIALLY_PAID if paid_cents > 0 else AdjudicationOutcome.DENIED
    if paid_cents > 0:
        return AdjudicationOutcome.PAID
    return AdjudicationOutcome.PATIENT_RESPONSIBILITY


def _effect_sum(side: int) -> Sum:
    """SUM of the entries' effect on one bucket (0 insurance, 1 patient): the core's
    ``effect()`` multipliers per kind and bucket, as a SQL CASE."""
    whens = [
        When(kind=kind, bucket=bucket, then=F("cents") * Value(unit[side]))
        for (kind, bucket), unit in EFFECTS.items()
        if unit[side]
    ]
    return Sum(Case(*whens, default=Value(0), output_field=IntegerField()))


def aging_balances(practices: Sequence[Practice], as_of: date) -> list[BalanceFact]:
    """Each charge line's (and each claim's claim-level) insurance and patient balances from
    the ledger entries effective on or before ``as_of``; zero rows are left out. The payer is
    that of the latest claim carrying the line; ``claim_ids`` every claim that carries it."""
    ids = [practice.pk for practice in practices]
    entries = LedgerEntry.objects.filter(practice_id__in=ids, effective_date__lte=as_of)
    nonzero = ~Q(insurance=0) | ~Q(patient=0)
    line_rows = list(
        entries.filter(charge_line__isnull=False)
        .values_list(
            "charge_line_id",
            "practice_id",
            "charge_line__encounter__provider_id",
            "charge_line__encounter__date_of_service",
        )
        .annotate(insurance=_effect_sum(0), patient=_effect_sum(1))
        .filter(nonzero)
        .order_by()
    )
    claim_rows = list(
        entries.filter(charge_line__isnull=True, claim__isnull=False)
        .values_list(
            "claim_id",
            "practice_id",
            "claim__encounter__provider_id",
            "claim__encounter__date_of_service",
            "claim__coverage__payer_id",
        )
        .annotate(insurance=_effect_sum(0), patient=_effect_sum(1))
        .filter(nonzero)
        .order_by()
    )
    carriers: dict[int, list[tuple[int, int]]] = defaultdict(list)
    line_ids = [row[0] for row in line_rows]
    for start in range(0, len(line_ids), _CHUNK):
        for line_id, claim_id, payer in (
            ClaimLine.objects.filter(charge_line_id__in=line_ids[start : start + _CHUNK])
            .exclude(claim__status=ClaimStatus.VOID.value)
            .order_by("claim_id")
            .values_list("charge_line_id", "claim_id", "claim__coverage__payer_id")
        ):
            carriers[line_id].append((claim_id, payer))
    facts = []
    for line_id, practice, provider, dos, insurance, patient in line_rows:
        carried = carriers.get(line_id, [])
        facts.append(
            BalanceFact(
                line_id,
                tuple(claim for claim, _payer in carried),
                practice,
                provider,
                carried[-1][1] if carried else None,
                dos,
                insurance,
                patient,
            )
        )
    for claim_id, practice, provider, dos, payer, insurance, patient in claim_rows:
        facts.append(
            BalanceFact(None, (claim_id,), practice, provider, payer, dos, insurance, patient)
        )
    return facts


def kpi_for(
    practices: Sequence[Practice], *, start: date, end: date, as_of: date | None = None
) -> KpiReport:
    """The KPIs of ``practices`` for ``start`` .. ``end`` (A/R shares measured at ``as_of``)."""
    facts = kpi_facts(practices)
    return kpi_report(
        facts.lines, facts.claims, facts.money, period_start=start, period_end=end, as_of=as_of
    )


def aging_for(practices: Sequence[Practice], as_of: date) -> AgingReport:
    """The A/R aging of ``practices`` at ``as_of``, with its drill-down."""
    return aging(aging_balances(practices, as_of), as_of)
