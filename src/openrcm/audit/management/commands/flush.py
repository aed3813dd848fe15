"""Django's `flush`, able to empty the audit trail too: its append-only triggers are lifted
for the flush, inside the flush's transaction, and restored before it commits.

Django's test framework flushes the database after every transactional test (live-server and
browser tests); without this the trigger would refuse. Only a deliberate flush of the whole
database gets past the triggers; the chain of a flushed database starts again at seq 1.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from openrcm.audit.triggers import registered_append_only


class Command(FlushCommand):
    help = FlushCommand.help + " The audit trail is emptied too (its triggers are lifted)."

    def handle(self, **options: Any) -> None:
        database = options["database"]
        if options["interactive"]:
            # Ask before taking any lock.
            name = connections[database].settings_dict["NAME"]
            confirm = input(
                "You have requested a flush of the database.\n"
                f'This will IRREVERSIBLY DESTROY all data currently in the "{name}" database,\n'
                "the audit trail included, and return each table to an empty state.\n"
                "Are you sure you want to do this?\n\n"
                "    Type 'yes' to continue, or 'no' to cancel: "
            )
            if confirm != "yes":
                self.stdout.write("Flush cancelled.")
                return
            options["interactive"] = False
        with ExitStack() as lifted:
            for lift in registered_append_only():  # the audit trail, the posting ledger ...
                lifted.enter_context(lift(database))
            super().handle(**options)
