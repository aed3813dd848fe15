"""A claim as the scrubber sees it: plain, frozen data with no database and no X12 behind it.

A Django service fills a :class:`ClaimSnapshot` from the claim, its encounter, patient,
coverage and payer; :func:`snapshot_from_837p` builds one from a claim read out of an 837P file
(``openrcm scrub FILE.837``). Either way the rules see the same thing.

Codes are normalized on construction (diagnoses uppercase without the dot, procedures and
modifiers uppercase) so that every rule compares like with like; nothing else is validated
here: a snapshot can carry any mistake a claim can, because finding them is the scrubber's job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from openrcm.core.money import Money
from openrcm.core.x12.claim837p import Adjustment as X12Adjustment
from openrcm.core.x12.claim837p import ProfessionalClaim, read_837p
from openrcm.core.x12.tokenizer import Source

__all__ = [
    "Adjustment",
    "BillingProvider",
    "ClaimSnapshot",
    "Coverage",
    "Patient",
    "Payer",
    "PriorLineAdjudication",
    "PriorPayer",
    "ServiceLine",
    "Subscriber",
    "age_on",
    "snapshot_from_837p",
    "snapshots_from_837p_file",
]


def age_on(birth_date: date, on: date) -> int:
    """Age in whole years on ``on`` (0 before the first birthday; negative before birth)."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def _code(value: str) -> str:
    return value.strip().upper()


@dataclass(frozen=True, slots=True)
class Patient:
    """The patient (2010CA, or 2010BA when the patient is the subscriber)."""

    key: str
    """A stable key for duplicate detection: the database id, or for a claim read from a file
    the member id with the birth date and name."""
    birth_date: date | None
    sex: str
    """``M``, ``F`` or ``U`` (DMG03)."""
    last_name: str = ""
    first_name: str = ""
    death_date: date | None = None


@dataclass(frozen=True, slots=True)
class Subscriber:
    """The insured (2000B SBR, 2010BA)."""

    member_id: str
    relationship: str = "18"
    """SBR02 ``18`` when the patient is the subscriber; otherwise the PAT01 code (01, 19, G8...)."""
    last_name: str = ""
    first_name: str = ""
    group_number: str = ""


@dataclass(frozen=True, slots=True)
class Payer:
    """The payer this claim goes to (2010BB) and its terms."""

    id: str
    name: str = ""
    filing_indicator: str = "CI"
    """SBR09: MB Medicare Part B, MC Medicaid, BL, CI, HM ... (see DOMAIN.md)."""
    timely_filing_days: int | None = None
    """The payer's filing limit from the date of service; None: the default for the indicator."""
    responsibility: str = "P"
    """SBR01: P primary, S secondary, T tertiary (A-H for further payers)."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """The patient's coverage with this payer, as eligibility or the practice recorded it."""

    active_from: date | None = None
    active_to: date | None = None


@dataclass(frozen=True, slots=True)
class BillingProvider:
    """2010AA: who bills and gets paid."""

    npi: str
    tin: str = ""
    taxonomy: str = ""
    zip: str = ""
    address_line: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS adjustment: group (CO, PR, OA, PI), reason (CARC) and amount."""

    group: str
    reason: str
    amount: Money


@dataclass(frozen=True, slots=True)
class PriorLineAdjudication:
    """A prior payer's adjudication of one of our lines (2430 SVD and CAS)."""

    line: int
    paid: Money
    adjustments: tuple[Adjustment, ...] = ()


@dataclass(frozen=True, slots=True)
class PriorPayer:
    """A payer that adjudicated this claim before the current one (2320, 2330B, 2430)."""

    payer_id: str
    paid: Money
    adjudicated_on: date | None
    filing_indicator: str = ""
    responsibility: str = "P"
    claim_adjustments: tuple[Adjustment, ...] = ()
    lines: tuple[PriorLineAdjudication, ...] = ()


@dataclass(frozen=True, slots=True)
class ServiceLine:
    """One service line (loop 2400)."""

    number: int
    """1-based line number (LX01); findings name it."""
    procedure: str
    charge: Money
    units: Decimal = Decimal(1)
    modifiers: tuple[str, ...] = ()
    pointers: tuple[int, ...] = ()
    """Diagnosis pointers (SV107): 1-based positions in :attr:`ClaimSnapshot.diagnoses`."""
    service_date: date | None = None
    service_date_end: date | None = None
    place_of_service: str = ""
    """SV105, only when it differs from the claim's place of service."""
    ndc: str = ""
    ndc_quantity: Decimal | None = None
    ndc_unit: str = ""
    rendering_npi: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "procedure", _code(self.procedure))
        object.__setattr__(self, "modifiers", tuple(_code(item) for item in self.modifiers))


@dataclass(frozen=True, slots=True)
class ClaimSnapshot:
    """Everything the rules may look at for one claim."""

    patient_control_number: str
    total_charge: Money
    place_of_service: str
    diagnoses: tuple[str, ...]
    """In order; position 1 is the principal (first-listed) diagnosis."""
    billing: BillingProvider
    patient: Patient
    subscriber: Subscriber
    payer: Payer
    lines: tuple[ServiceLine, ...]
    claim_id: str = ""
    """Our key for the claim (database id), so duplicate detection skips the claim itself;
    defaults to the patient control number."""
    frequency: str = "1"
    payer_claim_number: str = ""
    prior_authorization: str = ""
    rendering_npi: str = ""
    referring_npi: str = ""
    service_facility_npi: str = ""
    coverage: Coverage | None = None
    prior_payers: tuple[PriorPayer, ...] = field(default=())
    first_date: date | None = field(init=False, default=None, repr=False, compare=False)
    """The earliest line date of service (computed; several rules need it)."""

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "diagnoses",
            tuple(item.strip().upper().replace(".", "") for item in self.diagnoses),
        )
        lines = tuple(self.lines)
        object.__setattr__(self, "lines", lines)
        if not self.claim_id:
            object.__setattr__(self, "claim_id", self.patient_control_number)
        dates = [line.service_date for line in lines if line.service_date is not None]
        object.__setattr__(self, "first_date", min(dates) if dates else None)

    @property
    def is_secondary(self) -> bool:
        """Whether another payer adjudicated before this one (SBR01 other than P)."""
        return self.payer.responsibility != "P"

    def first_service_date(self) -> date | None:
        """The earliest line date of service."""
        return self.first_date

    def line_place_of_service(self, line: ServiceLine) -> str:
        """The line's place of service, or the claim's when the line has none."""
        return line.place_of_service or self.place_of_service


def _money(amount: Decimal | None) -> Money:
    # A file may carry sub-cent amounts; the snapshot keeps cents (the reader balanced them).
    return Money.zero() if amount is None else Money.rounded(amount)


def _adjustments(items: Iterable[X12Adjustment]) -> tuple[Adjustment, ...]:
    return tuple(Adjustment(item.group, item.reason, _money(item.amount)) for item in items)


def snapshot_from_837p(
    claim: ProfessionalClaim,
    *,
    timely_filing_days: int | None = None,
    coverage: Coverage | None = None,
) -> ClaimSnapshot:
    """Build a snapshot from a claim read by :func:`openrcm.core.x12.claim837p.read_837p`.

    What a file cannot say (the payer's filing limit, the coverage dates) may be passed in;
    otherwise the rules fall back to defaults (filing limit by claim filing indicator) or skip
    (coverage dates). The patient key is the member id with the patient's name and birth date.
    """
    subscriber = claim.subscriber
    if claim.patient is None:
        name = subscriber.name
        birth_date = subscriber.birth_date
        sex = subscriber.sex
        relationship = "18"
    else:
        name = claim.patient.name
        birth_date = claim.patient.birth_date
        sex = claim.patient.sex
        relationship = claim.patient.relationship
    key = "|".join(
        (
            subscriber.member_id,
            name.last.upper(),
            name.first.upper(),
            birth_date.isoformat() if birth_date else "",
        )
    )
    lines = tuple(
        ServiceLine(
            number=number,
            procedure=line.procedure_code,
            charge=_money(line.charge),
            units=line.units,
            modifiers=tuple(line.modifiers),
            pointers=tuple(line.diagnosis_pointers),
            service_date=line.service_date,
            service_date_end=line.service_end_date,
            place_of_service=line.place_of_service,
            ndc=line.drug.ndc if line.drug else "",
            ndc_quantity=line.drug.quantity if line.drug else None,
            ndc_unit=line.drug.unit if line.drug else "",
        )
        for number, line in enumerate(claim.lines, start=1)
    )
    prior: list[PriorPayer] = []
    for other in claim.other_payers:
        line_results = [
            (number, adjudication)
            for number, line in enumerate(claim.lines, start=1)
            for adjudication in line.adjudications
            if adjudication.payer_id == other.payer_id
        ]
        adjudicated_on = other.adjudication_date
        if adjudicated_on is None and line_results:
            adjudicated_on = min(result.adjudication_date for _number, result in line_results)
        paid = other.paid_amount
        if paid is None and line_results:
            paid = sum((result.paid for _number, result in line_results), Decimal(0))
        prior.append(
            PriorPayer(
                payer_id=other.payer_id,
                paid=_money(paid),
                adjudicated_on=adjudicated_on,
                filing_indicator=other.claim_filing,
                responsibility=other.responsibility,
                claim_adjustments=_adjustments(other.adjustments),
                lines=tuple(
                    PriorLineAdjudication(
                        line=number,
                        paid=_money(result.paid),
                        adjustments=_adjustments(result.adjustments),
                    )
                    for number, result in line_results
                ),
            )
        )
    return ClaimSnapshot(
        patient_control_number=claim.patient_control_number,
        total_charge=_money(claim.total_charge),
        place_of_service=claim.place_of_service,
        diagnoses=tuple(claim.diagnoses),
        billing=BillingProvider(
            npi=claim.billing_provider.npi,
            tin=claim.billing_provider.tax_id,
            taxonomy=claim.billing_provider.taxonomy,
            zip=claim.billing_provider.address.postal_code,
            address_line=claim.billing_provider.address.line1,
            name=claim.billing_provider.name.last,
        ),
        patient=Patient(
            key=key,
            birth_date=birth_date,
            sex=sex,
            last_name=name.last,
            first_name=name.first,
        ),
        subscriber=Subscriber(
            member_id=subscriber.member_id,
            relationship=relationship,
            last_name=subscriber.name.last,
            first_name=subscriber.name.first,
            group_number=subscriber.group_number,
        ),
        payer=Payer(
            id=subscriber.payer.payer_id,
            name=subscriber.payer.name,
            filing_indicator=subscriber.claim_filing,
            timely_filing_days=timely_filing_days,
            responsibility=subscriber.responsibility,
        ),
        lines=lines,
        frequency=str(claim.frequency),
        payer_claim_number=claim.payer_claim_number,
        prior_authorization=claim.prior_authorization,
        rendering_npi=claim.rendering.npi if claim.rendering else "",
        referring_npi=claim.referring.npi if claim.referring else "",
        service_facility_npi=claim.service_facility.npi if claim.service_facility else "",
        coverage=coverage,
        prior_payers=tuple(prior),
    )


def snapshots_from_837p_file(source: Source, *, file: str | None = None) -> list[ClaimSnapshot]:
    """Every claim of an 837P file as a snapshot, in file order (nothing is stored).

    Raises :class:`~openrcm.core.x12.errors.X12Error` when the file cannot be read (the
    ``openrcm scrub FILE.837`` command prints it and exits with status 2).
    """
    return [
        snapshot_from_837p(claim)
        for batch in read_837p(source, file=file)
        for claim in batch.claims
    ]
