"""`openrcm codes import KIND FILE... [--practice SLUG]` and `openrcm codes list`.

KIND is hcpcs, ncci-ptp, mue, carc, rarc or cpt (cpt with --practice: a practice's own list,
loaded under its own license). An import is all or nothing: a row that cannot be read ends with
its file and line on stderr, exit status 1, and the code set in use unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser

from openrcm.codes.models import CodeKind
from openrcm.codes.selectors import code_import_list
from openrcm.codes.services import CodeImportError, codes_import
from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.tenancy.models import Practice


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Error(f"--effective {text!r}: write the date as YYYY-MM-DD") from None


class Command(OpenRCMCommand):
    help = "Load official code set files (`import KIND FILE...`) or list the imports (`list`)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,list}")
        load = actions.add_parser(
            "import",
            help="Load a code set from its files, replacing the previous import of the kind.",
        )
        load.add_argument("kind", choices=CodeKind.values)
        load.add_argument(
            "files", nargs="+", metavar="FILE", help="A quarter's PTP edits come in several files."
        )
        load.add_argument("--practice", help="The practice whose CPT list this is (cpt only).")
        load.add_argument("--quarter", default="", help="A label such as 2026Q2.")
        load.add_argument("--effective", help="The date the files take effect (YYYY-MM-DD).")
        actions.add_parser("list", help="The imports in use.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
            return
        practice = None
        if options.get("practice"):
            practice = Practice.objects.filter(slug=options["practice"]).first()
            if practice is None:
                raise Error(f"no practice with the slug {options['practice']!r}")
        effective = _date(options["effective"]) if options.get("effective") else None
        try:
            record = codes_import(
                kind=options["kind"],
                files=options["files"],
                practice=practice,
                quarter=options["quarter"],
                effective_from=effective,
            )
        except CodeImportError as exc:
            raise Error(str(exc)) from exc
        owner = f" for {practice.slug}" if practice else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {record.rows:,} {record.kind} rows{owner} from {record.files} "
                f"(import {record.pk})."
            )
        )

    def _list(self) -> None:
        imports = list(code_import_list(current_only=True))
        if not imports:
            self.stdout.write("No code set imported: the shipped tables are in use.")
            return
        for item in imports:
            owner = item.practice.slug if item.practice else "all practices"
            self.stdout.write(
                f"{item.kind:<9} {owner:<20} {item.quarter or '-':<8} {item.rows:>9,} rows  "
                f"{item.files}  (import {item.pk}, {item.imported_at:%Y-%m-%d %H:%M})"
            )
