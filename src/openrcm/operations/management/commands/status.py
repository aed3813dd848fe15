"""`openrcm status [--json]`: what the database holds."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.core.management.base import CommandParser

from openrcm.core.claims.status import ClaimStatus
from openrcm.operations.commanding import OpenRCMCommand
from openrcm.operations.database import database_label
from openrcm.operations.selectors import database_status


class Command(OpenRCMCommand):
    help = (
        "Count practices, patients, encounters and claims by status, and sum the insurance and "
        "patient balances (the whole database)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        status = database_status()
        if options["json"]:
            self.stdout.write(json.dumps(status))
            return
        claims = status["claims"]
        rows = [
            ("Database", database_label()),
            ("Practices", f"{status['practices']:,}"),
            ("Patients", f"{status['patients']:,}"),
            ("Encounters", f"{status['encounters']:,}"),
            ("Claims", f"{sum(claims.values()):,}"),
        ]
        rows += [
            (f"  {ClaimStatus(name).label}", f"{count:,}")
            for name, count in claims.items()
            if count
        ]
        balances = status["balances"]
        rows += [
            ("Insurance balance", f"${Decimal(balances['insurance']):,.2f}"),
            ("Patient balance", f"${Decimal(balances['patient']):,.2f}"),
            ("  claims patients owe on", f"{status['patient_responsibility_claims']:,}"),
        ]
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            self.stdout.write(f"{label:<{width}}  {value}")
