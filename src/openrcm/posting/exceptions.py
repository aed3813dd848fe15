"""Writes of the exceptions queue: a person matches an 835 claim payment to one of our claims.

An 835 CLP that names a claim we do not have (or whose lines matched none of ours) waits as a
`PostingException` with what the import tried. Matching it by hand posts the payment exactly
as the import posts a matched claim: the CLP is read again from the stored 835 (the file is
the record, not a copy of it), given our claim's patient control number, and handed to the
import's own set poster (`services._SetPoster`: the core's plan, entries and balances,
denials, the claim's status through the state machine, then the next payer's claim). Nothing
else writes these postings, so a manual match cannot drift from an automatic one.

A match that the core cannot post (its lines match none of the chosen claim's, a reversal
without an earlier posting, a payment already posted on that claim) is refused with the
reason and changes nothing; the exception stays open.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from openrcm.audit.services import audit_record, audit_service_actor
from openrcm.claims.models import Claim
from openrcm.core.posting.plan import content_key
from openrcm.core.x12.era import ClaimPayment
from openrcm.files.services import file_read
from openrcm.posting.models import (
    PostingException,
    RemittanceClaim,
    RemittanceStatus,
)
from openrcm.posting.secondary import next_payer_claims_after_posting
from openrcm.posting.services import (
    SERVICE_USER,
    EraImportError,
    EraImportResult,
    _read_sets,
    _Set,
    _SetPoster,
)

__all__ = ["ExceptionMatchError", "exception_claim_payment", "posting_exception_match"]


class ExceptionMatchError(ValueError):
    """The exception cannot be matched to that claim: the message says why; nothing changed."""


def _claim_payment(exception: PostingException) -> tuple[_Set, ClaimPayment]:
    """The transaction set and the CLP the exception is about, read from the stored 835."""
    remittance = exception.remittance
    era_file = remittance.era_file
    rc = exception.remittance_claim
    if rc is None:
        raise ExceptionMatchError(f"exception {exception.pk} names no 835 claim payment")
    try:
        sets = _read_sets(file_read(stored=era_file.stored), era_file.name)
    except EraImportError as exc:  # the stored file was read once; this is a damaged store
        raise ExceptionMatchError(f"the 835 {era_file} cannot be read again: {exc}") from exc
    for item in sets:
        header = item.header
        if item.failure is not None or header is None:
            continue
        if (header.control_number, header.trace.number[:50]) != (
            remittance.control_number,
            remittance.trace_number,
        ):
            continue
        for payment in item.claims:
            if content_key(payment) == rc.content_key:
                return item, payment
    raise ExceptionMatchError(
        f"CLP {rc.patient_control_number!r} is no longer in set {remittance.control_number} "
        f"of the stored 835 {era_file}"
    )


def exception_claim_payment(exception: PostingException) -> ClaimPayment:
    """The CLP an exception is about, as the stored 835 says it (patient name, member id,
    service lines): what a person needs to find the claim. Raises `ExceptionMatchError` when
    the stored file no longer holds it."""
    return _claim_payment(exception)[1]


def posting_exception_match(
    *,
    exception: PostingException,
    claim: Claim,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> RemittanceClaim:
    """Post the exception's 835 claim payment to `claim` (chosen by a person) and resolve it.

    The payment posts through the 835 import's own code path (module docstring). Returns the
    new `RemittanceClaim` (the exception's own row stays as the record of what arrived).
    Raises `ExceptionMatchError` (nothing written) when the exception is resolved already,
    the claim belongs to another practice, or the core cannot post the payment to it.
    """
    moment = now or timezone.now()
    with transaction.atomic():
        by = actor if getattr(actor, "pk", None) else audit_service_actor(SERVICE_USER)
        locked = (
            PostingException.objects.select_for_update(of=("self",))
            .select_related("remittance__era_file__stored", "remittance_claim")
            .get(pk=exception.pk)
        )
        if locked.resolved_at is not None:
            raise ExceptionMatchError(
                f"this exception was resolved on {locked.resolved_at:%Y-%m-%d %H:%M} UTC"
            )
        if claim.practice_id != locked.practice_id:
            raise ExceptionMatchError("the claim belongs to another practice")
        remittance = locked.remittance
        if remittance.status != RemittanceStatus.POSTED:
            raise ExceptionMatchError("the remittance of this exception was not posted")
        item, payment = _claim_payment(locked)
        sent_as = payment.patient_control_number
        moved = dataclasses.replace(payment, patient_control_number=claim.patient_control_number)
        result = EraImportResult(practice=remittance.practice.slug)
        poster = _SetPoster(
            remittance.era_file,
            _Set(header=item.header, claims=[moved], end=item.end),
            by,
            moment,
            result,
        )
        poster.remittance = remittance
        poster.only_claim_id = claim.pk  # claims may share the number: this is the one
        poster._claims([moved])
        if result.duplicate_claims or not poster.pending:
            raise ExceptionMatchError(
                f"this payment was already posted on claim {claim.patient_control_number}"
            )
        pending = poster.pending[-1]
        if pending.plan is None or not pending.plan.postable:
            problems = "; ".join(pending.plan.problems) if pending.plan else "no plan"
            raise ExceptionMatchError(
                f"the payment cannot be posted to claim {claim.patient_control_number}: {problems}"
            )
        # The payer's CLP01 stays on the row (what the 835 said); the claim is ours.
        pending.rc.patient_control_number = sent_as[:38]
        pending.rc.warnings = [
            *pending.rc.warnings,
            f"matched by hand to claim {claim.patient_control_number} (CLP01 {sent_as!r})",
        ]
        poster._flush()
        poster._move_statuses()
        # As after every posted set: claims to the next payer, or their withdrawal.
        result.warnings += next_payer_claims_after_posting(
            remittance=remittance, actor=by, now=moment
        )
        locked.resolved_at = moment
        locked.resolved_by = by
        locked.detail = {
            **locked.detail,
            "matched": {
                "claim_id": claim.pk,
                "patient_control_number": claim.patient_control_number,
                "remittance_claim_id": pending.rc.pk,
                "warnings": result.warnings,
            },
        }
        locked.save(update_fields=["resolved_at", "resolved_by", "detail"])
        audit_record(
            action="update",
            actor=by,
            practice=locked.practice_id,
            object_type="posting.postingexception",
            object_id=locked.pk,
            patient_id=claim.encounter.patient_id,
            detail={
                "matched_claim": claim.pk,
                "remittance_claim": pending.rc.pk,
                "denials": result.denials,
            },
        )
    exception.resolved_at = locked.resolved_at
    exception.resolved_by_id = locked.resolved_by_id
    exception.detail = locked.detail
    return pending.rc
