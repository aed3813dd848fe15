"""Running `openrcm` commands in-process (call_command) and as the real console script."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management import call_command

OPENRCM = Path(sys.executable).with_name("openrcm")


def run(*args: str, stdin: str | None = None, **options: Any) -> str:
    """Run a command in-process; return what it printed on stdout."""
    out = io.StringIO()
    if stdin is not None:
        options["stdin"] = io.StringIO(stdin)
    call_command(*args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def script_env(directory: Path) -> dict[str, str]:
    """Environment for the console script: a SQLite file in `directory`, its var/ there too."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PORT"}}
    env.update(
        DATABASE_URL=f"sqlite:///{directory / 'openrcm.sqlite3'}",
        OPENRCM_VAR_DIR=str(directory / "var"),
        PYTHONUNBUFFERED="1",
    )
    return env


def script(
    directory: Path, *args: str, stdin: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(OPENRCM), *args],
        cwd=directory,
        env=script_env(directory),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
