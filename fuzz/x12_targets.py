"""The X12 reading entry points the fuzzers drive, and one function that feeds them an input.

Every reader of ``openrcm.core.x12`` must be total: for any bytes it returns or raises
``X12Error``; any other exception (or a hang) is a bug. ``read_all_ways(data)`` runs the input
through the tokenizer, the envelope reader (bodies consumed), every transaction set reader (both
the strict ``read_*`` and the quarantining ``iter_*`` forms) and, when ``with_files`` is set, the
CLI's file entry points (``x12 parse --json``, ``--summary`` and ``x12 show``). Exceptions other
than X12Error propagate to the caller, who reports them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

from openrcm.core.x12 import ack277ca, ack999, claim837p, claim_status, cli_views, eligibility, era
from openrcm.core.x12.envelope import iter_transaction_sets
from openrcm.core.x12.errors import X12Error
from openrcm.core.x12.ta1 import read_ta1
from openrcm.core.x12.tokenizer import iter_segments


def _consume(items: Iterable[Any]) -> None:
    for _ in items:
        pass


def _segments(data: bytes) -> None:
    _consume(iter_segments(data, strict=False))


def _envelope(data: bytes) -> set[str]:
    """Read the envelope and every body; return the ST01 values seen."""
    seen: set[str] = set()
    for ts in iter_transaction_sets(data):
        if ts.kind == "set":
            seen.add(ts.transaction_set_id)
        if ts.error is None:
            with contextlib.suppress(X12Error):
                _consume(ts.segments)
    return seen


READERS: tuple[tuple[str, Callable[[bytes], Any]], ...] = (
    ("tokenizer", _segments),
    ("envelope", _envelope),
    ("read_835", era.read_835),
    ("iter_remittance", lambda d: _consume(era.iter_remittance(d))),
    ("read_837p", claim837p.read_837p),
    ("iter_837p", lambda d: _consume(claim837p.iter_837p(d))),
    ("read_999", ack999.read_999),
    ("iter_999", lambda d: _consume(ack999.iter_999(d))),
    ("read_ta1", read_ta1),
    ("read_277ca", ack277ca.read_277ca),
    ("iter_277ca", lambda d: _consume(ack277ca.iter_277ca(d))),
    ("read_270", eligibility.read_270),
    ("read_271", eligibility.read_271),
    ("iter_271", lambda d: _consume(eligibility.iter_271(d))),
    ("read_276", claim_status.read_276),
    ("read_277", claim_status.read_277),
    ("iter_277", lambda d: _consume(claim_status.iter_277(d))),
)

BY_SET: dict[str, tuple[str, ...]] = {
    "835": ("read_835", "iter_remittance"),
    "837": ("read_837p", "iter_837p"),
    "999": ("read_999", "iter_999"),
    "277": ("read_277ca", "iter_277ca", "read_277", "iter_277"),
    "276": ("read_276",),
    "270": ("read_270",),
    "271": ("read_271", "iter_271"),
}
"""With ``dispatch``: the readers worth running for the sets found (the others refuse a set
that is not theirs after the same envelope reading)."""

FILE_READERS: tuple[tuple[str, Callable[[str], Any]], ...] = (
    ("x12 parse --json", cli_views.parse_to_json),
    ("x12 parse --summary", cli_views.summary),
    ("x12 show", cli_views.show),
)


class Failure(Exception):
    """A reader raised something other than X12Error."""

    def __init__(self, reader: str, exc: BaseException) -> None:
        super().__init__(f"{reader}: {type(exc).__name__}: {exc}")
        self.reader = reader
        self.exc = exc


def _run(name: str, reader: Callable[[bytes], Any], data: bytes) -> Any:
    try:
        return reader(data)
    except X12Error:
        return None
    except Exception as exc:
        raise Failure(name, exc) from exc


def read_all_ways(data: bytes, *, scratch: str | None = None, dispatch: bool = False) -> None:
    """Feed ``data`` to every entry point; raise :class:`Failure` for a non-X12Error exception.

    ``scratch``: a directory for the file-based entry points (skipped when None).
    ``dispatch``: after the tokenizer and the envelope, run only the readers of the sets found
    (and TA1), as the CLI does, instead of every reader."""
    if dispatch:
        _run("tokenizer", _segments, data)
        seen = _run("envelope", _envelope, data) or set()
        wanted = {"read_ta1"}.union(*(BY_SET.get(s, ()) for s in seen))
        for name, reader in READERS[2:]:
            if name in wanted:
                _run(name, reader, data)
    else:
        for name, reader in READERS:
            _run(name, reader, data)
    if scratch is None:
        return
    fd, path = tempfile.mkstemp(dir=scratch, suffix=".x12")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        for name, file_reader in FILE_READERS:
            try:
                file_reader(path)
            except X12Error:
                pass
            except Exception as exc:
                raise Failure(name, exc) from exc
    finally:
        os.unlink(path)
