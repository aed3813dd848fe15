"""`openrcm serve`: serve OpenRCM with waitress (static files by WhiteNoise)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from openrcm.operations.commanding import Error, OpenRCMCommand
from openrcm.operations.server import DEFAULT_HOST, ServeError, serve, serve_port


class Command(OpenRCMCommand):
    help = "Serve the application (waitress). Port: --port, else $PORT, else 8000."

    def add_arguments(self, parser: CommandParser) -> None:
        add_serve_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        run_server(self, options)


def add_serve_arguments(parser: CommandParser) -> None:
    parser.add_argument("--port", type=int, default=None, help="Default: $PORT, else 8000.")
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help="Address to bind. Default: %(default)s (this machine)."
    )
    parser.add_argument("--threads", type=int, default=8, help="Worker threads. Default: 8.")


def run_server(command: OpenRCMCommand, options: dict[str, Any]) -> None:
    try:
        port = serve_port(options["port"])

        def ready(url: str) -> None:
            command.stdout.write(
                command.style.SUCCESS(f"OpenRCM is serving on {url}") + "  (Ctrl+C stops it)"
            )
            command.stdout.flush()

        serve(host=options["host"], port=port, threads=options["threads"], ready=ready)
    except ServeError as exc:
        raise Error(str(exc)) from exc
    command.stdout.write("Stopped.")
