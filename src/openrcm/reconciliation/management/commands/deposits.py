"""`openrcm deposits import FILE --practice SLUG [--map FIELD=HEADER ...] [--json]` and
`openrcm deposits match --practice SLUG [--json]`.

`import` reads a bank's CSV export into deposits, all or nothing (a bad row refuses the file,
naming the row and column; the same file twice imports nothing and says so). `match` pairs
unmatched deposits with unmatched 835 remittances by trace number and amount and lists the
discrepancies (same trace, different amount) and amount-and-date suggestions left for a person.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.reconciliation.services import (
    BankCsvError,
    ReconciliationError,
    deposits_import_csv,
    deposits_match,
)
from openrcm.tenancy.models import Practice


def practice_named(slug: str) -> Practice:
    practice = Practice.objects.filter(slug=slug).first()
    if practice is None:
        raise Error(f"no practice {slug!r}")
    return practice


class Command(OpenRCMCommand):
    help = "Bank deposits: import a bank CSV, match deposits to 835 remittances."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a bank CSV export as deposits.")
        imp.add_argument("file", help="The bank's CSV file.")
        imp.add_argument("--practice", required=True, help="The practice's slug.")
        imp.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="FIELD=HEADER",
            help="The file's header for one of our fields (date, amount, credit, debit, "
            "description, type, reference, check_number, payer); repeatable.",
        )
        imp.add_argument("--json", action="store_true", help="Print JSON.")
        match = sub.add_parser("match", help="Match deposits to remittances by trace and amount.")
        match.add_argument("--practice", required=True, help="The practice's slug.")
        match.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        practice = practice_named(options["practice"])
        if options["action"] == "import":
            self._import(practice, options)
        else:
            self._match(practice, options)

    def _import(self, practice: Practice, options: dict[str, Any]) -> None:
        mapping: dict[str, str] = {}
        for item in options["map"]:
            key, sep, header = item.partition("=")
            if not sep or not key.strip() or not header.strip():
                raise Error(f"--map {item!r}: write FIELD=HEADER, e.g. date='Post Date'")
            mapping[key.strip()] = header.strip()
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Error(f"cannot read {path}: {exc.strerror or exc}") from exc
        try:
            result = deposits_import_csv(
                practice=practice, data=data, name=path.name, mapping=mapping or None
            )
        except (BankCsvError, ReconciliationError) as exc:
            raise Error(f"nothing imported: {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), indent=2))
            return
        self.stdout.write(
            f"{path.name} ({practice.slug}): {result.rows} lines read, "
            f"{result.deposits_created} deposits ({result.as_json()['deposits_amount']}), "
            f"{result.skipped} debits or zero skipped, {result.duplicates} duplicates"
        )
        for warning in result.warnings:
            self.stdout.write(f"  note: {warning}")

    def _match(self, practice: Practice, options: dict[str, Any]) -> None:
        result = deposits_match(practice=practice)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), indent=2))
            return
        self.stdout.write(
            f"{practice.slug}: {len(result.matched)} deposits matched by trace and amount; "
            f"unmatched: {result.unmatched_deposits} deposits, "
            f"{result.unmatched_remittances} remittances"
        )
        for row in result.matched:
            self.stdout.write(
                f"  matched deposit {row['deposit_id']} {row['amount']} trace "
                f"{row['trace_number']} -> remittance(s) {row['remittance_ids']}"
            )
        for row in result.discrepancies:
            self.stdout.write(
                f"  DISCREPANCY deposit {row['deposit_id']} trace {row['trace_number']}: "
                f"deposit {row['deposit_amount']}, 835 {row['remittance_amount']} "
                f"(difference {row['difference']})"
            )
        for row in result.suggestions:
            self.stdout.write(
                f"  suggested (amount and date, confirm by hand): deposit {row['deposit_id']} "
                f"-> remittance {row['remittance_id']} ({row['amount']})"
            )
