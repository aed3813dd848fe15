"""Shapes shared by every resource: ids, money, pages, errors, references to other objects."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from ninja import Field, P, PathEx, Schema
from pydantic import ConfigDict, field_validator

from openrcm.core.money import Money, decimal_to_cents

MAX_ID = 2**63 - 1  # the largest id a BigAutoField holds
MAX_OFFSET = 2**31 - 1
DEFAULT_LIMIT = 50
MAX_LIMIT = 500

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# An id in the URL; a malformed one is a 404 like a missing one (see api.errors).
PathId = PathEx[int, P(ge=1, le=MAX_ID)]
MoneyText = Annotated[
    str,
    Field(
        pattern=r"^\d{1,9}(\.\d{1,2})?$",
        description='Dollars as a string with at most 2 decimals, e.g. "125.00" (never a float).',
        examples=["125.00"],
    ),
]
Cents = Annotated[int, Field(ge=0, le=10**11, description="The same amount in integer cents.")]


def money_text(cents: int | None) -> str | None:
    """Integer cents as a dollar string with two decimals: 12500 -> "125.00"."""
    return None if cents is None else str(Money.from_cents(cents).amount)


def cents_from(*, text: str | None, cents: int | None, field: str) -> int | None:
    """The cents of a money input given as a dollar string, as cents, or both (must agree)."""
    if text is None:
        return cents
    from_text = decimal_to_cents(text)
    if cents is not None and cents != from_text:
        raise ValidationError({f"{field}_cents": f"Disagrees with {field} ({text})."})
    return from_text


class InputSchema(Schema):
    """A request body: unknown fields are refused by name, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="At most 500.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class Page[T](Schema):
    items: list[T]
    count: int


def paginate(queryset: Any, page: PageParams) -> dict[str, Any]:
    """One page of an ordered queryset, in the API's list shape ``{"items": [...], "count": N}``."""
    return {
        "items": list(queryset[page.offset : page.offset + page.limit]),
        "count": queryset.count(),
    }


class PracticeFilter(Schema):
    practice: str | None = Field(None, description="Slug or id of one of your practices.")


class DateRange(Schema):
    date_from: dt.date | None = Field(None, description="Dates of service from (inclusive).")
    date_to: dt.date | None = Field(None, description="Dates of service to (inclusive).")

    @field_validator("date_to")
    @classmethod
    def _not_before_start(cls, value: dt.date | None, info: Any) -> dt.date | None:
        start = info.data.get("date_from")
        if value is not None and start is not None and value < start:
            raise ValueError("date_to is before date_from.")
        return value


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    field: str | None = Field(description='A field path such as "lines[0].procedure_code".')
    message: str


class ValidationErrorOut(Schema):
    detail: str = Field(examples=["Validation failed"])
    errors: list[FieldErrorOut]


READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut}
LIST_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


class PatientRef(Schema):
    id: int
    account_number: str
    first_name: str
    last_name: str


class PayerRef(Schema):
    id: int
    name: str
    payer_id: str


class ProviderRef(Schema):
    id: int
    first_name: str
    last_name: str
    credential: str
    npi: str


class LocationRef(Schema):
    id: int
    name: str
    default_place_of_service: str


class DiagnosisOut(Schema):
    position: int = Field(description="1 is the principal diagnosis.")
    code: str
