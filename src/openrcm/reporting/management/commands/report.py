"""`openrcm report kpi|aging|monthly`: a practice's KPIs for a period, its A/R aging at a date,
its monthly report as a PDF.

    openrcm report kpi --practice SLUG --from DATE --to DATE [--as-of DATE] [--json]
    openrcm report aging --practice SLUG --as-of DATE [--json]
    openrcm report monthly --practice SLUG --month YYYY-MM --out FILE.pdf
    openrcm report check [--practice SLUG]
    openrcm report rebuild [--practice SLUG]

``monthly`` generates (or regenerates) the stored report of that month, as the scheduler does
on the 1st, and writes its PDF to ``--out``; it e-mails nobody.

``check`` compares the claim timelines the KPIs are counted from (``reporting.ClaimTimeline``,
kept by the writers) with the claims, their history, scrubs and 835 claim payments, prints
each difference naming the claim and exits non-zero on any; ``rebuild`` recomputes them (after
rows were written other than through the services, or a practice's time zone changed).

Without ``--json`` a table: each KPI with its published formula (the core's ``FORMULAS``).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from openrcm.core.money import cents_to_decimal
from openrcm.core.reporting import BUCKETS, FORMULAS, SIDES
from openrcm.files.services import file_read
from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.reporting.aging_selectors import aging_for
from openrcm.reporting.monthly_content import month_parse
from openrcm.reporting.selectors import kpi_for
from openrcm.reporting.services import monthly_report_generate
from openrcm.reporting.timelines import claim_timelines_check, claim_timelines_rebuild
from openrcm.tenancy.models import Practice


def _date(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Error(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def _practice(slug: str) -> Practice:
    practice = Practice.objects.filter(slug=slug).first()
    if practice is None:
        raise Error(f"--practice: no practice {slug!r}")
    return practice


class Command(OpenRCMCommand):
    help = (
        "Reports: a practice's KPIs for a period, its A/R aging at a date, its monthly report "
        "(PDF)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        kpi = sub.add_parser("kpi", help="KPIs for a period (formulas beside the numbers).")
        kpi.add_argument("--practice", required=True, help="The practice's slug.")
        kpi.add_argument("--from", dest="start", required=True, help="First day (YYYY-MM-DD).")
        kpi.add_argument("--to", dest="end", required=True, help="Last day (YYYY-MM-DD).")
        kpi.add_argument(
            "--as-of", dest="as_of", help="Day the A/R over 90/120 is measured (default: --to)."
        )
        kpi.add_argument("--json", action="store_true", help="Print JSON.")
        aging = sub.add_parser("aging", help="A/R aging by date of service at a date.")
        aging.add_argument("--practice", required=True, help="The practice's slug.")
        aging.add_argument("--as-of", dest="as_of", required=True, help="YYYY-MM-DD.")
        aging.add_argument("--json", action="store_true", help="Print JSON.")
        monthly = sub.add_parser(
            "monthly", help="Generate and store a month's practice report; write the PDF."
        )
        monthly.add_argument("--practice", required=True, help="The practice's slug.")
        monthly.add_argument("--month", required=True, help="The month (YYYY-MM).")
        monthly.add_argument("--out", required=True, help="Where to write the PDF.")
        check = sub.add_parser(
            "check", help="Compare the claim timelines (KPI counts) with the source tables."
        )
        check.add_argument("--practice", help="One practice's slug (default: all).")
        rebuild = sub.add_parser(
            "rebuild", help="Recompute the claim timelines from the source tables."
        )
        rebuild.add_argument("--practice", help="One practice's slug (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "kpi":
            self._kpi(options)
        elif options["action"] == "monthly":
            self._monthly(options)
        elif options["action"] == "check":
            self._check(options)
        elif options["action"] == "rebuild":
            chosen = [_practice(options["practice"])] if options.get("practice") else None
            written = claim_timelines_rebuild(practices=chosen)
            self.stdout.write(f"{written} claim timelines recomputed")
        else:
            self._aging(options)

    def _kpi(self, options: dict[str, Any]) -> None:
        start = _date("--from", options["start"])
        end = _date("--to", options["end"])
        as_of = _date("--as-of", options["as_of"]) if options.get("as_of") else None
        if end < start:
            raise Error(f"--to {end.isoformat()} is before --from {start.isoformat()}")
        practice = _practice(options["practice"])
        report = kpi_for([practice], start=start, end=end, as_of=as_of).as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        self.stdout.write(
            f"{practice.name} ({practice.slug}): {start.isoformat()} to {end.isoformat()}, "
            f"A/R as of {report['as_of']}"
        )
        for key, value in report.items():
            if key in ("period_start", "period_end", "as_of"):
                continue
            shown = "-" if value is None else str(value)
            self.stdout.write(f"  {key:<24} {shown:>12}  {FORMULAS.get(key, '')}")

    def _check(self, options: dict[str, Any]) -> None:
        chosen = [_practice(options["practice"])] if options.get("practice") else None
        problems = claim_timelines_check(practices=chosen)
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise Error(
                f"{len(problems)} claim timelines differ from the source tables "
                "(openrcm report rebuild recomputes them)"
            )
        self.stdout.write("claim timelines agree with the claims, history, scrubs and 835s")

    def _aging(self, options: dict[str, Any]) -> None:
        as_of = _date("--as-of", options["as_of"])
        practice = _practice(options["practice"])
        report = aging_for([practice], as_of)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
            return
        self.stdout.write(
            f"{practice.name} ({practice.slug}): A/R aging by date of service as of "
            f"{as_of.isoformat()}"
        )
        self.stdout.write(f"  {'':<10}" + "".join(f"{label:>12}" for label in BUCKETS))
        for side in SIDES:
            cells = getattr(report.total, side)
            self.stdout.write(
                f"  {side:<10}"
                + "".join(f"{cents_to_decimal(cell.cents):>12.2f}" for cell in cells)
            )

    def _monthly(self, options: dict[str, Any]) -> None:
        try:
            month = month_parse(options["month"])
        except ValueError as exc:
            raise Error(f"--month: {exc}") from None
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise Error(f"--out {str(out)!r}: no directory {str(out.parent)!r}")
        practice = _practice(options["practice"])
        report = monthly_report_generate(practice=practice, month=month)
        data = file_read(stored=report.stored)
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise Error(f"--out {str(out)!r}: {exc.strerror}") from None
        self.stdout.write(
            f"{practice.name} ({practice.slug}): monthly report {month:%Y-%m} stored "
            f"(#{report.pk}, sha256 {report.sha256[:12]}) and written to {out} "
            f"({len(data):,} bytes)"
        )
