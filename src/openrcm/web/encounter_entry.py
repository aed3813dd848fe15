"""Encounter entry: the header form and the charge-line formset, saved through
`encounters.services.encounter_create`, with the service's errors put beside their inputs.

Also the live total of the lines (the htmx totals endpoint and every re-render of the form).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import QueryDict
from django.utils import timezone

from openrcm.core.money import Money
from openrcm.encounters.models import Encounter
from openrcm.encounters.services import encounter_create
from openrcm.patients.models import Patient
from openrcm.payers.selectors import fee_for
from openrcm.providers.selectors import provider_list
from openrcm.tenancy.permissions import Action
from openrcm.tenancy.selectors import location_list
from openrcm.web.forms import (
    LINES_PREFIX,
    MAX_LINES,
    ChargeLineForm,
    ChargeLineFormSet,
    EncounterForm,
    parse_charge,
)

HEADER_FIELDS = frozenset(
    {
        "provider",
        "location",
        "date_of_service",
        "place_of_service",
        "referring_provider",
        "prior_authorization",
    }
)
# Names the services use for a line's parts -> the inputs of the line's row.
LINE_FIELD_FOR = {
    "charge_cents": "charge",
    "modifiers": "modifier1",
    "ndc": "ndc_code",
}
_LINE_KEY = re.compile(r"lines\[(\d+)\]\.(\w+)")
_DX_KEY = re.compile(r"diagnoses\[(\d+)\]")


def practice_today(patient: Patient) -> dt.date:
    """Today in the patient's practice's time zone: the default date of service."""
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(patient.practice.time_zone)).date()


@dataclass
class Entry:
    """The forms of one encounter entry, and the errors that belong to a section, not a field."""

    patient: Patient
    form: EncounterForm
    lines: Any  # ChargeLineFormSet
    section_errors: dict[str, list[str]] = field(default_factory=dict)

    def add_section_error(self, section: str, message: str) -> None:
        self.section_errors.setdefault(section, []).append(message)


def build_entry(*, user: Any, patient: Patient, data: QueryDict | None = None) -> Entry:
    """Unbound forms for a new encounter of `patient`, or forms bound to the POSTed `data`."""
    practice = patient.practice
    providers = provider_list(user=user, practice=practice, action=Action.ENTER_CHARGES)
    locations = location_list(user=user, practice=practice, action=Action.ENTER_CHARGES)
    initial: dict[str, Any] = {"patient": patient.pk, "date_of_service": practice_today(patient)}
    if providers.count() == 1:
        initial["provider"] = providers.first()
    if locations.count() == 1:
        initial["location"] = locations.first()
    form = EncounterForm(data, initial=initial, providers=providers, locations=locations)
    lines = ChargeLineFormSet(data, prefix=LINES_PREFIX)
    return Entry(patient=patient, form=form, lines=lines)


def with_extra_line(data: QueryDict) -> QueryDict:
    """The POSTed form with one more (empty) line row: "Add line" without JavaScript."""
    copy = data.copy()
    key = f"{LINES_PREFIX}-TOTAL_FORMS"
    try:
        total = int(copy.get(key, "0"))
    except ValueError:
        total = 0
    if total < MAX_LINES:
        copy[key] = str(total + 1)
        copy[f"{LINES_PREFIX}-{total}-units"] = "1"  # the new row's default, as on a fresh form
    return copy


def save_entry(*, entry: Entry, actor: Any) -> Encounter | None:
    """Validate the forms, then create the encounter (and its claim); None when refused."""
    header_ok = entry.form.is_valid()
    lines_ok = entry.lines.is_valid()
    used: list[tuple[int, ChargeLineForm]] = entry.lines.used_forms()
    if not used and lines_ok:
        entry.add_section_error("lines", "Enter at least one charge line.")
        return None
    if header_ok:
        _check_lines_against_header(entry, used)
    if not (header_ok and entry.lines.is_valid()):
        return None
    data = entry.form.cleaned_data
    try:
        return encounter_create(
            patient=entry.patient,
            provider=data["provider"],
            location=data["location"],
            date_of_service=data["date_of_service"],
            place_of_service=data.get("place_of_service") or None,
            referring_provider=data.get("referring_provider"),
            prior_authorization=data.get("prior_authorization") or "",
            diagnoses=entry.form.diagnoses(),
            lines=[line.to_input() for _, line in used],
            actor=actor,
        )
    except ValidationError as exc:
        place_service_errors(entry=entry, exc=exc, used=used)
        return None


def _check_lines_against_header(entry: Entry, used: list[tuple[int, ChargeLineForm]]) -> None:
    """What the service would refuse only one stage later, shown now with everything else:
    pointers past the diagnoses entered, and empty charges the fee schedule cannot price."""
    n_dx = len(entry.form.diagnoses())
    on = entry.form.cleaned_data["date_of_service"]
    for _, line in used:
        data = line.cleaned_data
        if any(p > n_dx for p in data.get("diagnosis_pointers") or []):
            line.add_error(
                "diagnosis_pointers",
                f"Points past the {n_dx} diagnos{'is' if n_dx == 1 else 'es'} entered.",
            )
        code = data.get("procedure_code")
        if code and "charge" in data and data["charge"] is None:
            fee = fee_for(
                practice=entry.patient.practice,
                procedure_code=code,
                modifier=data.get("modifier1") or "",
                on=on,
            )
            if fee is None:
                line.add_error(
                    "charge", f"No fee for {code} in the practice's fee schedule: enter the charge."
                )


def place_service_errors(
    *, entry: Entry, exc: ValidationError, used: list[tuple[int, ChargeLineForm]]
) -> None:
    """Put each message of the service's error beside the input its key names."""
    messages = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for key, texts in messages.items():
        for text in texts:
            _place(entry, key, text, used)


def _place(entry: Entry, key: str, text: str, used: list[tuple[int, ChargeLineForm]]) -> None:
    if key in HEADER_FIELDS:
        entry.form.add_error(key, text)
        return
    if match := _DX_KEY.fullmatch(key):
        entry.form.add_error(f"dx_{int(match.group(1)) + 1}", text)
        return
    if match := _LINE_KEY.fullmatch(key):
        index, name = int(match.group(1)), match.group(2)
        if index < len(used):
            line = used[index][1]
            name = LINE_FIELD_FOR.get(name, name)
            line.add_error(name if name in line.fields else None, text)
            return
    if key in ("diagnoses", "lines"):
        entry.add_section_error(key, text)
        return
    entry.form.add_error(None, text if key == NON_FIELD_ERRORS else f"{key}: {text}")


# -- live totals ---------------------------------------------------------------------------------


@dataclass
class LineAmount:
    index: int
    amount: Money | None
    note: str = ""  # "fee schedule", "no fee", "invalid charge"


@dataclass
class Totals:
    lines: list[LineAmount]
    total: Money
    unpriced: int

    @property
    def counted(self) -> int:
        return sum(1 for line in self.lines if line.amount is not None)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


def compute_totals(*, patient: Patient, data: QueryDict) -> Totals:
    """Each filled line's amount (entered, or fee schedule x units) and the encounter total.

    Reads the raw POSTed rows so the total follows what is typed, before anything is valid.
    """
    try:
        on = dt.date.fromisoformat(data.get("date_of_service", ""))
    except ValueError:
        on = practice_today(patient)
    rows = min(_int(data.get(f"{LINES_PREFIX}-TOTAL_FORMS"), 0), MAX_LINES)
    amounts: list[LineAmount] = []
    for i in range(rows):
        prefix = f"{LINES_PREFIX}-{i}-"
        code = (data.get(prefix + "procedure_code") or "").strip().upper()
        charge_text = data.get(prefix + "charge") or ""
        if not code and not charge_text.strip():
            amounts.append(LineAmount(i, None))
            continue
        units = max(_int(data.get(prefix + "units"), 1), 1)
        try:
            charge = parse_charge(charge_text)
        except ValidationError:
            amounts.append(LineAmount(i, None, "invalid charge"))
            continue
        if charge is not None:
            amounts.append(LineAmount(i, charge))
            continue
        fee = fee_for(
            practice=patient.practice,
            procedure_code=code,
            modifier=(data.get(prefix + "modifier1") or "").strip(),
            on=on,
        )
        if fee is None:
            amounts.append(LineAmount(i, None, "no fee"))
        else:
            amounts.append(LineAmount(i, fee * units, "fee schedule"))
    total = sum((a.amount for a in amounts if a.amount is not None), Money.zero())
    unpriced = sum(1 for a in amounts if a.note in ("no fee", "invalid charge"))
    return Totals(lines=amounts, total=total, unpriced=unpriced)
