"""Professional claims (837P) built from the database for a batch.

The claims are read as plain rows a few thousand at a time (no model instances: a batch of
10,000 claims is about 30,000 lines), the few payers, providers and locations once, and what
claims share (a payer, a subscriber, a patient, a facility) is built once and reused, which
also lets the 837P writer group claims under one subscriber level by identity.

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

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Subquery

from openrcm.claims.models import Claim, ClaimLine
from openrcm.core.x12 import claim837p as x
from openrcm.encounters.models import Diagnosis
from openrcm.payers.models import Payer
from openrcm.providers.models import Provider
from openrcm.tenancy.models import Location, Practice

CHUNK = 2000

_CLAIM_COLUMNS = (
    "pk",
    "practice_id",
    "status",
    "status_changed_at",
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
    "coverage_id",
    "coverage__payer_id",
    "coverage__member_id",
    "coverage__group_number",
    "coverage__relationship",
    "coverage__subscriber_last_name",
    "coverage__subscriber_first_name",
    "coverage__subscriber_date_of_birth",
    "coverage__subscriber_sex",
)
_PATIENT_COLUMNS = (
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
)
_LINE_COLUMNS = (
    "claim_id",
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
    """What the claims of one practice share, each built once."""

    def __init__(self, practice: Practice) -> None:
        self.billing = billing_provider(practice)
        home = _place(practice)
        self.payers: dict[int, tuple[x.Payer, str]] = {}
        for payer in Payer.objects.filter(organization_id=practice.organization_id):
            self._add_payer(payer)
        self.providers = {
            p.pk: p
            for p in Provider.objects.filter(practice=practice).only(
                "first_name", "last_name", "npi", "taxonomy"
            )
        }
        self.rendering: dict[int, x.RenderingProvider | None] = {}
        self.referring: dict[int, x.Provider] = {}
        self.facilities: dict[int, x.ServiceFacility | None] = {}
        for location in Location.objects.filter(practice=practice):
            zip_code = location.zip_code or ""
            complete = bool(location.address_line1 and location.city and location.state) and (
                len(zip_code) == 9 and zip_code.isdigit()
            )
            self.facilities[location.pk] = (
                x.ServiceFacility(
                    name=location.name[:60], address=_address(location), npi=location.npi or ""
                )
                if complete and _place(location) != home
                else None
            )
        self.subscribers: dict[tuple[int, str], x.Subscriber] = {}
        self.patients: dict[tuple[int, str], x.Patient] = {}
        self.people: dict[int, tuple[x.Name, x.Address]] = {}

    def _add_payer(self, payer: Payer) -> None:
        """Loop 2010BB: the payer with its address (N3/N4) when one is on file."""
        full = bool(payer.address_line1 and payer.city and payer.state and payer.zip_code)
        self.payers[payer.pk] = (
            x.Payer(
                name=payer.name, payer_id=payer.payer_id, address=_address(payer) if full else None
            ),
            payer.claim_filing_indicator,
        )

    def payer_of(self, payer_id: int) -> tuple[x.Payer, str]:
        """The payer and its claim filing indicator (SBR09)."""
        if payer_id not in self.payers:  # a payer of another organization: not expected
            self._add_payer(Payer.objects.get(pk=payer_id))
        return self.payers[payer_id]

    def rendering_of(self, provider_id: int) -> x.RenderingProvider | None:
        """Loop 2310B when the rendering NPI is not the billing NPI."""
        if provider_id not in self.rendering:
            p = self.providers[provider_id]
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
            p = self.providers[provider_id]
            self.referring[provider_id] = x.Provider(
                name=x.Name(last=p.last_name, first=p.first_name), npi=p.npi
            )
        return self.referring[provider_id]


def _replaced_number(frequency: str, own: str, replaced: str | None) -> str:
    """REF*F8 of a replacement (7) or void (8): the payer's number of the claim it replaces
    (that claim's own, stored from its 277CA), else the number the claim was given (an
    imported corrected claim); empty on an original."""
    if frequency not in ("7", "8"):
        return ""
    return replaced or own


def _chunks(claims: QuerySet[Claim]) -> Iterator[tuple[list[tuple[Any, ...]], QuerySet[Claim]]]:
    ordered = claims.order_by("pk")
    last = 0
    while True:
        rows = list(
            ordered.filter(pk__gt=last).values_list(*_CLAIM_COLUMNS, *_PATIENT_COLUMNS)[:CHUNK]
        )
        if not rows:
            return
        first, last = rows[0][0], rows[-1][0]
        yield rows, ordered.filter(pk__gte=first, pk__lte=last)


def sendable_claims(*, practice: Practice, claims: QuerySet[Claim]) -> list[SendableClaim]:
    """The 837P form of the practice's ``claims``, ordered by payer, patient and id (claims of
    one subscriber sit together under one 2000B level)."""
    parts = _Parts(practice)
    out: list[SendableClaim] = []
    for rows, chunk in _chunks(claims.filter(practice=practice)):
        lines: dict[int, list[x.ServiceLine]] = defaultdict(list)
        dates = {row[0]: row[11] for row in rows}
        for (
            claim_id,
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
        ) in (
            ClaimLine.objects.filter(claim_id__in=Subquery(chunk.values("pk")))
            .order_by("claim_id", "line_number")
            .values_list(*_LINE_COLUMNS)
        ):
            lines[claim_id].append(
                x.ServiceLine(
                    procedure_code=code,
                    charge=_amount(cents),
                    units=Decimal(units),
                    service_date=own_date or dates[claim_id],  # the line's, else the claim's
                    service_end_date=end_date,
                    diagnosis_pointers=_pointers(pointers),
                    control_number=control,
                    modifiers=[m for m in (m1, m2, m3, m4) if m],
                    drug=x.Drug(ndc=ndc, quantity=Decimal(quantity or "1"), unit=unit or "UN")
                    if ndc
                    else None,
                )
            )
        diagnoses: dict[int, list[str]] = defaultdict(list)
        for encounter_id, code in (
            Diagnosis.objects.filter(encounter_id__in=Subquery(chunk.values("encounter_id")))
            .order_by("encounter_id", "position")
            .values_list("encounter_id", "code")
        ):
            diagnoses[encounter_id].append(code.replace(".", ""))
        for row in rows:
            out.append(_sendable(row, parts, lines[row[0]], diagnoses[row[10]]))
    out.sort(key=lambda s: (s.payer_id, s.patient_id, s.pk))
    return out


def _sendable(
    row: tuple[Any, ...], parts: _Parts, lines: list[x.ServiceLine], diagnoses: list[str]
) -> SendableClaim:
    (
        pk,
        practice_id,
        status,
        changed_at,
        pcn,
        total,
        sequence,
        frequency,
        own_number,
        replaced_number,
        _encounter_id,
        _day,
        place,
        prior_auth,
        provider_id,
        referring_id,
        location_id,
        patient_id,
        coverage_id,
        payer_id,
        member_id,
        group_number,
        relationship,
        sub_last,
        sub_first,
        sub_birth,
        sub_sex,
        last,
        first,
        middle,
        birth,
        sex,
        line1,
        line2,
        city,
        state,
        zip_code,
    ) = row
    person = parts.people.get(patient_id)
    if person is None:
        person = parts.people[patient_id] = (
            x.Name(last=last, first=first, middle=middle),
            x.Address(line1=line1, line2=line2, city=city, state=state, postal_code=zip_code),
        )
    name, home = person
    self_pay = relationship == "18"
    key = (coverage_id, sequence)
    subscriber = parts.subscribers.get(key)
    if subscriber is None:
        payer, filing = parts.payer_of(payer_id)
        subscriber = parts.subscribers[key] = x.Subscriber(
            name=name if self_pay else x.Name(last=sub_last, first=sub_first),
            member_id=member_id,
            payer=payer,
            responsibility=sequence,
            claim_filing=filing,
            group_number=group_number,
            address=home,
            birth_date=birth if self_pay else sub_birth,
            sex=sex if self_pay else sub_sex,
        )
    dependent = None
    if not self_pay:
        dependent = parts.patients.get((patient_id, relationship))
        if dependent is None:
            dependent = parts.patients[(patient_id, relationship)] = x.Patient(
                name=name, relationship=relationship, address=home, birth_date=birth, sex=sex
            )
    claim = x.ProfessionalClaim(
        billing_provider=parts.billing,
        subscriber=subscriber,
        patient=dependent,
        patient_control_number=pcn,
        total_charge=_amount(total),
        place_of_service=place,
        diagnoses=diagnoses,
        lines=lines,
        frequency=frequency,
        payer_claim_number=_replaced_number(frequency, own_number, replaced_number),
        prior_authorization=prior_auth,
        referring=parts.referring_of(referring_id),
        rendering=parts.rendering_of(provider_id),
        service_facility=parts.facilities.get(location_id),
    )
    return SendableClaim(
        pk=pk,
        practice_id=practice_id,
        status=status,
        status_changed_at=changed_at,
        patient_control_number=pcn,
        total_charge_cents=total,
        payer_id=payer_id,
        patient_id=patient_id,
        claim=claim,
    )
