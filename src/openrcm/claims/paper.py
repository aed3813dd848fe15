"""Paper claims: CMS-1500 (02/12) PDFs of claims, for payers that take paper.

Builds the core's :class:`~openrcm.core.claims.cms1500.ClaimFacts` from the claim, its
encounter, patient, coverage (and the patient's other coverage: boxes 9 and 11d), payer,
practice, location and providers, and renders them with
:func:`openrcm.core.claims.cms1500_pdf.render_cms1500`. Callers check access and write the
audit event (an export).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone

from openrcm.claims.models import Claim
from openrcm.claims.services import coverage_for_encounter
from openrcm.core.claims.cms1500 import (
    BillingProvider,
    ClaimFacts,
    Cms1500Data,
    Insured,
    OtherInsured,
    PersonName,
    PostalAddress,
    ProviderRef,
    ServiceFacility,
    ServiceLineFacts,
    cms1500_forms,
)
from openrcm.core.claims.cms1500_pdf import Mode, render_cms1500
from openrcm.patients.models import Coverage, Relationship
from openrcm.tenancy.models import Address

__all__ = ["claim_cms1500_facts", "claim_cms1500_forms", "claim_cms1500_pdf", "claims_cms1500_pdf"]

_RELATED = (
    "practice",
    "encounter",
    "encounter__patient",
    "encounter__provider",
    "encounter__referring_provider",
    "encounter__location",
    "coverage",
    "coverage__payer",
)


def _address(obj: Address, phone: str = "") -> PostalAddress:
    return PostalAddress(
        line1=obj.address_line1,
        line2=obj.address_line2,
        city=obj.city,
        state=obj.state,
        zip_code=obj.zip_code or "",
        phone=phone,
    )


def _subscriber_name(coverage: Coverage) -> PersonName:
    if coverage.relationship == Relationship.SELF or not coverage.subscriber_last_name:
        patient = coverage.patient
        return PersonName(patient.last_name, patient.first_name, patient.middle_name)
    return PersonName(coverage.subscriber_last_name, coverage.subscriber_first_name)


def _other_coverage(claim: Claim) -> Coverage | None:
    """The patient's other coverage on the date of service: the secondary on a primary claim,
    the primary on a secondary (or tertiary) claim."""
    priority = 2 if claim.coverage.priority == 1 else 1
    other = coverage_for_encounter(encounter=claim.encounter, priority=priority)
    if other is None or other.pk == claim.coverage_id:
        return None
    return other


def claim_cms1500_facts(claim: Claim) -> ClaimFacts:
    """What the claim's 837P would say, as the core's plain facts."""
    encounter = claim.encounter
    patient = encounter.patient
    coverage = claim.coverage
    payer = coverage.payer
    practice = claim.practice
    self_insured = coverage.relationship == Relationship.SELF
    patient_address = _address(patient, patient.phone)
    insured = Insured(
        member_id=coverage.member_id,
        name=_subscriber_name(coverage),
        address=patient_address,  # no separate subscriber address is kept
        date_of_birth=patient.date_of_birth if self_insured else coverage.subscriber_date_of_birth,
        sex=patient.sex if self_insured else coverage.subscriber_sex,
        group_number=coverage.group_number,
        plan_name=coverage.plan_name or payer.name,
    )
    other = _other_coverage(claim)
    other_insured = (
        OtherInsured(
            name=_subscriber_name(other),
            policy_or_group_number=other.group_number or other.member_id,
            plan_name=other.plan_name or other.payer.name,
        )
        if other is not None
        else None
    )
    provider = encounter.provider
    referring = encounter.referring_provider
    location = encounter.location
    lines = []
    for claim_line in claim.lines.all():
        charge = claim_line.charge_line
        lines.append(
            ServiceLineFacts(
                date_from=charge.service_date or encounter.date_of_service,
                date_to=charge.service_end_date,
                procedure=charge.procedure_code,
                charge=claim_line.charge.amount,
                pointers=tuple(charge.pointers),
                units=Decimal(charge.units),
                place_of_service=encounter.place_of_service,
                modifiers=tuple(charge.modifiers),
                rendering_npi=provider.npi,
                ndc=charge.ndc_code,
                ndc_unit=charge.ndc_unit,
                ndc_quantity=charge.ndc_quantity,
            )
        )
    return ClaimFacts(
        payer_name=payer.name,
        payer_address=_address(payer),
        claim_filing_indicator=payer.claim_filing_indicator,
        insured=insured,
        patient_name=PersonName(patient.last_name, patient.first_name, patient.middle_name),
        patient_date_of_birth=patient.date_of_birth,
        patient_sex=patient.sex,
        patient_address=patient_address,
        relationship=coverage.relationship,
        patient_account_number=claim.patient_control_number,
        diagnoses=tuple(encounter.diagnosis_codes),
        lines=tuple(lines),
        billing=BillingProvider(
            name=practice.name,
            address=_address(practice, practice.phone),
            npi=practice.group_npi,
            tax_id=practice.tin,
        ),
        place_of_service=encounter.place_of_service,
        other_insured=other_insured,
        referring=(
            ProviderRef(PersonName(referring.last_name, referring.first_name), referring.npi)
            if referring is not None
            else None
        ),
        frequency_code=claim.frequency_code,
        payer_claim_number=claim.payer_claim_number,
        prior_authorization=encounter.prior_authorization,
        facility=ServiceFacility(location.name, _address(location), location.npi or ""),
        rendering_provider=str(provider),
        signature_date=timezone.localdate(),
    )


def claim_cms1500_forms(claim: Claim) -> list[Cms1500Data]:
    """The forms a claim prints on (six lines each)."""
    return cms1500_forms(claim_cms1500_facts(claim))


def _loaded(claims: Iterable[Claim]) -> list[Claim]:
    pks = [c.pk for c in claims]
    by_pk = {
        c.pk: c
        for c in Claim.objects.filter(pk__in=pks)
        .select_related(*_RELATED)
        .prefetch_related("lines__charge_line", "encounter__diagnoses")
    }
    return [by_pk[pk] for pk in pks if pk in by_pk]


def claims_cms1500_pdf(
    *, claims: Iterable[Claim], mode: Mode = "form", compress: bool = True
) -> bytes:
    """A batch of claims printed to one PDF, one or more pages per claim, in the given order."""
    forms: list[Cms1500Data] = []
    for claim in _loaded(claims):
        forms.extend(claim_cms1500_forms(claim))
    return render_cms1500(forms, mode=mode, compress=compress)


def claim_cms1500_pdf(*, claim: Claim, mode: Mode = "form", compress: bool = True) -> bytes:
    """One claim's CMS-1500 PDF."""
    return claims_cms1500_pdf(claims=[claim], mode=mode, compress=compress)
