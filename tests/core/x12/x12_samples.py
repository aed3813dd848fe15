"""Where the shared X12 sample files are, and what INDEX.tsv says about them.

The samples live in ``../shared/samples/x12`` beside the repository (CI puts a copy of shared/
there); tests that need them skip with a clear reason when they are absent.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "samples" / "x12"


def samples_dir() -> Path:
    if not (SAMPLES / "INDEX.tsv").is_file():
        pytest.skip(
            f"X12 samples not found at {SAMPLES.resolve()} (a copy of shared/ beside the clone)"
        )
    return SAMPLES


@dataclass(frozen=True)
class Sample:
    file: str
    transaction: str
    guide: str
    pyx12: str

    @property
    def path(self) -> Path:
        return SAMPLES / self.file

    @property
    def pyx12_ok(self) -> bool:
        return self.pyx12 == "OK"


def index() -> list[Sample]:
    """The rows of INDEX.tsv ([] when the samples are absent: the tests then skip)."""
    path = SAMPLES / "INDEX.tsv"
    if not path.is_file():
        return []
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [Sample(r["file"], r["transaction"], r["guide"], r["pyx12_4_0"]) for r in rows]


def of(transaction: str) -> list[Sample]:
    return [s for s in index() if s.transaction == transaction]


def ids(samples: list[Sample]) -> list[str]:
    return [s.file.rsplit("/", 1)[-1] for s in samples]
