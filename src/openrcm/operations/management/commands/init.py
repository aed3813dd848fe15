"""`openrcm init`: create or upgrade the database; idempotent."""

from __future__ import annotations

from typing import Any

from openrcm.operations.commanding import OpenRCMCommand
from openrcm.operations.database import database_migrate


class Command(OpenRCMCommand):
    help = "Create the database, or upgrade it to this version of OpenRCM. Safe to repeat."
    needs_database = False

    def handle(self, *args: Any, **options: Any) -> None:
        result = database_migrate()
        state = " (new)" if result.created else ""
        self.stdout.write(f"Database: {result.database}{state}")
        if result.applied:
            apps = sorted({name.split(".")[0] for name in result.applied})
            self.stdout.write(
                self.style.SUCCESS(
                    f"Applied {len(result.applied)} migrations ({', '.join(apps)}): "
                    "the database is ready."
                )
            )
        else:
            self.stdout.write(
                f"The database is up to date ({result.total} migrations applied): nothing to do."
            )
