"""835s paying claims that share a patient control number (claims imported from a legacy system
that sends one number for several claims): each CLP posts to the claim that is its patient's,
charge's and lines'; when that is still not one claim it waits in the exceptions queue naming
the candidates, and a person's choice posts it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from openrcm.claims.models import Claim
from openrcm.core.money import Money
from openrcm.core.x12.era import ClaimPayment
from openrcm.encounters.services import ChargeLineInput, encounter_create
from openrcm.posting.exceptions import posting_exception_match
from openrcm.posting.ledger import ledger_check
from openrcm.posting.models import PostingException, RemittanceClaim
from openrcm.posting.services import era_import
from tests.apps.conftest import PracticeWorld

from .conftest import send
from .eras import clp, era, remittance, svc
from .test_scenarios import lines, status

LEGACY = "ACCT-0042"


def _visit(world: PracticeWorld, day: dt.date) -> Claim:
    """Another visit of the world's patient billing what the world's claim bills."""
    encounter = encounter_create(
        patient=world.patient,
        provider=world.provider,
        location=world.location,
        date_of_service=day,
        diagnoses=["E11.9", "I10"],
        lines=[
            ChargeLineInput(
                procedure_code="99213", diagnosis_pointers=[1, 2], charge=Money(Decimal("125.00"))
            ),
            ChargeLineInput(
                procedure_code="36415", diagnosis_pointers=[1], charge=Money(Decimal("15.00"))
            ),
        ],
    )
    return encounter.claims.get()


def _share(*claims: Claim) -> list[Claim]:
    """Give the claims one imported number, as import-837 keeps a legacy system's CLM01."""
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(
        patient_control_number=LEGACY, external_pcn=True
    )
    for claim in claims:
        claim.refresh_from_db()
        send(claim)
    return list(claims)


def _paid_in_full(claim: Claim, *, lcn: bool) -> ClaimPayment:
    one, two = lines(claim)
    return clp(claim, [svc(one, "125", lcn=lcn), svc(two, "15", lcn=lcn)])


def test_the_dates_of_service_choose_among_one_patients_claims(practice_a: PracticeWorld) -> None:
    october, november = _share(practice_a.claim, _visit(practice_a, dt.date(2026, 11, 3)))
    result = era_import(
        data=era(remittance([_paid_in_full(november, lcn=False)])), practice=practice_a.practice
    )
    assert (result.claims_posted, result.exceptions) == (1, 0)
    assert (status(october), status(november)) == ("accepted", "paid")
    [rc] = RemittanceClaim.objects.all()
    assert rc.claim_id == november.pk
    assert any("by patient control number, lines" in w for w in rc.warnings), rc.warnings
    assert ledger_check() == []


def test_claims_alike_in_everything_go_to_exceptions_naming_them(
    practice_a: PracticeWorld,
) -> None:
    # Two visits on one day billing the same: nothing in the 835 tells them apart.
    first, second = _share(practice_a.claim, _visit(practice_a, dt.date(2026, 10, 1)))
    result = era_import(
        data=era(remittance([_paid_in_full(first, lcn=False)])), practice=practice_a.practice
    )
    assert (result.claims_posted, result.exceptions) == (0, 1)
    exception = PostingException.objects.get()
    assert exception.kind == "unknown_claim"
    assert exception.detail["candidates"] == [first.pk, second.pk]
    assert "several claims fit" in exception.tried
    assert f"claim {first.pk} (member MA0001" in exception.tried
    assert f"claim {second.pk} (member MA0001" in exception.tried
    assert (status(first), status(second)) == ("accepted", "accepted")

    # A person chooses the second; it posts there, although the number names both.
    rc = posting_exception_match(exception=exception, claim=second)
    assert rc.claim_id == second.pk
    assert (status(first), status(second)) == ("accepted", "paid")
    assert ledger_check() == []


def test_a_payment_for_another_patient_is_not_posted_to_the_one_we_have(
    practice_a: PracticeWorld,
) -> None:
    first, _ = _share(practice_a.claim, _visit(practice_a, dt.date(2026, 11, 3)))
    payment = _paid_in_full(first, lcn=False)
    payment.names[0].id = "OTHER999"
    payment.names[0].first = "ROBIN"
    result = era_import(data=era(remittance([payment])), practice=practice_a.practice)
    assert (result.claims_posted, result.exceptions) == (0, 1)
    assert "none is this patient's claim" in PostingException.objects.get().tried


def test_numbers_we_draw_stay_unique_in_the_practice(practice_a: PracticeWorld) -> None:
    other = _visit(practice_a, dt.date(2026, 11, 3))
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.filter(pk=other.pk).update(
            patient_control_number=practice_a.claim.patient_control_number
        )
    # An imported number may be shared, even with one of ours.
    Claim.objects.filter(pk=other.pk).update(
        patient_control_number=practice_a.claim.patient_control_number, external_pcn=True
    )
