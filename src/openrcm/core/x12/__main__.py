"""``python -m openrcm.core.x12 parse FILE [--json | --summary]`` and ``... show FILE``.

Exit status: 0 when the file reads, 2 on an X12 error (printed on stderr as
``file: segment N (ID), element E: message``) or a usage error. Never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from openrcm.core.x12.cli_views import parse_to_json, show, summary
from openrcm.core.x12.errors import X12Error


def _print(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # pragma: no cover - e.g. piped into head
        pass


def _human(data: dict[str, Any]) -> str:
    lines = [f"{data['file']}: {data['transaction_set']}, {data['sets']} set(s)"]
    for key, value in data.items():
        if key in ("file", "transaction_set", "sets", "per_set"):
            continue
        lines.append(f"  {key}: {value}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m openrcm.core.x12", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_parse = sub.add_parser("parse", help="read a file with the reader of its transaction set")
    p_parse.add_argument("file")
    mode = p_parse.add_mutually_exclusive_group()
    mode.add_argument("--json", action="store_true", help="print what was read as JSON")
    mode.add_argument("--summary", action="store_true", help="print counts and totals as JSON")
    p_show = sub.add_parser("show", help="readable view: segments, loops, element meanings")
    p_show.add_argument("file")
    args = parser.parse_args(argv)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        if args.command == "show":
            _print(show(args.file))
        elif args.json:
            _print(json.dumps(parse_to_json(args.file), indent=2) + "\n")
        elif args.summary:
            _print(json.dumps(summary(args.file), indent=2) + "\n")
        else:
            _print(_human(summary(args.file)))
    except X12Error as e:
        message = str(e if e.file is not None else e.with_file(args.file))
        sys.stderr.write(message.encode("ascii", "backslashreplace").decode("ascii") + "\n")
        return 2
    except Exception as e:  # never a traceback for the user
        sys.stderr.write(f"{args.file}: internal error ({type(e).__name__}): {e}\n")
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
