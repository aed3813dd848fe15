"""Forms of the scrubber's pages: a warning's override, and a payer rule written as data.

A payer rule is entered as its parts (id, severity, message, citation) and its condition as
JSON; the rule language's errors (`ConditionError`) name a path (``when.all[2].in``), and
`PayerRuleForm.add_condition_error` shows each beside the input its path starts with.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms

from openrcm.core.scrub.conditions import FIELDS, OPERATORS, ConditionError
from openrcm.payers.models import Payer

# The first key of a ConditionError's path -> the input it belongs to.
FIELD_OF_PATH = {
    "id": "rule_id",
    "severity": "severity",
    "title": "title",
    "message": "message",
    "citation": "citation",
    "when": "when",
    "json": "when",
}
WHEN_EXAMPLE = """{"all": [
  {"field": "line.procedure", "in": ["99213", "99214"]},
  {"field": "line.modifiers", "not_contains": "25"}
]}"""


class OverrideForm(forms.Form):
    rule_id = forms.CharField(max_length=40, widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        error_messages={"required": "Say why the claim may go despite the warning."},
        widget=forms.TextInput(attrs={"size": 50, "autocomplete": "off"}),
    )


def _no_float(value: str) -> object:
    raise ValueError(f'the number {value} has a fraction: write it as a string, e.g. "{value}"')


class PayerRuleForm(forms.Form):
    """A payer rule's parts; `data()` is the rule as the condition language takes it."""

    payer: forms.ModelChoiceField[Payer] = forms.ModelChoiceField(queryset=None, label="Payer")
    rule_id = forms.CharField(
        label="Rule id",
        max_length=40,
        help_text="Capitals, digits and dashes, e.g. PAYER-ACME-001.",
        widget=forms.TextInput(attrs={"class": "code", "autocomplete": "off"}),
    )
    severity = forms.ChoiceField(
        label="Severity",
        choices=[("error", "Error: holds the claim"), ("warning", "Warning: needs an override")],
    )
    title = forms.CharField(label="Title", max_length=120, required=False)
    message = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What is wrong and how to fix it; {line}, {procedure}, {modifiers}, {payer} "
        "and {place_of_service} are filled in.",
    )
    citation = forms.CharField(
        label="Citation",
        max_length=300,
        help_text="The payer document: manual, bulletin, contract.",
    )
    when = forms.CharField(
        label="Condition (JSON)",
        widget=forms.Textarea(attrs={"rows": 8, "class": "code", "spellcheck": "false"}),
        initial=WHEN_EXAMPLE,
    )
    active = forms.BooleanField(label="Active", required=False, initial=True)

    def __init__(self, *args: Any, payers: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        payer_field = self.fields["payer"]
        assert isinstance(payer_field, forms.ModelChoiceField)
        payer_field.queryset = payers
        if editing:
            self.fields["payer"].disabled = True
            self.fields["rule_id"].disabled = True
        else:
            del self.fields["active"]

    def clean_rule_id(self) -> str:
        return str(self.cleaned_data["rule_id"]).strip().upper()

    def clean_when(self) -> Any:
        text = self.cleaned_data["when"]
        try:
            return json.loads(text, parse_float=_no_float)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"when: not valid JSON: {error}") from None
        except ValueError as error:
            raise forms.ValidationError(f"when: {error}") from None

    def data_for_rule(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "id": data["rule_id"],
            "severity": data["severity"],
            "title": data.get("title", ""),
            "message": data["message"],
            "citation": data["citation"],
            "when": data["when"],
        }

    def add_condition_error(self, error: ConditionError) -> None:
        """The rule language's error beside the input its path names (the path shown too)."""
        head = error.path.split(".", 1)[0].split("[", 1)[0]
        self.add_error(FIELD_OF_PATH.get(head), str(error))

    @staticmethod
    def initial_from(data: dict[str, Any], payer: Payer, active: bool) -> dict[str, Any]:
        return {
            "payer": payer,
            "rule_id": data.get("id", ""),
            "severity": data.get("severity", "error"),
            "title": data.get("title", ""),
            "message": data.get("message", ""),
            "citation": data.get("citation", ""),
            "when": json.dumps(data.get("when", {}), indent=2),
            "active": active,
        }


def condition_fields() -> list[tuple[str, str, str]]:
    """(field, type, description) of the condition language, for the help beside the form."""
    return [(name, str(spec.type), spec.description) for name, spec in FIELDS.items()]


def condition_operators() -> list[str]:
    return sorted(OPERATORS)
