"""The encounter form as typed so far, read leniently into the scrubber's draft (nothing saved).

Like the live totals, this reads the raw POSTed rows: the findings follow what is typed before
anything is valid. A row without a procedure code is skipped; a charge left empty is priced
from the fee schedule (as saving would); pointers that cannot be read count as none (the
scrubber then says the line points at no diagnosis).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict

from openrcm.core.money import Money
from openrcm.encounters.models import MAX_DIAGNOSES, MAX_MODIFIERS
from openrcm.patients.models import Patient
from openrcm.payers.selectors import fee_for
from openrcm.providers.selectors import provider_list
from openrcm.scrubbing.services import EntryDraft
from openrcm.scrubbing.snapshots import LineFacts
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.selectors import location_list
from openrcm.web.forms import LINES_PREFIX, MAX_LINES, parse_charge


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def _pk(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _pointers(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.replace(",", " ").split() if p.isdigit())


def entry_draft(*, user: Any, patient: Patient, data: QueryDict) -> EntryDraft | None:
    """The draft of the encounter as typed, or None until it has a date of service and a line."""
    try:
        day = dt.date.fromisoformat(data.get("date_of_service", ""))
    except ValueError:
        return None
    practice = patient.practice
    providers = {p.pk: p for p in provider_list(user=user, practice=practice, action=Action.VIEW)}
    location = None
    location_pk = _pk(data.get("location"))
    if location_pk is not None:
        location = (
            location_list(user=user, practice=practice, action=Action.VIEW)
            .filter(pk=location_pk)
            .first()
        )
    place = (data.get("place_of_service") or "").strip()
    if not place:
        place = location.default_place_of_service if location is not None else "11"
    diagnoses = tuple(
        code
        for i in range(1, MAX_DIAGNOSES + 1)
        if (code := (data.get(f"dx_{i}") or "").strip().upper())
    )
    lines: list[LineFacts] = []
    rows = min(_int(data.get(f"{LINES_PREFIX}-TOTAL_FORMS"), 0), MAX_LINES)
    for i in range(rows):
        prefix = f"{LINES_PREFIX}-{i}-"
        code = (data.get(prefix + "procedure_code") or "").strip().upper()
        if not code:
            continue
        units = max(_int(data.get(prefix + "units"), 1), 1)
        modifiers = tuple(
            mod
            for n in range(1, MAX_MODIFIERS + 1)
            if (mod := (data.get(f"{prefix}modifier{n}") or "").strip().upper())
        )
        try:
            charge = parse_charge(data.get(prefix + "charge") or "")
        except ValidationError:
            charge = None
        if charge is None:
            fee = fee_for(
                practice=practice,
                procedure_code=code,
                modifier=modifiers[0] if modifiers else "",
                on=day,
            )
            charge = fee * units if fee is not None else Money.zero()
        lines.append(
            LineFacts(
                number=len(lines) + 1,
                procedure=code,
                charge=charge,
                units=units,
                modifiers=modifiers,
                pointers=_pointers(data.get(prefix + "diagnosis_pointers") or ""),
                ndc=(data.get(prefix + "ndc_code") or "").replace("-", "").strip(),
                ndc_quantity=(data.get(prefix + "ndc_quantity") or "").strip(),
                ndc_unit=(data.get(prefix + "ndc_unit") or "").strip(),
            )
        )
    if not lines:
        return None
    return EntryDraft(
        patient=patient,
        date_of_service=day,
        place_of_service=place,
        diagnoses=diagnoses,
        lines=tuple(lines),
        provider=providers.get(_pk(data.get("provider")) or 0),
        referring=providers.get(_pk(data.get("referring_provider")) or 0),
        location=location,
        prior_authorization=(data.get("prior_authorization") or "").strip(),
    )
