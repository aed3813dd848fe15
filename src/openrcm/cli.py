"""The `openrcm` console script: OpenRCM's own commands, and every Django management command."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """Entry point: `openrcm <command> [options]` runs the management command of that name."""
    from openrcm.config.settings.selector import configure

    configure()
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["openrcm", *args])


if __name__ == "__main__":
    main()
