"""Claims (read-only in the API for now) with their lines and status history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from openrcm.api.schemas.common import (
    DateRange,
    DiagnosisOut,
    Id,
    PatientRef,
    PayerRef,
    money_text,
)
from openrcm.core.claims.status import ClaimStatus


class ClaimFilters(DateRange):
    practice: str | None = Field(None, description="Slug or id of one of your practices.")
    status: ClaimStatus | None = None
    payer: Id | None = Field(None, description="Payer id (as in /api/v1/payers).")


class ClaimOut(Schema):
    id: int
    practice: str
    encounter: int
    patient: PatientRef
    coverage: int
    payer: PayerRef
    sequence: str = Field(description="P primary, S secondary, T tertiary.")
    frequency_code: str = Field(description="1 original, 7 replacement, 8 void.")
    patient_control_number: str
    payer_claim_number: str
    replaces: int | None
    status: str
    status_label: str
    status_changed_at: dt.datetime
    date_of_service: dt.date
    total_charge: str
    total_charge_cents: int
    created_at: dt.datetime

    @staticmethod
    def resolve_practice(obj: Any) -> str:
        return str(obj.practice.slug)

    @staticmethod
    def resolve_encounter(obj: Any) -> int:
        return int(obj.encounter_id)

    @staticmethod
    def resolve_patient(obj: Any) -> Any:
        return obj.encounter.patient

    @staticmethod
    def resolve_coverage(obj: Any) -> int:
        return int(obj.coverage_id)

    @staticmethod
    def resolve_payer(obj: Any) -> Any:
        return obj.coverage.payer

    @staticmethod
    def resolve_replaces(obj: Any) -> int | None:
        return obj.replaces_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return ClaimStatus(obj.status).label

    @staticmethod
    def resolve_date_of_service(obj: Any) -> dt.date:
        return obj.encounter.date_of_service  # type: ignore[no-any-return]

    @staticmethod
    def resolve_total_charge(obj: Any) -> str | None:
        return money_text(obj.total_charge_cents)


class ClaimLineOut(Schema):
    line_number: int
    charge_line: int
    procedure_code: str
    modifiers: list[str]
    units: int
    diagnosis_pointers: list[int]
    charge: str
    charge_cents: int

    @staticmethod
    def resolve_charge_line(obj: Any) -> int:
        return int(obj.charge_line_id)

    @staticmethod
    def resolve_procedure_code(obj: Any) -> str:
        return str(obj.charge_line.procedure_code)

    @staticmethod
    def resolve_modifiers(obj: Any) -> list[str]:
        return list(obj.charge_line.modifiers)

    @staticmethod
    def resolve_units(obj: Any) -> int:
        return int(obj.charge_line.units)

    @staticmethod
    def resolve_diagnosis_pointers(obj: Any) -> list[int]:
        return list(obj.charge_line.pointers)

    @staticmethod
    def resolve_charge(obj: Any) -> str | None:
        return money_text(obj.charge_cents)


class StatusChangeOut(Schema):
    from_status: str | None
    to_status: str
    at: dt.datetime
    actor: str | None = Field(description="Username, or null for the system.")
    note: str

    @staticmethod
    def resolve_from_status(obj: Any) -> str | None:
        return obj.from_status or None

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None


class ClaimDetail(ClaimOut):
    lines: list[ClaimLineOut]
    diagnoses: list[DiagnosisOut]
    history: list[StatusChangeOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_diagnoses(obj: Any) -> list[Any]:
        return list(obj.encounter.diagnoses.all())

    @staticmethod
    def resolve_history(obj: Any) -> list[Any]:
        return list(obj.history.all())
