"""Forms for the MFA pages."""

from __future__ import annotations

from django import forms


class TotpCodeForm(forms.Form):
    """The first code from the authenticator app, confirming enrollment."""

    code = forms.CharField(
        label="6-digit code",
        max_length=7,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": r"\d{6}|\d{3} \d{3}",
                "autofocus": True,
            }
        ),
    )


class MfaCodeForm(forms.Form):
    """A 6-digit code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label="6-digit code, or a recovery code",
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )
