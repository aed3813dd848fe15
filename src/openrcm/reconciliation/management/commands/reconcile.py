"""`openrcm reconcile --practice SLUG --day YYYY-MM-DD [--to YYYY-MM-DD] [--json]`: the daily
reconciliation report: deposits against 835 payments, matched pairs, what is unmatched on each
side, discrepancies, suggestions, PLB provider-level adjustments, and the totals. A text table
by default; with --json the document of `Reconciliation.as_json()`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import CommandParser

from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.reconciliation.management.commands.deposits import practice_named
from openrcm.reconciliation.selectors import Reconciliation, reconciliation_period
from openrcm.reconciliation.services import money, remittance_day

TOTALS = (
    ("deposits", "Deposits"),
    ("remittance_payments", "835 payments (BPR02)"),
    ("claim_payments", "  claim payments (CLP04)"),
    ("provider_adjustments", "  provider-level adjustments (PLB)"),
    ("interest", "    interest"),
    ("recoupment", "    recoupment"),
    ("forwarding_balance", "    forwarding balance"),
    ("matched_deposits", "Matched deposits"),
    ("unmatched_deposits", "Unmatched deposits"),
    ("unmatched_remittances", "Unmatched 835 payments"),
    ("difference", "Difference (deposits - 835 payments)"),
)


def _day(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise Error(f"{option} {text!r}: write the day as YYYY-MM-DD") from exc


class Command(OpenRCMCommand):
    help = "The daily reconciliation report: deposits against 835 payments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--practice", required=True, help="The practice's slug.")
        parser.add_argument("--day", required=True, help="The day (YYYY-MM-DD).")
        parser.add_argument("--to", help="The last day of a period starting at --day.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        practice = practice_named(options["practice"])
        start = _day(options["day"], "--day")
        end = _day(options["to"], "--to") if options.get("to") else start
        if end < start:
            raise Error(f"--to {end} is before --day {start}")
        report = reconciliation_period(practice=practice, start=start, end=end)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), indent=2))
            return
        self._text(report)

    def _line(self, *cells: str) -> None:
        self.stdout.write("  ".join(cells).rstrip())

    def _text(self, report: Reconciliation) -> None:
        when = str(report.start) if report.is_day else f"{report.start} to {report.end}"
        self.stdout.write(f"Reconciliation of {report.practice.slug}, {when}")
        self.stdout.write("")
        self.stdout.write(f"Matched ({len(report.matched)})")
        self._line(f"{'deposit':>8}", f"{'day':10}", f"{'amount':>12}", f"{'trace':20}", "835s")
        for pair in report.matched:
            remits = ", ".join(
                f"#{r.pk} {r.trace_number} {money(r.payment_cents)}" for r in pair.remittances
            )
            self._line(
                f"{pair.deposit.pk:>8}",
                f"{pair.deposit.deposited_on}",
                f"{pair.deposit.amount:>12}",
                f"{pair.deposit.trace_number:20}",
                f"{remits} [{pair.method}]",
            )
        self.stdout.write("")
        self.stdout.write(f"Unmatched deposits ({len(report.unmatched_deposits)})")
        for deposit in report.unmatched_deposits:
            self._line(
                f"{deposit.pk:>8}",
                f"{deposit.deposited_on}",
                f"{deposit.amount:>12}",
                f"{deposit.trace_number or '-':20}",
                f"{deposit.method} {deposit.payer_name}",
            )
        self.stdout.write("")
        self.stdout.write(f"Unmatched 835 payments ({len(report.unmatched_remittances)})")
        for remit in report.unmatched_remittances:
            self._line(
                f"{remit.pk:>8}",
                f"{remittance_day(remit)!s:10}",
                f"{money(remit.payment_cents):>12}",
                f"{remit.trace_number:20}",
                f"{remit.method} {remit.payer_name}",
            )
        if report.discrepancies:
            self.stdout.write("")
            self.stdout.write(
                f"Discrepancies: same trace, different amount ({len(report.discrepancies)})"
            )
            for row in report.discrepancies:
                self._line(
                    f"{row.deposit.pk:>8}",
                    f"{row.deposit.deposited_on}",
                    f"{row.deposit.amount:>12}",
                    f"{row.deposit.trace_number:20}",
                    f"835 {money(sum(r.payment_cents for r in row.remittances))}, "
                    f"difference {money(row.difference_cents)}",
                )
        if report.suggestions:
            self.stdout.write("")
            self.stdout.write(
                f"Suggested by amount and date, to confirm ({len(report.suggestions)})"
            )
            for deposit, remit in report.suggestions:
                self._line(
                    f"{deposit.pk:>8}",
                    f"{deposit.deposited_on}",
                    f"{deposit.amount:>12}",
                    f"-> 835 #{remit.pk} {remit.trace_number} {remit.payer_name}",
                )
        if report.pending_trace_matches:
            self.stdout.write("")
            self.stdout.write(
                f"{report.pending_trace_matches} deposit(s) match by trace and amount: "
                f"run `openrcm deposits match --practice {report.practice.slug}`"
            )
        if report.plbs:
            self.stdout.write("")
            self.stdout.write(f"Provider-level adjustments (PLB) ({len(report.plbs)})")
            for plb in report.plbs:
                self._line(
                    f"{plb.remittance.pk:>8}",
                    f"{plb.remittance.trace_number:20}",
                    f"{plb.adjustment.reason:3}",
                    f"{plb.description:32}",
                    f"{plb.adjustment.reference:20}",
                    f"{money(plb.effect_cents):>12}",
                )
        self.stdout.write("")
        self.stdout.write("Totals")
        for key, label in TOTALS:
            self._line(f"  {label:40}", f"{money(report.totals[key]):>14}")
