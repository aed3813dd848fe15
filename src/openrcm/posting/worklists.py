"""Reads of the posting pages: ERAs and what each claim payment did, the exceptions and
denials worklists, a claim's ledger with running balances.

Every function takes the signed-in user and reads only the practices that user sees
(`for_user`); a page for one object gets it with `get_for_user_or_404`. Query counts are bounded
by the page size, not by the number of claims, lines or entries (select_related and prefetches).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from openrcm.claims.models import Claim, ClaimLine
from openrcm.core.codes.carc import carc as carc_entry
from openrcm.core.codes.rarc import rarc as rarc_entry
from openrcm.core.posting.entries import EntryKind, effect
from openrcm.core.posting.plb import plb_code
from openrcm.posting.denials import WORKABLE
from openrcm.posting.ledger import core_entry
from openrcm.posting.models import (
    Denial,
    EraFile,
    LedgerEntry,
    PostingException,
    ProviderAdjustment,
    Remittance,
    RemittanceClaim,
)
from openrcm.tenancy.scoping import get_for_user_or_404

# CAS groups as a billing team reads them.
GROUP_LABELS = {
    "CO": "Contractual obligation",
    "PR": "Patient responsibility",
    "OA": "Other adjustment",
    "PI": "Payer initiated",
}
# Entry kinds that are an 835 adjustment (group and CARC), not the payment itself.
ADJUSTMENT_KINDS = frozenset(
    {
        EntryKind.CONTRACTUAL_ADJUSTMENT,
        EntryKind.OTHER_ADJUSTMENT,
        EntryKind.DENIAL,
        EntryKind.PRIOR_PAYER,
        EntryKind.TRANSFER_TO_PATIENT,
        EntryKind.TRANSFER_TO_NEXT_PAYER,
    }
)


def _scoped[T: Any](qs: QuerySet[T], user: Any, practice: Any) -> QuerySet[T]:
    qs = qs.for_user(user)  # type: ignore[attr-defined]
    return qs.filter(practice=practice) if practice is not None else qs


# -- ERAs --------------------------------------------------------------------------------------


def era_list(*, user: Any, practice: Any = None) -> QuerySet[Remittance]:
    """The user's remittances (one per 835 transaction set), newest first, with the number of
    claims posted and of exceptions still open."""
    return (
        _scoped(Remittance.objects.all(), user, practice)
        .select_related("practice", "era_file")
        .annotate(
            posted_claims=Count("claims", filter=~Q(claims__outcome="exception"), distinct=True),
            open_exceptions=Count(
                "exceptions", filter=Q(exceptions__resolved_at__isnull=True), distinct=True
            ),
        )
        .order_by("-posted_at", "-id")
    )


def era_files_unreadable(*, user: Any, practice: Any = None) -> QuerySet[EraFile]:
    """Received 835 files that could not be read at all (recorded with their error)."""
    return (
        _scoped(EraFile.objects.exclude(error=""), user, practice)
        .select_related("practice")
        .order_by("-imported_at", "-id")
    )


def era_get(*, user: Any, pk: Any) -> Remittance:
    """One remittance the user may see, or Http404."""
    return get_for_user_or_404(
        Remittance.objects.select_related("practice", "era_file", "era_file__imported_by"),
        user,
        pk=pk,
    )


@dataclass
class Adjustment:
    group: str
    carc: str
    cents: int
    rarcs: list[str] = field(default_factory=list)

    @property
    def group_label(self) -> str:
        return GROUP_LABELS.get(self.group, self.group)

    @property
    def description(self) -> str:
        return carc_entry(self.carc).description


@dataclass
class LineMatch:
    svc: int
    line_number: int | None
    method: str
    detail: str


@dataclass
class PaidClaim:
    """One CLP of the remittance as the ERA page shows it."""

    rc: RemittanceClaim
    adjustments: list[Adjustment]
    matches: list[LineMatch]
    exception: PostingException | None

    @property
    def outcome_label(self) -> str:
        return (self.rc.outcome or "posted").replace("_", " ")


def era_claims(*, remittance: Remittance) -> list[PaidClaim]:
    """The remittance's claim payments with their adjustments by group and CARC (summed from
    the ledger entries they posted), how each service line was matched, and any exception."""
    adjustments: QuerySet[LedgerEntry] = LedgerEntry.objects.filter(
        kind__in=[k.value for k in ADJUSTMENT_KINDS]
    ).order_by("id")
    exceptions: QuerySet[PostingException] = PostingException.objects.order_by("id")
    rcs = list(
        RemittanceClaim.objects.filter(remittance=remittance)
        .select_related("claim__encounter__patient")
        .prefetch_related(
            Prefetch("entries", queryset=adjustments),
            Prefetch("exceptions", queryset=exceptions),
        )
        .order_by("id")
    )
    line_ids = {m.get("line_id") for rc in rcs for m in rc.matching if m.get("line_id")}
    numbers = dict(ClaimLine.objects.filter(pk__in=line_ids).values_list("pk", "line_number"))
    out: list[PaidClaim] = []
    for rc in rcs:
        sums: dict[tuple[str, str], Adjustment] = {}
        for entry in rc.entries.all():
            key = (entry.group_code, entry.carc)
            adj = sums.setdefault(key, Adjustment(entry.group_code, entry.carc, 0))
            adj.cents += entry.cents
            adj.rarcs += [r for r in entry.rarcs if r not in adj.rarcs]
        matches = [
            LineMatch(
                svc=int(m.get("svc", 0)) + 1,
                line_number=numbers.get(m.get("line_id")),
                method=str(m.get("method", "")),
                detail=str(m.get("detail", "")),
            )
            for m in rc.matching
        ]
        found = list(rc.exceptions.all())
        out.append(PaidClaim(rc, list(sums.values()), matches, found[0] if found else None))
    return out


@dataclass
class Plb:
    row: ProviderAdjustment
    label: str
    kind: str


def era_provider_adjustments(*, remittance: Remittance) -> list[Plb]:
    """The remittance's PLB items with our label for each code."""
    return [
        Plb(row, plb_code(row.reason).description, plb_code(row.reason).kind.label)
        for row in ProviderAdjustment.objects.filter(remittance=remittance).order_by("id")
    ]


# -- exceptions ---------------------------------------------------------------------------------


def exception_list(
    *, user: Any, practice: Any = None, resolved: bool = False
) -> QuerySet[PostingException]:
    """Open (or resolved, newest first) posting exceptions of the user's practices."""
    qs = _scoped(PostingException.objects.all(), user, practice).select_related(
        "practice", "remittance", "remittance_claim", "resolved_by"
    )
    if resolved:
        return qs.filter(resolved_at__isnull=False).order_by("-resolved_at", "-id")
    return qs.filter(resolved_at__isnull=True).order_by("id")


def exception_get(*, user: Any, pk: Any) -> PostingException:
    """One exception the user may see, or Http404."""
    return get_for_user_or_404(
        PostingException.objects.select_related(
            "practice", "remittance__era_file__stored", "remittance_claim", "resolved_by"
        ),
        user,
        pk=pk,
    )


MATCH_CANDIDATES = 25


def match_candidates(
    *,
    exception: PostingException,
    terms: str = "",
    service_date: dt.date | None = None,
) -> list[Claim]:
    """Claims of the exception's practice a person may match it to: by patient control number
    (part of it), patient name or account number, and date of service; without terms, the
    claims whose total charge is the CLP's charge. Newest first, at most 25."""
    qs = Claim.objects.filter(practice_id=exception.practice_id).exclude(status="void")
    terms = terms.strip()
    if terms:
        for term in terms.replace(",", " ").split():
            qs = qs.filter(
                Q(patient_control_number__icontains=term)
                | Q(encounter__patient__last_name__icontains=term)
                | Q(encounter__patient__first_name__icontains=term)
                | Q(encounter__patient__account_number__iexact=term)
            )
    if service_date is not None:
        qs = qs.filter(encounter__date_of_service=service_date)
    if not terms and service_date is None:
        rc = exception.remittance_claim
        if rc is None:
            return []
        qs = qs.filter(total_charge_cents=rc.charge_cents)
    return list(
        qs.select_related("encounter__patient", "coverage__payer").order_by(
            "-encounter__date_of_service", "-id"
        )[:MATCH_CANDIDATES]
    )


# -- denials ------------------------------------------------------------------------------------


@dataclass
class Code:
    code: str
    description: str


def denial_list(
    *, user: Any, practice: Any = None, category: str = "", done: bool = False
) -> QuerySet[Denial]:
    """Denials waiting for a person (open or appealed; oldest first), or the ones worked
    (written off or resubmitted; newest first), optionally of one category."""
    qs = _scoped(Denial.objects.all(), user, practice).select_related(
        "practice",
        "claim__encounter__patient",
        "claim__coverage__payer",
        "claim_line__charge_line",
        "remittance_claim",
        "worked_by",
    )
    if category:
        qs = qs.filter(category=category)
    if done:
        return qs.exclude(status__in=WORKABLE).order_by("-worked_at", "-id")
    return qs.filter(status__in=WORKABLE).order_by("created_at", "id")


def denial_categories(*, user: Any, practice: Any = None) -> list[tuple[str, int, int]]:
    """(category, denials waiting, cents waiting) of the user's denials, largest count first."""
    rows: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for category, cents in _scoped(
        Denial.objects.filter(status__in=WORKABLE), user, practice
    ).values_list("category", "cents"):
        rows[category][0] += 1
        rows[category][1] += cents
    return sorted(((c, n, cents) for c, (n, cents) in rows.items()), key=lambda r: (-r[1], r[0]))


def denial_codes(denial: Denial) -> tuple[Code, list[Code]]:
    """The denial's CARC and RARCs with their descriptions from the core's tables."""
    return (
        Code(denial.carc, carc_entry(denial.carc).description),
        [Code(r, rarc_entry(r).description) for r in denial.rarcs],
    )


def denial_age_days(denial: Denial, today: dt.date | None = None) -> int:
    """Days since the 835 recorded the denial."""
    day = today or timezone.localdate()
    return (day - timezone.localdate(denial.created_at)).days


# -- a claim's ledger ---------------------------------------------------------------------------


@dataclass
class LedgerRow:
    entry: LedgerEntry
    label: str
    insurance_cents: int
    patient_cents: int
    remittance_id: int | None


def claim_ledger(*, claim: Claim) -> list[LedgerRow]:
    """The claim's entries oldest first (its own, and patient entries on its lines that belong
    to no payer's claim), each with the running insurance and patient balances they add to."""
    lines = list(claim.lines.values_list("charge_line_id", flat=True))
    entries = (
        LedgerEntry.objects.filter(Q(claim=claim) | Q(claim__isnull=True, charge_line_id__in=lines))
        .select_related("claim_line", "remittance_claim", "created_by")
        .order_by("id")
    )
    insurance = patient = 0
    rows: list[LedgerRow] = []
    for entry in entries:
        ins, pat = effect(core_entry(entry))
        insurance += ins
        patient += pat
        rows.append(
            LedgerRow(
                entry,
                EntryKind(entry.kind).label,
                insurance,
                patient,
                entry.remittance_claim.remittance_id if entry.remittance_claim else None,
            )
        )
    return rows
