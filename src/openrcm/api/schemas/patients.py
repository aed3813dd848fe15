"""Patients and their coverages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from openrcm.api.schemas.common import (
    Cents,
    Id,
    InputSchema,
    MoneyText,
    PayerRef,
    money_text,
)

Sex = Literal["F", "M", "U"]
Relationship = Literal["18", "01", "19", "G8"]
Priority = Literal[1, 2, 3]


class PatientOut(Schema):
    id: int
    practice: str = Field(description="The practice's slug.")
    account_number: str
    first_name: str
    middle_name: str
    last_name: str
    date_of_birth: dt.date
    sex: str
    address_line1: str
    address_line2: str
    city: str
    state: str
    zip_code: str
    phone: str
    email: str
    created_at: dt.datetime

    @staticmethod
    def resolve_practice(obj: Any) -> str:
        return str(obj.practice.slug)


class _PatientFields(InputSchema):
    account_number: str = Field("", description="Assigned by OpenRCM when empty.")
    first_name: str
    middle_name: str = ""
    last_name: str
    date_of_birth: dt.date
    sex: Sex
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    phone: str = ""
    email: str = ""


class PatientCreate(_PatientFields):
    practice: str = Field(description="Slug of a practice you belong to.")


class PatientUpdate(InputSchema):
    """Only the fields sent are changed."""

    account_number: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    date_of_birth: dt.date | None = None
    sex: Sex | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None
    phone: str | None = None
    email: str | None = None


class PatientSearch(InputSchema):
    """Search in the body, so names never appear in URLs or access logs."""

    query: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"\S",
        description="Words of the name, an account number or a member id.",
    )
    practice: str | None = Field(None, description="Slug or id of one of your practices.")
    date_of_birth: dt.date | None = None


class CoverageOut(Schema):
    id: int
    practice: str
    patient: int
    payer: PayerRef
    member_id: str
    group_number: str
    plan_name: str
    priority: int = Field(description="1 primary, 2 secondary, 3 tertiary.")
    relationship: str = Field(description="Patient's relationship to the subscriber (18 = self).")
    subscriber_first_name: str
    subscriber_last_name: str
    subscriber_date_of_birth: dt.date | None
    subscriber_sex: str
    effective_from: dt.date
    effective_to: dt.date | None
    copay: str | None
    copay_cents: int | None

    @staticmethod
    def resolve_practice(obj: Any) -> str:
        return str(obj.practice.slug)

    @staticmethod
    def resolve_patient(obj: Any) -> int:
        return int(obj.patient_id)

    @staticmethod
    def resolve_copay(obj: Any) -> str | None:
        return money_text(obj.copay_cents)


class PatientDetail(PatientOut):
    coverages: list[CoverageOut]

    @staticmethod
    def resolve_coverages(obj: Any) -> list[Any]:
        return list(obj.coverages.select_related("practice", "payer"))


class CoverageCreate(InputSchema):
    patient: Id
    payer: Id
    member_id: str
    group_number: str = ""
    plan_name: str = ""
    priority: Priority = 1
    relationship: Relationship = "18"
    subscriber_first_name: str = ""
    subscriber_last_name: str = ""
    subscriber_date_of_birth: dt.date | None = None
    subscriber_sex: Literal["F", "M", "U", ""] = ""
    effective_from: dt.date
    effective_to: dt.date | None = None
    copay: MoneyText | None = None
    copay_cents: Cents | None = None


class CoverageUpdate(InputSchema):
    """Only the fields sent are changed; send null to clear an end date or copay."""

    payer: Id | None = None
    member_id: str | None = None
    group_number: str | None = None
    plan_name: str | None = None
    priority: Priority | None = None
    relationship: Relationship | None = None
    subscriber_first_name: str | None = None
    subscriber_last_name: str | None = None
    subscriber_date_of_birth: dt.date | None = None
    subscriber_sex: Literal["F", "M", "U", ""] | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    copay: MoneyText | None = None
    copay_cents: Cents | None = None
