"""Stored claims read as plain rows: the one reader behind the 837P and the scrub snapshot.

A batch of 10,000 claims is about 30,000 lines, so nothing here builds model instances: each
chunk of claims is three queries (the claims with their encounter, patient and coverage; their
lines with each charge line's codes and own dates; their encounters' diagnoses), and the few
payers, providers and locations the claims name are read once, when first named (at most one
query each per chunk, none once all are known). The number of queries grows with the number
of chunks, never with the number of claims in one.

The rows say what is stored and nothing more: a line's date is None when the charge line has
no date of its own (the encounter's date of service is then the line's), diagnosis codes keep
their dot, pointers are the stored text. What a claim means to the 837P or to the scrubber is
for `clearinghouse.professional` and `scrubbing.snapshots` to say.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Model, QuerySet, Subquery

from openrcm.claims.models import Claim, ClaimLine
from openrcm.encounters.models import Diagnosis
from openrcm.payers.models import Payer
from openrcm.providers.models import Provider
from openrcm.tenancy.models import Location

CHUNK = 2000  # claims per round of queries (the claims' own ids are never parameters)
_IDS = 500  # ids per parameter list (SQLite's bound-parameter limit)


class ClaimRow(NamedTuple):
    """A claim with its encounter, patient and coverage (the fields in `_CLAIM_COLUMNS`'s
    order, so a database row is one without copying)."""

    pk: int
    practice_id: int
    status: str
    status_changed_at: dt.datetime | None
    created_at: dt.datetime
    patient_control_number: str
    total_charge_cents: int
    sequence: str
    frequency_code: str
    payer_claim_number: str
    replaced_payer_claim_number: str | None  # the payer's number of the claim this replaces
    encounter_id: int
    date_of_service: dt.date
    place_of_service: str
    prior_authorization: str
    provider_id: int
    referring_provider_id: int | None
    location_id: int
    patient_id: int
    patient_last_name: str
    patient_first_name: str
    patient_middle_name: str
    patient_birth_date: dt.date
    patient_sex: str
    patient_address_line1: str
    patient_address_line2: str
    patient_city: str
    patient_state: str
    patient_zip_code: str
    coverage_id: int
    payer_id: int
    member_id: str
    group_number: str
    relationship: str
    subscriber_last_name: str
    subscriber_first_name: str
    subscriber_birth_date: dt.date | None
    subscriber_sex: str
    coverage_from: dt.date | None
    coverage_to: dt.date | None


_CLAIM_COLUMNS = (
    "pk",
    "practice_id",
    "status",
    "status_changed_at",
    "created_at",
    "patient_control_number",
    "total_charge_cents",
    "sequence",
    "frequency_code",
    "payer_claim_number",
    "replaces__payer_claim_number",
    "encounter_id",
    "encounter__date_of_service",
    "encounter__place_of_service",
    "encounter__prior_authorization",
    "encounter__provider_id",
    "encounter__referring_provider_id",
    "encounter__location_id",
    "encounter__patient_id",
    "encounter__patient__last_name",
    "encounter__patient__first_name",
    "encounter__patient__middle_name",
    "encounter__patient__date_of_birth",
    "encounter__patient__sex",
    "encounter__patient__address_line1",
    "encounter__patient__address_line2",
    "encounter__patient__city",
    "encounter__patient__state",
    "encounter__patient__zip_code",
    "coverage_id",
    "coverage__payer_id",
    "coverage__member_id",
    "coverage__group_number",
    "coverage__relationship",
    "coverage__subscriber_last_name",
    "coverage__subscriber_first_name",
    "coverage__subscriber_date_of_birth",
    "coverage__subscriber_sex",
    "coverage__effective_from",
    "coverage__effective_to",
)


class LineRow(NamedTuple):
    """A claim line with its charge line's codes and own dates."""

    claim_id: int
    number: int
    charge_cents: int
    procedure_code: str
    modifier1: str
    modifier2: str
    modifier3: str
    modifier4: str
    units: int
    diagnosis_pointers: str  # as stored: "1,2"
    ndc_code: str
    ndc_quantity: str
    ndc_unit: str
    control_number: str
    service_date: dt.date | None  # None: the encounter's date of service
    service_end_date: dt.date | None

    @property
    def modifiers(self) -> tuple[str, ...]:
        """The modifiers that are filled in, in order."""
        return tuple(
            m for m in (self.modifier1, self.modifier2, self.modifier3, self.modifier4) if m
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
    "charge_line__line_control_number",
    "charge_line__service_date",
    "charge_line__service_end_date",
)


class PayerRow(NamedTuple):
    pk: int
    name: str
    payer_id: str
    claim_filing_indicator: str
    timely_filing_days: int | None
    address_line1: str
    address_line2: str
    city: str
    state: str
    zip_code: str


class ProviderRow(NamedTuple):
    pk: int
    last_name: str
    first_name: str
    npi: str
    taxonomy: str


class LocationRow(NamedTuple):
    pk: int
    name: str
    npi: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    zip_code: str


@dataclass(slots=True)
class Parties:
    """The payers, providers and locations the claims read so far name, by id (shared by the
    chunks of one read: a practice has a handful of each)."""

    payers: dict[int, PayerRow] = field(default_factory=dict)
    providers: dict[int, ProviderRow] = field(default_factory=dict)
    locations: dict[int, LocationRow] = field(default_factory=dict)

    def add(self, claims: list[ClaimRow]) -> None:
        """Read the parties of ``claims`` not read yet (one query per kind with any new)."""
        _read(self.payers, Payer, PayerRow, {c.payer_id for c in claims})
        _read(
            self.providers,
            Provider,
            ProviderRow,
            {c.provider_id for c in claims}
            | {c.referring_provider_id for c in claims if c.referring_provider_id is not None},
        )
        _read(self.locations, Location, LocationRow, {c.location_id for c in claims})


def _read(known: dict[int, Any], model: type[Model], row: Any, wanted: Iterable[int]) -> None:
    missing = sorted(set(wanted) - known.keys())
    for start in range(0, len(missing), _IDS):
        for values in model._default_manager.filter(
            pk__in=missing[start : start + _IDS]
        ).values_list(*row._fields):
            known[values[0]] = row._make(values)


@dataclass(slots=True)
class ClaimRows:
    """One chunk of claims in id order, with their lines, diagnoses and parties."""

    claims: list[ClaimRow]
    lines: dict[int, list[LineRow]]  # by claim id, in line order
    diagnoses: dict[int, list[str]]  # by encounter id, in position order, codes as stored
    parties: Parties


def claim_rows(*, claims: QuerySet[Claim], chunk: int = CHUNK) -> Iterator[ClaimRows]:
    """``claims`` as plain rows, ``chunk`` claims at a time in id order (three queries a chunk,
    and the parties each chunk names first)."""
    ordered = claims.order_by("pk")
    parties = Parties()
    new = tuple.__new__  # a row as its NamedTuple without `_make`'s call (30,000 lines a batch)
    last = 0
    while True:
        rows: list[ClaimRow] = [
            new(ClaimRow, values)
            for values in ordered.filter(pk__gt=last).values_list(*_CLAIM_COLUMNS)[:chunk]
        ]
        if not rows:
            return
        first, last = rows[0].pk, rows[-1].pk
        same = ordered.filter(pk__gte=first, pk__lte=last)  # the chunk, as a subquery
        lines: dict[int, list[LineRow]] = defaultdict(list)
        for values in (
            ClaimLine.objects.filter(claim_id__in=Subquery(same.values("pk")))
            .order_by("claim_id", "line_number")
            .values_list(*_LINE_COLUMNS)
        ):
            lines[values[0]].append(new(LineRow, values))
        diagnoses: dict[int, list[str]] = defaultdict(list)
        for encounter_id, code in (
            Diagnosis.objects.filter(encounter_id__in=Subquery(same.values("encounter_id")))
            .order_by("encounter_id", "position")
            .values_list("encounter_id", "code")
        ):
            diagnoses[encounter_id].append(code)
        parties.add(rows)
        yield ClaimRows(rows, lines, diagnoses, parties)
