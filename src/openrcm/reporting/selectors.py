"""The reporting core's facts, read from the database for one practice or several.

Reads only (``values()`` / ``values_list()``, no model instances), a fixed number of queries
whatever the number of practices and their time zones (docs/reporting.md, "Speed"):

* :func:`kpi_facts` gives what :func:`openrcm.core.reporting.kpi_report` and
  :func:`~openrcm.core.reporting.monthly_trend` read. Money and charges come **pre-summed**
  from the ledger's day sums (:class:`~openrcm.posting.models.LedgerDaySum`, kept by the
  ledger's writes): one money fact per kind, bucket, effective date and date of service, and
  one line fact per practice and date of service (standing for every line billed that day).
  Claim facts are one per claim (only those a period from ``since`` on counts), with the dates
  of their life (created, first submitted and whether the first answer accepted it, first
  scrub) and their adjudications (835 claim payments that posted).
* :func:`aging_balances` gives each line's (and each claim's claim-level) balances as of a
  date: today's stored balances (:class:`~openrcm.posting.models.ChargeBalance`) less the
  effect of the entries effective after that date, for :func:`openrcm.core.reporting.aging`
  and its drill-down.

Dates are the practice's own days (its time zone), as the core expects. Tenancy: callers pass
practices they already hold (a command's ``--practice``) or :func:`practices_for_user`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    F,
    IntegerField,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from openrcm.claims.models import Claim, ClaimStatusChange
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.posting.entries import EntryKind
from openrcm.core.reporting import (
    Adjudication,
    AdjudicationOutcome,
    BalanceFact,
    ClaimFact,
    KpiReport,
    LineFact,
    MoneyFact,
    kpi_report,
)
from openrcm.core.reporting.balances import EFFECTS
from openrcm.posting.models import (
    ChargeBalance,
    Denial,
    LedgerDaySum,
    LedgerEntry,
    RemittanceClaim,
)
from openrcm.tenancy.models import Practice
from openrcm.tenancy.scoping import practice_ids_for

__all__ = [
    "KpiFacts",
    "aging_balances",
    "kpi_by_practice",
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
_SUBMITTED = ClaimStatus.SUBMITTED.value
_ACKNOWLEDGED = ClaimStatus.ACKNOWLEDGED.value
_REJECTED = ClaimStatus.REJECTED.value
# The statuses whose first time a claim fact needs: first submission and its first answer.
_MILESTONES = (_SUBMITTED, _ACKNOWLEDGED, _REJECTED)


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


def kpi_facts(practices: Sequence[Practice], *, since: date | None = None) -> KpiFacts:
    """The line, claim and money facts of ``practices`` for the KPI engine (pre-summed, see the
    module docstring): 5 queries, whatever the number of practices and their time zones.

    With ``since`` (the first day of the earliest period the caller will report), claims with
    nothing on or after it are left out: they count in no such period. Money and charges are
    always read whole (A/R and the trailing window of days in A/R reach back)."""
    lines: list[LineFact] = []
    claims: list[ClaimFact] = []
    money: list[MoneyFact] = []
    for facts in _facts_by_practice(practices, since).values():
        lines += facts.lines
        claims += facts.claims
        money += facts.money
    return KpiFacts(lines, claims, money)


def _facts_by_practice(practices: Sequence[Practice], since: date | None) -> dict[int, KpiFacts]:
    """:func:`kpi_facts` of each practice, read together (5 queries)."""
    ids = [practice.pk for practice in practices]
    out = {pk: KpiFacts([], [], []) for pk in ids}
    if not ids:
        return out
    _ledger_facts(ids, out)
    for fact in _claim_facts(ids, _by_zone(practices), since):
        out[fact.practice_id].claims.append(fact)
    return out


def _ledger_facts(ids: list[int], out: dict[int, KpiFacts]) -> None:
    """Money and charges from the ledger's day sums (:class:`~openrcm.posting.models.
    LedgerDaySum`, kept with the entries): one money fact per practice, kind, bucket, effective
    date and date of service, as stored; and one line fact per practice and date of service,
    its charges, standing for every line billed that day. A line fact's id is a stand-in
    (negative, unique among the facts) and its provider 0: the KPI engine reads neither when
    every money fact has its date of service, as these do."""
    charges: dict[tuple[int, date], int] = defaultdict(int)
    charge = EntryKind.CHARGE.value
    for practice, kind, bucket, cents, effective, served in (
        LedgerDaySum.objects.filter(practice_id__in=ids)
        .exclude(cents=0)
        .values_list("practice_id", "kind", "bucket", "cents", "effective_date", "service_date")
        .order_by()
    ):
        out[practice].money.append(MoneyFact(None, None, kind, bucket, cents, effective, served))
        if kind == charge:
            charges[(practice, served)] += cents
    for (practice, served), cents in sorted(charges.items()):
        line_id = -(practice * 1_000_000 + served.toordinal())
        out[practice].lines.append(LineFact(line_id, practice, 0, None, served, cents))


def _local_day(field: Any, zones: dict[str, list[int]]) -> Any:
    """``field`` (an aware datetime, or an expression of one) as the practice's own day: one
    expression whatever the number of practices (a CASE over their time zones when they
    differ), so the reads stay a fixed number of queries."""
    if len(zones) == 1:
        [name] = zones
        return TruncDate(field, tzinfo=ZoneInfo(name))
    return Case(
        *(
            When(practice_id__in=ids, then=TruncDate(field, tzinfo=ZoneInfo(name)))
            for name, ids in zones.items()
        ),
        output_field=DateField(),
    )


def _claims_since(ids: list[int], since: date | None) -> Any:
    """The claims of ``ids`` (void ones left out) with anything a period from ``since`` on
    counts: created, submitted, scrubbed or adjudicated on or after it (a day early, which
    covers every time zone: a few claims too many change nothing, none is missed)."""
    claims = Claim.objects.filter(practice_id__in=ids).exclude(status=ClaimStatus.VOID.value)
    if since is None:
        return claims
    moment = dt.datetime.combine(since - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    sent = ClaimStatusChange.objects.filter(
        practice_id__in=ids, to_status=_SUBMITTED, at__gte=moment
    ).values("claim_id")
    paid = RemittanceClaim.objects.filter(
        Q(remittance__payment_date__gte=since) | Q(remittance__posted_at__gte=moment),
        practice_id__in=ids,
        claim__isnull=False,
    ).values("claim_id")
    return claims.filter(
        Q(created_at__gte=moment)
        | Q(scrub__first_scrubbed_at__gte=moment)
        | Q(pk__in=sent)
        | Q(pk__in=paid)
    )


def _claim_facts(
    ids: list[int], zones: dict[str, list[int]], since: date | None = None
) -> list[ClaimFact]:
    """One fact per claim (void ones left out; with ``since``, only those a period from then on
    counts), from three narrow reads: the claims with their encounter, coverage and first
    scrub (no grouping), per claim its first submission and whether the first answer accepted
    it (grouped on the history table alone, compared in the database), and the
    adjudications."""
    wanted = _claims_since(ids, since)
    # Adjudications and history are read for every claim of the practices: filtering them by
    # the wanted claims (a semi-join) cost more than the rows it saved; the dictionaries are
    # only looked up for the wanted claims.
    adjudications = _adjudications(ids, zones)
    sent: dict[int, tuple[date, bool | None]] = {}
    first_sent = Min("at", filter=Q(to_status=_SUBMITTED))
    for claim_id, submitted, accepted in (
        ClaimStatusChange.objects.filter(practice_id__in=ids, to_status__in=_MILESTONES)
        # The practice (one per claim) is grouped on for the time-zone CASE to read it.
        .values("claim_id", "practice_id")
        .annotate(
            first_sent=first_sent,
            acked=Min("at", filter=Q(to_status=_ACKNOWLEDGED)),
            rejected=Min("at", filter=Q(to_status=_REJECTED)),
        )
        .filter(first_sent__isnull=False)
        .annotate(
            submitted=_local_day(first_sent, zones),
            # The first answer to the first submission: the 277CA's acceptance, or a rejection
            # (999 or 277CA), whichever came first; None while neither came.
            accepted=Case(
                When(acked__isnull=False, rejected__isnull=True, then=Value(True)),
                When(acked__lt=F("rejected"), then=Value(True)),
                When(rejected__isnull=False, then=Value(False)),
                default=Value(None),
                output_field=BooleanField(null=True),
            ),
        )
        .values_list("claim_id", "submitted", "accepted")
        .order_by()
    ):
        sent[claim_id] = (submitted, accepted)
    rows = (
        wanted.values_list(
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
            created=_local_day("created_at", zones),
            scrubbed=_local_day("scrub__first_scrubbed_at", zones),
            scrub_clean=F("scrub__first_clean"),
        )
        .order_by()
    )
    facts = []
    not_sent: tuple[None, None] = (None, None)
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
        scrubbed,
        clean,
    ) in rows:
        submitted, accepted = sent.get(claim_id, not_sent)
        mine = adjudications.get(claim_id)
        if mine is None:
            done: tuple[Adjudication, ...] = ()
            paid_on = None
        else:
            done = tuple(a for a, _paid in mine)
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
                accepted,
                scrubbed,
                clean,
                done,
                paid_on,
                frequency in ("7", "8") or replaces is not None,
            )
        )
    return facts


def _adjudications(
    ids: list[int], zones: dict[str, list[int]]
) -> dict[int, list[tuple[Adjudication, bool]]]:
    """Per claim: its adjudications (835 claim payments posted, not reversals nor exceptions),
    each with whether it paid something."""
    posted = RemittanceClaim.objects.filter(
        practice_id__in=ids, claim__isnull=False, outcome__in=_ADJUDICATED
    )
    # Denied amounts summed apart (denials are few): grouping every claim payment on a join
    # with its denials cost more than the rest of the read.
    denied_of = dict(
        Denial.objects.filter(practice_id__in=ids, remittance_claim__outcome__in=_ADJUDICATED)
        .values_list("remittance_claim_id")
        .annotate(total=Sum("cents"))
        .order_by()
    )
    rows = (
        posted.annotate(
            on=Coalesce("remittance__payment_date", _local_day("remittance__posted_at", zones))
        )
        .values_list("pk", "claim_id", "on", "outcome", "paid_cents")
        .order_by()
    )
    out: dict[int, list[tuple[Adjudication, bool]]] = defaultdict(list)
    for pk, claim_id, on, outcome, paid in rows:
        denied = denied_of.get(pk, 0)
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


def _nonzero() -> Q:
    """A stored balance that is not zero in both buckets."""
    return (
        Q(insurance_cents__lt=0)
        | Q(insurance_cents__gt=0)
        | Q(patient_cents__lt=0)
        | Q(patient_cents__gt=0)
    )


def aging_balances(practices: Sequence[Practice], as_of: date) -> list[BalanceFact]:
    """Each charge line's (and each claim's claim-level) insurance and patient balances as of
    ``as_of``; zero rows are left out. The payer is that of the latest claim carrying the line;
    ``claim_ids`` every claim that carries it.

    Read from the stored balances (:class:`~openrcm.posting.models.ChargeBalance`, kept with
    the entries), less the effect of the entries effective after ``as_of`` (none for today's
    aging; for a past date, only what was posted since): the same figures as summing every
    entry effective by then, reading the open lines only."""
    ids = [practice.pk for practice in practices]
    later = LedgerEntry.objects.filter(practice_id__in=ids, effective_date__gt=as_of).order_by()
    undo_lines = {
        line_id: (insurance, patient)
        for line_id, insurance, patient in later.filter(charge_line__isnull=False)
        .values_list("charge_line_id")
        .annotate(insurance=_effect_sum(0), patient=_effect_sum(1))
    }
    undo_claims = {
        claim_id: (insurance, patient)
        for claim_id, insurance, patient in later.filter(
            charge_line__isnull=True, claim__isnull=False
        )
        .values_list("claim_id")
        .annotate(insurance=_effect_sum(0), patient=_effect_sum(1))
    }
    stored = ChargeBalance.objects.filter(practice_id__in=ids).order_by()
    wanted_lines = _nonzero()
    if undo_lines:  # lines settled since as_of were open then
        moved = later.filter(charge_line__isnull=False).values("charge_line_id")
        wanted_lines |= Q(charge_line_id__in=moved)
    # One read: each open line with every claim line billing it (a row per claim, in claim
    # order; a line no claim bills comes once, with no claim). Two reads, the lines and then
    # their claims, cost twice as much.
    line_rows = (
        stored.filter(wanted_lines, charge_line__isnull=False)
        .values_list(
            "charge_line_id",
            "practice_id",
            "charge_line__encounter__provider_id",
            "charge_line__encounter__date_of_service",
            "insurance_cents",
            "patient_cents",
            "charge_line__claim_lines__claim_id",
            "charge_line__claim_lines__claim__status",
            "charge_line__claim_lines__claim__coverage__payer_id",
        )
        .order_by("charge_line_id", "charge_line__claim_lines__claim_id")
    )
    wanted_claims = _nonzero()
    if undo_claims:
        wanted_claims |= Q(claim_id__in=later.filter(charge_line__isnull=True).values("claim_id"))
    claim_rows = (
        stored.filter(wanted_claims, charge_line__isnull=True)
        .values_list(
            "claim_id",
            "practice_id",
            "claim__encounter__provider_id",
            "claim__encounter__date_of_service",
            "claim__coverage__payer_id",
            "insurance_cents",
            "patient_cents",
        )
        .order_by("claim_id")
    )
    facts = []
    no_change = (0, 0)
    void = ClaimStatus.VOID.value
    for line_id, group in groupby(line_rows, key=itemgetter(0)):
        rows = list(group)
        _line, practice, provider, dos, insurance, patient = rows[0][:6]
        undo = undo_lines.get(line_id, no_change)
        insurance -= undo[0]
        patient -= undo[1]
        if not (insurance or patient):
            continue
        carried = [
            (claim, payer) for *_head, claim, status, payer in rows
            if claim is not None and status != void
        ]  # fmt: skip
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
        undo = undo_claims.get(claim_id, no_change)
        insurance -= undo[0]
        patient -= undo[1]
        if insurance or patient:
            facts.append(
                BalanceFact(None, (claim_id,), practice, provider, payer, dos, insurance, patient)
            )
    return facts


def kpi_by_practice(
    practices: Sequence[Practice], *, start: date, end: date, as_of: date | None = None
) -> dict[int, KpiReport]:
    """The KPIs of each of ``practices`` apart (by practice id), read together: the same
    fixed number of queries for one practice or fifty (the across-practices dashboard)."""
    return {
        pk: kpi_report(
            facts.lines, facts.claims, facts.money, period_start=start, period_end=end, as_of=as_of
        )
        for pk, facts in _facts_by_practice(practices, start).items()
    }


def kpi_for(
    practices: Sequence[Practice], *, start: date, end: date, as_of: date | None = None
) -> KpiReport:
    """The KPIs of ``practices`` for ``start`` .. ``end`` (A/R shares measured at ``as_of``)."""
    facts = kpi_facts(practices, since=start)
    return kpi_report(
        facts.lines, facts.claims, facts.money, period_start=start, period_end=end, as_of=as_of
    )
