"""Serving the application: waitress (a production-grade pure-Python WSGI server) with
WhiteNoise in front for the static files collected under STATIC_ROOT."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

DEFAULT_PORT = 8000
DEFAULT_HOST = "127.0.0.1"


class ServeError(Exception):
    """The server cannot start (bad port, address in use ...); the message says why."""


def serve_port(option: int | None) -> int:
    """The port: --port, else $PORT, else 8000."""
    if option is not None:
        port = option
    else:
        raw = os.environ.get("PORT", "").strip()
        if not raw:
            return DEFAULT_PORT
        try:
            port = int(raw)
        except ValueError:
            raise ServeError(f"PORT={raw!r} is not a port number (1-65535).") from None
    if not 1 <= port <= 65535:
        raise ServeError(f"port {port} is not between 1 and 65535.")
    return port


def serve_url(host: str, port: int) -> str:
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)  # noqa: S104
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/"


def static_collect() -> None:
    """Copy the apps' static files to STATIC_ROOT (only what changed)."""
    call_command("collectstatic", interactive=False, verbosity=0)


def wsgi_app() -> Any:
    """The Django application with WhiteNoise serving STATIC_URL from STATIC_ROOT."""
    from whitenoise import WhiteNoise

    return WhiteNoise(
        get_wsgi_application(),
        root=str(settings.STATIC_ROOT),
        prefix=settings.STATIC_URL,
        max_age=3600,
    )


def serve(
    *, host: str, port: int, threads: int = 8, ready: Callable[[str], None] | None = None
) -> None:
    """Serve until interrupted. `ready(url)` is called once the port is bound."""
    from waitress import create_server

    static_collect()
    try:
        server: Any = create_server(wsgi_app(), host=host, port=port, threads=threads)
    except OSError as exc:
        raise ServeError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}. "
            "Is another server running there? Choose another port with --port or PORT."
        ) from exc
    if ready is not None:
        ready(serve_url(host, port))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
