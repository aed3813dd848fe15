"""Reading a bank's CSV export: the default columns, the common variants, and refusals that
name the row and the column."""

from __future__ import annotations

import datetime as dt

import pytest

from openrcm.core.reconciliation.bank_csv import (
    BankCsvError,
    Direction,
    LineMethod,
    normalize_trace,
    parse_amount,
    parse_bank_csv,
    parse_date,
    trace_from_text,
)

ACH = (
    "ORIG CO NAME:MEDICARE PART B ORIG ID:1512345678 DESC DATE:261102 CO ENTRY "
    "DESCR:HCCLAIMPMT SEC:CCD TRACE#:021000021234567 IND ID:1234567893 "
    "IND NAME:PRACTICE A TRN*1*EFT100234*1512345678\\"
)


def test_the_default_columns() -> None:
    data = (
        "date,amount,description,type\n"
        f'2026-11-02,117.50,"{ACH}",ACH\n'
        "2026-11-02,$1,300.00,DEPOSIT,deposit\n"  # an amount's comma not in quotes
    ).encode()
    with pytest.raises(BankCsvError, match="row 3: 5 cells but the header has 4"):
        parse_bank_csv(data, name="bank.csv")
    data = (
        "date,amount,description,type\n"
        f'2026-11-02,117.50,"{ACH}",ACH\n'
        '11/02/2026,"$1,300.00",DEPOSIT,deposit\n'
        "11/02/2026,-25.00,MONTHLY SERVICE FEE,debit\n"
    ).encode()
    parsed = parse_bank_csv(data, name="bank.csv")
    eft, check, fee = parsed.lines
    assert (eft.row, eft.date, eft.cents, eft.direction) == (
        2,
        dt.date(2026, 11, 2),
        11750,
        Direction.CREDIT,
    )
    assert (eft.trace_number, eft.trace_originator, eft.method) == (
        "EFT100234",
        "1512345678",
        LineMethod.EFT,
    )
    assert eft.payer_name == "MEDICARE PART B"
    assert (check.cents, check.method, check.trace_number) == (130000, LineMethod.CHECK, "")
    assert (fee.direction, fee.cents) == (Direction.DEBIT, 2500)
    assert [line.row for line in parsed.deposits] == [2, 3]
    assert [line.row for line in parsed.skipped] == [4]
    assert parsed.columns == {
        "date": "date",
        "amount": "amount",
        "description": "description",
        "type": "type",
    }


def test_separate_credit_and_debit_columns_a_banner_and_semicolons() -> None:
    data = (
        b"Account;Practice A operating ****1234\n"
        b"\n"
        b"Posting Date;Description;Debit;Credit;Check No\n"
        b"11/02/2026;HCCLAIMPMT AETNA TRN*1*88001*1066033492\\;;1,250.00;\n"
        b"11/02/2026;CHECK PAID;50.00;;\n"
        b"11/03/2026;REMOTE DEPOSIT;;300.10;004417\n"
    )
    parsed = parse_bank_csv(data)
    assert parsed.header_row == 3
    eft, paid, check = parsed.lines
    assert (eft.row, eft.cents, eft.trace_number, eft.direction) == (
        4,
        125000,
        "88001",
        Direction.CREDIT,
    )
    assert (paid.direction, paid.cents) == (Direction.DEBIT, 5000)
    assert (check.trace_number, check.method, check.check_number) == (
        "004417",
        LineMethod.CHECK,
        "004417",
    )


def test_an_explicit_mapping() -> None:
    data = b"When,How much,Bank text\n2026-11-02,10.00,X\n"
    with pytest.raises(BankCsvError, match="no header row"):
        parse_bank_csv(data)
    parsed = parse_bank_csv(
        data, mapping={"date": "When", "amount": "How much", "description": "Bank text"}
    )
    assert parsed.lines[0].cents == 1000
    with pytest.raises(BankCsvError, match="unknown field"):
        parse_bank_csv(data, mapping={"day": "When"})


def test_every_bad_row_is_named_with_its_column() -> None:
    data = (
        b"Date,Amount,Description\n"
        b"2026-11-02,10.00,ok\n"
        b"2026-13-02,10.00,bad date\n"
        b"2026-11-03,12.3.4,bad amount\n"
        b"2026-11-03,1.005,sub-cent\n"
        b",5.00,no date\n"
    )
    with pytest.raises(BankCsvError) as caught:
        parse_bank_csv(data, name="nov.csv")
    assert caught.value.errors == [
        "row 3, column \"Date\": '2026-13-02' is not a date (YYYY-MM-DD or MM/DD/YYYY)",
        "row 4, column \"Amount\": '12.3.4' is not an amount",
        "row 5, column \"Amount\": '1.005' has more than two decimals",
        'row 6, column "Date": empty',
    ]
    assert str(caught.value).startswith("nov.csv: row 3")


def test_a_credit_and_a_debit_on_one_row_is_refused() -> None:
    data = b"date,description,credit,debit\n2026-11-02,x,5.00,5.00\n"
    with pytest.raises(BankCsvError, match=r'row 2, column "credit": both a credit'):
        parse_bank_csv(data)


def test_empty_and_headerless_files() -> None:
    with pytest.raises(BankCsvError, match="empty"):
        parse_bank_csv(b"  \n")
    with pytest.raises(BankCsvError, match="no header row"):
        parse_bank_csv(b"2026-11-02,10.00,x\n")


def test_latin1_bytes_are_read() -> None:
    data = "date,amount,description\n2026-11-02,5.00,CAFÉ\n".encode("cp1252")
    assert parse_bank_csv(data).lines[0].description == "CAFÉ"


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234.56", 123456),
        ("$1,234.56", 123456),
        ("-45", -4500),
        ("(45.00)", -4500),
        ("45.00 CR", 4500),
        ("12.00 DR", -1200),
        ("-$3.10", -310),
        ("$-3.10", -310),
        ("3.10-", -310),
        ("+7", 700),
        (".5", 50),
    ],
)
def test_amounts(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize("text", ["", "$", "1,23.00", "12.3.4", "abc", "1.001", "."])
def test_not_amounts(text: str) -> None:
    with pytest.raises(ValueError, match=r"amount|decimals"):
        parse_amount(text)


@pytest.mark.parametrize(
    "text", ["2026-11-02", "11/02/2026", "11/2/2026", "11-02-2026", "11/02/26", "20261102"]
)
def test_dates(text: str) -> None:
    assert parse_date(text) == dt.date(2026, 11, 2)


def test_traces() -> None:
    assert trace_from_text("HCCLAIMPMT TRN*1*12345*1512345678\\") == ("12345", "1512345678")
    assert trace_from_text("trn*1*ABC-9") == ("ABC-9", "")
    assert trace_from_text("ACH CREDIT 021000021234567") == ("", "")
    assert normalize_trace(" 000123 ") == "123"
    assert normalize_trace("eft-100234") == "EFT100234"
    assert normalize_trace("000") == "0"
    assert normalize_trace("") == ""
