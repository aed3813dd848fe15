"""Bank CSV imports into the database: all or nothing, once per file, and through the CLI."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from openrcm.audit.models import AuditEvent
from openrcm.files.models import StoredFile
from openrcm.files.services import file_read
from openrcm.reconciliation.models import BankImport, Deposit
from openrcm.reconciliation.services import BankCsvError, deposits_import_csv
from tests.apps.conftest import PracticeWorld

CREDIT_DEBIT = (
    b"Posting Date,Description,Debit,Credit,Check No\n"
    b'11/02/2026,"HCCLAIMPMT AETNA TRN*1*88001*1066033492\\","","$1,250.00",\n'
    b"11/02/2026,CHECK PAID,50.00,,\n"
    b"11/03/2026,REMOTE DEPOSIT,,300.10,004417\n"
)


def test_credit_and_debit_columns(practice_a: PracticeWorld) -> None:
    result = deposits_import_csv(practice=practice_a.practice, data=CREDIT_DEBIT, name="x.csv")
    assert (result.rows, result.deposits_created, result.skipped) == (3, 2, 1)
    assert result.as_json()["deposits_amount"] == "1550.10"
    eft, check = Deposit.objects.order_by("id")
    assert (eft.trace_number, eft.trace_originator, eft.method, eft.row_number) == (
        "88001",
        "1066033492",
        "eft",
        2,
    )
    assert (check.trace_number, check.method, str(check.deposited_on)) == (
        "004417",
        "check",
        "2026-11-03",
    )
    imported = BankImport.objects.get()
    assert (imported.rows, imported.deposits_created, imported.skipped) == (3, 2, 1)
    # The file itself is kept in the encrypted store, by its hash.
    assert imported.stored.kind == "csv" and file_read(stored=imported.stored) == CREDIT_DEBIT
    assert AuditEvent.objects.filter(action="import", object_type="reconciliation.bankimport")


def test_the_same_file_twice_imports_nothing_new_and_says_so(practice_a: PracticeWorld) -> None:
    first = deposits_import_csv(practice=practice_a.practice, data=CREDIT_DEBIT, name="x.csv")
    again = deposits_import_csv(practice=practice_a.practice, data=CREDIT_DEBIT, name="x.csv")
    assert first.deposits_created == 2
    assert (again.already_imported, again.deposits_created) == (True, 0)
    assert "nothing new imported" in again.warnings[0]
    assert Deposit.objects.count() == 2 and BankImport.objects.count() == 1


def test_an_overlapping_export_skips_the_lines_already_imported(
    practice_a: PracticeWorld,
) -> None:
    deposits_import_csv(practice=practice_a.practice, data=CREDIT_DEBIT, name="a.csv")
    overlapping = CREDIT_DEBIT + b"11/04/2026,DEPOSIT,,75.00,\n"
    result = deposits_import_csv(practice=practice_a.practice, data=overlapping, name="b.csv")
    assert (result.deposits_created, result.duplicates) == (1, 2)
    assert Deposit.objects.count() == 3
    assert "already imported from an earlier file" in result.warnings[0]


def test_a_bad_row_refuses_the_file_and_writes_nothing(practice_a: PracticeWorld) -> None:
    data = (
        b"date,amount,description,type\n"
        b"2026-11-02,117.50,TRN*1*EFT1*1512345678\\,ACH\n"
        b"2026-11-02,13O.00,DEPOSIT,DEPOSIT\n"
    )
    with pytest.raises(BankCsvError) as caught:
        deposits_import_csv(practice=practice_a.practice, data=data, name="bad.csv")
    assert str(caught.value) == "bad.csv: row 3, column \"amount\": '13O.00' is not an amount"
    assert not Deposit.objects.exists() and not BankImport.objects.exists()
    assert not StoredFile.objects.filter(kind="csv").exists()


def test_another_practice_imports_the_same_file_for_itself(
    practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    deposits_import_csv(practice=practice_a.practice, data=CREDIT_DEBIT)
    result = deposits_import_csv(practice=practice_b.practice, data=CREDIT_DEBIT)
    assert result.deposits_created == 2 and result.duplicates == 0
    assert Deposit.objects.for_practice(practice_b.practice).count() == 2


def test_cli_import_and_match(practice_a: PracticeWorld, tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_bytes(b"When,Money,Text\n2026-11-02,12.00,DEPOSIT\n")
    out = StringIO()
    call_command(
        "deposits",
        "import",
        str(path),
        "--practice",
        "a",
        "--map",
        "date=When",
        "--map",
        "amount=Money",
        "--map",
        "description=Text",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert (data["deposits_created"], data["deposits_amount"], data["file"]) == (
        1,
        "12.00",
        "bank.csv",
    )
    out = StringIO()
    call_command("deposits", "import", str(path), "--practice", "a", stdout=out)
    assert "nothing new imported" in out.getvalue()
    out = StringIO()
    call_command("deposits", "match", "--practice", "a", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "practice": "a",
        "matched": 0,
        "matches": [],
        "discrepancies": [],
        "suggestions": [],
        "unmatched_deposits": 1,
        "unmatched_remittances": 0,
    }


def test_cli_errors(practice_a: PracticeWorld, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"date,amount\n2026-02-30,1.00\n")
    with pytest.raises(CommandError, match=r'nothing imported: bad.csv: row 2, column "date"'):
        call_command("deposits", "import", str(bad), "--practice", "a")
    with pytest.raises(CommandError, match="no practice 'zz'"):
        call_command("deposits", "match", "--practice", "zz")
    with pytest.raises(CommandError, match="FIELD=HEADER"):
        call_command("deposits", "import", str(bad), "--practice", "a", "--map", "date")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("deposits", "import", str(tmp_path / "none.csv"), "--practice", "a")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reconcile", "--practice", "a", "--day", "11/02/2026")
    assert not Deposit.objects.exists()
