"""`openrcm codes import KIND FILE... [--practice SLUG]` and `openrcm codes list`.

KIND is hcpcs, ncci-ptp, mue, carc, rarc or cpt (cpt with --practice: a practice's own list,
loaded under its own license), or icd10cm: `import icd10cm FILE --effective-from YYYY-MM-DD
[--effective-to YYYY-MM-DD] [--name TEXT]` loads a CMS ICD-10-CM release (the order file or the
codes file) beside the shipped one, once per file. An import is all or nothing: a row that
cannot be read ends with its file and line on stderr, exit status 1, and the code set in use
unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandParser

from openrcm.codes.models import CodeKind
from openrcm.codes.selectors import code_import_list, icd10_release_list
from openrcm.codes.services import CodeImportError, codes_import, icd10_release_import
from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.tenancy.models import Practice

ICD10CM = "icd10cm"


def _date(text: str, option: str = "--effective") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Error(f"{option} {text!r}: write the date as YYYY-MM-DD") from None


class Command(OpenRCMCommand):
    help = "Load official code set files (`import KIND FILE...`) or list the imports (`list`)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,list}")
        load = actions.add_parser(
            "import",
            help="Load a code set from its files, replacing the previous import of the kind.",
        )
        load.add_argument("kind", choices=[*CodeKind.values, ICD10CM])
        load.add_argument(
            "files", nargs="+", metavar="FILE", help="A quarter's PTP edits come in several files."
        )
        load.add_argument("--practice", help="The practice whose CPT list this is (cpt only).")
        load.add_argument("--quarter", default="", help="A label such as 2026Q2.")
        load.add_argument("--effective", help="The date the files take effect (YYYY-MM-DD).")
        load.add_argument("--effective-from", help="icd10cm: the release's first day.")
        load.add_argument("--effective-to", help="icd10cm: its last day (default: end of term).")
        load.add_argument("--name", default="", help='icd10cm: e.g. "FY2027 October 1, 2026".')
        actions.add_parser("list", help="The imports in use.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
            return
        if options["kind"] == ICD10CM:
            self._icd10(options)
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

    def _icd10(self, options: dict[str, Any]) -> None:
        if len(options["files"]) != 1 or not options.get("effective_from"):
            raise Error("icd10cm takes one file and --effective-from YYYY-MM-DD")
        end = options.get("effective_to")
        try:
            record, new = icd10_release_import(
                file=options["files"][0],
                effective_from=_date(options["effective_from"], "--effective-from"),
                effective_to=_date(end, "--effective-to") if end else None,
                name=options["name"],
            )
        except CodeImportError as exc:
            raise Error(str(exc)) from exc
        what = "Loaded" if new else "Already loaded (same file), nothing changed:"
        self.stdout.write(
            self.style.SUCCESS(
                f"{what} {record.name}: {record.code_count:,} codes "
                f"({record.billable_count:,} billable), {record.effective_from} to "
                f"{record.effective_to} (release {record.pk})."
            )
        )

    def _list(self) -> None:
        releases = list(icd10_release_list())
        for release in releases:
            self.stdout.write(
                f"icd10cm   {release.name}  {release.effective_from}..{release.effective_to}  "
                f"{release.code_count:>9,} codes  {release.source_file}  (release {release.pk})"
            )
        imports = list(code_import_list(current_only=True))
        if not imports:
            shipped = "other " if releases else ""
            self.stdout.write(f"No {shipped}code set imported: the shipped tables are in use.")
            return
        for item in imports:
            owner = item.practice.slug if item.practice else "all practices"
            self.stdout.write(
                f"{item.kind:<9} {owner:<20} {item.quarter or '-':<8} {item.rows:>9,} rows  "
                f"{item.files}  (import {item.pk}, {item.imported_at:%Y-%m-%d %H:%M})"
            )
