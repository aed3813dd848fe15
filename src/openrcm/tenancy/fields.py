"""Model fields that validate identifiers through the core at the model edge."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models

from openrcm.core.identifiers import IdentifierError, validate_npi, validate_tin, validate_zip

if TYPE_CHECKING:
    _CharField = models.CharField[str, str]
else:  # Django's fields are not subscriptable at run time
    _CharField = models.CharField


def _check(check: Any, value: str) -> None:
    if not value:
        return
    try:
        check(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc)) from exc


def npi_validator(value: str) -> None:
    _check(validate_npi, value)


def tin_validator(value: str) -> None:
    _check(validate_tin, value)


def zip_validator(value: str) -> None:
    _check(validate_zip, value)


class NPIField(_CharField):
    """A 10-digit NPI whose check digit is verified."""

    default_validators = [npi_validator]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        super().__init__(*args, **kwargs)


class TINField(_CharField):
    """A 9-digit tax identification number, stored as digits."""

    default_validators = [tin_validator]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 9)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return value.replace("-", "").strip() if isinstance(value, str) else value


class ZIPField(_CharField):
    """A 5- or 9-digit ZIP code (ZIP+4), stored as digits."""

    default_validators = [zip_validator]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 9)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return value.replace("-", "").strip() if isinstance(value, str) else value
