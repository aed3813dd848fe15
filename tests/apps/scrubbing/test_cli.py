"""`openrcm scrub --practice SLUG`, `openrcm scrub FILE.837` and `openrcm rules dry-run`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError

from openrcm.claims.models import Claim
from openrcm.scrubbing.models import ClaimFinding, ClaimScrub, CleanClaimStat, ScrubRun
from openrcm.scrubbing.services import payer_rule_create
from tests.apps.cli.helpers import run, script
from tests.apps.conftest import PracticeWorld
from tests.apps.scrubbing.conftest import ERROR_RULE

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "samples" / "x12" / "837p"
NOON = dt.datetime(2026, 6, 15, 17, 0, tzinfo=dt.UTC)  # 2026-06-15 in Chicago


@pytest.fixture
def on_june_15(time_machine: Any) -> None:
    time_machine.move_to(NOON)


def _assert_report_shape(entries: Any) -> None:
    assert isinstance(entries, list) and entries
    for entry in entries:
        assert isinstance(entry["patient_control_number"], str)
        for finding in entry["findings"]:
            assert {"rule", "severity", "message", "line"} <= set(finding)
            assert finding["severity"] in ("error", "warning")
            assert finding["line"] is None or isinstance(finding["line"], int)
            assert finding["message"]


def test_scrub_practice_json(
    on_june_15: None, clean_claim: Claim, error_claim: Claim, practice_a: PracticeWorld
) -> None:
    entries = json.loads(run("scrub", "--practice", "a", "--json"))
    _assert_report_shape(entries)
    by_number = {entry["patient_control_number"]: entry for entry in entries}
    assert len(by_number) == 3  # the fixture's claim (dated in the future here) and two more
    assert by_number[clean_claim.patient_control_number] == {
        "patient_control_number": clean_claim.patient_control_number,
        "status": "ready",
        "findings": [],
    }
    held = by_number[error_claim.patient_control_number]
    assert held["status"] == "draft"
    assert [f["rule"] for f in held["findings"]] == ["ICD-003"]
    assert held["findings"][0]["line"] is None
    future = by_number[practice_a.claim.patient_control_number]
    assert {(f["rule"], f["line"]) for f in future["findings"]} >= {("PROC-005", 1)}
    assert ScrubRun.objects.count() == 1


def test_scrub_practice_summary(
    on_june_15: None, clean_claim: Claim, error_claim: Claim, practice_a: PracticeWorld
) -> None:
    out = run("scrub", "--practice", "a")
    assert "Scrubbed 3 draft and ready claims of a: 1 ready, 2 held with errors" in out
    assert "ICD-003" in out and "Diagnosis is a header, not a billable code" in out
    assert CleanClaimStat.objects.get().claims_scrubbed == 3


def test_scrub_needs_a_file_or_a_practice(db: Any) -> None:
    with pytest.raises(CommandError, match="either an 837P FILE or --practice"):
        run("scrub")
    with pytest.raises(CommandError, match="no practice with the slug 'nope'"):
        run("scrub", "--practice", "nope")


def _samples() -> list[Path]:
    files = sorted(SAMPLES.glob("*")) if SAMPLES.is_dir() else []
    if not files:
        pytest.skip("no 837P samples beside the repository (../shared/samples/x12/837p)")
    return files


def test_scrub_a_sample_837p_file_stores_nothing(db: Any) -> None:
    readable = 0
    for sample in _samples():
        try:
            out = run("scrub", str(sample), "--json")
        except CommandError as error:  # a sample the reader refuses: exit 2, no traceback
            assert error.returncode == 2
            assert str(sample) in str(error)
            continue
        readable += 1
        entries = json.loads(out)
        _assert_report_shape(entries)
        assert any(entry["findings"] for entry in entries)  # the samples predate ICD-10
        assert "claim(s)" in run("scrub", str(sample))
    assert readable
    assert not ScrubRun.objects.exists() and not ClaimFinding.objects.exists()


def test_a_broken_file_exits_2_with_the_x12_error(db: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.837"
    bad.write_text("ISA*00*short~", encoding="ascii")
    with pytest.raises(CommandError) as caught:
        run("scrub", str(bad), "--json")
    assert caught.value.returncode == 2
    assert str(bad) in str(caught.value) and "segment 1 (ISA)" in str(caught.value)
    with pytest.raises(CommandError, match="cannot read the file") as missing:
        run("scrub", str(tmp_path / "missing.837"))
    assert missing.value.returncode == 2


def test_the_console_script_exits_2_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.837"
    bad.write_text("ISA*00*short~", encoding="ascii")
    done = script(tmp_path, "scrub", str(bad), "--json")
    assert done.returncode == 2
    assert done.stderr.startswith("Error: ") and "segment 1 (ISA)" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert not (tmp_path / "openrcm.sqlite3").exists()  # scrubbing a file creates no database


def test_dry_run_counts_each_rule_with_examples_and_stores_nothing(
    on_june_15: None,
    clean_claim: Claim,
    error_claim: Claim,
    practice_a: PracticeWorld,
    member: Any,
) -> None:
    payer_rule_create(payer=practice_a.payer, data=ERROR_RULE, actor=member)
    out = run("rules", "dry-run", "--since", "2026-01-01")
    assert "Dry run over 3 claims of 1 practice(s), dates of service from 2026-01-01" in out
    assert "Nothing was stored." in out
    lines = out.splitlines()
    payer_row = next(line for line in lines if line.startswith("PAYER-MCR-001"))
    assert payer_row.split()[1:4] == ["error", "3", "3"]  # every claim bills 36415 once
    icd_row = next(line for line in lines if line.startswith("ICD-003"))
    assert icd_row.split()[1:4] == ["error", "1", "1"]
    assert f"e.g. {error_claim.patient_control_number} (a): " in out
    assert not ScrubRun.objects.exists() and not ClaimScrub.objects.exists()
    assert not ClaimFinding.objects.exists()
    assert set(Claim.objects.values_list("status", flat=True)) == {"draft"}


def test_dry_run_of_one_pack_as_json(
    on_june_15: None,
    clean_claim: Claim,
    error_claim: Claim,
    practice_a: PracticeWorld,
    member: Any,
) -> None:
    payer_rule_create(payer=practice_a.payer, data=ERROR_RULE, actor=member)
    report = json.loads(run("rules", "dry-run", "--pack", "icd10", "--json"))
    assert report["packs"] == ["icd10"] and report["claims"] == 3
    # ICD-007: the fixture's claim of 2026-10-01 is outside the shipped release's fiscal year
    assert [rule["rule"] for rule in report["rules"]] == ["ICD-003", "ICD-007"]
    rule = report["rules"][0]
    assert rule["claims"] == 1 and rule["examples"][0]["practice"] == "a"
    payer_only = json.loads(run("rules", "dry-run", "--pack", "payer", "--json"))
    assert [rule["rule"] for rule in payer_only["rules"]] == ["PAYER-MCR-001"]
    later = json.loads(run("rules", "dry-run", "--since", "2026-09-01", "--json"))
    assert later["claims"] == 1  # only the fixture's claim of 2026-10-01
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("rules", "dry-run", "--since", "June")


def test_rules_list(db: Any) -> None:
    out = run("rules", "list")
    assert "ICD-003" in out and "DUP-001" in out and len(out.splitlines()) >= 40
