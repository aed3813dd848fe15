"""Forms of the web UI. They check what a person typed; the services remain the gate.

Service errors come back as `ValidationError` keyed by field ("date_of_birth",
"lines[0].procedure_code", "diagnoses[1]"); `apply_service_errors` and the encounter entry
put each message beside the input it names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.urls import reverse

from openrcm.claims.models import STATUS_CHOICES
from openrcm.core.codes.shapes import (
    CodeShapeError,
    format_icd10cm,
    validate_icd10cm_shape,
    validate_modifier,
    validate_ndc,
    validate_procedure_shape,
)
from openrcm.core.identifiers import IdentifierError, validate_phone
from openrcm.core.money import Money
from openrcm.encounters.models import MAX_DIAGNOSES, MAX_MODIFIERS, MAX_POINTERS
from openrcm.encounters.services import ChargeLineInput
from openrcm.patients.models import Coverage, Patient
from openrcm.payers.models import Payer
from openrcm.providers.models import Provider
from openrcm.tenancy.models import Location, Practice

if TYPE_CHECKING:
    _PatientForm = forms.ModelForm[Patient]
    _CoverageForm = forms.ModelForm[Coverage]
    _LineFormSet = forms.BaseFormSet["ChargeLineForm"]
else:  # Django's form classes are not subscriptable at run time
    _PatientForm = _CoverageForm = forms.ModelForm
    _LineFormSet = forms.BaseFormSet

MAX_LINES = 50  # service lines on one 837P claim
START_LINES = 4  # empty line rows on a new encounter form
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PLACE_OF_SERVICE_CHOICES = [
    ("", "Location's default"),
    ("02", "02 Telehealth (not in patient's home)"),
    ("10", "10 Telehealth in patient's home"),
    ("11", "11 Office"),
    ("12", "12 Home"),
    ("19", "19 Off campus outpatient hospital"),
    ("20", "20 Urgent care facility"),
    ("21", "21 Inpatient hospital"),
    ("22", "22 On campus outpatient hospital"),
    ("23", "23 Emergency room, hospital"),
    ("24", "24 Ambulatory surgical center"),
    ("31", "31 Skilled nursing facility"),
    ("32", "32 Nursing facility"),
    ("49", "49 Independent clinic"),
    ("50", "50 Federally qualified health center"),
    ("72", "72 Rural health clinic"),
    ("81", "81 Independent laboratory"),
    ("99", "99 Other place of service"),
]
NDC_UNIT_CHOICES = [  # short labels: the select sits in a table cell
    ("", "—"),
    ("UN", "UN"),
    ("ML", "ML"),
    ("GR", "GR"),
    ("ME", "ME"),
    ("F2", "F2"),
]


def apply_service_errors(
    form: forms.BaseForm, exc: ValidationError, rename: dict[str, str] | None = None
) -> None:
    """Attach a service's ValidationError to the form: each message beside the field it names
    (after `rename`), anything else at the top of the form."""
    rename = rename or {}
    messages = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for key, texts in messages.items():
        name = rename.get(key, key)
        target = name if name in form.fields else None
        for text in texts:
            form.add_error(target, text if target or key == NON_FIELD_ERRORS else f"{key}: {text}")


def _shape(check: Callable[[str], str], value: str) -> str:
    try:
        return check(value)
    except (CodeShapeError, IdentifierError) as exc:
        raise ValidationError(str(exc)) from exc


# -- practice switcher ---------------------------------------------------------------------------


class PracticeSwitchForm(forms.Form):
    """One of the user's practices, or "" for all of them."""

    practice = forms.ChoiceField(label="Practice", required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, practices: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["practice"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "All my practices")] + [(str(p.pk), p.name) for p in practices]
        field.error_messages["invalid_choice"] = "You are not a member of that practice."


# -- patients ------------------------------------------------------------------------------------


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a patient",
        max_length=100,
        required=False,
        help_text="Last name, first name, account number or member id.",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class PatientForm(_PatientForm):
    zip_code = forms.CharField(
        label="ZIP code", max_length=10, required=False, help_text="5 digits or ZIP+4."
    )
    phone = forms.CharField(label="Phone", max_length=20, required=False)

    class Meta:
        model = Patient
        fields = [
            "first_name",
            "middle_name",
            "last_name",
            "date_of_birth",
            "sex",
            "account_number",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "zip_code",
            "phone",
            "email",
        ]
        widgets = {
            "date_of_birth": DATE_INPUT,
            "state": forms.TextInput(attrs={"size": 2, "autocapitalize": "characters"}),
        }
        help_texts = {"account_number": "Leave empty to assign the next number."}

    def __init__(self, *args: Any, practices: QuerySet[Practice], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account_number"].required = False
        # A practice to choose only when the user registers patients in more than one.
        self.only_practice = practices.first() if practices.count() == 1 else None
        if self.only_practice is None:
            self.fields["practice"] = forms.ModelChoiceField(
                queryset=practices, label="Practice", empty_label=None
            )
            self.order_fields(["practice"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        practice = cleaned.get("practice") or self.only_practice
        number = cleaned.get("account_number")
        # The database's constraint would say this without naming the field.
        if number and Patient.objects.filter(practice=practice, account_number=number).exists():
            self.add_error("account_number", f"Account number {number} is already in use.")
        return cleaned

    def chosen_practice(self) -> Practice:
        """The practice the patient is registered in (after is_valid)."""
        practice = self.cleaned_data.get("practice") or self.only_practice
        assert isinstance(practice, Practice)  # required when the user has several
        return practice

    def clean_phone(self) -> str:
        value: str = self.cleaned_data.get("phone", "")
        return _shape(validate_phone, value) if value else ""

    def clean_state(self) -> str:
        return str(self.cleaned_data.get("state", "")).strip().upper()

    def service_fields(self) -> dict[str, Any]:
        """The cleaned values patient_create takes (everything but the practice)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "practice"}


class CoverageForm(_CoverageForm):
    copay = forms.DecimalField(
        label="Copay ($)", required=False, min_value=Decimal(0), max_digits=9, decimal_places=2
    )

    class Meta:
        model = Coverage
        fields = [
            "payer",
            "priority",
            "member_id",
            "group_number",
            "plan_name",
            "effective_from",
            "effective_to",
            "relationship",
            "subscriber_first_name",
            "subscriber_last_name",
            "subscriber_date_of_birth",
            "subscriber_sex",
        ]
        widgets = {
            "effective_from": DATE_INPUT,
            "effective_to": DATE_INPUT,
            "subscriber_date_of_birth": DATE_INPUT,
        }
        help_texts = {
            "effective_to": "Leave empty while the coverage is in force.",
            "subscriber_first_name": "Only when the patient is not the subscriber.",
        }

    def __init__(self, *args: Any, payers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        payer = self.fields["payer"]
        assert isinstance(payer, forms.ModelChoiceField)
        payer.queryset = payers

    def service_fields(self) -> dict[str, Any]:
        fields = dict(self.cleaned_data)
        copay = fields.pop("copay", None)
        fields["copay_cents"] = Money(copay).cents if copay is not None else None
        return fields


# -- encounters ----------------------------------------------------------------------------------


class EncounterPatientSearchForm(PatientSearchForm):
    """The first step of encounter entry: find the patient (by POST; names never go in URLs)."""


class EncounterForm(forms.Form):
    """The encounter's header and its ordered diagnoses (dx_1 .. dx_12)."""

    patient = forms.IntegerField(widget=forms.HiddenInput)
    provider: forms.ModelChoiceField[Provider] = forms.ModelChoiceField(
        queryset=None, label="Rendering provider"
    )
    location: forms.ModelChoiceField[Location] = forms.ModelChoiceField(
        queryset=None, label="Location"
    )
    date_of_service = forms.DateField(label="Date of service", widget=DATE_INPUT)
    place_of_service = forms.ChoiceField(
        label="Place of service", choices=PLACE_OF_SERVICE_CHOICES, required=False
    )
    referring_provider: forms.ModelChoiceField[Provider] = forms.ModelChoiceField(
        queryset=None, label="Referring provider", required=False, empty_label="None"
    )
    prior_authorization = forms.CharField(
        label="Prior authorization", max_length=50, required=False
    )

    def __init__(self, *args: Any, providers: Any, locations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, qs in (
            ("provider", providers),
            ("referring_provider", providers),
            ("location", locations),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = qs
        for i in range(1, MAX_DIAGNOSES + 1):
            self.fields[f"dx_{i}"] = forms.CharField(
                label=f"Diagnosis {i}" + (" (principal)" if i == 1 else ""),
                max_length=8,
                required=False,
                widget=forms.TextInput(
                    attrs={
                        "list": "dx-options",
                        "autocomplete": "off",
                        "size": 9,
                        "class": "code",
                        "spellcheck": "false",
                        # htmx: refresh the shared datalist with codes matching what is typed
                        "hx-post": reverse("diagnosis_hints"),
                        "hx-trigger": "input changed delay:250ms",
                        "hx-target": "#dx-options",
                        "hx-params": f"dx_{i}",
                        "hx-sync": "this:replace",
                    }
                ),
            )

    @property
    def dx_fields(self) -> list[forms.BoundField]:
        return [self[f"dx_{i}"] for i in range(1, MAX_DIAGNOSES + 1)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen_gap = ""
        for i in range(1, MAX_DIAGNOSES + 1):
            name = f"dx_{i}"
            raw = (cleaned.get(name) or "").strip()
            if not raw:
                seen_gap = seen_gap or name
                continue
            if seen_gap:
                self.add_error(
                    seen_gap, "Fill the diagnoses in order: this one is empty, a later one is not."
                )
                seen_gap = ""
            try:
                cleaned[name] = format_icd10cm(validate_icd10cm_shape(raw))
            except CodeShapeError as exc:
                self.add_error(name, str(exc))
        if not any((cleaned.get(f"dx_{i}") or "").strip() for i in range(1, MAX_DIAGNOSES + 1)):
            self.add_error("dx_1", "Enter at least the principal diagnosis.")
        return cleaned

    def diagnoses(self) -> list[str]:
        """The entered codes in order (no gaps: code n is field dx_<n>)."""
        return [
            self.cleaned_data[f"dx_{i}"]
            for i in range(1, MAX_DIAGNOSES + 1)
            if self.cleaned_data.get(f"dx_{i}")
        ]


def parse_pointers(value: str) -> list[int]:
    """'1,2' or '1 2' -> [1, 2]; refuses anything but 1 to 4 distinct positions 1-12."""
    parts = [p for p in value.replace(",", " ").split() if p]
    if not parts:
        raise ValidationError("Point to at least one diagnosis, e.g. 1 or 1,2.")
    try:
        pointers = [int(p) for p in parts]
    except ValueError:
        raise ValidationError(f"{value!r}: pointers are diagnosis numbers, e.g. 1,2.") from None
    if len(pointers) > MAX_POINTERS:
        raise ValidationError(f"At most {MAX_POINTERS} diagnosis pointers.")
    if any(not 1 <= p <= MAX_DIAGNOSES for p in pointers):
        raise ValidationError(f"Pointers are diagnosis numbers 1-{MAX_DIAGNOSES}.")
    if len(set(pointers)) != len(pointers):
        raise ValidationError("A pointer appears twice.")
    return pointers


def parse_charge(value: str) -> Money | None:
    """'$1,250.00' -> Money; empty -> None (the fee schedule prices the line)."""
    text = value.replace("$", "").replace(",", "").strip()
    if not text:
        return None
    try:
        money = Money(Decimal(text))
    except (ValueError, ArithmeticError):
        raise ValidationError(f"{value!r} is not an amount like 125.00.") from None
    if money.is_negative():
        raise ValidationError("A charge cannot be negative.")
    return money


class ChargeLineForm(forms.Form):
    """One charge line; an untouched row is skipped."""

    procedure_code = forms.CharField(
        label="Procedure",
        max_length=5,
        error_messages={"required": "Enter the procedure code (CPT or HCPCS)."},
        widget=forms.TextInput(
            attrs={
                "list": "proc-options",
                "autocomplete": "off",
                "size": 6,
                "class": "code",
                "spellcheck": "false",
            }
        ),
    )
    units = forms.IntegerField(
        label="Units",
        min_value=1,
        max_value=9999,
        initial=1,
        error_messages={"required": "Enter the units (1 or more)."},
        widget=forms.NumberInput(attrs={"class": "units", "min": 1}),
    )
    charge = forms.CharField(
        label="Charge",
        max_length=15,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "placeholder": "fee schedule", "size": 9}
        ),
    )
    diagnosis_pointers = forms.CharField(
        label="Diagnosis pointers",
        max_length=15,
        error_messages={"required": "Point to at least one diagnosis, e.g. 1 or 1,2."},
        widget=forms.TextInput(attrs={"placeholder": "1,2", "size": 7, "autocomplete": "off"}),
    )
    ndc_code = forms.CharField(
        label="NDC",
        max_length=13,
        required=False,
        widget=forms.TextInput(attrs={"size": 13, "placeholder": "NDC", "class": "code"}),
    )
    ndc_quantity = forms.CharField(
        label="NDC quantity",
        max_length=15,
        required=False,
        widget=forms.TextInput(attrs={"size": 5, "placeholder": "qty"}),
    )
    ndc_unit = forms.ChoiceField(
        label="NDC unit",
        choices=NDC_UNIT_CHOICES,
        required=False,
        widget=forms.Select(
            attrs={"title": "UN unit, ML milliliter, GR gram, ME milligram, F2 international unit"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, MAX_MODIFIERS + 1):
            self.fields[f"modifier{i}"] = forms.CharField(
                label=f"Modifier {i}",
                max_length=2,
                required=False,
                widget=forms.TextInput(
                    attrs={"size": 2, "class": "mod code", "autocomplete": "off"}
                ),
            )
        self.order_fields(
            ["procedure_code", "modifier1", "modifier2", "modifier3", "modifier4", "units"]
        )
        # htmx: refresh the procedure datalist from the practice's fee schedule as codes are typed
        self.fields["procedure_code"].widget.attrs.update(
            {
                "hx-post": reverse("procedure_hints"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#proc-options",
                "hx-params": f"patient,{self.add_prefix('procedure_code')}",
                "hx-sync": "this:replace",
            }
        )

    @property
    def modifier_fields(self) -> list[forms.BoundField]:
        return [self[f"modifier{i}"] for i in range(1, MAX_MODIFIERS + 1)]

    def clean_procedure_code(self) -> str:
        return _shape(validate_procedure_shape, self.cleaned_data["procedure_code"])

    def clean_charge(self) -> Money | None:
        return parse_charge(self.cleaned_data.get("charge") or "")

    def clean_diagnosis_pointers(self) -> list[int]:
        return parse_pointers(self.cleaned_data.get("diagnosis_pointers") or "")

    def clean_ndc_code(self) -> str:
        value = (self.cleaned_data.get("ndc_code") or "").strip()
        return _shape(validate_ndc, value) if value else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for i in range(1, MAX_MODIFIERS + 1):
            value = (cleaned.get(f"modifier{i}") or "").strip()
            if value:
                try:
                    cleaned[f"modifier{i}"] = validate_modifier(value)
                except CodeShapeError as exc:
                    self.add_error(f"modifier{i}", str(exc))
        has_ndc_details = cleaned.get("ndc_quantity") and cleaned.get("ndc_unit")
        if cleaned.get("ndc_code") and not has_ndc_details:
            self.add_error("ndc_quantity", "An NDC needs its quantity and unit.")
        return cleaned

    def to_input(self) -> ChargeLineInput:
        data = self.cleaned_data
        return ChargeLineInput(
            procedure_code=data["procedure_code"],
            diagnosis_pointers=data["diagnosis_pointers"],
            units=data["units"],
            charge=data.get("charge"),
            modifiers=[
                data[f"modifier{i}"]
                for i in range(1, MAX_MODIFIERS + 1)
                if data.get(f"modifier{i}")
            ],
            ndc_code=data.get("ndc_code", ""),
            ndc_quantity=(data.get("ndc_quantity") or "").strip(),
            ndc_unit=data.get("ndc_unit", ""),
        )


class BaseChargeLineFormSet(_LineFormSet):
    def used_forms(self) -> list[tuple[int, ChargeLineForm]]:
        """(row index, form) of the rows that were filled in, in order."""
        return [
            (i, form)
            for i, form in enumerate(self.forms)
            if isinstance(form, ChargeLineForm) and form.has_changed()
        ]


ChargeLineFormSet = forms.formset_factory(
    ChargeLineForm,
    formset=BaseChargeLineFormSet,
    extra=START_LINES,
    max_num=MAX_LINES,
    absolute_max=MAX_LINES,
    validate_max=True,
)
LINES_PREFIX = "lines"


# -- claims --------------------------------------------------------------------------------------


class ClaimFilterForm(forms.Form):
    """The claims worklist filters; GET parameters (they carry no PHI)."""

    practice = forms.ChoiceField(label="Practice", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *STATUS_CHOICES]
    )
    payer: forms.ModelChoiceField[Payer] = forms.ModelChoiceField(
        queryset=None, label="Payer", required=False, empty_label="Any payer"
    )
    date_from = forms.DateField(label="Service from", required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label="Service to", required=False, widget=DATE_INPUT)

    def __init__(self, *args: Any, practices: Iterable[Any], payers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        practice = self.fields["practice"]
        assert isinstance(practice, forms.ChoiceField)
        practice.choices = [("", "All my practices")] + [(str(p.pk), p.name) for p in practices]
        payer = self.fields["payer"]
        assert isinstance(payer, forms.ModelChoiceField)
        payer.queryset = payers

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start: dt.date | None = cleaned.get("date_from")
        end: dt.date | None = cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned
