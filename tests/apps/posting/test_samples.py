"""Every shared sample 835 that pyx12 passes posts, without exceptions, once the claims it pays
exist: the claims are made from the 835's own CLP/SVC data the way a practice would have them
(one line per SVC on its own date of service, or one line of CLP03 when it has none; one
patient per NM1*QC, whose coverage has the member id the payer names).

Two samples need what real books have:

* stupidedi--multiple-claims-single-check.edi: the payer reports nine claims of nine patients
  under one patient control number (7722337), as a legacy billing system's claims imported
  with ``openrcm claims import-837`` may share one (``external_pcn``). The import chooses each
  CLP's claim by patient, charge and lines (``core.posting.claim_match``).
* pyx12--835_mult_loops.txt: claim 2005555A bills T1005 on three dates of service; its lines
  carry their own dates (DTP*472), which the 835 line matching compares.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from openrcm.claims.models import Claim
from openrcm.core.money import Money, decimal_to_cents
from openrcm.core.x12.era import ClaimPayment, parse_835
from openrcm.encounters.services import ChargeLineInput, encounter_create
from openrcm.patients.models import Patient
from openrcm.patients.services import coverage_create, patient_create
from openrcm.posting.ledger import ledger_check
from openrcm.posting.models import PostingException, RemittanceClaim
from openrcm.posting.services import era_import
from tests.apps.conftest import PracticeWorld
from tests.core.x12.x12_samples import ids, of, samples_dir

from .conftest import send

SAMPLES = [s for s in of("835") if s.pyx12_ok]
SOMEDAY = dt.date(2026, 1, 5)


def _day(payment: ClaimPayment) -> dt.date:
    for svc in payment.lines:
        if svc.service_date is not None:
            return svc.service_date
    return payment.date_of("232") or SOMEDAY


def _lines(payment: ClaimPayment) -> list[ChargeLineInput]:
    """Our charge lines for the claim the payment pays, each on the SVC's date (or range)."""
    if not payment.lines:
        return [
            ChargeLineInput(
                procedure_code="99213", diagnosis_pointers=[1], charge=Money(abs(payment.charge))
            )
        ]
    out = []
    for svc in payment.lines:
        code, modifiers = svc.procedure_code, list(svc.modifiers)
        if svc.original_procedure and len(svc.original_procedure) > 1:
            code = svc.original_procedure[1]
            modifiers = [m for m in svc.original_procedure[2:6] if m]
        units = svc.original_units or svc.units or Decimal(1)
        start, end = svc.service_date, svc.service_end_date
        out.append(
            ChargeLineInput(
                procedure_code=code,
                modifiers=modifiers,
                units=int(abs(units)),
                diagnosis_pointers=[1],
                charge=Money(abs(svc.charge)),
                service_date=start,
                service_end_date=end if start is not None and end != start else None,
            )
        )
    return out


def _claim_key(payment: ClaimPayment) -> tuple[str, str, Decimal]:
    """One claim per patient control number, patient and charge: a reversal and its corrected
    payment pay one claim; nine patients under one number are nine claims."""
    patient = payment.patient
    return (
        payment.patient_control_number,
        patient.id if patient is not None else "",
        abs(payment.charge),
    )


def make_claims(world: PracticeWorld, payments: list[ClaimPayment]) -> list[Claim]:
    """The claims the payments pay, sent and accepted. Claims that share a patient control
    number are marked as imported numbers (``external_pcn``), as import-837 marks them."""
    patients: dict[str, Patient] = {}
    made: dict[tuple[str, str, Decimal], Claim] = {}
    for payment in payments:
        key = _claim_key(payment)
        if key in made:
            continue
        who = payment.patient
        subscriber = payment.insured
        member_id = (subscriber.id if subscriber and subscriber.id else "") or (
            who.id if who and who.id else "SAMPLE01"
        )
        person = f"{member_id}/{who.last if who else ''}/{who.first if who else ''}"
        patient = patients.get(person)
        if patient is None:
            patient = patient_create(
                practice=world.practice,
                first_name=(who.first if who and who.first else "Sample")[:35],
                last_name=(who.last if who and who.last else "Patient")[:60],
                date_of_birth=dt.date(1950, 1, 1),
                sex="M",
                zip_code="62704",
            )
            coverage_create(
                patient=patient,
                payer=world.payer,
                member_id=member_id,
                effective_from=dt.date(1990, 1, 1),
            )
            patients[person] = patient
        lines = _lines(payment)
        encounter = encounter_create(
            patient=patient,
            provider=world.provider,
            location=world.location,
            date_of_service=min((ln.service_date for ln in lines if ln.service_date), default=None)
            or _day(payment),
            diagnoses=["I10"],
            lines=lines,
        )
        made[key] = encounter.claims.get()
    pcns = Counter(key[0] for key in made)
    for key, claim in made.items():
        Claim.objects.filter(pk=claim.pk).update(
            patient_control_number=key[0], external_pcn=pcns[key[0]] > 1
        )
        claim.refresh_from_db()
        send(claim)
    return list(made.values())


@pytest.mark.parametrize("sample", SAMPLES, ids=ids(SAMPLES))
def test_sample_posts_once_its_claims_exist(sample: Any, practice_a: PracticeWorld) -> None:
    samples_dir()
    payments = [c for rem in parse_835(sample.path).remittances for c in rem.claims]
    make_claims(practice_a, payments)
    result = era_import(path=sample.path, practice=practice_a.practice)
    assert (result.refused_sets, result.exceptions) == (0, 0), (
        result.errors,
        list(PostingException.objects.values_list("patient_control_number", "tried")),
    )
    assert result.claims_posted == len(payments)
    assert ledger_check() == []


def _sample(name: str) -> Any:
    [found] = [s for s in SAMPLES if s.file == f"835/{name}"]
    return found


def test_nine_claims_under_one_number_each_get_their_own_payment(
    practice_a: PracticeWorld,
) -> None:
    sample = _sample("stupidedi--multiple-claims-single-check.edi")
    payments = [c for rem in parse_835(sample.path).remittances for c in rem.claims]
    claims = make_claims(practice_a, payments)
    assert len(claims) == 9 and {c.patient_control_number for c in claims} == {"7722337"}
    era_import(path=sample.path, practice=practice_a.practice)
    for claim, payment in zip(claims, payments, strict=True):
        rc = RemittanceClaim.objects.get(claim=claim)
        assert rc.paid_cents == decimal_to_cents(payment.paid)
        assert any("by patient control number, member id" in w for w in rc.warnings), rc.warnings


def test_a_claim_on_three_dates_matches_each_line_by_its_date(practice_a: PracticeWorld) -> None:
    sample = _sample("pyx12--835_mult_loops.txt")
    payments = [c for rem in parse_835(sample.path).remittances for c in rem.claims]
    [claim] = [
        c for c in make_claims(practice_a, payments) if c.patient_control_number == "2005555A"
    ]
    dates = sorted(
        ln.charge_line.date_of_service
        for ln in claim.lines.select_related("charge_line__encounter")
    )
    assert dates == [dt.date(2003, 10, 30), dt.date(2003, 10, 31), dt.date(2003, 11, 29)]
    era_import(path=sample.path, practice=practice_a.practice)
    rc = RemittanceClaim.objects.get(claim=claim)
    assert [m["method"] for m in rc.matching] == ["procedure"] * 3
