"""atheris (libFuzzer) harness over every X12 reader of ``openrcm.core.x12``.

Only X12Error may escape a reader; anything else is a crash that libFuzzer saves as
``crash-<sha1>`` for a regression test. The entry points are those of ``x12_targets.py``
(tokenizer, envelope, every transaction set's ``read_*``/``iter_*``, and the CLI's file entry
points ``x12 parse --json``/``--summary``/``show``).

atheris is not a project dependency: install it into a virtual environment for local runs only
(``uv pip install --python .venv/bin/python atheris``). Run, with the sample files as the seed
corpus (a copy, since libFuzzer adds what it finds to the first corpus directory)::

    mkdir -p var/fuzz/corpus && cp ../shared/samples/x12/*/* var/fuzz/corpus/
    .venv/bin/python fuzz/atheris_x12.py var/fuzz/corpus -max_total_time=600 \\
        -timeout=1 -rss_limit_mb=2048 -artifact_prefix=var/fuzz/

``-timeout=1`` makes an input that takes over a second a failure (a hang), as the Hypothesis
tests' deadline does. By default each input goes through the tokenizer, the envelope and the
readers of the transaction sets it holds (as the CLI dispatches); ``--all-readers`` runs every
reader on every input, ``--files`` adds the file-based CLI entry points (both slower).
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import atheris

with atheris.instrument_imports():
    import x12_targets

FLAGS = ("--files", "--all-readers")
SCRATCH = tempfile.mkdtemp(prefix="x12-atheris-") if "--files" in sys.argv else None
DISPATCH = "--all-readers" not in sys.argv


PREFIX = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("-artifact_prefix=")), "")


def test_one_input(data: bytes) -> None:
    try:
        x12_targets.read_all_ways(data, scratch=SCRATCH, dispatch=DISPATCH)
    except x12_targets.Failure as failure:
        # Keep the input (libFuzzer does not always write its artifact for a Python exception),
        # with the reader's own traceback, then let libFuzzer report the crash.
        name = f"{PREFIX}x12-crash-{hashlib.sha1(data).hexdigest()}"  # noqa: S324 - a file name
        with open(name, "wb") as fh:
            fh.write(data)
        with open(name + ".txt", "w") as fh:
            fh.write("".join(traceback.format_exception(failure.exc)))
        raise


def main() -> None:
    argv = [a for a in sys.argv if a not in FLAGS]
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
