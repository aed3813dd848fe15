"""`openrcm scrub --practice SLUG [--json]` scrubs the draft and ready claims in the database;
`openrcm scrub FILE.837 [--json]` scrubs the claims of an 837P file and stores nothing.

The JSON lists each claim as ``{"patient_control_number": ..., "findings": [{"rule": ...,
"severity": "error" | "warning", "message": ..., "line": N | null, "field": ...}]}`` (claims of
the database also carry their ``status`` after the scrub). A file that cannot be read ends
with the X12 error (file, segment, element) on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.db import DatabaseError

from openrcm.core.scrub.engine import Finding
from openrcm.core.scrub.rules import ALL_RULES
from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.operations.database import DatabaseNotReady, database_require_ready

X12_ERROR_STATUS = 2


def _rule_lines(findings: Iterable[Finding]) -> list[str]:
    by_rule = Counter((f.rule_id, str(f.severity)) for f in findings)
    lines = []
    for (rule_id, severity), count in sorted(by_rule.items(), key=lambda i: (-i[1], i[0])):
        known = ALL_RULES.get(rule_id)
        title = known.title if known else ""
        lines.append(f"  {rule_id:<15} {severity:<8} {count:>6}  {title}".rstrip())
    return lines


class Command(OpenRCMCommand):
    help = (
        "Scrub claims: `--practice SLUG` scrubs the draft and ready claims in the database "
        "(clean ones go ready, held ones stay draft); `FILE` scrubs an 837P file and stores "
        "nothing (exit status 2 when the file cannot be read)."
    )
    needs_database = False  # a file is scrubbed without one
    requires_system_checks: list[str] = []  # see _practice

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="An 837P file to scrub (nothing is stored).")
        parser.add_argument("--practice", help="Slug of the practice whose claims to scrub.")
        parser.add_argument("--json", action="store_true", help="Print each claim's findings.")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options.get("file")) == bool(options.get("practice")):
            raise Error("give either an 837P FILE or --practice SLUG")
        if options.get("practice"):
            self._practice(options["practice"], as_json=options["json"])
        else:
            self._file(options["file"], as_json=options["json"])

    # -- the database's claims ---------------------------------------------------------------

    def _practice(self, slug: str, *, as_json: bool) -> None:
        self.check()  # skipped for files (they need no database): run for the database's claims
        database_require_ready()
        from openrcm.scrubbing.services import practice_scrub
        from openrcm.tenancy.models import Practice

        practice = Practice.objects.filter(slug=slug).first()
        if practice is None:
            raise Error(f"no practice with the slug {slug!r}")
        batch = practice_scrub(practice=practice)
        if as_json:
            entries = []
            for result in batch.results:
                entry = {
                    "patient_control_number": result.claim.patient_control_number,
                    "status": result.claim.status,
                    "findings": [finding.as_dict() for finding in result.findings],
                }
                entries.append(entry)
            self.stdout.write(json.dumps(entries, indent=2))
            return
        run = batch.run
        waiting = sum(1 for r in batch.results if not r.held and r.open_warnings)
        rate = f" ({run.clean_count / run.claim_count:.1%})" if run.claim_count else ""
        self.stdout.write(
            f"Scrubbed {run.claim_count:,} draft and ready claims of {practice.slug}: "
            f"{run.ready_count:,} ready, {run.held_count:,} held with errors, "
            f"{waiting:,} waiting for a warning override; {run.clean_count:,} clean{rate}."
        )
        lines = _rule_lines(f for r in batch.results for f in r.findings)
        if lines:
            self.stdout.write("Findings by rule:")
            self.stdout.write("\n".join(lines))

    # -- an 837P file ----------------------------------------------------------------------------

    def _file(self, path: str, *, as_json: bool) -> None:
        from openrcm.core.scrub.report import scrub_837p_file
        from openrcm.core.x12.errors import X12Error

        context = _file_context()
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise Error(
                f"{path}: cannot read the file: {exc.strerror or exc}", returncode=X12_ERROR_STATUS
            ) from exc
        try:
            results = scrub_837p_file(data, context, file=path)
        except X12Error as exc:
            named = exc if exc.file is not None else exc.with_file(path)
            raise Error(str(named), returncode=X12_ERROR_STATUS) from exc
        if as_json:
            self.stdout.write(json.dumps(results, indent=2))
            return
        findings = [item for entry in results for item in entry["findings"]]  # type: ignore[attr-defined]
        errors = sum(1 for entry in results if _has_error(entry))
        self.stdout.write(
            f"{path}: {len(results)} claim(s), {errors} with errors, {len(findings)} finding(s)."
        )
        for entry in results:
            items: list[dict[str, Any]] = entry["findings"]  # type: ignore[assignment]
            if not items:
                self.stdout.write(f"  {entry['patient_control_number']}: clean")
                continue
            self.stdout.write(f"  {entry['patient_control_number']}:")
            for item in items:
                where = f" line {item['line']}" if item["line"] is not None else ""
                self.stdout.write(
                    f"    {item['rule']} {item['severity']}{where}: {item['message']}"
                )


def _has_error(entry: dict[str, object]) -> bool:
    items: Any = entry["findings"]
    return any(item["severity"] == "error" for item in items)


def _database_exists() -> bool:
    """False for a SQLite file not created yet (scrubbing a file must not create one)."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "sqlite":
        return True
    name = str(settings.DATABASES["default"]["NAME"])
    return name == ":memory:" or name.startswith("file:") or Path(name).exists()


def _file_context() -> Any:
    """Today's context with the code sets loaded into the database when there is one (the
    imported NCCI and HCPCS files and ICD-10-CM releases), else the tables shipped with
    OpenRCM. No claim history: a file's claims are not the practice's."""
    import datetime as dt

    from openrcm.core.scrub.context import ScrubContext

    today = dt.date.today()  # noqa: DTZ011 - the operator's calendar day
    if not _database_exists():
        return ScrubContext(today=today)
    try:
        database_require_ready()
        from openrcm.codes import loaders

        return ScrubContext(
            today=today,
            icd10=loaders.icd10_code_set(),
            hcpcs=loaders.hcpcs_table(),
            ptp=loaders.ptp_table(),
            mue=loaders.mue_table(),
        )
    except (DatabaseNotReady, DatabaseError):
        return ScrubContext(today=today)
