"""Load the demo book of business through the same services the application uses.

One demo organization per database, marked `is_demo` with its seed. The same seed on the same
day gives the same data; loading a seed that is already there changes nothing; a database that
holds real (non-demo) data is refused. Everything is written in one transaction.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import time
import zoneinfo
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from faker import Faker

from openrcm.accounts.services import user_create
from openrcm.claims.models import Claim
from openrcm.core.money import Money
from openrcm.encounters.models import Encounter
from openrcm.encounters.services import ChargeLineInput, EncounterInput, encounter_create_many
from openrcm.operations.demo import people
from openrcm.operations.demo.catalog import (
    COMMERCIAL_KEYS,
    FEES,
    MEDICAID_KEYS,
    MEDICARE_KEYS,
    PAYERS,
    PRACTICES,
    SPECIALTY_CODES,
    SPECIALTY_WEIGHT,
    STATE,
    STREETS,
    VACCINE_COMPONENTS,
    VFC_MODIFIER,
    PayerTemplate,
    PracticeTemplate,
)
from openrcm.operations.demo.cycle import CycleSummary, Visit, demo_cycle
from openrcm.operations.demo.plans import (
    PatientProfile,
    family_profile_conditions,
    ortho_problem,
    pediatric_profile_conditions,
    plan_visit,
)
from openrcm.patients.models import Coverage, Patient
from openrcm.patients.services import coverage_create, patient_create
from openrcm.payers.models import FeeSchedule, FeeScheduleEntry, Payer, PayerEnrollment
from openrcm.providers.models import Provider
from openrcm.scrubbing.services import practice_scrub
from openrcm.tenancy.models import Location, Organization, Practice, Role
from openrcm.tenancy.services import (
    membership_grant,
    organization_get_or_create,
    practice_create,
    practice_next_numbers,
)

DEFAULT_SEED = 1
DEFAULT_PRACTICES = 3
DEFAULT_PATIENTS = 360
DEFAULT_ENCOUNTERS = 1200
MAX_PRACTICES = 30
WINDOW_DAYS = 90  # three months of dates of service, ending today
DEFAULT_CYCLE_DAYS = 60  # simulated days of the billing cycle, ending today (0: none)
ORGANIZATION_NAME = "Bluegrass Revenue Partners (demo)"
ENCOUNTER_BATCH = 500


class DemoRefused(Exception):
    """The database cannot take the demo (it holds real data, or another seed's demo)."""


@dataclass(slots=True)
class DemoResult:
    organization: Organization
    loaded: bool  # False: this seed was already there and nothing changed
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    username: str = ""
    password: str = ""
    user_created: bool = False
    practices: list[Practice] = field(default_factory=list)
    scrubbed: dict[str, int] = field(default_factory=dict)  # ready, held, waiting (override)
    cycle: CycleSummary | None = None  # the simulated days, when run


def demo_organization_slug(seed: int) -> str:
    return f"demo-seed-{seed}"


def demo_check(*, seed: int) -> Organization | None:
    """The demo organization of `seed` if loaded; refuse real data or another seed's demo."""
    real = list(Organization.objects.filter(is_demo=False).order_by("slug")[:5])
    if real:
        names = ", ".join(f"{org.name} ({org.slug})" for org in real)
        raise DemoRefused(
            "This database holds real (non-demo) data: organization "
            f"{names}. The demo loads only into an empty database or one that holds demo data; "
            "point DATABASE_URL at a new database to try it."
        )
    existing = Organization.objects.filter(is_demo=True).order_by("id")
    same = existing.filter(demo_seed=seed).first()
    if same is not None:
        return same
    other = existing.first()
    if other is not None:
        raise DemoRefused(
            f"This database already holds the demo of seed {other.demo_seed} ({other.slug}); "
            f"one demo per database: point DATABASE_URL at a new database for seed {seed}."
        )
    return None


def demo_counts(*, organization: Organization) -> dict[str, int]:
    practices = Practice.objects.filter(organization=organization)
    return {
        "practices": practices.count(),
        "providers": Provider.objects.filter(practice__in=practices).count(),
        "locations": Location.objects.filter(practice__in=practices).count(),
        "payers": Payer.objects.filter(organization=organization).count(),
        "fee_schedules": FeeSchedule.objects.filter(practice__in=practices).count(),
        "patients": Patient.objects.filter(practice__in=practices).count(),
        "coverages": Coverage.objects.filter(practice__in=practices).count(),
        "encounters": Encounter.objects.filter(practice__in=practices).count(),
        "claims": Claim.objects.filter(practice__in=practices).count(),
    }


def demo_load(
    *,
    seed: int = DEFAULT_SEED,
    practices: int = DEFAULT_PRACTICES,
    patients: int = DEFAULT_PATIENTS,
    encounters: int = DEFAULT_ENCOUNTERS,
    now: dt.datetime | None = None,
    cycle_days: int = DEFAULT_CYCLE_DAYS,
) -> DemoResult:
    """Load the demo of `seed` (totals across practices), or report that it is already there.

    With ``cycle_days`` (default 60) the billing cycle then runs day by day on a simulated
    clock ending at ``now`` (see :mod:`openrcm.operations.demo.cycle`): encounters entered a
    few days after their visit, claims scrubbed and sent in daily batches to each practice's
    sandbox clearinghouse, acknowledgments and 835s taken in and posted, secondary claims sent,
    rejections and denials partly worked. With 0 every claim is made at once and scrubbed."""
    if not 1 <= practices <= MAX_PRACTICES:
        raise ValueError(f"practices must be between 1 and {MAX_PRACTICES} ({practices} given)")
    if patients < practices:
        raise ValueError(f"patients must be at least one per practice ({patients} given)")
    if encounters < 0:
        raise ValueError(f"encounters cannot be negative ({encounters} given)")
    if not 0 <= seed <= 2**31 - 1:
        raise ValueError(f"seed must be between 0 and {2**31 - 1} ({seed} given)")
    if not 0 <= cycle_days <= WINDOW_DAYS:
        raise ValueError(f"cycle days must be between 0 and {WINDOW_DAYS} ({cycle_days} given)")
    started = time.perf_counter()
    with transaction.atomic():
        existing = demo_check(seed=seed)
        if existing is not None:
            return DemoResult(
                organization=existing,
                loaded=False,
                counts=demo_counts(organization=existing),
                practices=list(existing.practices.order_by("id")),
            )
        builder = _DemoBuilder(seed=seed, now=now or timezone.now())
        org = builder.build(practices=practices, patients=patients, encounters=encounters)
        username, password, created = _demo_user(builder.practices)
        cycle: CycleSummary | None = None
        if cycle_days:
            cycle = demo_cycle(
                seed=seed,
                practices=builder.practices,
                visits=builder.visits,
                now=builder.now,
                days=cycle_days,
                biller=get_user_model().objects.get(username=username),
            )
            scrubbed = {}
        else:
            for start in range(0, len(builder.visits), ENCOUNTER_BATCH):
                encounter_create_many(
                    items=[v.item for v in builder.visits[start : start + ENCOUNTER_BATCH]]
                )
            scrubbed = _scrub(builder)
    return DemoResult(
        organization=org,
        loaded=True,
        counts=demo_counts(organization=org),
        seconds=time.perf_counter() - started,
        username=username,
        password=password,
        user_created=created,
        practices=builder.practices,
        scrubbed=scrubbed,
        cycle=cycle,
    )


def _scrub(builder: _DemoBuilder) -> dict[str, int]:
    """Scrub each practice's claims as of the demo's day: clean ones go ready, a few are held."""
    totals = {"ready": 0, "held": 0, "waiting": 0}
    for practice in builder.practices:
        today = timezone.localdate(builder.now, timezone=zoneinfo.ZoneInfo(practice.time_zone))
        batch = practice_scrub(practice=practice, today=today)
        totals["ready"] += batch.run.ready_count
        totals["held"] += batch.run.held_count
        totals["waiting"] += sum(1 for r in batch.results if not r.held and r.open_warnings)
    return totals


def _demo_user(practices: list[Practice]) -> tuple[str, str, bool]:
    username = settings.OPENRCM_DEMO_USERNAME
    password = settings.OPENRCM_DEMO_PASSWORD
    user = get_user_model().objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = user_create(
            username=username,
            password=password,
            first_name="Demo",
            last_name="Biller",
            email="demo@example.com",
        )
    for practice in practices:
        membership_grant(user=user, practice=practice, role=Role.ADMIN)
    return username, password, created


def _split(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainders), each part at least 0."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - parts[i], -i), reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _money(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _charge(standard: str, factor: str) -> Decimal:
    """The standard charge scaled, in whole dollars (in steps of $5 from $50 up)."""
    value = Decimal(standard) * Decimal(factor)
    step = Decimal(5) if value >= 50 else Decimal(1)
    return (value / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step


@dataclass(slots=True)
class _Charges:
    """A practice's charge master as loaded: per-unit cents by (code, modifier), by year."""

    by_year: dict[int, dict[tuple[str, str], int]] = field(default_factory=dict)

    def charge(self, code: str, modifiers: tuple[str, ...], day: dt.date, units: int) -> Money:
        """What `fee_for` finds for the line (its first modifier, else the plain code) x units."""
        table = self.by_year[day.year]
        first = modifiers[0] if modifiers else ""
        cents = table.get((code, first), table[(code, "")])
        return Money.from_cents(cents * units)


@dataclass(slots=True)
class _PatientPlan:
    patient: Patient
    profile: PatientProfile
    weight: float
    provider_index: int
    location_index: int
    earliest: dt.date


class _DemoBuilder:
    def __init__(self, *, seed: int, now: dt.datetime) -> None:
        self.seed = seed
        self.now = now
        self.practices: list[Practice] = []
        self.charges: list[_Charges] = []
        self.npis: set[str] = set()
        self.visits: list[Visit] = []  # built by `build`, recorded by the caller

    def rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    def faker(self, *parts: object) -> Faker:
        fake = Faker("en_US")
        fake.seed_instance(":".join(str(p) for p in (self.seed, *parts)))
        return fake

    def build(self, *, practices: int, patients: int, encounters: int) -> Organization:
        org = organization_get_or_create(
            slug=demo_organization_slug(self.seed), name=ORGANIZATION_NAME, is_demo=True
        )
        org.demo_seed = self.seed
        org.save(update_fields=["demo_seed"])
        payers = self.payers(org)
        templates = [PRACTICES[i % len(PRACTICES)] for i in range(practices)]
        weights = [SPECIALTY_WEIGHT[t.specialty] for t in templates]
        patient_counts = [1 + n for n in _split(patients - practices, weights)]
        encounter_counts = _split(encounters, patient_counts)
        worklist: list[tuple[dt.date, int, int]] = []
        plans: list[list[_PatientPlan]] = []
        infos: list[tuple[Practice, list[Provider], list[Location]]] = []
        for index, template in enumerate(templates):
            practice, providers, locations = self.practice(org, template, index)
            self.practices.append(practice)
            enrolled = self.enroll(practice, template, payers, index)
            self.fee_schedules(practice, template, enrolled)
            plan = self.patients(practice, template, index, patient_counts[index], enrolled)
            plans.append(plan)
            infos.append((practice, providers, locations))
            for patient_index, day in self.visit_days(
                template, index, plan, encounter_counts[index]
            ):
                worklist.append((day, index, patient_index))
        worklist.sort()
        rngs = [self.rng("visits", i) for i in range(len(templates))]
        for day, practice_index, patient_index in worklist:
            practice, providers, locations = infos[practice_index]
            entry = plans[practice_index][patient_index]
            rng = rngs[practice_index]
            visit = plan_visit(rng, entry.profile, day)
            provider = (
                providers[entry.provider_index] if rng.random() < 0.85 else rng.choice(providers)
            )
            location = (
                locations[entry.location_index] if rng.random() < 0.9 else rng.choice(locations)
            )
            charges = self.charges[practice_index]
            item = EncounterInput(
                patient=entry.patient,
                provider=provider,
                location=location,
                date_of_service=day,
                diagnoses=list(visit.diagnoses),
                place_of_service=visit.place_of_service,
                lines=[
                    ChargeLineInput(
                        procedure_code=line.code,
                        diagnosis_pointers=list(line.pointers),
                        units=line.units,
                        charge=charges.charge(line.code, line.modifiers, day, line.units),
                        modifiers=list(line.modifiers),
                        ndc_code=line.ndc,
                        ndc_quantity=line.ndc_quantity,
                        ndc_unit=line.ndc_unit,
                    )
                    for line in visit.lines
                ],
            )
            # Charge lag: most visits are entered the next business day, some the same day.
            lag = rng.choices((0, 1, 2, 3, 5), weights=(25, 45, 18, 8, 4))[0]
            self.visits.append(Visit(practice_index=practice_index, item=item, lag_days=lag))
        return org

    # -- the organization's payers ---------------------------------------------------------

    def payers(self, org: Organization) -> dict[str, Payer]:
        rows: dict[str, Payer] = {}
        for template in PAYERS:
            payer = Payer(
                organization=org,
                name=template.name,
                payer_id=template.payer_id,
                claim_filing_indicator=template.claim_filing_indicator,
                timely_filing_days=template.timely_filing_days,
                appeal_days=template.appeal_days,
                address_line1=template.address_line1,
                city=template.city,
                state=template.state,
                zip_code=template.zip5,
                phone=template.phone,
            )
            payer.full_clean()
            rows[template.key] = payer
        Payer.objects.bulk_create(rows.values())
        return rows

    # -- a practice, its providers and locations -------------------------------------------

    def today(self, template: PracticeTemplate) -> dt.date:
        return timezone.localdate(self.now, timezone=zoneinfo.ZoneInfo(template.time_zone))

    def practice(
        self, org: Organization, template: PracticeTemplate, index: int
    ) -> tuple[Practice, list[Provider], list[Location]]:
        rng = self.rng("practice", index)
        fake = self.faker("practice", index)
        cycle = index // len(PRACTICES)
        suffix = f" {cycle + 1}" if cycle else ""
        practice = practice_create(
            organization=org,
            slug=template.slug + (f"-{cycle + 1}" if cycle else ""),
            name=template.name + suffix,
            group_npi=people.npi(rng, self.npis),
            tin=people.ein(rng, template.ein_prefix),
            specialty=template.specialty_label,
            taxonomy=template.taxonomy,
            address_line1=template.address_line1,
            address_line2=template.address_line2,
            city=template.city,
            state=STATE,
            zip_code=people.zip_plus4(rng, template.zip5),
            phone=people.phone(rng, template.area_code),
            time_zone=template.time_zone,
        )
        locations: list[Location] = []
        for name, line1, city, zip5 in template.locations:
            location = Location(
                practice=practice,
                name=name + suffix,
                address_line1=line1,
                city=city,
                state=STATE,
                zip_code=people.zip_plus4(rng, zip5),
                default_place_of_service="11",
            )
            location.full_clean()
            locations.append(location)
        Location.objects.bulk_create(locations)
        count = min(len(template.providers), 2 + rng.randint(0, 2))
        providers: list[Provider] = []
        for role in template.providers[:count]:
            female = rng.random() < 0.5
            provider = Provider(
                practice=practice,
                first_name=fake.first_name_female() if female else fake.first_name_male(),
                last_name=fake.last_name(),
                credential=role.credential,
                npi=people.npi(rng, self.npis),
                taxonomy=role.taxonomy,
            )
            provider.full_clean()
            providers.append(provider)
        Provider.objects.bulk_create(providers)
        return practice, providers, locations

    def enroll(
        self, practice: Practice, template: PracticeTemplate, payers: dict[str, Payer], index: int
    ) -> dict[str, tuple[PayerTemplate, Payer]]:
        rng = self.rng("enroll", index)
        today = self.today(template)
        enrolled: dict[str, tuple[PayerTemplate, Payer]] = {}
        rows: list[PayerEnrollment] = []
        for payer_template in PAYERS:
            if template.specialty == "pediatrics" and not payer_template.pays_children:
                continue
            payer = payers[payer_template.key]
            enrolled[payer_template.key] = (payer_template, payer)
            years_ago = rng.randint(2, 9)
            row = PayerEnrollment(
                practice=practice,
                payer=payer,
                status=PayerEnrollment.Status.ACTIVE,
                effective_from=dt.date(today.year - years_ago, rng.randint(1, 12), 1),
                era_enrolled=payer_template.key != "medigap",
            )
            row.full_clean(validate_unique=False, validate_constraints=False)
            rows.append(row)
        PayerEnrollment.objects.bulk_create(rows)
        return enrolled

    def fee_schedules(
        self,
        practice: Practice,
        template: PracticeTemplate,
        enrolled: dict[str, tuple[PayerTemplate, Payer]],
    ) -> None:
        today = self.today(template)
        this_year = dt.date(today.year, 1, 1)
        last_year = dt.date(today.year - 1, 1, 1)
        codes = SPECIALTY_CODES[template.specialty]
        schedules: list[tuple[FeeSchedule, list[FeeScheduleEntry]]] = []

        def entries(amounts: dict[str, Decimal], vfc: bool) -> list[FeeScheduleEntry]:
            rows = [
                FeeScheduleEntry(procedure_code=code, amount_cents=_money(amount))
                for code, amount in amounts.items()
            ]
            if vfc:
                rows += [
                    FeeScheduleEntry(procedure_code=code, modifier=VFC_MODIFIER, amount_cents=0)
                    for code in amounts
                    if code in VACCINE_COMPONENTS
                ]
            return rows

        charges = {code: _charge(FEES[code][1], template.fee_factor) for code in codes}
        previous = {
            code: _charge(FEES[code][1], template.fee_factor) * Decimal("0.97") for code in codes
        }
        vfc = template.specialty == "pediatrics"
        schedules.append(
            (
                FeeSchedule(
                    practice=practice,
                    name=f"Charges {last_year.year}",
                    effective_from=last_year,
                    effective_to=dt.date(today.year - 1, 12, 31),
                ),
                entries({c: a.quantize(Decimal("1")) for c, a in previous.items()}, vfc),
            )
        )
        schedules.append(
            (
                FeeSchedule(
                    practice=practice, name=f"Charges {this_year.year}", effective_from=this_year
                ),
                entries(charges, vfc),
            )
        )
        for payer_template, payer in enrolled.values():
            if payer_template.allowance_factor is None:
                continue
            factor = Decimal(payer_template.allowance_factor)
            allowed = {
                code: (Decimal(FEES[code][0]) * factor).quantize(Decimal("0.01"))
                for code in codes
                if not (payer_template.key in MEDICARE_KEYS and code[:3] == "993")
            }
            schedules.append(
                (
                    FeeSchedule(
                        practice=practice,
                        payer=payer,
                        name=f"{payer.name} allowances",
                        effective_from=last_year,
                    ),
                    entries(allowed, vfc and payer_template.key in MEDICAID_KEYS),
                )
            )
        charge_master = _Charges()
        for schedule, schedule_entries in schedules:
            if schedule.payer is None:
                charge_master.by_year[schedule.effective_from.year] = {
                    (row.procedure_code, row.modifier): row.amount_cents for row in schedule_entries
                }
        self.charges.append(charge_master)
        for schedule, _ in schedules:
            schedule.full_clean()
        FeeSchedule.objects.bulk_create([s for s, _ in schedules])
        rows: list[FeeScheduleEntry] = []
        for schedule, schedule_entries in schedules:
            for row in schedule_entries:
                row.fee_schedule = schedule
                row.full_clean(
                    exclude=["fee_schedule"], validate_unique=False, validate_constraints=False
                )
                rows.append(row)
        FeeScheduleEntry.objects.bulk_create(rows)

    # -- patients and coverages ------------------------------------------------------------

    def patients(
        self,
        practice: Practice,
        template: PracticeTemplate,
        index: int,
        count: int,
        enrolled: dict[str, tuple[PayerTemplate, Payer]],
    ) -> list[_PatientPlan]:
        rng = self.rng("patients", index)
        fake = self.faker("patients", index)
        today = self.today(template)
        window_start = today - dt.timedelta(days=WINDOW_DAYS)
        groups = {key: people.group_pool(rng, key) for key in COMMERCIAL_KEYS}
        plans: list[_PatientPlan] = []
        provider_count = Provider.objects.filter(practice=practice).count()
        provider_weights = [5, 3, 2, 1][:provider_count]
        # Account numbers drawn in one step, in patient_create's own format.
        accounts = practice_next_numbers(practice=practice, name="patient_account", count=count)
        for account in accounts:
            sex = "F" if rng.random() < 0.52 else "M"
            age = self.age(rng, template.specialty)
            dob = people.birth_date(rng, today, age, min_days=21 if age == 0 else 0)
            first = fake.first_name_female() if sex == "F" else fake.first_name_male()
            last = fake.last_name()
            middle = (
                (fake.first_name_female() if sex == "F" else fake.first_name_male())
                if rng.random() < 0.35
                else ""
            )
            town = rng.choice(template.towns)
            patient = patient_create(
                practice=practice,
                account_number=f"{account:07d}",
                first_name=first,
                middle_name=middle[:25],
                last_name=last,
                date_of_birth=dob,
                sex=sex,
                address_line1=people.street_address(rng, STREETS),
                city=town.city,
                state=STATE,
                zip_code=people.zip_plus4(rng, town.zip5),
                phone=people.phone(rng, template.area_code),
                email=people.email(rng, first, last) if age >= 18 and rng.random() < 0.6 else "",
            )
            kind = self.coverages(rng, fake, patient, template, enrolled, groups, window_start)
            age_now = age
            conditions: tuple[str, ...] = ()
            problem, side = "", ""
            weight = 1.0
            if template.specialty == "family":
                conditions = family_profile_conditions(rng, age_now)
                weight = 1.0 + 0.6 * len([c for c in conditions if c not in {"E66.9", "E55.9"}])
            elif template.specialty == "pediatrics":
                conditions = pediatric_profile_conditions(rng, age_now)
                weight = 2.5 if age_now < 2 else 1.0 + 0.5 * len(conditions)
            else:
                problem, side = ortho_problem(rng, age_now)
                weight = 1.5
            profile = PatientProfile(
                specialty=template.specialty,
                date_of_birth=dob,
                sex=sex,
                coverage_kind=kind,
                is_new=rng.random() < (0.45 if template.specialty == "orthopedics" else 0.15),
                conditions=conditions,
                problem=problem,
                side=side,
            )
            plans.append(
                _PatientPlan(
                    patient=patient,
                    profile=profile,
                    weight=weight,
                    provider_index=rng.choices(
                        range(len(provider_weights)), weights=provider_weights
                    )[0],
                    location_index=0 if rng.random() < 0.7 else len(template.locations) - 1,
                    earliest=max(window_start, dob + dt.timedelta(days=3)),
                )
            )
        return plans

    @staticmethod
    def age(rng: random.Random, specialty: str) -> int:
        if specialty == "pediatrics":
            band = rng.choices([(0, 1), (1, 4), (5, 11), (12, 18)], weights=[18, 22, 32, 28])[0]
        elif specialty == "orthopedics":
            band = rng.choices([(15, 39), (40, 64), (65, 90)], weights=[20, 45, 35])[0]
        else:
            band = rng.choices([(18, 39), (40, 64), (65, 92)], weights=[30, 40, 30])[0]
        return rng.randint(*band)

    def coverages(
        self,
        rng: random.Random,
        fake: Faker,
        patient: Patient,
        template: PracticeTemplate,
        enrolled: dict[str, tuple[PayerTemplate, Payer]],
        groups: dict[str, list[str]],
        window_start: dt.date,
    ) -> str:
        """Give the patient coverage in force over the whole window; return its kind."""
        dob = patient.date_of_birth
        child = template.specialty == "pediatrics" or people.age_years(dob, window_start) < 18
        born_in_window = dob > window_start

        def start_between(earliest: dt.date, years: int = 6) -> dt.date:
            """The first of a month in the last `years` years, not before `earliest`."""
            if born_in_window:
                return dob
            floor = max(earliest, window_start - dt.timedelta(days=365 * years))
            month = dt.date(floor.year, floor.month, 1)
            starts: list[dt.date] = []
            while month <= window_start:
                if month >= floor:
                    starts.append(month)
                month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
            return rng.choice(starts) if starts else floor

        def jan_first(earliest: dt.date) -> dt.date:
            """A plan year's start (1 January) in the last six years, not before `earliest`."""
            if born_in_window:
                return dob
            return max(
                dt.date(rng.randint(window_start.year - 5, window_start.year), 1, 1), earliest
            )

        def add(key: str, priority: int, **fields: Any) -> None:
            payer = enrolled[key][1]
            coverage_create(
                patient=patient,
                payer=payer,
                priority=priority,
                plan_name=rng.choice(people.PLAN_NAMES[key]),
                **fields,
            )

        def parent(sex: str | None = None) -> dict[str, Any]:
            sex = sex or ("F" if rng.random() < 0.6 else "M")
            age_gap = 365 * rng.randint(21, 40) + rng.randint(0, 364)
            return {
                "relationship": "19",
                "subscriber_first_name": (
                    fake.first_name_female() if sex == "F" else fake.first_name_male()
                ),
                "subscriber_last_name": patient.last_name,
                "subscriber_date_of_birth": dob - dt.timedelta(days=age_gap),
                "subscriber_sex": sex,
            }

        def spouse() -> dict[str, Any]:
            sex = "M" if patient.sex == "F" else "F"
            if rng.random() < 0.05:
                sex = patient.sex
            return {
                "relationship": "01",
                "subscriber_first_name": (
                    fake.first_name_female() if sex == "F" else fake.first_name_male()
                ),
                "subscriber_last_name": patient.last_name,
                "subscriber_date_of_birth": dob + dt.timedelta(days=rng.randint(-2500, 2500)),
                "subscriber_sex": sex,
            }

        def commercial_key() -> str:
            return rng.choices(list(COMMERCIAL_KEYS), weights=[34, 24, 22, 20])[0]

        def copay(specialist: bool) -> int:
            return 100 * rng.choice([40, 50, 60] if specialist else [20, 25, 30, 35])

        specialist = template.specialty == "orthopedics"
        if not child:
            part_b = people.medicare_start(dob)
            if part_b <= window_start and "medicare" in enrolled:
                if rng.random() < 0.78:
                    add("medicare", 1, member_id=people.mbi(rng), effective_from=part_b)
                    roll = rng.random()
                    if roll < 0.45:
                        add(
                            "medigap",
                            2,
                            member_id=people.member_id(rng, "medigap"),
                            effective_from=start_between(part_b),
                        )
                    elif roll < 0.53:
                        add(
                            "medicaid",
                            2,
                            member_id=people.member_id(rng, "medicaid"),
                            effective_from=start_between(part_b),
                        )
                else:
                    add(
                        "humana_ma",
                        1,
                        member_id=people.member_id(rng, "humana_ma"),
                        effective_from=jan_first(part_b),
                        copay_cents=copay(specialist) // 2,
                    )
                return "medicare"
            if rng.random() < 0.22:
                key = "medicaid" if rng.random() < 0.4 else "wellcare"
                add(key, 1, member_id=people.member_id(rng, key), effective_from=start_between(dob))
                return "medicaid"
            key = commercial_key()
            current_start = jan_first(dob)
            if rng.random() < 0.06 and current_start > dt.date(window_start.year - 1, 1, 1):
                old = commercial_key()
                if old != key:
                    add(
                        old,
                        1,
                        member_id=people.member_id(rng, old),
                        group_number=rng.choice(groups[old]),
                        effective_from=dt.date(current_start.year - 3, 1, 1),
                        effective_to=current_start - dt.timedelta(days=1),
                        copay_cents=copay(specialist),
                    )
            add(
                key,
                1,
                member_id=people.member_id(rng, key),
                group_number=rng.choice(groups[key]),
                effective_from=current_start,
                copay_cents=copay(specialist),
            )
            if rng.random() < 0.06:
                second = commercial_key()
                if second != key:
                    add(
                        second,
                        2,
                        member_id=people.member_id(rng, second),
                        group_number=rng.choice(groups[second]),
                        effective_from=jan_first(dob),
                        **spouse(),
                    )
            return "commercial"
        # Children: Medicaid members are their own subscribers; on a commercial plan a parent is.
        if rng.random() < 0.40:
            key = "medicaid" if rng.random() < 0.4 else "wellcare"
            add(key, 1, member_id=people.member_id(rng, key), effective_from=start_between(dob))
            return "medicaid"
        key = commercial_key()
        add(
            key,
            1,
            member_id=people.member_id(rng, key),
            group_number=rng.choice(groups[key]),
            effective_from=jan_first(dob),
            copay_cents=copay(False),
            **parent(),
        )
        if rng.random() < 0.05:
            second = commercial_key()
            if second != key:
                add(
                    second,
                    2,
                    member_id=people.member_id(rng, second),
                    group_number=rng.choice(groups[second]),
                    effective_from=jan_first(dob),
                    **parent(),
                )
        return "commercial"

    # -- when the visits happen ------------------------------------------------------------

    def visit_days(
        self, template: PracticeTemplate, index: int, plans: list[_PatientPlan], total: int
    ) -> list[tuple[int, dt.date]]:
        """(patient index, date of service) pairs: weekdays in the window, one visit a day."""
        rng = self.rng("days", index)
        today = self.today(template)
        if not plans or total == 0:
            return []
        counts = [0] * len(plans)
        first = min(p.earliest for p in plans)
        weekdays = [
            first + dt.timedelta(days=n)
            for n in range((today - first).days + 1)
            if (first + dt.timedelta(days=n)).weekday() < 5
        ]
        open_days = [weekdays[bisect.bisect_left(weekdays, p.earliest) :] for p in plans]
        capacity = [len(days) for days in open_days]
        order = list(range(len(plans)))
        if total < len(plans):
            chosen = rng.sample(order, total)
            for i in chosen:
                counts[i] = 1
        else:
            for i in order:
                counts[i] = 1 if capacity[i] else 0
            weights = [p.weight for p in plans]
            remaining = total - sum(counts)
            while remaining > 0:
                i = rng.choices(order, weights=weights)[0]
                if counts[i] < capacity[i]:
                    counts[i] += 1
                    remaining -= 1
                else:
                    weights[i] = 0
                    if not any(weights):
                        break
        pairs: list[tuple[int, dt.date]] = []
        for i in range(len(plans)):
            if counts[i]:
                pairs += [(i, day) for day in sorted(rng.sample(open_days[i], counts[i]))]
        return pairs
