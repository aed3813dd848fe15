"""`openrcm era import FILE [--practice SLUG] [--json]`: post an 835 file.

Prints what was posted (claims, lines, the payment amount, duplicates, exceptions, refused
sets); with --json the document `{"claims_posted": N, "lines_posted": N, "payment_amount":
"120.00", "duplicates": N, "exceptions": N, "refused_sets": N, ...}`. Exits non-zero when the
file cannot be read at all; a refused set is reported, and the others post.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.posting.services import EraImportError, era_import
from openrcm.tenancy.models import Practice


class Command(OpenRCMCommand):
    help = "Import 835 remittance files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Post an 835 file.")
        imp.add_argument("file", help="The 835 file.")
        imp.add_argument(
            "--practice", help="The practice's slug (default: the 835's payee NPI or tax id)."
        )
        imp.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        practice = None
        if options.get("practice"):
            practice = Practice.objects.filter(slug=options["practice"]).first()
            if practice is None:
                raise Error(f"no practice {options['practice']!r}")
        try:
            result = era_import(path=options["file"], practice=practice)
        except EraImportError as exc:
            raise Error(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), indent=2))
            return
        self.stdout.write(
            f"{options['file']} ({result.practice}): {result.sets_posted} of {result.sets} sets "
            f"posted, {result.claims_posted} claims, {result.lines_posted} lines, "
            f"payment {result.payment_amount}; duplicates {result.duplicates}, "
            f"exceptions {result.exceptions}, refused sets {result.refused_sets}"
        )
        for error in result.errors:
            self.stderr.write(f"  refused: {error}")
        for warning in result.warnings:
            self.stdout.write(f"  note: {warning}")
