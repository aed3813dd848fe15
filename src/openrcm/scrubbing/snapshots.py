"""Claims of the database (or an encounter being typed) as the scrubber's `ClaimSnapshot`.

The snapshot says what the 837P would say: the practice is the billing provider (group NPI,
TIN, taxonomy, address), the encounter's provider renders, the coverage names the subscriber
and the payer, the claim's sequence is SBR01. Nothing here validates: a snapshot carries every
mistake a claim can, because finding them is the scrubber's job.

`claim_snapshot` builds one from a claim instance; `claim_snapshots` builds a batch from plain
rows (three queries per thousand claims, no model instances for the parts), which is what lets
a practice's whole worklist be scrubbed in seconds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet, Subquery

from openrcm.claims.models import Claim, ClaimLine
from openrcm.core.money import Money
from openrcm.core.scrub import snapshot as snap
from openrcm.core.scrub.snapshot import ClaimSnapshot
from openrcm.encounters.models import Diagnosis
from openrcm.patients.models import Coverage
from openrcm.tenancy.models import Practice

BATCH = 900  # claims per round of queries (under SQLite's 999 parameters)


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
    providers (a handful of queries; for many claims use `claim_snapshots`)."""
    encounter = claim.encounter
    patient = encounter.patient
    lines = ClaimLine.objects.filter(claim=claim).select_related("charge_line")
    snapshot = snapshot_from_facts(
        ClaimFacts(
            billing=billing_of(claim.practice),
            patient_id=patient.pk,
            birth_date=patient.date_of_birth,
            sex=patient.sex,
            last_name=patient.last_name,
            first_name=patient.first_name,
            coverage=coverage_facts(claim.coverage),
            date_of_service=encounter.date_of_service,
            place_of_service=encounter.place_of_service,
            diagnoses=tuple(
                encounter.diagnoses.order_by("position").values_list("code", flat=True)
            ),
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
                    service_date=line.charge_line.service_date,
                    service_end_date=line.charge_line.service_end_date,
                )
                for line in lines.order_by("line_number")
            ),
            total=Money.from_cents(claim.total_charge_cents),
            patient_control_number=claim.patient_control_number,
            sequence=claim.sequence,
            frequency=claim.frequency_code,
            payer_claim_number=claim.payer_claim_number,
            prior_authorization=encounter.prior_authorization,
            rendering_npi=encounter.provider.npi,
            referring_npi=(
                encounter.referring_provider.npi if encounter.referring_provider is not None else ""
            ),
            facility_npi=encounter.location.npi,
        )
    )
    if claim.sequence == "P":
        return snapshot
    priors = prior_payers_for(claim.practice, [claim.pk])
    return replace(snapshot, prior_payers=priors.get(claim.pk, ()))


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

_CLAIM_COLUMNS = (
    "id",
    "status",
    "patient_control_number",
    "total_charge_cents",
    "sequence",
    "frequency_code",
    "payer_claim_number",
    "created_at",
    "encounter_id",
    "encounter__date_of_service",
    "encounter__place_of_service",
    "encounter__prior_authorization",
    "encounter__patient_id",
    "encounter__patient__date_of_birth",
    "encounter__patient__sex",
    "encounter__patient__last_name",
    "encounter__patient__first_name",
    "encounter__provider__npi",
    "encounter__referring_provider__npi",
    "encounter__location__npi",
    "coverage__member_id",
    "coverage__relationship",
    "coverage__subscriber_last_name",
    "coverage__subscriber_first_name",
    "coverage__group_number",
    "coverage__effective_from",
    "coverage__effective_to",
    "coverage__payer__payer_id",
    "coverage__payer__name",
    "coverage__payer__claim_filing_indicator",
    "coverage__payer__timely_filing_days",
)
_LINE_COLUMNS = (
    "claim_id",
    "line_number",
    "charge_cents",
    "charge_line__procedure_code",
    "charge_line__modifier1",
    "charge_line__modifier2",
    "charge_line__modifier3",
    "charge_line__modifier4",
    "charge_line__units",
    "charge_line__diagnosis_pointers",
    "charge_line__ndc_code",
    "charge_line__ndc_quantity",
    "charge_line__ndc_unit",
    "charge_line__service_date",
    "charge_line__service_end_date",
)


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
    """Snapshots of the practice's `claims`, in id order, built from plain rows a thousand
    claims at a time."""
    billing = billing_of(practice)
    ordered = claims.filter(practice=practice).order_by("pk")
    last = 0
    while True:
        rows = list(ordered.filter(pk__gt=last).values_list(*_CLAIM_COLUMNS)[:BATCH])
        if not rows:
            return
        first, last = rows[0][0], rows[-1][0]
        chunk = ordered.filter(pk__gte=first, pk__lte=last)  # the same claims, as a subquery
        lines: dict[int, list[LineFacts]] = defaultdict(list)
        for (
            claim_id,
            number,
            cents,
            code,
            m1,
            m2,
            m3,
            m4,
            units,
            pointers,
            ndc,
            quantity,
            unit,
            own_date,
            end_date,
        ) in (
            ClaimLine.objects.filter(claim_id__in=Subquery(chunk.values("pk")))
            .order_by("claim_id", "line_number")
            .values_list(*_LINE_COLUMNS)
        ):
            lines[claim_id].append(
                LineFacts(
                    number=number,
                    procedure=code,
                    charge=Money.from_cents(cents),
                    units=units,
                    modifiers=tuple(m for m in (m1, m2, m3, m4) if m),
                    pointers=_pointers(pointers),
                    ndc=ndc,
                    ndc_quantity=quantity,
                    ndc_unit=unit,
                    service_date=own_date,
                    service_end_date=end_date,
                )
            )
        diagnoses: dict[int, list[str]] = defaultdict(list)
        for encounter_id, code in (
            Diagnosis.objects.filter(encounter_id__in=Subquery(chunk.values("encounter_id")))
            .order_by("encounter_id", "position")
            .values_list("encounter_id", "code")
        ):
            diagnoses[encounter_id].append(code)
        priors = prior_payers_for(practice, [int(r[0]) for r in rows if r[4] != "P"])
        for row in rows:
            item = _row_snapshot(practice, billing, row, lines, diagnoses)
            if item.claim.pk in priors:
                item = SnapshotRow(
                    item.claim,
                    replace(item.snapshot, prior_payers=priors[item.claim.pk]),
                    item.created_at,
                )
            yield item


def _row_snapshot(
    practice: Practice,
    billing: snap.BillingProvider,
    row: tuple[object, ...],
    lines: dict[int, list[LineFacts]],
    diagnoses: dict[int, list[str]],
) -> SnapshotRow:
    (
        claim_id,
        status,
        pcn,
        total,
        sequence,
        frequency,
        payer_claim_number,
        created_at,
        encounter_id,
        day,
        place,
        prior_auth,
        patient_id,
        born,
        sex,
        last_name,
        first_name,
        rendering,
        referring,
        facility,
        *cover,
    ) = row
    coverage = CoverageFacts(*cover)  # type: ignore[arg-type]
    facts = ClaimFacts(
        billing=billing,
        patient_id=patient_id,
        birth_date=born,  # type: ignore[arg-type]
        sex=str(sex),
        last_name=str(last_name),
        first_name=str(first_name),
        coverage=coverage,
        date_of_service=day,  # type: ignore[arg-type]
        place_of_service=str(place),
        diagnoses=tuple(diagnoses.get(encounter_id, ())),  # type: ignore[call-overload]
        lines=tuple(lines.get(claim_id, ())),  # type: ignore[call-overload]
        total=Money.from_cents(total),  # type: ignore[arg-type]
        patient_control_number=str(pcn),
        sequence=str(sequence),
        frequency=str(frequency),
        payer_claim_number=str(payer_claim_number),
        prior_authorization=str(prior_auth),
        rendering_npi=str(rendering or ""),
        referring_npi=str(referring or ""),
        facility_npi=str(facility or ""),
    )
    claim = ClaimRef(claim_id, practice.pk, status, pcn)  # type: ignore[arg-type]
    return SnapshotRow(claim, snapshot_from_facts(facts), created_at)  # type: ignore[arg-type]
