"""`openrcm demo`: deterministic, idempotent, refuses real data, and looks like real billing."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import Counter
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from openrcm.claims.models import Claim
from openrcm.core.codes import icd10cm
from openrcm.core.identifiers import npi_is_valid
from openrcm.encounters.models import ChargeLine, Encounter
from openrcm.operations.demo.plans import NEEDS_25, PREVENTIVE, PROBLEM_EM
from openrcm.patients.models import Coverage, Patient
from openrcm.payers.models import FeeSchedule, FeeScheduleEntry, Payer, PayerEnrollment
from openrcm.payers.selectors import fee_for
from openrcm.providers.models import Provider
from openrcm.tenancy.models import Location, Membership, Organization, Practice
from tests.apps.cli.helpers import run

pytestmark = pytest.mark.django_db

SMALL = ("--patients", "20", "--encounters", "40", "--cycle-days", "0")


def _strip_practice(number: str, practice: Practice) -> str:
    """Control numbers start with the practice id (a surrogate key): keep the sequence part."""
    return number.removeprefix(str(practice.pk))


def snapshot() -> dict[str, list[Any]]:
    """Every demo row as natural data (no surrogate keys, no creation timestamps), sorted."""
    practices = {p.pk: p for p in Practice.objects.all()}
    slug = {pk: p.slug for pk, p in practices.items()}
    data: dict[str, list[Any]] = {
        "organizations": sorted(
            Organization.objects.values_list("slug", "name", "is_demo", "demo_seed")
        ),
        "practices": sorted(
            (
                p.slug,
                p.name,
                p.group_npi,
                p.tin,
                p.taxonomy,
                p.specialty,
                p.address_line1,
                p.city,
                p.state,
                p.zip_code,
                p.phone,
                p.time_zone,
            )
            for p in practices.values()
        ),
        "providers": sorted(
            (slug[p.practice_id], p.first_name, p.last_name, p.credential, p.npi, p.taxonomy)
            for p in Provider.objects.all()
        ),
        "locations": sorted(
            (slug[loc.practice_id], loc.name, loc.address_line1, loc.zip_code)
            for loc in Location.objects.all()
        ),
        "payers": sorted(
            Payer.objects.values_list(
                "name", "payer_id", "claim_filing_indicator", "timely_filing_days", "appeal_days"
            )
        ),
        "enrollments": sorted(
            (slug[e.practice_id], e.payer.name, e.status, e.effective_from)
            for e in PayerEnrollment.objects.select_related("payer")
        ),
        "fees": sorted(
            (
                slug[e.fee_schedule.practice_id],
                e.fee_schedule.name,
                e.fee_schedule.effective_from,
                e.procedure_code,
                e.modifier,
                e.amount_cents,
            )
            for e in FeeScheduleEntry.objects.select_related("fee_schedule")
        ),
        "patients": sorted(
            (
                slug[p.practice_id],
                p.account_number,
                p.first_name,
                p.middle_name,
                p.last_name,
                p.date_of_birth,
                p.sex,
                p.address_line1,
                p.city,
                p.zip_code,
                p.phone,
                p.email,
            )
            for p in Patient.objects.all()
        ),
        "coverages": sorted(
            (
                slug[c.practice_id],
                c.patient.account_number,
                c.payer.name,
                c.member_id,
                c.group_number,
                c.plan_name,
                c.priority,
                c.relationship,
                c.subscriber_first_name,
                c.subscriber_last_name,
                c.subscriber_date_of_birth,
                c.effective_from,
                c.effective_to,
                c.copay_cents,
            )
            for c in Coverage.objects.select_related("patient", "payer")
        ),
        "encounters": sorted(
            (
                slug[e.practice_id],
                e.patient.account_number,
                e.provider.npi,
                e.location.name,
                e.date_of_service,
                e.place_of_service,
                tuple(e.diagnosis_codes),
                tuple(
                    (
                        ln.procedure_code,
                        tuple(ln.modifiers),
                        ln.units,
                        ln.charge_cents,
                        ln.diagnosis_pointers,
                        ln.ndc_code,
                        ln.ndc_quantity,
                        _strip_practice(ln.line_control_number, practices[e.practice_id]),
                    )
                    for ln in e.charge_lines.all()
                ),
            )
            for e in Encounter.objects.select_related(
                "patient", "provider", "location"
            ).prefetch_related("diagnoses", "charge_lines")
        ),
        "claims": sorted(
            (
                slug[c.practice_id],
                c.encounter.patient.account_number,
                c.encounter.date_of_service,
                c.coverage.payer.name,
                c.sequence,
                c.status,
                c.total_charge_cents,
                _strip_practice(c.patient_control_number, practices[c.practice_id]),
                tuple(c.lines.values_list("line_number", "charge_cents")),
            )
            for c in Claim.objects.select_related("encounter__patient", "coverage__payer")
        ),
    }
    return data


def load_and_snapshot(*args: str) -> dict[str, list[Any]]:
    """Load a demo, take its snapshot, and roll it back."""
    with transaction.atomic():
        run("demo", *args)
        data = snapshot()
        transaction.set_rollback(True)
    return data


def test_the_same_seed_gives_the_same_data() -> None:
    first = load_and_snapshot("--seed", "11", *SMALL)
    assert Practice.objects.count() == 0  # rolled back
    second = load_and_snapshot("--seed", "11", *SMALL)
    assert first == second
    assert len(first["encounters"]) == 40
    assert len(first["patients"]) == 20


def test_another_seed_gives_other_data() -> None:
    first = load_and_snapshot("--seed", "1", *SMALL)
    second = load_and_snapshot("--seed", "2", *SMALL)
    assert first["patients"] != second["patients"]
    assert first["practices"] != second["practices"]


def test_loading_the_same_seed_again_changes_nothing() -> None:
    out = run("demo", "--seed", "7", *SMALL)
    assert "Loaded the demo of seed 7" in out
    assert f"{settings.OPENRCM_DEMO_USERNAME} / {settings.OPENRCM_DEMO_PASSWORD}" in out
    before = snapshot()
    again = run("demo", "--seed", "7", *SMALL)
    assert "already loaded" in again
    assert "nothing changed" in again
    assert snapshot() == before
    org = Organization.objects.get()
    assert org.is_demo and org.demo_seed == 7


def test_the_demo_refuses_a_database_with_real_data(practice_a: Any) -> None:
    with pytest.raises(CommandError, match=r"real \(non-demo\) data.*test-billing"):
        run("demo", "--seed", "3", *SMALL)
    assert not Organization.objects.filter(is_demo=True).exists()
    assert Practice.objects.count() == 1


def test_a_second_seed_is_refused_with_a_clear_message() -> None:
    run("demo", "--seed", "4", *SMALL)
    with pytest.raises(CommandError, match="demo of seed 4"):
        run("demo", "--seed", "5", *SMALL)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--practices", "0"), "practices must be between"),
        (("--patients", "2"), "at least one per practice"),
        (("--encounters", "-1"), "cannot be negative"),
        (("--seed", "-3"), "seed must be"),
    ],
)
def test_bad_arguments_are_refused(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("demo", *args)


def test_the_demo_login_is_admin_in_every_demo_practice() -> None:
    run("demo", "--seed", "9", *SMALL)
    user = get_user_model().objects.get(username=settings.OPENRCM_DEMO_USERNAME)
    assert user.check_password(settings.OPENRCM_DEMO_PASSWORD)
    roles = dict(Membership.objects.filter(user=user).values_list("practice__slug", "role"))
    assert roles == dict.fromkeys(Practice.objects.values_list("slug", flat=True), "admin")


@pytest.fixture
def book() -> Organization:
    """A mid-sized demo: enough visits to see every specialty's patterns."""
    run("demo", "--seed", "21", "--patients", "60", "--encounters", "200", "--cycle-days", "0")
    return Organization.objects.get()


def test_practices_providers_and_payers_look_real(book: Organization) -> None:
    practices = list(Practice.objects.order_by("id"))
    assert [p.specialty for p in practices] == [
        "Family Medicine",
        "Pediatrics",
        "Orthopaedic Surgery",
    ]
    assert len({p.time_zone for p in practices}) >= 2
    for practice in practices:
        assert npi_is_valid(practice.group_npi)
        assert len(practice.zip_code) == 9  # ZIP+4
        assert len(practice.tin) == 9
        assert re.fullmatch(r"[0-9]{3}[0-9A-Z]{6}X", practice.taxonomy)
        providers = list(practice.providers.all())
        assert 2 <= len(providers) <= 4
        assert all(npi_is_valid(p.npi) for p in providers)
        assert all(re.fullmatch(r"[0-9]{3}[0-9A-Z]{6}X", p.taxonomy) for p in providers)
        assert practice.locations.exists()
        assert all(len(loc.zip_code) == 9 for loc in practice.locations.all())
    payers = {p.payer_id: p for p in Payer.objects.all()}
    assert 6 <= len(payers) <= 10
    medicare = next(p for p in payers.values() if p.claim_filing_indicator == "MB")
    assert medicare.timely_filing_days == 365
    indicators = {p.claim_filing_indicator for p in payers.values()}
    assert {"MB", "MC", "BL", "CI"} <= indicators
    assert all(90 <= p.timely_filing_days <= 365 for p in payers.values())
    # Charges (no payer) and payer allowances, in force today.
    assert FeeSchedule.objects.filter(payer__isnull=True).count() >= 3
    assert FeeSchedule.objects.filter(payer__isnull=False).count() >= 3


def test_patients_and_coverages_fit_the_specialty(book: Organization) -> None:
    today = timezone.localdate()
    for practice in Practice.objects.all():
        patients = list(practice.patients.all())
        assert patients
        ages = [(today - p.date_of_birth).days // 365 for p in patients]
        if practice.specialty == "Pediatrics":
            assert max(ages) <= 19
        else:
            assert min(ages) >= 15
    for coverage in Coverage.objects.select_related("patient", "payer"):
        assert coverage.patient.coverages.filter(priority=1).exists()
        age = (today - coverage.patient.date_of_birth).days // 365
        if coverage.payer.claim_filing_indicator == "MB":
            assert re.fullmatch(
                r"[1-9][A-Z][A-Z0-9][0-9][A-Z][A-Z0-9][0-9][A-Z]{2}[0-9]{2}", coverage.member_id
            )
            assert age >= 65
        if age < 18 and coverage.payer.claim_filing_indicator != "MC":
            assert coverage.relationship == "19"  # a parent is the subscriber
            assert coverage.subscriber_first_name and coverage.subscriber_last_name
    kids = Coverage.objects.filter(relationship="19")
    assert kids.exists()
    assert Coverage.objects.filter(priority=2).exists()  # some have a secondary


def test_every_encounter_has_its_claim_and_real_codes(book: Organization) -> None:
    encounters = list(
        Encounter.objects.select_related("practice").prefetch_related(
            "diagnoses", "charge_lines", "claims"
        )
    )
    assert len(encounters) == 200
    modifiers: Counter[str] = Counter()
    for encounter in encounters:
        assert len(encounter.claims.all()) == 1
        claim = encounter.claims.all()[0]
        lines = list(encounter.charge_lines.all())
        assert claim.total_charge_cents == sum(line.charge_cents for line in lines)
        zone = zoneinfo.ZoneInfo(encounter.practice.time_zone)
        today = timezone.localdate(timezone=zone)
        assert today - dt.timedelta(days=91) <= encounter.date_of_service <= today
        assert encounter.date_of_service.weekday() < 5
        for code in encounter.diagnosis_codes:
            assert icd10cm.is_billable(code), f"{code} is not a billable ICD-10-CM code"
        codes = {line.procedure_code for line in lines}
        for line in lines:
            modifiers.update(line.modifiers)
            if line.procedure_code in PROBLEM_EM and codes & (NEEDS_25 | PREVENTIVE):
                assert {"25", "57"} & set(line.modifiers), (codes, line.modifiers)
            if line.procedure_code.startswith("J"):
                assert line.ndc_code and line.ndc_quantity and line.ndc_unit
            # Charges come from the practice's fee schedule for the date of service.
            fee = fee_for(
                practice=encounter.practice,
                procedure_code=line.procedure_code,
                modifier=line.modifiers[0] if line.modifiers else "",
                on=encounter.date_of_service,
            )
            assert fee is not None
            assert line.charge_cents == fee.cents * line.units
    assert {"25", "RT", "LT"} <= set(modifiers)


def test_specialties_bill_what_they_do(book: Organization) -> None:
    def codes(specialty: str) -> set[str]:
        return set(
            ChargeLine.objects.filter(practice__specialty=specialty).values_list(
                "procedure_code", flat=True
            )
        )

    family, pediatrics, ortho = (
        codes("Family Medicine"),
        codes("Pediatrics"),
        codes("Orthopaedic Surgery"),
    )
    assert {"99213", "99214"} <= family
    assert pediatrics & {"99381", "99382", "99383", "99384", "99391", "99392", "99393", "99394"}
    assert "90460" in pediatrics
    assert ortho & {"20610", "20611", "20550"}
    assert ortho & {"73560", "73562", "73030", "72100", "73502"}
    assert not ortho & {"90460", "99391"}
