"""`openrcm ledger check`: recompute every balance and every day sum (the reports' summary)
from the ledger's entries and name each difference (practice, claim, line or day, stored and
recomputed), and every entry whose practice, claim, claim line or user is missing or disagrees
with its charge line; exits non-zero on any.
`openrcm ledger backfill`: post the charges of claims sent before the ledger existed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.posting.balance_keys import balance_keys_check
from openrcm.posting.ledger import (
    ReferenceDifference,
    ledger_charges_backfill,
    ledger_check,
    ledger_day_sums_check,
)
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
        keys = balance_keys_check()  # the aging's keys kept on each balance row
        for wrong in keys:
            self.stderr.write(str(wrong))
        if keys and not (differences or day_sums):
            raise Error(f"{len(keys)} balances' aging keys differ from their lines' claims")
        for difference in [*differences, *day_sums]:
            self.stderr.write(str(difference))
        if differences or day_sums:
            references = sum(isinstance(d, ReferenceDifference) for d in differences)
            raise Error(
                f"{len(differences) - references} balances and {len(day_sums)} day sums differ "
                "from the ledger"
                + (f"; {references} entries name a missing or disagreeing practice, claim, "
                   "claim line or user" if references else "")
            )  # fmt: skip
        self.stdout.write(
            f"ledger ok: {ChargeBalance.objects.count()} balances and "
            f"{LedgerDaySum.objects.count()} day sums agree with "
            f"{LedgerEntry.objects.count()} entries"
        )
