"""Professional claims (837P) built from the database for a batch.

The claims are read as plain rows a few thousand at a time by `openrcm.claims.rows` (the
reader the scrub snapshot uses too), and what claims share (a payer, a subscriber, a patient,
a facility) is built once and reused, which also lets the 837P writer group claims under one
subscriber level by identity.

What the 837P carries from the database:

- the billing provider (2010AA) is the practice (group NPI, TIN, taxonomy, address). The
  practice has no separate pay-to address on file, so 2010AB is never written;
- the payer (2010BB) with its address (N3/N4) when the payer has one on file;
- the subscriber and, for a dependent, the patient (2000C), from the claim's coverage;
- the referring provider (2310A) and the prior authorization (REF*G1) of the encounter;
- the rendering provider (2310B) when its NPI is not the billing NPI;
- the service facility (2310C) when the encounter's location is not at the billing address
  (and has the full street address and ZIP+4 that 2310C requires);
- for a replacement (7) or void (8), REF*F8: the payer's claim number of the claim it replaces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from openrcm.claims.models import Claim
from openrcm.claims.rows import ClaimRow, LineRow, Parties, claim_rows
from openrcm.core.x12 import claim837p as x
from openrcm.tenancy.models import Practice


@dataclass(slots=True)
class SendableClaim:
    """A claim as a batch holds it: the fields a status change needs (``ClaimLike``), its
    ordering keys and its 837P form."""

    pk: int
    practice_id: int
    status: str
    status_changed_at: Any
    patient_control_number: str
    total_charge_cents: int
    payer_id: int
    patient_id: int
    claim: x.ProfessionalClaim


def _amount(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def _address(obj: Any) -> x.Address:
    return x.Address(
        line1=obj.address_line1,
        line2=obj.address_line2,
        city=obj.city,
        state=obj.state,
        postal_code=obj.zip_code,
    )


def _place(obj: Any) -> tuple[str, ...]:
    """An address as a comparable key (case, spaces and the ZIP+4 suffix ignored)."""
    return tuple(
        " ".join(str(v).upper().split())
        for v in (obj.address_line1, obj.address_line2, obj.city, obj.state, obj.zip_code[:5])
    )


def billing_provider(practice: Practice) -> x.BillingProvider:
    """Loops 2000A/2010AA: the practice as billing provider (no pay-to address on file)."""
    return x.BillingProvider(
        name=x.Name(last=practice.name, person=False),
        npi=practice.group_npi,
        address=_address(practice),
        tax_id=practice.tin,
        taxonomy=practice.taxonomy,
    )


def _pointers(text: str) -> list[int]:
    return [int(p) for p in text.split(",") if p.strip()]


class _Parts:
    """What the claims of one practice share, each built once from the rows' parties."""

    def __init__(self, practice: Practice, parties: Parties) -> None:
        self.billing = billing_provider(practice)
        self.home = _place(practice)
        self.parties = parties
        self.payers: dict[int, tuple[x.Payer, str]] = {}
        self.rendering: dict[int, x.RenderingProvider | None] = {}
        self.referring: dict[int, x.Provider] = {}
        self.facilities: dict[int, x.ServiceFacility | None] = {}
        self.subscribers: dict[tuple[int, str], x.Subscriber] = {}
        self.patients: dict[tuple[int, str], x.Patient] = {}
        self.people: dict[int, tuple[x.Name, x.Address]] = {}

    def payer_of(self, payer_id: int) -> tuple[x.Payer, str]:
        """Loop 2010BB: the payer with its address (N3/N4) when one is on file, and its claim
        filing indicator (SBR09)."""
        if payer_id not in self.payers:
            payer = self.parties.payers[payer_id]
            full = bool(payer.address_line1 and payer.city and payer.state and payer.zip_code)
            self.payers[payer_id] = (
                x.Payer(
                    name=payer.name,
                    payer_id=payer.payer_id,
                    address=_address(payer) if full else None,
                ),
                payer.claim_filing_indicator,
            )
        return self.payers[payer_id]

    def rendering_of(self, provider_id: int) -> x.RenderingProvider | None:
        """Loop 2310B when the rendering NPI is not the billing NPI."""
        if provider_id not in self.rendering:
            p = self.parties.providers[provider_id]
            self.rendering[provider_id] = (
                x.RenderingProvider(
                    name=x.Name(last=p.last_name, first=p.first_name),
                    npi=p.npi,
                    taxonomy=p.taxonomy,
                )
                if p.npi and p.npi != self.billing.npi
                else None
            )
        return self.rendering[provider_id]

    def referring_of(self, provider_id: int | None) -> x.Provider | None:
        """Loop 2310A, the referring provider of the encounter."""
        if provider_id is None:
            return None
        if provider_id not in self.referring:
            p = self.parties.providers[provider_id]
            self.referring[provider_id] = x.Provider(
                name=x.Name(last=p.last_name, first=p.first_name), npi=p.npi
            )
        return self.referring[provider_id]

    def facility_of(self, location_id: int) -> x.ServiceFacility | None:
        """Loop 2310C when the location is not at the billing address and has the full street
        address and ZIP+4 that 2310C requires."""
        if location_id not in self.facilities:
            location = self.parties.locations[location_id]
            zip_code = location.zip_code or ""
            complete = bool(location.address_line1 and location.city and location.state) and (
                len(zip_code) == 9 and zip_code.isdigit()
            )
            self.facilities[location_id] = (
                x.ServiceFacility(
                    name=location.name[:60], address=_address(location), npi=location.npi or ""
                )
                if complete and _place(location) != self.home
                else None
            )
        return self.facilities[location_id]


def _replaced_number(frequency: str, own: str, replaced: str | None) -> str:
    """REF*F8 of a replacement (7) or void (8): the payer's number of the claim it replaces
    (that claim's own, stored from its 277CA), else the number the claim was given (an
    imported corrected claim); empty on an original."""
    if frequency not in ("7", "8"):
        return ""
    return replaced or own


def _service_lines(lines: Iterable[LineRow], day: dt.date) -> list[x.ServiceLine]:
    # unpacked, not read by name: this runs for every line of a batch (30,000 in 10,000 claims)
    return [
        x.ServiceLine(
            procedure_code=code,
            charge=_amount(cents),
            units=Decimal(units),
            service_date=own_date or day,  # the line's, else the claim's
            service_end_date=end_date,
            diagnosis_pointers=_pointers(pointers),
            control_number=control,
            modifiers=[m for m in (m1, m2, m3, m4) if m],
            drug=x.Drug(ndc=ndc, quantity=Decimal(quantity or "1"), unit=unit or "UN")
            if ndc
            else None,
        )
        for (
            _claim_id,
            _number,
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
            control,
            own_date,
            end_date,
        ) in lines
    ]


def sendable_claims(*, practice: Practice, claims: QuerySet[Claim]) -> list[SendableClaim]:
    """The 837P form of the practice's ``claims``, ordered by payer, patient and id (claims of
    one subscriber sit together under one 2000B level)."""
    parts: _Parts | None = None
    out: list[SendableClaim] = []
    for chunk in claim_rows(claims=claims.filter(practice=practice)):
        if parts is None:
            parts = _Parts(practice, chunk.parties)
        for row in chunk.claims:
            lines = _service_lines(chunk.lines.get(row.pk, ()), row.date_of_service)
            diagnoses = [
                code.replace(".", "") for code in chunk.diagnoses.get(row.encounter_id, ())
            ]
            out.append(_sendable(row, parts, lines, diagnoses))
    out.sort(key=lambda s: (s.payer_id, s.patient_id, s.pk))
    return out


def _sendable(
    row: ClaimRow, parts: _Parts, lines: list[x.ServiceLine], diagnoses: list[str]
) -> SendableClaim:
    patient_id = row.patient_id
    person = parts.people.get(patient_id)
    if person is None:
        person = parts.people[patient_id] = (
            x.Name(
                last=row.patient_last_name,
                first=row.patient_first_name,
                middle=row.patient_middle_name,
            ),
            x.Address(
                line1=row.patient_address_line1,
                line2=row.patient_address_line2,
                city=row.patient_city,
                state=row.patient_state,
                postal_code=row.patient_zip_code,
            ),
        )
    name, home = person
    relationship = row.relationship
    self_pay = relationship == "18"
    key = (row.coverage_id, row.sequence)
    subscriber = parts.subscribers.get(key)
    if subscriber is None:
        payer, filing = parts.payer_of(row.payer_id)
        subscriber = parts.subscribers[key] = x.Subscriber(
            name=name
            if self_pay
            else x.Name(last=row.subscriber_last_name, first=row.subscriber_first_name),
            member_id=row.member_id,
            payer=payer,
            responsibility=row.sequence,
            claim_filing=filing,
            group_number=row.group_number,
            address=home,
            birth_date=row.patient_birth_date if self_pay else row.subscriber_birth_date,
            sex=row.patient_sex if self_pay else row.subscriber_sex,
        )
    dependent = None
    if not self_pay:
        dependent = parts.patients.get((patient_id, relationship))
        if dependent is None:
            dependent = parts.patients[(patient_id, relationship)] = x.Patient(
                name=name,
                relationship=relationship,
                address=home,
                birth_date=row.patient_birth_date,
                sex=row.patient_sex,
            )
    frequency = row.frequency_code
    claim = x.ProfessionalClaim(
        billing_provider=parts.billing,
        subscriber=subscriber,
        patient=dependent,
        patient_control_number=row.patient_control_number,
        total_charge=_amount(row.total_charge_cents),
        place_of_service=row.place_of_service,
        diagnoses=diagnoses,
        lines=lines,
        frequency=frequency,
        payer_claim_number=_replaced_number(
            frequency, row.payer_claim_number, row.replaced_payer_claim_number
        ),
        prior_authorization=row.prior_authorization,
        referring=parts.referring_of(row.referring_provider_id),
        rendering=parts.rendering_of(row.provider_id),
        service_facility=parts.facility_of(row.location_id),
    )
    return SendableClaim(
        pk=row.pk,
        practice_id=row.practice_id,
        status=row.status,
        status_changed_at=row.status_changed_at,
        patient_control_number=row.patient_control_number,
        total_charge_cents=row.total_charge_cents,
        payer_id=row.payer_id,
        patient_id=patient_id,
        claim=claim,
    )
