"""`openrcm x12 parse|show`: thin wrappers over the core's X12 views; errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from tests.apps.cli.helpers import run

pytest.importorskip("openrcm.core.x12.cli_views")

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples" / "x12"


def test_a_broken_file_exits_2_naming_the_segment(tmp_path: Path) -> None:
    bad = tmp_path / "bad.835"
    bad.write_text("ISA*00*short~", encoding="ascii")
    with pytest.raises(CommandError) as caught:
        run("x12", "parse", str(bad))
    assert caught.value.returncode == 2
    message = str(caught.value)
    assert str(bad) in message
    assert "segment 1 (ISA)" in message


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read") as caught:
        run("x12", "show", str(tmp_path / "missing.835"))
    assert caught.value.returncode == 2


def _a_sample() -> Path:
    files = sorted((SAMPLES / "835").glob("*")) if SAMPLES.is_dir() else []
    if not files:
        pytest.skip("no X12 samples beside the repository")
    return files[0]


def test_parse_summary_json_and_show_on_a_sample() -> None:
    sample = _a_sample()
    summary = json.loads(run("x12", "parse", str(sample), "--summary"))
    assert summary["transaction_set"] == "835"
    parsed = json.loads(run("x12", "parse", str(sample), "--json"))
    assert parsed["transaction_set"] == "835"
    assert "835" in run("x12", "parse", str(sample))
    assert "ISA" in run("x12", "show", str(sample))
