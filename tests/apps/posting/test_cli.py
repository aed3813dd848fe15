"""`openrcm era import FILE [--practice SLUG] [--json]` and `openrcm claims show PCN --json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError

from tests.apps.cli.helpers import run

from .eras import clp, era, remittance, svc
from .test_scenarios import lines


def test_era_import_json_then_claims_show(claim: Any, tmp_path: Path) -> None:
    one, two = lines(claim)
    payment = clp(claim, [svc(one, "80", ("CO", "45", "25"), ("PR", "2", "20")), svc(two, "15")])
    path = tmp_path / "remit.835"
    path.write_bytes(era(remittance([payment])))
    doc = json.loads(run("era", "import", str(path), "--practice", "a", "--json"))
    assert {k: doc[k] for k in ("claims_posted", "lines_posted", "payment_amount")} == {
        "claims_posted": 1,
        "lines_posted": 2,
        "payment_amount": "95.00",
    }
    assert (doc["duplicates"], doc["exceptions"], doc["refused_sets"]) == (0, 0, 0)

    shown = json.loads(run("claims", "show", claim.patient_control_number, "--json"))
    assert {
        k: shown[k]
        for k in (
            "charge",
            "insurance_paid",
            "contractual_adjustment",
            "patient_responsibility",
            "insurance_balance",
            "patient_balance",
            "denied",
            "denials",
            "secondary_claim",
        )
    } == {
        "charge": "140.00",
        "insurance_paid": "95.00",
        "contractual_adjustment": "25.00",
        "patient_responsibility": "20.00",
        "insurance_balance": "0.00",
        "patient_balance": "20.00",
        "denied": False,
        "denials": [],
        "secondary_claim": None,
    }
    assert [e["kind"] for e in shown["ledger"]] == [
        "charge",
        "charge",
        "insurance_payment",
        "contractual_adjustment",
        "transfer_to_patient",
        "insurance_payment",
    ]
    assert shown["status"] == "paid"

    again = json.loads(run("era", "import", str(path), "--practice", "a", "--json"))
    assert (again["claims_posted"], again["duplicates"]) == (0, 1)


def test_the_practice_is_found_by_the_payee_npi(claim: Any, tmp_path: Path) -> None:
    one, two = lines(claim)
    path = tmp_path / "remit.835"
    path.write_bytes(era(remittance([clp(claim, [svc(one, "125"), svc(two, "15")])])))
    doc = json.loads(run("era", "import", str(path), "--json"))
    assert (doc["practice"], doc["claims_posted"]) == ("a", 1)


def test_an_unreadable_file_exits_non_zero(claim: Any, tmp_path: Path) -> None:
    path = tmp_path / "not.835"
    path.write_text("hello, this is not X12")
    with pytest.raises(CommandError, match="not a readable X12 file"):
        run("era", "import", str(path), "--practice", "a")
    with pytest.raises(CommandError, match="cannot read"):
        run("era", "import", str(tmp_path / "missing.835"), "--practice", "a")
