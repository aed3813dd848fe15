"""What every `openrcm` command shares: plain error messages instead of tracebacks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from openrcm.operations.database import DatabaseNotReady, database_label, database_require_ready


class Error(CommandError):
    """A user-facing failure: printed as `Error: <message>` with a non-zero exit status."""


def validation_text(exc: ValidationError, rename: Mapping[str, str] | None = None) -> str:
    """`field: message; other: message` with fields renamed to what the user typed."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        parts = []
        for name, messages in exc.message_dict.items():
            label = rename.get(name, name)
            text = " ".join(messages)
            parts.append(text if name == "__all__" else f"{label}: {text}")
        return "; ".join(parts)
    return " ".join(exc.messages)


class OpenRCMCommand(BaseCommand):
    """A command whose user mistakes and database problems end in one plain line on stderr."""

    needs_database = True
    field_names: Mapping[str, str] = {}

    def execute(self, *args: Any, **options: Any) -> Any:
        try:
            if self.needs_database:
                database_require_ready()
            return super().execute(*args, **options)
        except CommandError:
            raise
        except DatabaseNotReady as exc:
            raise Error(str(exc)) from exc
        except ValidationError as exc:
            raise Error(validation_text(exc, self.field_names)) from exc
        except DatabaseError as exc:
            raise Error(f"the database ({database_label()}) failed: {exc}") from exc
