"""`openrcm files <subcommand>`: tools for the encrypted file store.

openrcm files verify    decrypt every stored file and check its SHA-256; exit 1 naming each bad one
openrcm files rekey     re-seal the files of older keys with the current (first) key
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from openrcm.files.services import StoredFileError, file_rekey, file_verify_all


class Command(BaseCommand):
    help = "Encrypted file store tools. Subcommands: verify, rekey."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", metavar="SUBCOMMAND", title="subcommands", required=True
        )
        subcommands.add_parser(
            "verify",
            help="Decrypt every stored file and check its SHA-256; exit 1 naming each that fails.",
        )
        subcommands.add_parser(
            "rekey",
            help="Re-seal files sealed with an older key using the first key of "
            "OPENRCM_FILE_KEYS (then verify, then drop the old key).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['subcommand']}")(**options)

    def handle_verify(self, **options: Any) -> None:
        report = file_verify_all()
        for failure in report.failures:
            self.stderr.write(str(failure))
        if options.get("verbosity", 1) >= 2:
            for orphan in report.orphans:
                self.stdout.write(f"blob without a record: {orphan}")
        if not report.ok:
            raise CommandError(str(report), returncode=1)
        self.stdout.write(str(report))

    def handle_rekey(self, **options: Any) -> None:
        try:
            count = file_rekey()
        except StoredFileError as exc:
            raise CommandError(f"{exc}; nothing after it was re-sealed", returncode=1) from exc
        self.stdout.write(f"{count} stored file(s) re-sealed with the current key")
