"""Fuzzing every X12 reader: random bytes and mutations of every sample file.

Only X12Error may escape a reader (anything else fails the test, naming the reader), and each
input is read in under a second (Hypothesis deadline). The entry points are listed in
``fuzz/x12_targets.py``, which the atheris harness ``fuzz/atheris_x12.py`` drives too.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrcm.core.x12 import ack277ca, claim_status, eligibility
from openrcm.core.x12.hierarchy import HierarchySpec
from openrcm.core.x12.writer import OutgoingSet, SegmentWriter, write_interchange

from .hl_strategies import SAMPLES

ROOT = Path(__file__).resolve().parents[3]


def _load_targets() -> ModuleType:
    spec = importlib.util.spec_from_file_location("x12_targets", ROOT / "fuzz" / "x12_targets.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["x12_targets"] = module
    spec.loader.exec_module(module)
    return module


targets = _load_targets()
SCRATCH = tempfile.mkdtemp(prefix="x12fuzz-")
FUZZ = settings(
    # X12_FUZZ_EXAMPLES=5000 for a longer local run.
    max_examples=int(os.environ.get("X12_FUZZ_EXAMPLES", "150")),
    deadline=timedelta(seconds=1),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check(data: bytes, *, files: bool = False) -> None:
    """Every reader on ``data``: only X12Error may escape."""
    try:
        targets.read_all_ways(data, scratch=SCRATCH if files else None)
    except targets.Failure as failure:
        raise AssertionError(f"{failure} on input {data[:300]!r}") from failure.exc


# --------------------------------------------------------------------------------------------
# The samples, split into segments
# --------------------------------------------------------------------------------------------


class Sample:
    """A sample file as its ISA header, segment texts and delimiters."""

    def __init__(self, path: Path) -> None:
        raw = path.read_bytes().decode("utf-8", "surrogateescape").lstrip("\ufeff \r\n\t")
        self.name = path.name
        self.element = raw[3]
        self.component = raw[104]
        self.repetition = raw[82]
        self.terminator = raw[105]
        self.segments = [s.strip("\r\n") for s in raw.split(self.terminator) if s.strip("\r\n \t")]

    def join(self, segments: list[str]) -> bytes:
        text = self.terminator.join(segments) + self.terminator
        return text.encode("utf-8", "surrogateescape")


def _samples() -> list[Sample]:
    if not SAMPLES.is_dir():
        return []
    out = []
    for folder in sorted(SAMPLES.iterdir()):
        if folder.is_dir():
            out += [Sample(p) for p in sorted(folder.iterdir()) if p.is_file()]
    return out


ALL_SAMPLES = _samples()
needs_samples = pytest.mark.skipif(
    not ALL_SAMPLES,
    reason=f"X12 samples not found at {SAMPLES} (a copy of shared/ beside the clone)",
)


# --------------------------------------------------------------------------------------------
# Mutations
# --------------------------------------------------------------------------------------------

ODD_VALUES = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1E5",
        "NaN",
        "99999999999999999999999999999999",
        "20241399",
        "20240230",
        "2401",
        "2599",
        "D8",
        "RD8",
        "20240101-20230101",
        "HL",
        "1",
        "PT",
        "\u00e9",
        "\ufffd",
        "::",
        "^^",
        "A" * 300,
    ]
)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    sample: Sample = draw(st.sampled_from(ALL_SAMPLES))
    segs = list(sample.segments)
    for _ in range(draw(st.integers(1, 4))):
        n = len(segs)
        if n == 0:
            break
        op = draw(
            st.sampled_from(
                ["drop", "dup", "swap", "count", "element", "delims", "bytes", "truncate", "move"]
            )
        )
        i = draw(st.integers(0, n - 1))
        if op == "drop":
            del segs[i]
        elif op == "dup":
            segs.insert(i, segs[i])
        elif op == "swap":
            j = draw(st.integers(0, n - 1))
            segs[i], segs[j] = segs[j], segs[i]
        elif op == "move":
            seg = segs.pop(i)
            segs.insert(draw(st.integers(0, len(segs))), seg)
        elif op == "count":
            trailers = [k for k, s in enumerate(segs) if s[:3] in ("SE*", "GE*", "IEA")]
            if trailers:
                k = draw(st.sampled_from(trailers))
                parts = segs[k].split(sample.element)
                if len(parts) > 1:
                    parts[1] = str(draw(st.integers(-2, 99)))
                    segs[k] = sample.element.join(parts)
        elif op == "element":
            parts = segs[i].split(sample.element)
            k = draw(st.integers(0, len(parts)))
            value = draw(st.one_of(ODD_VALUES, st.text(max_size=20)))
            if k < len(parts) and (i > 0 or k == 0):
                parts[k] = value
            elif i > 0:
                parts.append(value)
            segs[i] = sample.element.join(parts)
        elif op == "delims":
            old = draw(
                st.sampled_from(
                    [sample.element, sample.component, sample.repetition, sample.terminator]
                )
            )
            new = draw(st.sampled_from(["*", ":", "^", "~", "|", ">", "A", " ", "\n", "\x00"]))
            if draw(st.booleans()):
                segs[0] = segs[0].replace(old, new)
            else:
                segs[i] = segs[i].replace(old, new)
        elif op == "bytes":
            junk = draw(st.binary(min_size=1, max_size=8)).decode("latin-1")
            pos = draw(st.integers(0, len(segs[i])))
            segs[i] = segs[i][:pos] + junk + segs[i][pos:]
        elif op == "truncate":
            del segs[i:]
    data = sample.join(segs) if segs else b""
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.integers(0, 9)) == 0:
        data = b"\xef\xbb\xbf" + data
    return data


@needs_samples
@FUZZ
@given(mutated())
def test_mutated_samples_give_a_result_or_an_x12_error(data: bytes) -> None:
    check(data, files=True)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes(data: bytes) -> None:
    check(data)


ISA = (
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       "
    "*240101*1200*^*00501*000000001*0*P*:~"
)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_after_a_valid_isa(data: bytes) -> None:
    check(ISA.encode() + data)


@needs_samples
@settings(max_examples=1, deadline=None)
@given(st.just(0))
def test_every_sample_once_through_every_reader(_: int) -> None:
    for sample in ALL_SAMPLES:
        check(sample.join(sample.segments), files=True)


# --------------------------------------------------------------------------------------------
# Structure fuzzing of the HL grammars: random segment sequences in a valid envelope
# --------------------------------------------------------------------------------------------


def _ids(spec: HierarchySpec) -> list[str]:
    return sorted(spec.segment_ids())


HL_SETS: list[tuple[str, str, str, HierarchySpec]] = [
    ("277", "HN", ack277ca.GUIDE, ack277ca.SPEC),
    ("277", "HN", claim_status.GUIDE, claim_status.SPEC_277),
    ("276", "HR", claim_status.GUIDE, claim_status.SPEC_276),
    ("270", "HS", eligibility.GUIDE, eligibility.SPEC_270),
    ("271", "HB", eligibility.GUIDE, eligibility.SPEC_271),
]
_VALUES = [
    "",
    "1",
    "2",
    "20",
    "21",
    "19",
    "22",
    "23",
    "PT",
    "PR",
    "41",
    "85",
    "1P",
    "IL",
    "QC",
    "03",
    "1K",
    "D9",
    "BLT",
    "EJ",
    "FJ",
    "472",
    "050",
    "009",
    "291",
    "D8",
    "RD8",
    "90",
    "AA",
    "YU",
    "T3",
    "2120",
    "Y",
    "N",
    "A1:20",
    "A7:562:85",
    "HC:99213:25",
    "1^30^98",
    "WQ",
    "U",
    "0022",
    "0085",
    "0010",
    "08",
    "13",
    "11",
    "TH",
    "DG",
    "20240101",
    "1200",
    "20240101-20240102",
    "100.5",
    "X" * 90,
]
QUALIFIERS = st.sampled_from(_VALUES)


@st.composite
def hl_bodies(draw: st.DrawFn) -> bytes:
    set_id, functional_id, guide, spec = draw(st.sampled_from(HL_SETS))
    ids = _ids(spec)
    hl_numbers = iter(range(1, 1000))

    def segments() -> Iterator[tuple[str, list[str]]]:
        yield "BHT", draw(st.lists(QUALIFIERS, max_size=6))
        for _ in range(draw(st.integers(0, 25))):
            sid = draw(st.sampled_from(ids))
            elements = draw(st.lists(QUALIFIERS, max_size=8))
            if sid == "HL" and draw(st.booleans()):
                elements = [str(next(hl_numbers)), *elements[1:]]
            yield sid, elements

    body = [(sid, els) for sid, els in segments()]

    def write(w: SegmentWriter) -> None:
        for sid, els in body:
            w.raw(w.delimiters.element.join([sid, *els]))

    text = write_interchange(
        [OutgoingSet(set_id, "0001", write, guide)],
        sender_id="S",
        receiver_id="R",
        isa_control=1,
        gs_control=1,
        functional_id=functional_id,
        version=guide,
    )
    return text.encode()


@FUZZ
@given(hl_bodies())
def test_hl_grammars_on_random_segment_sequences(data: bytes) -> None:
    check(data)


# --------------------------------------------------------------------------------------------
# Inputs the fuzzers found (kept as regression tests)
# --------------------------------------------------------------------------------------------

_ISA_837 = (
    "ISA*00*          *00*          *ZZ*123456789012345*ZZ*123456789012346*061015*1705*^*00501"
    "*000010216*0*T*:~GS*HC*1234567890*9876543210*20061015*1705*20213*X*005010X222A1~"
)
_837_NO_PAYER_NAME = [
    "ST*837*0001*005010X222A1",
    "BHT*0019*00*0123*20050117*1023*CH",
    "NM1*41*2*PROVIDER MEDICAL GROUP*****46*N305",
    "PER*IC*NINA*TE*6155551212",
    "NM1*40*2*PAYER*****46*66783JJT",
    "HL*1**20*1",
    "NM1*85*2*PROVIDER MEDICAL GROUP*****XX*2366554859",
    "N3*1234 WEST END AVE",
    "N4*NASHVILLE*TN*37232",
    "REF*EI*756473826",
    "HL*2*1*22*0",
    "SBR*P*18*******MB",
    "NM1*IL*1*JONES*MARGARET****MI*123456789A",
    # no 2010BB NM1*PR (payer name), which the guide requires before the claim
    "CLM*153829140*827***22:B:1*Y*A*Y*Y",
    "HI*ABK:J45909",
    "SE*16*0001",
]


# Found by atheris: the 837P reader asserted (AssertionError) when loop 2010BB (NM1*PR) was
# missing; fixed in claim837p (commit 4e31991), now X12Error SEGMENT_MISSING.
def test_837p_subscriber_without_payer_name_is_an_x12_error() -> None:
    data = (_ISA_837 + "~".join(_837_NO_PAYER_NAME) + "~GE*1*20213~IEA*1*000010216~").encode()
    check(data)
