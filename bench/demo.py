"""Time `openrcm demo` (what `make run` loads) on a new SQLite file, wall and CPU.

    .venv/bin/python bench/demo.py [--patients N --encounters N --cycle-days N]

Runs the real console script: `openrcm init` on a new database in a temporary directory (not
timed), then `openrcm demo` with the options given (the defaults: the `make run` size), then
`openrcm status`. Prints the demo's wall and CPU seconds (the machine's other load shows in
wall time only) and its own report. Not a test: it only prints.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OPENRCM = Path(sys.executable).with_name("openrcm")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int)
    parser.add_argument("--encounters", type=int)
    parser.add_argument("--cycle-days", type=int)
    args = parser.parse_args()
    options = [
        f"--{name.replace('_', '-')}={value}"
        for name, value in vars(args).items()
        if value is not None
    ]
    with tempfile.TemporaryDirectory() as directory:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            DATABASE_URL=f"sqlite:///{Path(directory) / 'openrcm.sqlite3'}",
            OPENRCM_VAR_DIR=str(Path(directory) / "var"),
        )
        subprocess.run([OPENRCM, "init"], env=env, check=True, capture_output=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        demo = subprocess.run(
            [OPENRCM, "demo", *options], env=env, check=True, capture_output=True, text=True
        )
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        status = subprocess.run(
            [OPENRCM, "status"], env=env, check=True, capture_output=True, text=True
        )
    print(demo.stdout, end="")
    print(status.stdout, end="")
    print(f"openrcm demo {' '.join(options) or '(defaults)'}: {wall:.1f} s wall, {cpu:.1f} s CPU")


if __name__ == "__main__":
    main()
