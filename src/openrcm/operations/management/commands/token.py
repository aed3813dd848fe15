"""`openrcm token create USERNAME`: an API bearer token, printed once on the last line."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandParser

from openrcm.accounts.services import token_create
from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.tenancy.models import Practice


class Command(OpenRCMCommand):
    help = "Create an API token (Authorization: Bearer ...) for a user. Shown only once."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create}")
        create = actions.add_parser("create", help="Create a token; its last line is the token.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for, e.g. ehr-import.")
        create.add_argument(
            "--days",
            type=int,
            default=None,
            help="Days until it expires (default OPENRCM_API_TOKEN_DAYS, 90).",
        )
        create.add_argument(
            "--practice",
            action="append",
            default=None,
            metavar="SLUG",
            help="Limit the token to this practice of the user's (repeat for more); "
            "default: all of the user's practices.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise Error(f"username: no user {options['username']!r}.")
        if not user.is_active:
            raise Error(f"username: user {user.username!r} is inactive.")
        practices = None
        if options["practice"]:
            slugs = list(dict.fromkeys(options["practice"]))
            practices = list(Practice.objects.filter(slug__in=slugs))
            unknown = sorted(set(slugs) - {p.slug for p in practices})
            if unknown:
                raise Error(f"practice: no practice {', '.join(map(repr, unknown))}.")
        try:
            token, key = token_create(
                user=user, name=options["name"], days=options["days"], practices=practices
            )
        except ValueError as exc:
            raise Error(str(exc)) from exc
        label = f" {token.name!r}" if token.name else ""
        scope = f" for {', '.join(p.slug for p in practices)} only" if practices else ""
        self.stdout.write(
            f"Created API token{label} for {user.username}{scope}, valid until "
            f"{token.expires_at:%Y-%m-%d %H:%M} UTC; it is shown only this once. "
            "Send it as `Authorization: Bearer <token>`:"
        )
        self.stdout.write(key)
