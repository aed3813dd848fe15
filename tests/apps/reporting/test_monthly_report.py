"""The monthly practice report of the worked book for October 2026: its content (the dashboard's
KPIs, the aging, the denial with its recovery, the open items), the PDF rendered to PNG
(pdftoppm) and its text (pdftotext) checked against ``kpi_for`` and ``aging_for``, the stored
file, regeneration, and ``openrcm report monthly``.

October 2026 on top of the book (see test_report_cli): C2's claim-level denial (CO-50 200.00,
835 paid 10-20) is paid 120.00 on 10-30 (CO-45 80.00), so October's payments are 85 + 120 =
205.00, contractual 25 + 80 = 105.00, and 120.00 of the 200.00 denied is recovered. At 10-31 the
only open insurance balance is C3's 100.00 (DOS 06-15, 138 days: 120+); the patient owes C1 L1's
30.00 deductible (DOS 10-01, 30 days: 0-30).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openrcm.audit.models import AuditEvent
from openrcm.core.reporting import FORMULAS
from openrcm.files.services import file_read
from openrcm.posting.services import era_import
from openrcm.reporting.aging_selectors import aging_for
from openrcm.reporting.models import MonthlyReport
from openrcm.reporting.monthly_content import month_parse, monthly_content
from openrcm.reporting.monthly_pdf import money_text, rate_text
from openrcm.reporting.selectors import kpi_for
from openrcm.reporting.services import monthly_report_generate
from tests.apps.posting.eras import clp, era, negate, remittance, svc
from tests.apps.reporting.monthly_book import MonthlyBook
from tests.apps.reporting.test_report_cli import Book, at, lines, paid_on

OCTOBER = dt.date(2026, 10, 1)
AS_OF = dt.date(2026, 10, 31)
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)  # 06:00 in Chicago

POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")
needs_poppler = pytest.mark.skipif(
    not POPPLER, reason="pdftoppm/pdftotext (poppler-utils) are not installed"
)


def flat(text: str) -> str:
    """The text with every run of white space made one space (pdftotext lays out columns)."""
    return re.sub(r"\s+", " ", text)


def pdf_text(path: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return done.stdout


def test_content_is_the_dashboards_numbers_with_the_recovery(monthly_book: MonthlyBook) -> None:
    world = monthly_book.book.world
    content = monthly_content(practice=world.practice, month=OCTOBER, generated_at=NOW)
    expected = kpi_for([world.practice], start=OCTOBER, end=AS_OF, as_of=AS_OF)
    assert content.report == expected
    assert content.report.payments_cents == 20500
    assert content.report.contractual_adjustments_cents == 10500
    # The trend: 12 months, November 2025 .. October 2026, the last one the month itself.
    assert [r.period_start for r in content.trend][::11] == [dt.date(2025, 11, 1), OCTOBER]
    assert content.trend[-1].charges_cents == expected.charges_cents
    # Denials: C2's CO-50, category medical necessity: 200.00 denied, 120.00 recovered (the
    # 10-30 payment on its line), still open (nobody worked it).
    (denials,) = content.denials
    assert (denials.denials, denials.claims, denials.denied_cents) == (1, 1, 20000)
    assert (denials.recovered_cents, denials.still_open) == (12000, 1)
    assert denials.earlier_recovered_cents == 0
    # Open items: C3 only, 100.00, 138 days, initials only.
    (item,) = content.open_items
    assert item.claim_id == monthly_book.book.c3.pk
    assert (item.balance_cents, item.age_days, item.service_date) == (
        10000,
        138,
        dt.date(2026, 6, 15),
    )
    assert item.patient_initials == "J.T."
    assert item.payer == world.payer.name
    # Aging by payer: the payer's insurance 100.00 in 120+, the patient's 30.00 in 0-30.
    (payer_row,) = content.aging_by_payer
    assert payer_row.payer_id == world.payer.pk
    assert [c.cents for c in payer_row.row.insurance] == [0, 0, 0, 0, 10000]
    assert [c.cents for c in payer_row.row.patient] == [3000, 0, 0, 0, 0]


def test_a_denial_not_paid_since_recovers_nothing(book: Book) -> None:
    # The book alone (no 10-30 payment): C2's 200.00 denial recovers nothing, and the open
    # items are C2's 200.00 (26 days) then C3's 100.00 (138 days), largest first.
    world = book.world
    content = monthly_content(practice=world.practice, month=OCTOBER, generated_at=NOW)
    (denials,) = content.denials
    assert (denials.denied_cents, denials.recovered_cents) == (20000, 0)
    assert [(i.claim_id, i.balance_cents, i.age_days) for i in content.open_items] == [
        (book.c2.pk, 20000, 26),
        (book.c3.pk, 10000, 138),
    ]
    # November: no 835 was paid, so no denial received.
    november = monthly_content(
        practice=world.practice, month=dt.date(2026, 11, 1), generated_at=NOW
    )
    assert november.denials == []


def test_a_later_months_recovery_and_its_reversal(book: Book) -> None:
    # C2's October denial (200.00) is paid 120.00 on 11-05, the payment reversed on 11-20.
    world = book.world
    (l3,) = lines(book.c2)
    paid = [svc(l3, "120", ("CO", "45", "80"))]
    with at(dt.date(2026, 11, 6)):
        three = remittance([clp(book.c2, paid, icn="ICN-D")], trace="T-3")
        era_import(data=era(paid_on(three, dt.date(2026, 11, 5)), isa=3), practice=world.practice)
    november = dt.date(2026, 11, 1)
    october = monthly_content(practice=world.practice, month=OCTOBER, generated_at=NOW)
    assert [(d.denied_cents, d.recovered_cents) for d in october.denials] == [(20000, 0)]
    # November: no denial of its own; 120.00 recovered in it on October's denial.
    (row,) = monthly_content(practice=world.practice, month=november, generated_at=NOW).denials
    assert (row.category, row.denials, row.denied_cents) == ("medical necessity", 0, 0)
    assert row.earlier_recovered_cents == 12000
    with at(dt.date(2026, 11, 21)):
        four = remittance(
            [clp(book.c2, [negate(s) for s in paid], status="22", icn="ICN-D", sign=-1)],
            trace="T-4",
        )
        era_import(data=era(paid_on(four, dt.date(2026, 11, 20)), isa=4), practice=world.practice)
    assert monthly_content(practice=world.practice, month=november, generated_at=NOW).denials == []


@needs_poppler
def test_pdf_renders_and_prints_the_engines_numbers(
    monthly_book: MonthlyBook, tmp_path: Path
) -> None:
    world = monthly_book.book.world
    report = monthly_report_generate(practice=world.practice, month=OCTOBER, now=NOW)
    data = file_read(stored=report.stored)
    assert data.startswith(b"%PDF-")
    assert report.sha256 == hashlib.sha256(data).hexdigest() == report.stored.sha256
    assert report.month == OCTOBER and report.generated_at == NOW
    pdf = tmp_path / "october.pdf"
    pdf.write_bytes(data)

    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pages)
    # A blank letter page at 60 dpi compresses to about 1 kB; a page of tables is far more.
    assert all(p.stat().st_size > 15_000 for p in pages), [p.stat().st_size for p in pages]

    text = pdf_text(pdf)
    one = flat(text)
    assert world.practice.name in text
    assert "Monthly practice report" in text and "October 2026" in text
    # Every page: practice, month, generation time (Chicago), as-of date, page n of N.
    pages_text = text.split("\f")[: len(pages)]
    for number, page in enumerate(pages_text, start=1):
        assert world.practice.name in page
        assert "Monthly practice report \N{EM DASH} October 2026" in page
        assert "Generated 2026-11-01 06:00 CST" in page
        assert "A/R as of 2026-10-31" in page
        assert f"Page {number} of {len(pages)}" in page

    # The KPIs, exactly as kpi_for gives them (formatted once, the same way).
    kpis = kpi_for([world.practice], start=OCTOBER, end=AS_OF, as_of=AS_OF)
    assert f"Charges {money_text(kpis.charges_cents)}" in one
    assert f"Payments {money_text(kpis.payments_cents)}" in one
    assert money_text(kpis.payments_cents) == "$205.00"
    assert f"Net charges {money_text(kpis.net_charges_cents)}" in one
    assert f"Gross collection rate {rate_text(kpis.gross_collection_rate)}" in one
    assert f"Net collection rate {rate_text(kpis.net_collection_rate)}" in one
    assert rate_text(kpis.net_collection_rate) == "87.23%"  # 205 / 235 = 0.87234...
    assert f"A/R at month end {money_text(kpis.ar_end_cents)}" in one
    assert f"Days in A/R {kpis.days_in_ar} days" in one
    assert f"Denial rate {rate_text(kpis.denial_rate)} (1 of 2)" in one
    assert f"Insurance A/R over 90 days {rate_text(kpis.ar_over_90)}" in one
    # Formulas, beside their numbers.
    assert FORMULAS["net_collection_rate"] in one
    assert FORMULAS["gross_collection_rate"] in one

    # The aging at 10-31, as aging_for gives it: insurance 100.00 in 120+, patient 30.00.
    aging = aging_for([world.practice], AS_OF)
    insurance = [money_text(c.cents) for c in aging.total.insurance]
    patient = [money_text(c.cents) for c in aging.total.patient]
    assert f"Insurance {' '.join(insurance)} $100.00" in one
    assert f"Patient {' '.join(patient)} $30.00" in one
    assert insurance == ["$0.00"] * 4 + ["$100.00"]
    # Denials with the recovery; the largest open item, by initials.
    assert "medical necessity 1 1 $200.00 $120.00 1 $0.00" in one
    c3 = monthly_book.book.c3
    assert f"{c3.patient_control_number} J.T. 06/15/2026 {world.payer.name} 138 d $100.00" in one
    # Minimum necessary: no patient name, no member id, no date of birth.
    patient_row = c3.encounter.patient
    assert patient_row.last_name not in text and patient_row.first_name not in text
    audit = AuditEvent.objects.filter(object_type="reporting.monthlyreport", action="create")
    assert audit.count() == 1


def test_generating_again_replaces_the_file(monthly_book: MonthlyBook) -> None:
    practice = monthly_book.book.world.practice
    first = monthly_report_generate(practice=practice, month=dt.date(2026, 10, 17), now=NOW)
    later = NOW + dt.timedelta(hours=3)
    again = monthly_report_generate(practice=practice, month=OCTOBER, now=later)
    assert again.pk == first.pk and MonthlyReport.objects.count() == 1
    assert again.month == OCTOBER and again.generated_at == later
    assert again.stored_id != first.stored_id  # a new generation time: new bytes
    assert again.sha256 == hashlib.sha256(file_read(stored=again.stored)).hexdigest()
    assert AuditEvent.objects.filter(
        object_type="reporting.monthlyreport", action="update"
    ).exists()


@pytest.mark.parametrize(
    ("text", "month"), [("2026-10", OCTOBER), (" 2026-02 ", dt.date(2026, 2, 1))]
)
def test_month_parse(text: str, month: dt.date) -> None:
    assert month_parse(text) == month


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "10/2026", "2026-10-01", "", "0999-01"])
def test_month_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="is not a month"):
        month_parse(text)


@needs_poppler
def test_cli_writes_the_pdf(monthly_book: MonthlyBook, tmp_path: Path) -> None:
    out = StringIO()
    target = tmp_path / "rpt-2026-10.pdf"
    call_command(
        "report",
        "monthly",
        "--practice",
        "rpt",
        "--month",
        "2026-10",
        "--out",
        str(target),
        stdout=out,
    )
    stored = MonthlyReport.objects.get()
    assert target.read_bytes() == file_read(stored=stored.stored)
    assert "monthly report 2026-10 stored" in out.getvalue()
    assert "October 2026" in pdf_text(target)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--practice", "rpt", "--month", "2026-13"], "--month: month '2026-13' is not a month"),
        (["--practice", "rpt", "--month", "October"], "--month: month 'October' is not a month"),
        (["--practice", "ghost", "--month", "2026-10"], "--practice: no practice 'ghost'"),
    ],
)
def test_cli_refuses_a_bad_month_or_practice(
    monthly_book: MonthlyBook, tmp_path: Path, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("report", "monthly", *args, "--out", str(tmp_path / "x.pdf"))
    assert not MonthlyReport.objects.exists()


def test_cli_refuses_an_out_in_no_directory(monthly_book: MonthlyBook, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "x.pdf"
    with pytest.raises(CommandError, match="no directory"):
        call_command(
            "report", "monthly", "--practice", "rpt", "--month", "2026-10", "--out", str(missing)
        )
