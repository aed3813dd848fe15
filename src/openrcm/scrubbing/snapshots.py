"""Claims of the database (or an encounter being typed) as the scrubber's `ClaimSnapshot`.

The snapshot says what the 837P would say: the practice is the billing provider (group NPI,
TIN, taxonomy, address), the encounter's provider renders, the coverage names the subscriber
and the payer, the claim's sequence is SBR01. Nothing here validates: a snapshot carries every
mistake a claim can, because finding them is the scrubber's job.

`claim_snapshots` builds a batch from the plain rows of `openrcm.claims.rows` (the reader the
837P uses too: a few queries per two thousand claims, no model instances), which is what lets
a practice's whole worklist be scrubbed in seconds; `claim_snapshot` is the same for one claim.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet

from openrcm.claims.models import Claim
from openrcm.claims.rows import ClaimRow, ClaimRows, claim_rows
from openrcm.core.money import Money
from openrcm.core.scrub import snapshot as snap
from openrcm.core.scrub.snapshot import ClaimSnapshot
from openrcm.patients.models import Coverage
from openrcm.tenancy.models import Practice


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
    service_date: dt.date | None = None  # None: the claim's date of service
    service_end_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class CoverageFacts:
    """The coverage the claim goes under, with its payer's terms."""

    member_id: str
    relationship: str
    subscriber_last_name: str
    subscriber_first_name: str
    group_number: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    payer_id: str
    payer_name: str
    filing_indicator: str
    timely_filing_days: int | None


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What a snapshot is built from, whether the claim is stored or only being typed."""

    billing: snap.BillingProvider
    patient_id: object
    birth_date: dt.date | None
    sex: str
    last_name: str
    first_name: str
    coverage: CoverageFacts | None
    date_of_service: dt.date | None
    place_of_service: str
    diagnoses: tuple[str, ...]
    lines: tuple[LineFacts, ...]
    total: Money | None = None  # None: the sum of the lines
    patient_control_number: str = ""
    sequence: str = "P"
    frequency: str = "1"
    payer_claim_number: str = ""
    prior_authorization: str = ""
    rendering_npi: str = ""
    referring_npi: str = ""
    facility_npi: str = ""


def billing_of(practice: Practice) -> snap.BillingProvider:
    """The practice as the billing provider (loop 2010AA)."""
    return snap.BillingProvider(
        npi=practice.group_npi,
        tin=practice.tin,
        taxonomy=practice.taxonomy,
        zip=practice.zip_code,
        address_line=practice.address_line1,
        name=practice.name,
    )


def coverage_facts(coverage: Coverage) -> CoverageFacts:
    payer = coverage.payer
    return CoverageFacts(
        member_id=coverage.member_id,
        relationship=coverage.relationship,
        subscriber_last_name=coverage.subscriber_last_name,
        subscriber_first_name=coverage.subscriber_first_name,
        group_number=coverage.group_number,
        effective_from=coverage.effective_from,
        effective_to=coverage.effective_to,
        payer_id=payer.payer_id,
        payer_name=payer.name,
        filing_indicator=payer.claim_filing_indicator,
        timely_filing_days=payer.timely_filing_days,
    )


def patient_key(patient_id: object, sequence: str) -> str:
    """The duplicate-detection key: the patient, per payer sequence (a secondary claim of the
    same encounter repeats the primary's lines on purpose)."""
    return f"{patient_id}/{sequence}"


def _quantity(text: str) -> Decimal | None:
    try:
        return Decimal(text) if text.strip() else None
    except InvalidOperation:
        return None


def _pointers(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(",") if p.strip().isdigit())


def snapshot_from_facts(facts: ClaimFacts) -> ClaimSnapshot:
    lines = tuple(
        snap.ServiceLine(
            number=line.number,
            procedure=line.procedure,
            charge=line.charge,
            units=Decimal(line.units),
            modifiers=line.modifiers,
            pointers=line.pointers,
            service_date=line.service_date or facts.date_of_service,
            service_date_end=line.service_end_date,
            ndc=line.ndc,
            ndc_quantity=_quantity(line.ndc_quantity),
            ndc_unit=line.ndc_unit,
        )
        for line in facts.lines
    )
    total = facts.total
    if total is None:
        total = sum((line.charge for line in facts.lines), Money.zero())
    cover = facts.coverage
    if cover is not None:
        is_self = cover.relationship == "18"
        subscriber = snap.Subscriber(
            member_id=cover.member_id,
            relationship=cover.relationship,
            last_name=facts.last_name if is_self else cover.subscriber_last_name,
            first_name=facts.first_name if is_self else cover.subscriber_first_name,
            group_number=cover.group_number,
        )
        payer = snap.Payer(
            id=cover.payer_id,
            name=cover.payer_name,
            filing_indicator=cover.filing_indicator,
            timely_filing_days=cover.timely_filing_days,
            responsibility=facts.sequence,
        )
        coverage: snap.Coverage | None = snap.Coverage(
            active_from=cover.effective_from, active_to=cover.effective_to
        )
    else:  # self-pay: no payer to send a claim to; the rules say what is missing
        subscriber = snap.Subscriber(member_id="")
        payer = snap.Payer(id="", responsibility=facts.sequence)
        coverage = None
    pcn = facts.patient_control_number
    return ClaimSnapshot(
        patient_control_number=pcn,
        total_charge=total,
        place_of_service=facts.place_of_service,
        diagnoses=facts.diagnoses,
        billing=facts.billing,
        patient=snap.Patient(
            key=patient_key(facts.patient_id, facts.sequence),
            birth_date=facts.birth_date,
            sex=facts.sex,
            last_name=facts.last_name,
            first_name=facts.first_name,
        ),
        subscriber=subscriber,
        payer=payer,
        lines=lines,
        claim_id=pcn or "new",
        frequency=facts.frequency,
        payer_claim_number=facts.payer_claim_number,
        prior_authorization=facts.prior_authorization,
        rendering_npi=facts.rendering_npi,
        referring_npi=facts.referring_npi,
        service_facility_npi=facts.facility_npi,
        coverage=coverage,
    )


# -- one stored claim ----------------------------------------------------------------------------


def claim_snapshot(*, claim: Claim) -> ClaimSnapshot:
    """The scrubber's view of a stored claim: its encounter, patient, coverage, payer and
    providers, read as `claim_snapshots` reads many."""
    (row,) = claim_snapshots(practice=claim.practice, claims=Claim.objects.filter(pk=claim.pk))
    return row.snapshot


def prior_payers_for(practice: Practice, claim_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """The prior payers' adjudication (2320/2430) each secondary or tertiary claim of
    `claim_ids` carries: posting made the claim after the prior payer's 835 and reads it again
    (`openrcm.posting.secondary`). Imported here, not at the top: posting scrubs the claims it
    makes, so it imports this app."""
    if not claim_ids:
        return {}
    from openrcm.posting.secondary import prior_payers_for as read

    return read(practice=practice, claim_ids=claim_ids)


# -- many stored claims, from plain rows ---------------------------------------------------------


@dataclass(slots=True)
class ClaimRef:
    """What a batch needs of a stored claim besides its snapshot (no model instance: building
    thousands of them would cost more than scrubbing the claims)."""

    pk: int
    practice_id: int
    status: str
    patient_control_number: str
    status_changed_at: dt.datetime | None = None

    def __str__(self) -> str:
        return f"Claim {self.patient_control_number}"


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    """A stored claim in a batch and its snapshot."""

    claim: ClaimRef
    snapshot: ClaimSnapshot
    created_at: dt.datetime


def claim_snapshots(*, practice: Practice, claims: QuerySet[Claim]) -> Iterator[SnapshotRow]:
    """Snapshots of the practice's `claims`, in id order, built from plain rows a chunk of
    claims at a time."""
    billing = billing_of(practice)
    for chunk in claim_rows(claims=claims.filter(practice=practice)):
        priors = prior_payers_for(practice, [r.pk for r in chunk.claims if r.sequence != "P"])
        for row in chunk.claims:
            snapshot = snapshot_from_facts(_row_facts(billing, row, chunk))
            if row.pk in priors:
                snapshot = replace(snapshot, prior_payers=priors[row.pk])
            claim = ClaimRef(row.pk, practice.pk, row.status, row.patient_control_number)
            yield SnapshotRow(claim, snapshot, row.created_at)


def _row_facts(billing: snap.BillingProvider, row: ClaimRow, chunk: ClaimRows) -> ClaimFacts:
    parties = chunk.parties
    payer = parties.payers[row.payer_id]
    providers = parties.providers
    referring = row.referring_provider_id
    referring_npi = providers[referring].npi if referring is not None else ""
    return ClaimFacts(
        billing=billing,
        patient_id=row.patient_id,
        birth_date=row.patient_birth_date,
        sex=row.patient_sex,
        last_name=row.patient_last_name,
        first_name=row.patient_first_name,
        coverage=CoverageFacts(
            member_id=row.member_id,
            relationship=row.relationship,
            subscriber_last_name=row.subscriber_last_name,
            subscriber_first_name=row.subscriber_first_name,
            group_number=row.group_number,
            effective_from=row.coverage_from,
            effective_to=row.coverage_to,
            payer_id=payer.payer_id,
            payer_name=payer.name,
            filing_indicator=payer.claim_filing_indicator,
            timely_filing_days=payer.timely_filing_days,
        ),
        date_of_service=row.date_of_service,
        place_of_service=row.place_of_service,
        diagnoses=tuple(chunk.diagnoses.get(row.encounter_id, ())),
        lines=tuple(
            LineFacts(
                number=line.number,
                procedure=line.procedure_code,
                charge=Money.from_cents(line.charge_cents),
                units=line.units,
                modifiers=line.modifiers,
                pointers=_pointers(line.diagnosis_pointers),
                ndc=line.ndc_code,
                ndc_quantity=line.ndc_quantity,
                ndc_unit=line.ndc_unit,
                service_date=line.service_date,
                service_end_date=line.service_end_date,
            )
            for line in chunk.lines.get(row.pk, ())
        ),
        total=Money.from_cents(row.total_charge_cents),
        patient_control_number=row.patient_control_number,
        sequence=row.sequence,
        frequency=row.frequency_code,
        payer_claim_number=row.payer_claim_number,
        prior_authorization=row.prior_authorization,
        rendering_npi=providers[row.provider_id].npi or "",
        referring_npi=referring_npi or "",
        facility_npi=parties.locations[row.location_id].npi or "",
    )
