"""Encounters with ordered diagnoses and coded charge lines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from openrcm.api.schemas.common import (
    Cents,
    DiagnosisOut,
    Id,
    InputSchema,
    LocationRef,
    MoneyText,
    PatientRef,
    ProviderRef,
    money_text,
)


class ChargeLineOut(Schema):
    id: int
    line_number: int
    procedure_code: str
    modifiers: list[str]
    units: int
    charge: str = Field(description="The line's total charge (units included).")
    charge_cents: int
    diagnosis_pointers: list[int]
    ndc_code: str
    ndc_quantity: str
    ndc_unit: str
    line_control_number: str

    @staticmethod
    def resolve_charge(obj: Any) -> str | None:
        return money_text(obj.charge_cents)

    @staticmethod
    def resolve_diagnosis_pointers(obj: Any) -> list[int]:
        return list(obj.pointers)


class EncounterOut(Schema):
    id: int
    practice: str
    patient: PatientRef
    provider: ProviderRef
    referring_provider: ProviderRef | None
    location: LocationRef
    date_of_service: dt.date
    place_of_service: str
    prior_authorization: str
    diagnoses: list[DiagnosisOut]
    lines: list[ChargeLineOut]
    total_charge: str
    total_charge_cents: int
    claims: list[int] = Field(description="Ids of the claims built from this encounter.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_practice(obj: Any) -> str:
        return str(obj.practice.slug)

    @staticmethod
    def resolve_diagnoses(obj: Any) -> list[Any]:
        return list(obj.diagnoses.all())

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.charge_lines.all())

    @staticmethod
    def resolve_total_charge_cents(obj: Any) -> int:
        return sum(line.charge_cents for line in obj.charge_lines.all())

    @staticmethod
    def resolve_total_charge(obj: Any) -> str | None:
        return money_text(sum(line.charge_cents for line in obj.charge_lines.all()))

    @staticmethod
    def resolve_claims(obj: Any) -> list[int]:
        return [claim.id for claim in obj.claims.all()]


class ChargeLineIn(InputSchema):
    procedure_code: str = Field(description="CPT or HCPCS code, e.g. 99213.")
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: int = Field(1, ge=1, le=9999)
    charge: MoneyText | None = Field(
        None, description="The line total; omit it (and charge_cents) to use the fee schedule."
    )
    charge_cents: Cents | None = None
    diagnosis_pointers: list[int] = Field(
        description="Positions (1-12) of the encounter's diagnoses, e.g. [1, 2]."
    )
    ndc_code: str = ""
    ndc_quantity: str = ""
    ndc_unit: str = ""


class EncounterCreate(InputSchema):
    practice: str = Field(description="Slug of a practice you belong to.")
    patient: Id
    provider: Id = Field(description="The rendering provider.")
    location: Id
    referring_provider: Id | None = None
    date_of_service: dt.date
    place_of_service: str | None = Field(None, description="Defaults to the location's.")
    prior_authorization: str = ""
    diagnoses: list[str] = Field(description="ICD-10-CM codes in order; the first is principal.")
    lines: list[ChargeLineIn]


class EncounterUpdate(InputSchema):
    """Only the fields sent are changed; diagnoses and lines are replaced as a whole, together."""

    provider: Id | None = None
    location: Id | None = None
    referring_provider: Id | None = None
    date_of_service: dt.date | None = None
    place_of_service: str | None = None
    prior_authorization: str | None = None
    diagnoses: list[str] | None = None
    lines: list[ChargeLineIn] | None = None
