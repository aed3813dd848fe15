"""The 835 import reads and writes in batches: how many queries it runs does not grow with the
claims it pays (the bench's 20,000-claim file depends on it), and manual matching posts through
the import's public `claim_payment_post`."""

from __future__ import annotations

import datetime as dt
import gc
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openrcm.claims.models import Claim, ClaimStatusChange
from openrcm.claims.services import claims_transition_many
from openrcm.core.money import Money
from openrcm.encounters.services import ChargeLineInput, encounter_create
from openrcm.posting.exceptions import posting_exception_match
from openrcm.posting.ledger import ledger_check
from openrcm.posting.models import Denial, PostingException, RemittanceClaim
from openrcm.posting.services import (
    ClaimPaymentRefused,
    EraImportError,
    claim_payment_post,
    era_import,
)
from tests.apps.conftest import PracticeWorld

from .conftest import SENT
from .eras import clp, era, remittance, svc
from .test_scenarios import lines


def accepted_claims(world: PracticeWorld, n: int) -> list[Claim]:
    """`n` new claims of two lines each for the world's patient, moved to accepted."""
    claims = []
    for day in range(n):
        encounter = encounter_create(
            patient=world.patient,
            provider=world.provider,
            location=world.location,
            date_of_service=dt.date(2026, 6, 1) + dt.timedelta(days=day),
            diagnoses=["E11.9"],
            lines=[
                ChargeLineInput(
                    procedure_code="99213", diagnosis_pointers=[1], charge=Money(Decimal("125.00"))
                ),
                ChargeLineInput(
                    procedure_code="36415", diagnosis_pointers=[1], charge=Money(Decimal("15.00"))
                ),
            ],
        )
        claims.append(encounter.claims.get())
    for status in SENT:
        claims_transition_many(claims=claims, to=status)
    return claims


def paying_everything(claims: list[Claim], trace: str) -> bytes:
    """One set: every third claim denied on a line (CO-97), the others paid with CO-45 and
    coinsurance; and one CLP for a claim we do not have."""
    payments = []
    for i, claim in enumerate(claims):
        one, two = lines(claim)
        second = (
            svc(two, "0", ("CO", "97", "15"), remarks=("M15",)) if i % 3 == 0 else svc(two, "15")
        )
        payments.append(
            clp(claim, [svc(one, "80", ("CO", "45", "25"), ("PR", "2", "20")), second], icn=f"I{i}")
        )
    payments.append(clp(claims[0], [], pcn="NOT-OURS", icn="X"))
    return era(remittance(payments, trace=trace))


def queries_to_post(world: PracticeWorld, n: int) -> int:
    claims = accepted_claims(world, n)
    data = paying_everything(claims, trace=f"TRACE-{n}")
    with CaptureQueriesContext(connection) as queries:
        result = era_import(data=data, practice=world.practice)
    assert (result.claims_posted, result.exceptions) == (n, 1)
    assert result.denials == len(range(0, n, 3))
    ours = {"claim__in": claims}
    assert Denial.objects.filter(**ours).count() == result.denials
    assert RemittanceClaim.objects.filter(remittance__trace_number=f"TRACE-{n}").count() == n + 1
    moved = ClaimStatusChange.objects.filter(**ours)
    assert moved.filter(to_status="partially_paid").count() == result.denials
    assert moved.filter(to_status="paid").count() == n - result.denials
    assert ledger_check() == []
    return len(queries.captured_queries)


def test_the_queries_of_an_import_do_not_grow_with_its_claims(practice_a: PracticeWorld) -> None:
    queries_to_post(practice_a, 1)  # once-only work out of the way (the posting user, caches)
    few = queries_to_post(practice_a, 10)
    many = queries_to_post(practice_a, 100)
    assert many == few, f"10 claims: {few} queries, 100 claims: {many}"


def test_a_chosen_claim_is_paid_as_the_import_pays_it(practice_a: PracticeWorld) -> None:
    [claim] = accepted_claims(practice_a, 1)
    # Paid under a number that is not ours: an exception waits for a person.
    one, two = lines(claim)
    payment = clp(claim, [svc(one, "125"), svc(two, "15")], pcn="LEGACY-77")
    result = era_import(data=era(remittance([payment])), practice=practice_a.practice)
    assert (result.claims_posted, result.exceptions) == (0, 1)
    exception = PostingException.objects.get()
    rc = posting_exception_match(exception=exception, claim=claim)
    assert rc.claim_id == claim.pk
    assert rc.patient_control_number == "LEGACY-77"  # what the payer sent stays on the record
    assert any("matched by hand" in w for w in rc.warnings)
    claim.refresh_from_db()
    assert claim.status == "paid"
    assert ledger_check() == []
    # The same payment again, through the public function: refused, nothing written.
    before = RemittanceClaim.objects.count()
    with pytest.raises(ClaimPaymentRefused, match="already posted"):
        claim_payment_post(remittance=exception.remittance, claim=claim, payment=payment)
    assert RemittanceClaim.objects.count() == before


def test_the_garbage_collector_runs_again_after_an_import(claim: Any) -> None:
    one, two = lines(claim)
    era_import(
        data=era(remittance([clp(claim, [svc(one, "125"), svc(two, "15")])])),
        practice=claim.practice,
    )
    assert gc.isenabled()
    with pytest.raises(EraImportError):
        era_import(data=b"not an 835 at all", practice=claim.practice)
    assert gc.isenabled()
