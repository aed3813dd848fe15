"""The pure CLI pieces (parse_to_json, summary, show), ``python -m openrcm.core.x12`` and the
envelope verdict on every shared sample."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from openrcm.core.x12.__main__ import main
from openrcm.core.x12.cli_views import parse_to_json, show, summary
from openrcm.core.x12.envelope import iter_transaction_sets
from openrcm.core.x12.errors import X12Error, X12ErrorCode

from .x12_samples import ids, index, samples_dir

C = X12ErrorCode
ERA = "835/stupidedi--era-sample.edi"

# The envelope defects of the samples (the others have sound envelopes).
ENVELOPE_DEFECTS = {
    "837p/x12-parser--x12_complex.txt": [(C.BAD_DELIMITERS, "ISA", 1)],
    "999/x12-parser--x12_999_accepted.txt": [
        (C.TIME_INVALID, "GS", 2),
        (C.INTERCHANGE_CONTROL_MISMATCH, "IEA", 10),
    ],
}


@pytest.mark.parametrize("sample", index(), ids=ids(index()))
def test_every_sample_envelope(sample) -> None:  # type: ignore[no-untyped-def]
    samples_dir()
    found = []
    try:
        for r in iter_transaction_sets(sample.path):
            if r.error is not None:
                found.append((r.error.code, r.error.segment_id, r.error.segment_number))
                continue
            for _ in r.segments:
                pass
    except X12Error as e:
        found.append((e.code, e.segment_id, e.segment_number))
    assert found == ENVELOPE_DEFECTS.get(sample.file, [])


@pytest.mark.parametrize("sample", index(), ids=ids(index()))
def test_every_sample_shows_and_parses_or_names_an_error(sample) -> None:  # type: ignore[no-untyped-def]
    samples_dir()
    if sample.file not in ENVELOPE_DEFECTS or sample.transaction != "837":
        text = show(str(sample.path))
        assert text.count("\n") > 10
    try:
        data = parse_to_json(str(sample.path))
        assert data["sets"]
    except X12Error as e:
        assert e.file is not None and e.segment_number is not None


def test_parse_to_json_835() -> None:
    data = parse_to_json(str(samples_dir() / ERA))
    (rem,) = data["sets"]
    assert rem["payment"]["amount"] == "132" and rem["payment"]["date"] == "2014-03-31"
    assert rem["trace"]["number"] == "12345"
    assert rem["payer"]["name"] == "DELTA DENTAL OF ABC"
    claim = rem["claims"][0]
    assert (claim["patient_control_number"], claim["charge"], claim["paid"]) == (
        "7722337", "226", "132"
    )  # fmt: skip
    line = claim["lines"][0]
    assert line["allowed"] == "25" and line["service_date"] == "2014-03-24"
    assert line["adjustments"] == [
        {"group": "CO", "reason": "131", "amount": "21", "quantity": None}
    ]
    json.dumps(data)


def test_summary_835() -> None:
    data = summary(str(samples_dir() / "835/stupidedi--multiple-claims-single-check.edi"))
    assert (data["claims"], data["lines"], data["payment_amount"]) == (9, 33, "810.8")


def test_show_names_loops_and_codes() -> None:
    text = show(str(samples_dir() / ERA))
    assert "CLP [2100 Claim Payment Information] Claim Payment Information" in text
    assert "CLP02  Claim Status Code: 1  (processed as primary)" in text
    assert "SVC01-1 Product/Service ID Qualifier: AD" in text
    assert "CAS01  Claim Adjustment Group Code: CO  (contractual obligation" in text


def test_main_exit_codes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = samples_dir()
    assert main(["parse", str(folder / ERA), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["transaction_set"] == "835"
    bad = folder / "835/x12--managed-care.835"
    assert main(["parse", str(bad), "--summary"]) == 2
    err = capsys.readouterr().err
    assert err == (f"{bad}: segment 4 (BPR), element 16: BPR16 (check issue or EFT effective"
                   " date) is '20002316', not a date CCYYMMDD\n")  # fmt: skip
    junk = tmp_path / "junk.x12"
    junk.write_bytes(b"\xff\xfe\x00garbage")
    assert main(["show", str(junk)]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert main(["parse", str(tmp_path / "missing.x12")]) == 2
    assert "cannot read the file" in capsys.readouterr().err


def test_python_dash_m() -> None:
    bad = samples_dir() / "835/x12--medicare-part-a.835"
    proc = subprocess.run([sys.executable, "-m", "openrcm.core.x12", "parse", str(bad), "--json"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"{bad}: segment 11 (N1), loop 1000A: PER*BL")
    assert "Traceback" not in proc.stderr
