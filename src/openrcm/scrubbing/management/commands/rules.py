"""`openrcm rules dry-run [--pack P] [--since DATE] [--practice SLUG] [--json]`: replay the
rules over past claims and print what each would have caught (claims, findings, examples).
Nothing is stored. `openrcm rules list` prints every built-in rule.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import CommandParser

from openrcm.core.scrub.rules import ALL_PACKS, pack
from openrcm.operations.commanding import Error, OpenRCMCommand

PAYER = "payer"


class Command(OpenRCMCommand):
    help = "Scrubber rules: `dry-run` replays them over past claims (stores nothing); `list`."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{dry-run,list}")
        dry = actions.add_parser(
            "dry-run", help="What each rule would have caught on past claims; nothing stored."
        )
        names = [p.name for p in ALL_PACKS] + [PAYER]
        dry.add_argument(
            "--pack",
            action="append",
            choices=names,
            help="Only this pack (repeatable); 'payer' for the payers' rules. Default: all.",
        )
        dry.add_argument("--since", help="Dates of service from this date (YYYY-MM-DD).")
        dry.add_argument("--practice", help="Only this practice (slug). Default: every practice.")
        dry.add_argument("--examples", type=int, default=3, help="Example claims per rule.")
        dry.add_argument("--json", action="store_true")
        actions.add_parser("list", help="Every built-in rule: id, severity, pack, title.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for item in ALL_PACKS:
                for rule in item.rules:
                    self.stdout.write(
                        f"{rule.id:<10} {rule.severity!s:<8} {item.name:<13} {rule.title}"
                    )
            return
        self._dry_run(options)

    def _dry_run(self, options: dict[str, Any]) -> None:
        from openrcm.scrubbing.dry_run import rules_dry_run
        from openrcm.tenancy.models import Practice

        since = None
        if options.get("since"):
            try:
                since = dt.date.fromisoformat(options["since"])
            except ValueError:
                raise Error(f"--since {options['since']!r}: write the date as YYYY-MM-DD") from None
        practices = Practice.objects.order_by("slug")
        if options.get("practice"):
            practices = practices.filter(slug=options["practice"])
            if not practices.exists():
                raise Error(f"no practice with the slug {options['practice']!r}")
        chosen = options.get("pack")
        packs = [pack(name) for name in chosen if name != PAYER] if chosen else None
        report = rules_dry_run(
            practices=list(practices),
            since=since,
            packs=packs,
            payer_rules=not chosen or PAYER in chosen,
            examples=max(options["examples"], 0),
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
            return
        since_text = f", dates of service from {since.isoformat()}" if since else ""
        self.stdout.write(
            f"Dry run over {report.claims:,} claims of {report.practices} practice(s)"
            f"{since_text}; packs: {', '.join(report.packs)}. Nothing was stored."
        )
        ordered = report.ordered()
        if not ordered:
            self.stdout.write("No rule would have caught anything.")
            return
        self.stdout.write(f"{'rule':<15} {'severity':<8} {'claims':>7} {'findings':>9}  title")
        for tally in ordered:
            self.stdout.write(
                f"{tally.rule_id:<15} {tally.severity:<8} {len(tally.claims):>7,} "
                f"{tally.findings:>9,}  {tally.title}".rstrip()
            )
            for example in tally.examples:
                self.stdout.write(
                    f"    e.g. {example['patient_control_number']} ({example['practice']}): "
                    f"{example['message']}"
                )
