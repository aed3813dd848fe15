"""Every shared sample 835 that pyx12 passes posts once the claims it pays exist: the claims are
made from the 835's own CLP/SVC data (one line per SVC, or one line of CLP03 when it has none).

Two samples hold claims an OpenRCM practice cannot have, and their CLPs go to the exceptions
queue, which is what should happen to them:

* stupidedi--multiple-claims-single-check.edi: the payer reports nine different claims under
  one patient control number (7722337). A practice has one claim per patient control number
  (the one made from the first CLP); the five CLPs that bill services that claim does not
  have cannot be posted to it (the three that bill only its services post to it).
* pyx12--835_mult_loops.txt: claim 2005555A bills T1005 on three dates; an OpenRCM claim has
  one date of service, so the lines on the other two dates are not ours.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from openrcm.claims.models import Claim
from openrcm.core.money import Money
from openrcm.core.x12.era import ClaimPayment, parse_835
from openrcm.encounters.services import ChargeLineInput, encounter_create
from openrcm.patients.services import coverage_create, patient_create
from openrcm.posting.ledger import ledger_check
from openrcm.posting.models import PostingException
from openrcm.posting.services import era_import
from tests.apps.conftest import PracticeWorld
from tests.core.x12.x12_samples import ids, of, samples_dir

from .conftest import send

SAMPLES = [s for s in of("835") if s.pyx12_ok]
SOMEDAY = dt.date(2026, 1, 5)
# Sample -> CLPs that cannot be ours (see the module docstring).
NOT_OURS = {
    "835/stupidedi--multiple-claims-single-check.edi": 5,
    "835/pyx12--835_mult_loops.txt": 1,
}


def _day(payment: ClaimPayment) -> dt.date:
    for svc in payment.lines:
        if svc.service_date is not None:
            return svc.service_date
    return payment.date_of("232") or SOMEDAY


def _lines(payment: ClaimPayment) -> list[ChargeLineInput]:
    if not payment.lines:
        return [
            ChargeLineInput(
                procedure_code="99213", diagnosis_pointers=[1], charge=Money(payment.charge)
            )
        ]
    out = []
    for svc in payment.lines:
        code, modifiers = svc.procedure_code, list(svc.modifiers)
        if svc.original_procedure and len(svc.original_procedure) > 1:
            code = svc.original_procedure[1]
            modifiers = [m for m in svc.original_procedure[2:6] if m]
        units = svc.original_units or svc.units or Decimal(1)
        out.append(
            ChargeLineInput(
                procedure_code=code,
                modifiers=modifiers,
                units=int(units),
                diagnosis_pointers=[1],
                charge=Money(svc.charge),
            )
        )
    return out


def make_claims(world: PracticeWorld, payments: list[ClaimPayment]) -> list[Claim]:
    """One claim per patient control number, from the first CLP that carries it, sent and
    accepted."""
    patient = patient_create(
        practice=world.practice,
        first_name="Sample",
        last_name="Patient",
        date_of_birth=dt.date(1950, 1, 1),
        sex="M",
        zip_code="62704",
    )
    coverage_create(
        patient=patient, payer=world.payer, member_id="SAMPLE01", effective_from=dt.date(1990, 1, 1)
    )
    claims = []
    seen: set[str] = set()
    for payment in payments:
        pcn = payment.patient_control_number
        if pcn in seen:
            continue
        seen.add(pcn)
        encounter = encounter_create(
            patient=patient,
            provider=world.provider,
            location=world.location,
            date_of_service=_day(payment),
            diagnoses=["I10"],
            lines=_lines(payment),
        )
        claim = encounter.claims.get()
        Claim.objects.filter(pk=claim.pk).update(patient_control_number=pcn)
        claim.refresh_from_db()
        claims.append(send(claim))
    return claims


@pytest.mark.parametrize("sample", SAMPLES, ids=ids(SAMPLES))
def test_sample_posts_once_its_claims_exist(sample: Any, practice_a: PracticeWorld) -> None:
    samples_dir()
    payments = [c for rem in parse_835(sample.path).remittances for c in rem.claims]
    make_claims(practice_a, payments)
    result = era_import(path=sample.path, practice=practice_a.practice)
    expected = NOT_OURS.get(sample.file, 0)
    assert (result.refused_sets, result.exceptions) == (0, expected), (
        result.errors,
        list(PostingException.objects.values_list("patient_control_number", "tried")),
    )
    assert result.claims_posted == len(payments) - expected
    assert ledger_check() == []
