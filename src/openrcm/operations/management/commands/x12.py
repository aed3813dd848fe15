"""`openrcm x12 parse FILE [--json | --summary]` and `openrcm x12 show FILE`.

Thin wrappers over the pure functions of `openrcm.core.x12.cli_views`. An unreadable or broken
file ends with its error (file, segment number, segment id, element, message) on stderr and
exit status 2, never a traceback.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from openrcm.operations.commanding import Error, OpenRCMCommand

X12_ERROR_STATUS = 2


class Command(OpenRCMCommand):
    help = "Read an X12 file: `parse FILE [--json | --summary]`, or `show FILE` for billers."
    needs_database = False
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{parse,show}")
        parse = actions.add_parser("parse", help="Read a file with its transaction set's reader.")
        parse.add_argument("file")
        mode = parse.add_mutually_exclusive_group()
        mode.add_argument("--json", action="store_true", help="Print what was read as JSON.")
        mode.add_argument("--summary", action="store_true", help="Print counts and totals (JSON).")
        show = actions.add_parser("show", help="A readable view: segments, loops, meanings.")
        show.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            from openrcm.core.x12 import cli_views
            from openrcm.core.x12.errors import X12Error
        except ImportError as exc:  # the readers ship separately from this command
            raise Error(f"the X12 readers are not available in this installation: {exc}") from exc

        path = options["file"]
        try:
            if options["action"] == "show":
                text = cli_views.show(path)
            elif options.get("json"):
                text = json.dumps(cli_views.parse_to_json(path), indent=2)
            elif options.get("summary"):
                text = json.dumps(cli_views.summary(path), indent=2)
            else:
                text = _human(cli_views.summary(path))
        except X12Error as exc:
            named = exc if exc.file is not None else exc.with_file(path)
            raise Error(str(named), returncode=X12_ERROR_STATUS) from exc
        except OSError as exc:
            raise Error(
                f"{path}: cannot read the file: {exc.strerror or exc}", returncode=X12_ERROR_STATUS
            ) from exc
        self.stdout.write(text.rstrip("\n"))


def _human(data: dict[str, Any]) -> str:
    lines = [f"{data['file']}: {data['transaction_set']}, {data['sets']} set(s)"]
    lines += [
        f"  {key}: {value}"
        for key, value in data.items()
        if key not in {"file", "transaction_set", "sets", "per_set"}
    ]
    return "\n".join(lines)
