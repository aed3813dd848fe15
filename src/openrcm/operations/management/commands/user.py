"""`openrcm user create`: a login, optionally with a role in one practice."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandParser

from openrcm.accounts.services import user_create
from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.tenancy.models import Practice, Role


class Command(OpenRCMCommand):
    help = "Create a user; with --practice and --role, also their membership in that practice."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create}")
        create = actions.add_parser("create", help="Create a user.")
        create.add_argument("username")
        create.add_argument("--practice", help="Slug of the practice the user works in.")
        create.add_argument("--role", help=f"One of: {', '.join(Role.values)}.")
        create.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input.",
        )
        create.add_argument("--email", default="")
        create.add_argument("--first-name", default="")
        create.add_argument("--last-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        practice = None
        role = options["role"]
        if options["practice"]:
            practice = Practice.objects.filter(slug=options["practice"]).first()
            if practice is None:
                raise Error(
                    f"practice: no practice with slug {options['practice']!r} "
                    "(see `openrcm practice list`)."
                )
            if not role:
                raise Error(f"role: give --role with --practice ({', '.join(Role.values)}).")
        if role and role not in Role.values:
            raise Error(f"role: {role!r} is not one of: {', '.join(Role.values)}.")
        if role and practice is None:
            raise Error("practice: --role needs --practice SLUG.")
        password = self.read_password(options)
        try:
            user = user_create(
                username=options["username"],
                password=password,
                practice=practice,
                role=role,
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
        except ValueError as exc:
            raise Error(f"username: {exc}.") from exc
        except ValidationError as exc:  # the password validators speak in plain sentences
            raise Error("password: " + " ".join(exc.messages)) from exc
        where = f" as {role} in {practice.slug}" if practice is not None else " (no practice yet)"
        self.stdout.write(self.style.SUCCESS(f"Created user {user.username}{where}."))

    def read_password(self, options: dict[str, Any]) -> str:
        if options["password_stdin"]:
            stream = options.get("stdin") or sys.stdin
            password = stream.readline().rstrip("\r\n")
            if not password:
                raise Error("password: standard input held no password.")
            return password
        if sys.stdin.isatty():
            first = getpass.getpass("Password: ")
            if first != getpass.getpass("Password (again): "):
                raise Error("password: the two entries differ.")
            return first
        raise Error("password: give --password-stdin and the password on standard input.")
