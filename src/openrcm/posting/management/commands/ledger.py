"""`openrcm ledger check`: recompute every balance and every day sum (the reports' summary)
from the ledger's entries and name each difference (practice, claim, line or day, stored and
recomputed); exits non-zero on any.
`openrcm ledger backfill`: post the charges of claims sent before the ledger existed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.posting.ledger import ledger_charges_backfill, ledger_check, ledger_day_sums_check
from openrcm.posting.models import ChargeBalance, LedgerDaySum, LedgerEntry


class Command(OpenRCMCommand):
    help = "Check the ledger: every stored balance and day sum against its entries."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("check", help="Recompute every balance and day sum from the entries.")
        sub.add_parser("backfill", help="Post the charges of claims sent before the ledger.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "backfill":
            self.stdout.write(f"{ledger_charges_backfill()} charges posted")
            return
        differences = ledger_check()
        day_sums = ledger_day_sums_check()
        for difference in [*differences, *day_sums]:
            self.stderr.write(str(difference))
        if differences or day_sums:
            raise Error(
                f"{len(differences)} balances and {len(day_sums)} day sums differ from the ledger"
            )
        self.stdout.write(
            f"ledger ok: {ChargeBalance.objects.count()} balances and "
            f"{LedgerDaySum.objects.count()} day sums agree with "
            f"{LedgerEntry.objects.count()} entries"
        )
