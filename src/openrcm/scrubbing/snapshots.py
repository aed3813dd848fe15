"""Claims of the database (or an encounter being typed) as the scrubber's `ClaimSnapshot`.

The snapshot says what the 837P would say: the practice is the billing provider (group NPI,
TIN, taxonomy, address), the encounter's provider renders, the coverage names the subscriber
and the payer, the claim's sequence is SBR01. Nothing here validates: a snapshot carries every
mistake a claim can, because finding them is the scrubber's job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Prefetch, QuerySet

from openrcm.claims.models import Claim, ClaimLine
from openrcm.core.money import Money
from openrcm.core.scrub import snapshot as snap
from openrcm.core.scrub.snapshot import ClaimSnapshot
from openrcm.encounters.models import Diagnosis
from openrcm.patients.models import Coverage, Patient
from openrcm.providers.models import Provider
from openrcm.tenancy.models import Location, Practice


@dataclass(frozen=True, slots=True)
class LineFacts:
    """A service line as billed (from a claim line, or from the encounter form as typed)."""

    number: int
    procedure: str
    charge: Money
    units: int = 1
    modifiers: tuple[str, ...] = ()
    pointers: tuple[int, ...] = ()
    ndc: str = ""
    ndc_quantity: str = ""
    ndc_unit: str = ""


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What a snapshot is built from, whether the claim is stored or only being typed."""

    practice: Practice
    patient: Patient
    coverage: Coverage | None
    provider: Provider | None
    date_of_service: dt.date | None
    place_of_service: str
    diagnoses: tuple[str, ...]
    lines: tuple[LineFacts, ...]
    total: Money | None = None  # None: the sum of the lines
    patient_control_number: str = ""
    claim_key: str = ""
    sequence: str = "P"
    frequency: str = "1"
    payer_claim_number: str = ""
    prior_authorization: str = ""
    referring: Provider | None = None
    location: Location | None = None


def patient_key(patient_id: Any, sequence: str) -> str:
    """The duplicate-detection key: the patient, per payer sequence (a secondary claim of the
    same encounter repeats the primary's lines on purpose)."""
    return f"{patient_id}/{sequence}"


def _quantity(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text.strip() else None
    except InvalidOperation:
        return None


def snapshot_from_facts(facts: ClaimFacts) -> ClaimSnapshot:
    practice, patient, coverage = facts.practice, facts.patient, facts.coverage
    lines = tuple(
        snap.ServiceLine(
            number=line.number,
            procedure=line.procedure,
            charge=line.charge,
            units=Decimal(line.units),
            modifiers=line.modifiers,
            pointers=line.pointers,
            service_date=facts.date_of_service,
            ndc=line.ndc,
            ndc_quantity=_quantity(line.ndc_quantity),
            ndc_unit=line.ndc_unit,
        )
        for line in facts.lines
    )
    total = facts.total
    if total is None:
        total = sum((line.charge for line in facts.lines), Money.zero())
    if coverage is not None:
        payer = coverage.payer
        is_self = coverage.relationship == "18"
        subscriber = snap.Subscriber(
            member_id=coverage.member_id,
            relationship=coverage.relationship,
            last_name=patient.last_name if is_self else coverage.subscriber_last_name,
            first_name=patient.first_name if is_self else coverage.subscriber_first_name,
            group_number=coverage.group_number,
        )
        payer_facts = snap.Payer(
            id=payer.payer_id,
            name=payer.name,
            filing_indicator=payer.claim_filing_indicator,
            timely_filing_days=payer.timely_filing_days,
            responsibility=facts.sequence,
        )
        coverage_facts: snap.Coverage | None = snap.Coverage(
            active_from=coverage.effective_from, active_to=coverage.effective_to
        )
    else:  # self-pay: no payer to send a claim to; the rules say what is missing
        subscriber = snap.Subscriber(member_id="")
        payer_facts = snap.Payer(id="", responsibility=facts.sequence)
        coverage_facts = None
    pcn = facts.patient_control_number
    return ClaimSnapshot(
        patient_control_number=pcn,
        total_charge=total,
        place_of_service=facts.place_of_service,
        diagnoses=facts.diagnoses,
        billing=snap.BillingProvider(
            npi=practice.group_npi,
            tin=practice.tin,
            taxonomy=practice.taxonomy,
            zip=practice.zip_code,
            address_line=practice.address_line1,
            name=practice.name,
        ),
        patient=snap.Patient(
            key=patient_key(patient.pk, facts.sequence),
            birth_date=patient.date_of_birth,
            sex=patient.sex,
            last_name=patient.last_name,
            first_name=patient.first_name,
        ),
        subscriber=subscriber,
        payer=payer_facts,
        lines=lines,
        claim_id=facts.claim_key or pcn or "new",
        frequency=facts.frequency,
        payer_claim_number=facts.payer_claim_number,
        prior_authorization=facts.prior_authorization,
        rendering_npi=facts.provider.npi if facts.provider else "",
        referring_npi=facts.referring.npi if facts.referring else "",
        service_facility_npi=facts.location.npi if facts.location else "",
        coverage=coverage_facts,
    )


def claims_for_snapshots(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """`queryset` with everything `claim_snapshot` reads, in a fixed number of queries."""
    return queryset.select_related(
        "practice",
        "encounter",
        "encounter__patient",
        "encounter__provider",
        "encounter__referring_provider",
        "encounter__location",
        "coverage",
        "coverage__payer",
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=ClaimLine.objects.select_related("charge_line").order_by("line_number"),
        ),
        Prefetch("encounter__diagnoses", queryset=Diagnosis.objects.order_by("position")),
    )


def claim_facts(claim: Claim) -> ClaimFacts:
    encounter = claim.encounter
    lines: Sequence[ClaimLine] = list(claim.lines.all())
    return ClaimFacts(
        practice=claim.practice,
        patient=encounter.patient,
        coverage=claim.coverage,
        provider=encounter.provider,
        referring=encounter.referring_provider,
        location=encounter.location,
        date_of_service=encounter.date_of_service,
        place_of_service=encounter.place_of_service,
        diagnoses=tuple(d.code for d in encounter.diagnoses.all()),
        lines=tuple(
            LineFacts(
                number=line.line_number,
                procedure=line.charge_line.procedure_code,
                charge=Money.from_cents(line.charge_cents),
                units=line.charge_line.units,
                modifiers=tuple(line.charge_line.modifiers),
                pointers=tuple(line.charge_line.pointers),
                ndc=line.charge_line.ndc_code,
                ndc_quantity=line.charge_line.ndc_quantity,
                ndc_unit=line.charge_line.ndc_unit,
            )
            for line in lines
        ),
        total=Money.from_cents(claim.total_charge_cents),
        patient_control_number=claim.patient_control_number,
        sequence=claim.sequence,
        frequency=claim.frequency_code,
        payer_claim_number=claim.payer_claim_number,
        prior_authorization=encounter.prior_authorization,
    )


def claim_snapshot(*, claim: Claim) -> ClaimSnapshot:
    """The scrubber's view of a stored claim (its encounter, patient, coverage, payer and
    providers). For many claims, fetch them through `claims_for_snapshots` first."""
    return snapshot_from_facts(claim_facts(claim))
