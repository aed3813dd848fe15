"""Total readers: any bytes give a result or an X12Error, never another exception, never a hang.

Random bytes and mutations of the samples (dropped, duplicated or swapped segments, wrong
counts, truncation, wrong delimiters, non-ASCII) go through the envelope reader, the 835, 999
and TA1 readers and the CLI views. Each input must finish within Hypothesis' deadline (1 s).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrcm.core.x12.ack999 import parse_999
from openrcm.core.x12.envelope import iter_transaction_sets
from openrcm.core.x12.era import iter_remittance, parse_835
from openrcm.core.x12.errors import X12Error
from openrcm.core.x12.segments import Segment
from openrcm.core.x12.ta1 import read_ta1
from openrcm.core.x12.tokenizer import iter_segments

from .x12_samples import SAMPLES

TOTAL = settings(
    max_examples=150,
    deadline=1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _drain_envelope(data: bytes) -> None:
    for r in iter_transaction_sets(data):
        try:
            for _ in r.segments:
                pass
        except X12Error:
            pass


def _drain_835(data: bytes) -> None:
    for _ in iter_remittance(data):
        pass
    parse_835(data)


READERS: list[Callable[[bytes], Any]] = [
    _drain_envelope,
    _drain_835,
    parse_999,
    read_ta1,
    lambda d: list(iter_segments(d, strict=False)),
]


def total(data: bytes) -> None:
    for read in READERS:
        try:
            read(data)
        except X12Error as e:
            assert str(e)  # the message renders


def _sample_bytes() -> list[bytes]:
    if not SAMPLES.is_dir():
        return []
    return [p.read_bytes() for p in sorted(SAMPLES.glob("*/*")) if p.is_file()]


SAMPLE_BYTES = _sample_bytes()
BASE = SAMPLE_BYTES or [
    b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *240101*1200*^*00501"
    b"*000000001*0*P*:~GS*HP*A*B*20240101*1200*1*X*005010X221A1~ST*835*0001~SE*2*0001~"
    b"GE*1*1~IEA*1*000000001~"
]


@TOTAL
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    total(data)


@TOTAL
@given(st.binary(max_size=400))
def test_random_bytes_after_a_valid_isa(tail: bytes) -> None:
    total(BASE[0][:106] + tail)


def _segments(data: bytes) -> tuple[list[bytes], bytes]:
    text = data.lstrip(b"\xef\xbb\xbf \r\n")
    term = text[105:106] if len(text) > 105 else b"~"
    return [s for s in text.split(term) if s.strip()], term


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = draw(st.sampled_from(BASE))
    segs, term = _segments(data)
    kind = draw(st.sampled_from(
        ["drop", "dup", "swap", "count", "truncate", "delims", "nonascii", "element", "bytes"]
    ))  # fmt: skip
    n = len(segs)
    i = draw(st.integers(0, max(n - 1, 0)))
    j = draw(st.integers(0, max(n - 1, 0)))
    if kind == "drop" and n:
        del segs[i]
    elif kind == "dup" and n:
        segs.insert(i, segs[i])
    elif kind == "swap" and n:
        segs[i], segs[j] = segs[j], segs[i]
    elif kind == "count" and n:
        seg = segs[i]
        for tag in (b"SE*", b"GE*", b"IEA*"):
            if seg.startswith(tag):
                segs[i] = tag + str(draw(st.integers(0, 99))).encode() + seg[seg.index(b"*", 4) :]
    elif kind == "truncate":
        out = term.join(segs)
        return out[: draw(st.integers(0, len(out)))]
    elif kind == "delims":
        a, b = draw(st.sampled_from([(b"*", b"|"), (b"~", b"\n"), (b":", b"*"), (b"^", b"~"),
                                     (b"*", b"~"), (b":", b">")]))  # fmt: skip
        return term.join(segs).replace(a, b)
    elif kind == "nonascii" and n:
        pos = draw(st.integers(0, max(len(segs[i]) - 1, 0)))
        junk = draw(st.sampled_from(["É".encode(), b"\xff", b"\x00", "€".encode(), b"\xc3"]))
        segs[i] = segs[i][:pos] + junk + segs[i][pos:]
    elif kind == "element" and n:
        parts = segs[i].split(b"*")
        k = draw(st.integers(0, len(parts) - 1))
        parts[k] = draw(st.sampled_from([b"", b"X", b"-1", b"99999999999999999999", b"1e5",
                                         b"20241399", b"::", b"^^^"]))  # fmt: skip
        segs[i] = b"*".join(parts)
    elif kind == "bytes" and n:
        segs[i] = draw(st.binary(max_size=30))
    return term.join(segs) + term


@TOTAL
@given(mutated())
def test_mutated_samples(data: bytes) -> None:
    total(data)


@settings(max_examples=40, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_cli_views_are_total(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    from openrcm.core.x12.cli_views import parse_to_json, show, summary

    path: Path = tmp_path_factory.mktemp("x12") / "input.x12"
    path.write_bytes(data)
    for view in (parse_to_json, summary, show):
        with contextlib.suppress(X12Error):
            view(str(path))


def test_pathological_inputs_finish() -> None:
    isa = BASE[0][:106]
    for data in (
        isa + b"A" * 3_000_000,  # one endless segment
        isa + b"~" * 1_000_000,  # empty segments
        isa + b"GS*HP~" * 50_000,  # groups without trailers
        isa + b"ST*835*0001~" * 50_000,  # sets without trailers
        b" " * 100_000,
        b"\xef\xbb\xbf" * 1000,
    ):
        total(data)


def test_segment_reprs_are_safe() -> None:
    data = BASE[0].replace(b"GS*", b"G\xffS*", 1)
    for seg in iter_segments(data, strict=False):
        assert isinstance(seg, Segment)
        repr(seg)
