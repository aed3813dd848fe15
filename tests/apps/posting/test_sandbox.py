"""The sandbox's 835s post exactly: demo claims submitted to the sandbox clearinghouse, their
999 and 277CA applied, then the payers' 835s taken in by polling and posted by
`eras_post_pending` (as the worker does): every CLP matches its claim and line, nothing goes
to the exceptions queue, the insurance payments on the ledger are the 835s' CLP04s, and posting
again changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from openrcm.claims.models import Claim
from openrcm.claims.services import claim_transition
from openrcm.clearinghouse.models import InboundFile
from openrcm.clearinghouse.services import batch_build, batch_send, inbound_poll, partner_for
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.money import Money
from openrcm.encounters.services import ChargeLineInput, encounter_create
from openrcm.posting.ledger import ledger_check
from openrcm.posting.models import LedgerEntry, PostingException, RemittanceClaim
from openrcm.posting.services import eras_post_pending
from tests.apps.conftest import PracticeWorld

FEE = Money(Decimal("185.00"))
TEST = Money(Decimal("22.40"))


def test_the_sandbox_835s_post_exactly(practice_a: PracticeWorld) -> None:
    practice = practice_a.practice
    # The 837P needs the subscriber's street address (2010BA N3).
    type(practice_a.patient).objects.filter(pk=practice_a.patient.pk).update(
        address_line1="12 Oak St", city="Springfield", state="IL"
    )
    for index in range(12):  # a dozen more visits, so the payer's mix of outcomes shows
        encounter_create(
            patient=practice_a.patient,
            provider=practice_a.provider,
            location=practice_a.location,
            date_of_service=dt.date(2026, 10, 2) + dt.timedelta(days=index),
            diagnoses=["E11.9"],
            lines=[
                ChargeLineInput(procedure_code="99214", diagnosis_pointers=[1], charge=FEE),
                ChargeLineInput(procedure_code="82947", diagnosis_pointers=[1], charge=TEST),
            ],
        )
    for claim in Claim.objects.filter(practice=practice):
        claim_transition(claim=claim, to=ClaimStatus.READY)
    partner = partner_for(practice=practice)
    # Every claim must reach the payer's adjudication whatever ids the database hands out:
    # the payer's unknown members (a 277CA rejection, tested with the clearinghouse) are
    # drawn from the ids, and with some ids this one patient was among them.
    partner.settings = {**(partner.settings or {}), "unknown_member_rate": "0"}
    partner.save(update_fields=["settings"])
    now = timezone.now()
    built = batch_build(practice=practice, partner=partner, now=now)
    assert built.batch is not None
    batch_send(batch=built.batch, now=now)
    sent = list(Claim.objects.filter(batch_links__batch=built.batch))
    assert LedgerEntry.objects.filter(kind="charge", claim__in=sent).count() == sum(
        c.lines.count() for c in sent
    )  # the charges entered the ledger when the batch went out
    for days in (1, 20, 45, 70):
        inbound_poll(partner=partner, now=now + dt.timedelta(days=days))
    assert InboundFile.objects.filter(kind="835").exists()
    results = eras_post_pending(now=now + dt.timedelta(days=70))
    assert results and all(r.refused_sets == 0 and not r.errors for r in results), [
        r.errors for r in results
    ]
    assert not PostingException.objects.exists(), list(
        PostingException.objects.values_list("patient_control_number", "tried")
    )
    assert sum(r.claims_posted for r in results) == RemittanceClaim.objects.count() > 0
    for rc in RemittanceClaim.objects.all():
        paid = (
            LedgerEntry.objects.filter(remittance_claim=rc, kind="insurance_payment").aggregate(
                n=Sum("cents")
            )["n"]
            or 0
        )
        if rc.status_code != "22":
            assert paid == rc.paid_cents, rc.patient_control_number
    assert ledger_check() == []
    entries = LedgerEntry.objects.count()
    assert eras_post_pending(now=now + dt.timedelta(days=71)) == []
    assert LedgerEntry.objects.count() == entries
