"""Writes of the exceptions queue: a person matches an 835 claim payment to one of our claims.

An 835 CLP that names a claim we do not have (or whose lines matched none of ours) waits as a
`PostingException` with what the import tried. Matching it by hand posts the payment exactly
as the import posts a matched claim: the CLP is read again from the stored 835 (the file is
the record, not a copy of it) and posted to the chosen claim by `services.claim_payment_post`,
the import's own steps (the core's plan, entries and balances, denials, the claim's status
through the state machine, then the next payer's claim). Nothing else writes these postings,
so a manual match cannot drift from an automatic one.

A match that the core cannot post (its lines match none of the chosen claim's, a reversal
without an earlier posting, a payment already posted on that claim) is refused with the
reason and changes nothing; the exception stays open.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from openrcm.audit.services import audit_record, audit_service_actor
from openrcm.claims.models import Claim
from openrcm.core.x12.era import ClaimPayment
from openrcm.posting.models import (
    PostingException,
    RemittanceClaim,
    RemittanceStatus,
)
from openrcm.posting.services import (
    SERVICE_USER,
    ClaimPaymentRefused,
    EraImportError,
    claim_payment_post,
    remittance_claim_payment_read,
)

__all__ = ["ExceptionMatchError", "exception_claim_payment", "posting_exception_match"]


class ExceptionMatchError(ValueError):
    """The exception cannot be matched to that claim: the message says why; nothing changed."""


def _claim_payment(exception: PostingException) -> ClaimPayment:
    """The CLP the exception is about, read from the stored 835."""
    remittance = exception.remittance
    rc = exception.remittance_claim
    if rc is None:
        raise ExceptionMatchError(f"exception {exception.pk} names no 835 claim payment")
    try:
        payment = remittance_claim_payment_read(remittance=remittance, content_key=rc.content_key)
    except EraImportError as exc:  # the stored file was read once; this is a damaged store
        raise ExceptionMatchError(
            f"the 835 {remittance.era_file} cannot be read again: {exc}"
        ) from exc
    if payment is None:
        raise ExceptionMatchError(
            f"CLP {rc.patient_control_number!r} is no longer in set {remittance.control_number} "
            f"of the stored 835 {remittance.era_file}"
        )
    return payment


def exception_claim_payment(exception: PostingException) -> ClaimPayment:
    """The CLP an exception is about, as the stored 835 says it (patient name, member id,
    service lines): what a person needs to find the claim. Raises `ExceptionMatchError` when
    the stored file no longer holds it."""
    return _claim_payment(exception)


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
        payment = _claim_payment(locked)
        sent_as = payment.patient_control_number
        try:
            posting = claim_payment_post(
                remittance=remittance,
                claim=claim,
                payment=payment,
                actor=by,
                now=moment,
                note=f"matched by hand to claim {claim.patient_control_number} (CLP01 {sent_as!r})",
            )
        except ClaimPaymentRefused as exc:
            raise ExceptionMatchError(str(exc)) from exc
        rc, result = posting.remittance_claim, posting.result
        locked.resolved_at = moment
        locked.resolved_by = by
        locked.detail = {
            **locked.detail,
            "matched": {
                "claim_id": claim.pk,
                "patient_control_number": claim.patient_control_number,
                "remittance_claim_id": rc.pk,
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
                "remittance_claim": rc.pk,
                "denials": result.denials,
            },
        )
    exception.resolved_at = locked.resolved_at
    exception.resolved_by_id = locked.resolved_by_id
    exception.detail = locked.detail
    return rc
