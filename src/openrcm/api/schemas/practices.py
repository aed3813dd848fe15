"""The caller's practices (with the providers and locations an encounter names) and payers."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

from openrcm.api.schemas.common import LocationRef, ProviderRef


class PracticeOut(Schema):
    id: int
    slug: str
    name: str
    time_zone: str
    role: str = Field(description="Your role in this practice.")
    providers: list[ProviderRef]
    locations: list[LocationRef]

    @staticmethod
    def resolve_providers(obj: Any) -> list[Any]:
        return list(obj.providers.all())

    @staticmethod
    def resolve_locations(obj: Any) -> list[Any]:
        return list(obj.locations.all())


class PayerOut(Schema):
    id: int
    name: str
    payer_id: str
    claim_filing_indicator: str
    timely_filing_days: int
    appeal_days: int
