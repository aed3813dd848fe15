"""`openrcm audit <subcommand>`: tools for the audit trail.

openrcm audit verify                 check the whole chain; exit 1 naming the first broken row
openrcm audit verify --anchor S:H    also check that row seq S still has hash H
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS

from openrcm.audit.chain import ChainHead
from openrcm.audit.selectors import audit_verify

ANCHOR_RE = re.compile(r"(\d+):([0-9a-f]{64})")


def parse_anchor(value: str | None) -> ChainHead | None:
    if not value:
        return None
    match = ANCHOR_RE.fullmatch(value.strip().lower())
    if match is None:
        raise CommandError(f"--anchor {value!r}: expected SEQ:HASH (a seq and 64 hex digits)")
    return ChainHead(seq=int(match[1]), hash=match[2])


class Command(BaseCommand):
    help = "Audit trail tools. Subcommands: verify (check the hash chain)."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", metavar="SUBCOMMAND", title="subcommands", required=True
        )
        verify = subcommands.add_parser(
            "verify",
            help="Check every event's hash, every link, seq continuity and the chain head; "
            "exit 1 naming the first broken row.",
        )
        verify.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: default)."
        )
        verify.add_argument(
            "--anchor",
            metavar="SEQ:HASH",
            help="A head printed by an earlier verify and kept outside the database: that row "
            "must still carry that hash (catches a rewrite of the whole chain).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        subcommand = options.pop("subcommand")
        getattr(self, f"handle_{subcommand}")(**options)

    def handle_verify(self, *, database: str, anchor: str | None, **options: Any) -> None:
        result = audit_verify(using=database, anchor=parse_anchor(anchor))
        if not result.ok:
            raise CommandError(str(result), returncode=1)
        self.stdout.write(str(result))
        if options.get("verbosity", 1) >= 1 and result.count:
            self.stdout.write(
                f"head: seq {result.last_seq} hash {result.last_hash} (keep it elsewhere; "
                f"check later with --anchor {result.last_seq}:{result.last_hash})"
            )
