"""`openrcm quickstart` (`make run`): init, demo data when the database is empty, then serve."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandParser

from openrcm.operations.commanding import OpenRCMCommand
from openrcm.operations.management.commands.serve import add_serve_arguments, run_server
from openrcm.operations.server import serve_port, serve_url
from openrcm.tenancy.models import Organization


class Command(OpenRCMCommand):
    help = (
        "Create or upgrade the database, load the demo when it is empty, print the URL and the "
        "demo login, and serve."
    )
    needs_database = False

    def add_arguments(self, parser: CommandParser) -> None:
        add_serve_arguments(parser)
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare and print, but do not serve."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("init", stdout=self.stdout, stderr=self.stderr)
        if not Organization.objects.exists():
            self.stdout.write("The database is empty: loading the demo ...")
            call_command("demo", stdout=self.stdout, stderr=self.stderr)
        else:
            self.stdout.write("The database already holds data: the demo is not loaded.")
        url = serve_url(options["host"], serve_port(options["port"]))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"  OpenRCM: {url}"))
        login = self.demo_login()
        if login:
            self.stdout.write(self.style.SUCCESS(f"  Log in as: {login}  (synthetic demo data)"))
        self.stdout.write("")
        if not options["no_serve"]:
            run_server(self, options)

    @staticmethod
    def demo_login() -> str:
        """`user / password` when the demo login exists with its published password."""
        user = get_user_model().objects.filter(username=settings.OPENRCM_DEMO_USERNAME).first()
        if user is None or not Organization.objects.filter(is_demo=True).exists():
            return ""
        if not user.check_password(settings.OPENRCM_DEMO_PASSWORD):
            return f"{user.username} (password changed from the published demo one)"
        return f"{user.username} / {settings.OPENRCM_DEMO_PASSWORD}"
