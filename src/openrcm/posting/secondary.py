"""Claims to the next payer (secondary, tertiary) after a prior payer's 835 is posted.

**When.** Right after a set of an 835 posts (`posting.services` calls
:func:`next_payer_claims_after_posting`), each claim payment (CLP) that moved patient
responsibility to the next payer (ledger entries ``transfer_to_next_payer``: the patient has a
later coverage in force on the date of service) gets a claim to that payer
(:func:`claim_secondary_create`): sequence S after a primary, T after a secondary, the patient's
next coverage by priority, the SAME charge lines (its claim lines point at the prior claim's
charge lines, so the ledger's one charge per charge line stands: no second charge is posted), a
new patient control number, status draft, then scrubbed (ready when clean). Without a next
coverage there is nothing to do: the posting already moved the remainder to the patient.
A payer that forwarded the claim itself (CLP02 19, 20, 21: a crossover) gets no claim from us.

**What it carries.** A :class:`~openrcm.posting.models.NextPayerClaim` links the new claim to
the prior claim and to the prior payer's CLP. The stored 835 is read again for that CLP
(:func:`prior_payments`), so the secondary claim carries exactly what the payer said: the 837P
batch (`clearinghouse.services.batch_build` calls :func:`prior_adjudication_apply`) and the
scrubber (`scrubbing.snapshots` calls :func:`prior_payers_for`) build it with the core's
:func:`~openrcm.core.claims.secondary.secondary_claim_from` (loops 2320, 2330A/B and 2430) from
the prior claim's own 837P form, itself carrying its prior payers for a tertiary claim.

**Idempotent.** One next-payer claim per prior CLP (a unique link) and at most one live (not
void) per prior claim: posting the same CLP again, or another 835 for the same claim, makes
no second claim.

**Reversals.** A reversal (CLP02 22) of the prior payer's payment withdraws the next-payer claim
it led to while that claim has not left us (draft or ready: voided through the state machine);
the corrected payment that follows makes a new one with the corrected adjudication. When the
claim was already batched or sent, it is left as it is and a note goes on its history for a
person (replace it, frequency 7, with the corrected adjudication, or void it at the payer); the
corrected payment then makes no second claim while that one is live, and says so the same way.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import zoneinfo
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from openrcm.audit.services import audit_record
from openrcm.claims.models import Claim, ClaimLine, ClaimStatusChange
from openrcm.claims.services import claim_transition
from openrcm.clearinghouse.professional import SendableClaim, sendable_claims
from openrcm.core.claims.secondary import (
    SecondaryClaimError,
    next_responsibility,
    secondary_claim_from,
)
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.posting.entries import EntryKind
from openrcm.core.posting.plan import content_key
from openrcm.core.scrub.snapshot import PriorPayer, snapshot_from_837p
from openrcm.core.x12 import claim837p as x
from openrcm.core.x12 import era
from openrcm.core.x12.errors import X12Error
from openrcm.files.services import StoredFileError, file_read
from openrcm.patients.models import Coverage
from openrcm.posting.balance_keys import charge_balances_rekey
from openrcm.posting.models import LedgerEntry, NextPayerClaim, Remittance, RemittanceClaim
from openrcm.reporting.timelines import claim_timelines_refresh
from openrcm.scrubbing.services import claim_scrub, claims_scrub
from openrcm.tenancy.models import Practice
from openrcm.tenancy.services import practice_next_number

__all__ = [
    "SecondaryClaimError",
    "claim_secondary_create",
    "claim_secondary_withdraw",
    "next_coverage",
    "next_payer_claims_after_posting",
    "prior_adjudication_apply",
    "prior_payers_for",
    "prior_payments",
    "secondary_claim",
]

BATCH = 500
# CLP02 of a payer that forwarded the claim to the next payer itself (a crossover).
FORWARDED = frozenset({"19", "20", "21"})
# CLP02 that is no adjudication to pass on (reversal, not the payer's claim, predetermination).
NOT_ADJUDICATED = frozenset({"22", "23", "25"})
# Statuses of a next-payer claim no payer is adjudicating: withdrawn (voided) on a reversal.
WITHDRAWABLE = frozenset(
    {ClaimStatus.DRAFT.value, ClaimStatus.READY.value, ClaimStatus.REJECTED.value}
)
SEQUENCES = frozenset({"P", "S", "T"})

type PaymentKey = tuple[int, str, str, str]  # era file id, ST02, TRN02, content key

# The 835 claim payments read during one posting (a file is decrypted and parsed once).
_cache: contextvars.ContextVar[dict[int, dict[PaymentKey, era.ClaimPayment]] | None] = (
    contextvars.ContextVar("openrcm_prior_payments", default=None)
)


@contextmanager
def _payments_cached() -> Iterator[None]:
    token = _cache.set({} if _cache.get() is None else _cache.get())
    try:
        yield
    finally:
        _cache.reset(token)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# -- the prior payer's claim payment, read again from its 835 --------------------------------


def _read_file(remittance: Remittance) -> dict[PaymentKey, era.ClaimPayment]:
    era_file = remittance.era_file
    raw = file_read(stored=era_file.stored)
    out: dict[PaymentKey, era.ClaimPayment] = {}
    header: era.Remittance | None = None
    for event in era.iter_remittance(raw, file=era_file.name or None):
        if isinstance(event, era.Remittance):
            header = event
        elif isinstance(event, era.ClaimPayment) and header is not None:
            key = (era_file.pk, header.control_number, header.trace.number[:50], content_key(event))
            out.setdefault(key, event)
        elif isinstance(event, (era.RemittanceEnd, era.RemittanceFailure)):
            header = None
    return out


def prior_payments(rcs: Iterable[RemittanceClaim]) -> dict[int, era.ClaimPayment]:
    """The 835 claim payment (CLP loop) of each of ``rcs``, by its id, read again from the
    stored 835 (matched by set ST02, trace number TRN02 and the CLP's content key). Raises
    :class:`SecondaryClaimError` naming the claim when the file or the CLP cannot be read."""
    cache = _cache.get()
    files: dict[int, dict[PaymentKey, era.ClaimPayment]] = {} if cache is None else cache
    out: dict[int, era.ClaimPayment] = {}
    for rc in rcs:
        remittance = rc.remittance
        where = (
            f"claim {rc.patient_control_number}: the 835 payment {remittance.trace_number} "
            f"(set {remittance.control_number})"
        )
        if remittance.era_file_id not in files:
            try:
                files[remittance.era_file_id] = _read_file(remittance)
            except (StoredFileError, X12Error) as exc:
                raise SecondaryClaimError(f"{where} cannot be read again: {exc}") from exc
        key = (
            remittance.era_file_id,
            remittance.control_number,
            remittance.trace_number,
            rc.content_key,
        )
        payment = files[remittance.era_file_id].get(key)
        if payment is None:
            raise SecondaryClaimError(f"{where} no longer holds the claim payment posted")
        out[rc.pk] = payment
    return out


# -- the 837P of a next-payer claim -----------------------------------------------------------


def _links(claim_ids: Sequence[int]) -> dict[int, NextPayerClaim]:
    links: dict[int, NextPayerClaim] = {}
    for start in range(0, len(claim_ids), BATCH):
        for link in NextPayerClaim.objects.filter(
            claim_id__in=claim_ids[start : start + BATCH]
        ).select_related("remittance_claim__remittance__era_file__stored"):
            links[link.claim_id] = link
    return links


def _carry(own: x.ProfessionalClaim, prior: x.ProfessionalClaim, link: NextPayerClaim,
           payment: era.ClaimPayment) -> x.ProfessionalClaim:  # fmt: skip
    remittance = link.remittance_claim.remittance
    day = remittance.payment_date or timezone.localdate(remittance.posted_at)
    return secondary_claim(own=own, prior=prior, payment=payment, adjudication_date=day)


def secondary_claim(
    *,
    own: x.ProfessionalClaim,
    prior: x.ProfessionalClaim,
    payment: era.ClaimPayment,
    adjudication_date: dt.date,
) -> x.ProfessionalClaim:
    """The 837P of a next-payer claim: ``own`` (as the database builds it: its coverage as
    subscriber, its patient control number) carrying ``prior``'s adjudication ``payment``."""
    return secondary_claim_from(
        prior=prior,
        payment=payment,
        subscriber=own.subscriber,
        patient=own.patient,
        pcn=own.patient_control_number,
        adjudication_date=adjudication_date,
    )


def prior_adjudication_apply(
    *,
    practice: Practice,
    claims: Sequence[SendableClaim],
    errors: dict[int, str] | None = None,
) -> None:
    """Give each next-payer claim among ``claims`` (their 837P form, as
    `clearinghouse.professional.sendable_claims` builds it) its prior payers' adjudication
    (2320/2330/2430), in place. Claims without a :class:`NextPayerClaim` (primaries, a
    secondary imported from an 837P) are left as they are.

    A prior adjudication that cannot be carried raises :class:`SecondaryClaimError` naming the
    claim; with ``errors`` given it is recorded there by claim id instead (the claim is left
    without it).
    """
    links = _links([c.pk for c in claims])
    if not links:
        return
    with _payments_cached():
        prior_ids = sorted({link.prior_claim_id for link in links.values()})
        priors = {
            s.pk: s
            for s in sendable_claims(
                practice=practice, claims=Claim.objects.filter(pk__in=prior_ids)
            )
        }
        # A tertiary claim's prior is a secondary: it carries the primary's adjudication too.
        prior_adjudication_apply(practice=practice, claims=list(priors.values()), errors=errors)
        for c in claims:
            link = links.get(c.pk)
            if link is None:
                continue
            try:
                prior = priors.get(link.prior_claim_id)
                if prior is None:
                    raise SecondaryClaimError(
                        f"claim {c.patient_control_number}: its prior claim is not in the practice"
                    )
                payment = prior_payments([link.remittance_claim])[link.remittance_claim_id]
                c.claim = _carry(c.claim, prior.claim, link, payment)
            except SecondaryClaimError as exc:
                if errors is None:
                    raise SecondaryClaimError(
                        f"next-payer claim {c.patient_control_number}: {exc}"
                    ) from exc
                errors[c.pk] = str(exc)


def prior_payers_for(
    *, practice: Practice, claim_ids: Sequence[int]
) -> dict[int, tuple[PriorPayer, ...]]:
    """The prior payers' adjudication each next-payer claim of ``claim_ids`` carries, as the
    scrubber sees it (the snapshot's ``prior_payers``). Claims whose adjudication cannot be
    carried (or that have none) are absent: the scrubber then says the claim carries none."""
    ids = sorted(_links(list(claim_ids)))
    if not ids:
        return {}
    forms = sendable_claims(practice=practice, claims=Claim.objects.filter(pk__in=ids))
    errors: dict[int, str] = {}
    prior_adjudication_apply(practice=practice, claims=forms, errors=errors)
    return {s.pk: snapshot_from_837p(s.claim).prior_payers for s in forms if s.pk not in errors}


# -- making and withdrawing next-payer claims -------------------------------------------------


def next_coverage(*, claim: Claim) -> Coverage | None:
    """The patient's coverage after the claim's (a higher priority number, the nearest first),
    in force on the date of service; None when there is none."""
    encounter = claim.encounter
    day = encounter.date_of_service
    candidates = (
        Coverage.objects.filter(
            patient_id=encounter.patient_id, priority__gt=claim.coverage.priority
        )
        .select_related("payer")
        .order_by("priority", "-effective_from", "id")
    )
    for coverage in candidates:
        if coverage.is_active_on(day):
            return coverage
    return None


def _note(claim: Claim, note: str, actor: Any, now: dt.datetime | None = None) -> None:
    """A note for a person on the claim's history (a step that leaves its status as it is)."""
    ClaimStatusChange.objects.create(
        practice_id=claim.practice_id,
        claim=claim,
        from_status=claim.status,
        to_status=claim.status,
        at=now or timezone.now(),
        actor=_user(actor),
        note=note[:500],
    )


def _moved_to_next_payer(rc: RemittanceClaim) -> int:
    total = LedgerEntry.objects.filter(
        remittance_claim=rc, kind=EntryKind.TRANSFER_TO_NEXT_PAYER.value
    ).aggregate(total=Sum("cents"))["total"]
    return int(total or 0)


def claim_secondary_create(
    *,
    claim: Claim,
    remittance_claim: RemittanceClaim,
    actor: Any = None,
    now: dt.datetime | None = None,
    scrub: bool = True,
) -> Claim | None:
    """The claim to the next payer after ``claim`` was adjudicated as ``remittance_claim``
    (a posted CLP): made, linked and scrubbed; or the one already made for that CLP. None when
    nothing goes to a next payer (the adjudication moved nothing to it, no later coverage, the
    payer forwarded the claim itself, or another next-payer claim of ``claim`` is live: a note
    on that one says so). ``now`` stamps what is written (default the clock); ``scrub=False``
    leaves the scrub to the caller (a posting scrubs the claims it made in one batch). Raises
    :class:`SecondaryClaimError` when the next coverage is with the same payer (the posting
    left the amount for a next payer that is not one). See the module docstring."""
    rc = remittance_claim
    existing = NextPayerClaim.objects.filter(remittance_claim=rc).select_related("claim").first()
    if existing is not None:
        return existing.claim
    if rc.claim_id != claim.pk or rc.outcome == "exception":
        return None
    if rc.status_code in FORWARDED or rc.status_code in NOT_ADJUDICATED:
        return None
    if claim.sequence not in SEQUENCES or claim.sequence == "T":
        return None  # no fourth payer: the claims of a practice go to three at most
    if _moved_to_next_payer(rc) <= 0:
        return None
    coverage = next_coverage(claim=claim)
    if coverage is None:
        return None
    if coverage.payer_id == claim.coverage.payer_id:
        raise SecondaryClaimError(
            f"the patient's next coverage ({coverage.member_id}) is with the payer that "
            "adjudicated the claim: its balance stays open for a person to work"
        )
    with transaction.atomic():
        prior = (
            Claim.objects.select_for_update()
            .select_related("practice", "encounter")
            .get(pk=claim.pk)
        )
        live = (
            NextPayerClaim.objects.filter(prior_claim=prior)
            .exclude(claim__status=ClaimStatus.VOID.value)
            .select_related("claim", "remittance_claim__remittance")
            .order_by("-id")
            .first()
        )
        if live is not None:
            _note(
                live.claim,
                f"Claim {prior.patient_control_number} was adjudicated again (835 "
                f"{rc.remittance.trace_number}, payer claim {rc.payer_claim_number}) after this "
                "claim was sent with the earlier adjudication: send a replacement (frequency 7) "
                "carrying the new one, or void this claim at the payer.",
                actor,
                now,
            )
            return None
        new = _create(prior, coverage, rc, actor, now or timezone.now())
    if scrub:
        claim_scrub(claim=new, actor=actor, now=now)
    return new


def _create(
    prior: Claim, coverage: Coverage, rc: RemittanceClaim, actor: Any, now: dt.datetime
) -> Claim:
    by = _user(actor)
    number = practice_next_number(practice=prior.practice, name="patient_control")
    sequence = next_responsibility(prior.sequence)
    new = Claim.objects.create(
        practice_id=prior.practice_id,
        encounter_id=prior.encounter_id,
        coverage=coverage,
        sequence=sequence,
        # Numbered as claims.services numbers every claim (unique in the practice).
        patient_control_number=f"{prior.practice_id}C{number:08d}",
        total_charge_cents=prior.total_charge_cents,
        status=ClaimStatus.DRAFT.value,
        status_changed_at=now,
        created_by=by,
    )
    ClaimLine.objects.bulk_create(
        ClaimLine(
            practice_id=line.practice_id,
            claim=new,
            charge_line_id=line.charge_line_id,
            line_number=line.line_number,
            charge_cents=line.charge_cents,
        )
        for line in prior.lines.order_by("line_number")
    )
    charge_balances_rekey(claim_ids=[new.pk])  # the lines' responsible payer is now this one
    word = "Secondary" if sequence == "S" else "Tertiary"
    ClaimStatusChange.objects.create(
        practice_id=new.practice_id,
        claim=new,
        from_status="",
        to_status=ClaimStatus.DRAFT.value,
        at=now,
        actor=by,
        note=(
            f"{word} claim to {coverage.payer.name} after the 835 of claim "
            f"{prior.patient_control_number} (payment {rc.remittance.trace_number}, payer claim "
            f"{rc.payer_claim_number})."
        )[:500],
    )
    claim_timelines_refresh(claim_ids=[new.pk])
    NextPayerClaim.objects.create(
        practice_id=prior.practice_id,
        claim=new,
        prior_claim=prior,
        remittance_claim=rc,
        created_at=now,
    )
    audit_record(
        action="create",
        actor=by,
        practice=prior.practice_id,
        object_type="claims.claim",
        object_id=new.pk,
        patient_id=prior.encounter.patient_id,
        detail={"sequence": sequence, "prior_claim": prior.pk, "remittance_claim": rc.pk},
    )
    return new


def claim_secondary_withdraw(
    *, reversal: RemittanceClaim, actor: Any = None, now: dt.datetime | None = None
) -> Claim | None:
    """After ``reversal`` (a posted CLP02 22) undid a prior payer's payment: void the
    next-payer claim that payment led to while it is a draft or ready (returned), else leave a
    note on it for a person (None). None as well when the payment led to no such claim."""
    originals = RemittanceClaim.objects.filter(reversed_by=reversal).values_list("pk", flat=True)
    link = (
        NextPayerClaim.objects.filter(remittance_claim_id__in=list(originals))
        .select_related("claim")
        .first()
    )
    if link is None:
        return None
    target = link.claim
    what = (
        f"The prior payer reversed the payment this claim carries (835 "
        f"{reversal.remittance.trace_number}, payer claim {reversal.payer_claim_number})"
    )
    if target.status == ClaimStatus.VOID.value:
        return None
    if target.status in WITHDRAWABLE:
        return claim_transition(
            claim=target,
            to=ClaimStatus.VOID,
            actor=actor,
            now=now,
            note=f"{what}: withdrawn before it was sent; the corrected payment makes a new one.",
        )
    _note(
        target,
        f"{what} after this claim was sent: send a replacement (frequency 7) with the corrected "
        "adjudication, or void it at the payer.",
        actor,
        now,
    )
    return None


def next_payer_claims_after_posting(
    *, remittance: Remittance, actor: Any = None, now: dt.datetime | None = None
) -> list[str]:
    """Make (or withdraw) the next-payer claims of the CLPs of ``remittance`` just posted, in
    the order the 835 has them, and scrub the claims made in one batch. Returns warnings (a
    claim that could not be made, and why)."""
    moved = (
        LedgerEntry.objects.filter(
            remittance_claim__remittance=remittance,
            kind=EntryKind.TRANSFER_TO_NEXT_PAYER.value,
        )
        .values("remittance_claim_id")
        .annotate(total=Sum("cents"))
        .filter(total__gt=0)
        .values_list("remittance_claim_id", flat=True)
    )
    reversals = RemittanceClaim.objects.filter(
        remittance=remittance, status_code="22", claim__isnull=False
    ).exclude(outcome="exception")
    ids = sorted({*moved, *reversals.values_list("pk", flat=True)})
    if not ids:
        return []
    warnings: list[str] = []
    rows: dict[int, RemittanceClaim] = {}
    for start in range(0, len(ids), BATCH):
        for rc in RemittanceClaim.objects.filter(pk__in=ids[start : start + BATCH]).select_related(
            "claim__encounter", "claim__coverage", "remittance"
        ):
            rows[rc.pk] = rc
    made: list[int] = []
    with _payments_cached():
        for pk in ids:
            rc = rows[pk]
            assert rc.claim is not None
            if rc.status_code == "22":
                claim_secondary_withdraw(reversal=rc, actor=actor, now=now)
                continue
            try:
                with transaction.atomic():
                    new = claim_secondary_create(
                        claim=rc.claim, remittance_claim=rc, actor=actor, now=now, scrub=False
                    )
            except SecondaryClaimError as exc:
                warnings.append(f"{rc.patient_control_number}: no next-payer claim: {exc}")
                continue
            if new is not None and new.status in WITHDRAWABLE:
                made.append(new.pk)
        practice = remittance.practice
        # Scrubbed as of the posting's moment (a simulated day in the demo), in the practice's
        # time zone as every scrub counts its days.
        today = (
            timezone.localtime(now, zoneinfo.ZoneInfo(practice.time_zone)).date() if now else None
        )
        for start in range(0, len(made), BATCH):
            claims_scrub(
                practice=practice,
                claim_ids=made[start : start + BATCH],
                actor=actor,
                today=today,
                now=now,
            )
    return warnings
