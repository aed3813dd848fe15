"""The worked book, end to end in the database: claims built, scrubbed and sent through the
real services on their own days, two 835s posted by ``era_import`` (payments, CO-45
contractual, deductible, a claim-level denial, a reversal and its corrected payment), then
``openrcm report kpi --json`` and ``openrcm report aging --json`` with every value computed
by hand below.

The book (practice "rpt", Medicare Part B; every event at 17:00 UTC, noon in Chicago):

* C1: DOS 2026-10-01, L1 99213 125.00 + L2 36415 15.00; created and scrubbed 10-03,
  submitted 10-05 (charges posted), 999 accepted 10-05, 277CA accepted 10-06.
* C2: DOS 2026-10-05, one line 99214 200.00; created and scrubbed 10-06, submitted 10-07,
  accepted 10-07, 277CA accepted 10-08.
* C3: DOS 2026-06-15, one line 99213 100.00; created and scrubbed 06-16, submitted 06-17,
  999 accepted 06-17, no 277CA, never paid.
* 835 #1, paid on (BPR16) 2026-10-20: C1 ICN-A: L1 paid 80, CO-45 25, PR-1 (deductible) 20;
  L2 paid 15 (claim paid 95). C2 ICN-B: claim-level denial CLP02 4, CO-50 200.
* 835 #2, paid on 2026-10-28: C1 ICN-A reversed (CLP02 22, everything negated) and paid again
  as ICN-C: L1 paid 70, CO-45 25, PR-1 30; L2 paid 15 (claim paid 85).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from openrcm.accounts.services import user_create
from openrcm.claims.models import Claim
from openrcm.claims.services import claim_transition
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.money import Money
from openrcm.encounters.services import ChargeLineInput, encounter_create
from openrcm.posting.ledger import ledger_charges_post, ledger_check
from openrcm.posting.services import era_import
from openrcm.reporting.aging_selectors import aging_for
from openrcm.reporting.selectors import kpi_for, practices_for_user
from openrcm.scrubbing.services import claim_scrub
from tests.apps.conftest import PASSWORD, PracticeWorld, build_practice
from tests.apps.posting.eras import clp, era, negate, remittance, svc

UTC = dt.UTC


def at(day: dt.date) -> Any:
    """Travel to 17:00 UTC of ``day`` (noon in Chicago), the clock stopped."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(17, 0), tzinfo=UTC), tick=False)


def new_claim(world: PracticeWorld, dos: dt.date, *lines: tuple[str, str]) -> Claim:
    """A new encounter of the patient on ``dos`` with ``(code, charge)`` lines; its claim."""
    encounter = encounter_create(
        patient=world.patient,
        provider=world.provider,
        location=world.location,
        date_of_service=dos,
        diagnoses=["E11.9"],
        lines=[
            ChargeLineInput(
                procedure_code=code, diagnosis_pointers=[1], charge=Money(Decimal(charge))
            )
            for code, charge in lines
        ],
    )
    return encounter.claims.get()


def scrub(claim: Claim) -> None:
    claim_scrub(claim=claim)
    claim.refresh_from_db()
    if claim.status == ClaimStatus.DRAFT:
        claim_transition(claim=claim, to=ClaimStatus.READY)


def submit(claim: Claim, day: dt.date) -> None:
    with at(day):
        for status in (ClaimStatus.BATCHED, ClaimStatus.SUBMITTED, ClaimStatus.ACCEPTED):
            claim_transition(claim=claim, to=status)
        ledger_charges_post(claims=[claim])


def acknowledge(claim: Claim, day: dt.date) -> None:
    with at(day):
        claim_transition(claim=claim, to=ClaimStatus.ACKNOWLEDGED)


def paid_on(rem: Any, day: dt.date) -> Any:
    return dataclasses.replace(rem, payment=dataclasses.replace(rem.payment, date=day))


def lines(claim: Claim) -> list[Any]:
    return list(
        claim.lines.select_related("charge_line", "claim__encounter").order_by("line_number")
    )


@dataclasses.dataclass
class Book:
    world: PracticeWorld
    c1: Claim
    c2: Claim
    c3: Claim


@pytest.fixture
def book(db: Any) -> Book:
    with at(dt.date(2026, 6, 16)):
        world = build_practice("rpt", "1234567893")
        # build_practice's own claim is not part of the book: voided, never billed.
        claim_transition(claim=world.claim, to=ClaimStatus.VOID)
        c3 = new_claim(world, dt.date(2026, 6, 15), ("99213", "100.00"))
        scrub(c3)
    submit(c3, dt.date(2026, 6, 17))
    with at(dt.date(2026, 10, 3)):
        c1 = new_claim(world, dt.date(2026, 10, 1), ("99213", "125.00"), ("36415", "15.00"))
        scrub(c1)
    submit(c1, dt.date(2026, 10, 5))
    acknowledge(c1, dt.date(2026, 10, 6))
    with at(dt.date(2026, 10, 6)):
        c2 = new_claim(world, dt.date(2026, 10, 5), ("99214", "200.00"))
        scrub(c2)
    submit(c2, dt.date(2026, 10, 7))
    acknowledge(c2, dt.date(2026, 10, 8))

    l1, l2 = lines(c1)
    (l3,) = lines(c2)
    first_c1 = [svc(l1, "80", ("CO", "45", "25"), ("PR", "1", "20")), svc(l2, "15")]
    denial = clp(c2, [], status="4", icn="ICN-B", adjustments=(("CO", "50", "200"),))
    with at(dt.date(2026, 10, 21)):
        one = remittance([clp(c1, first_c1, icn="ICN-A"), denial], trace="T-1")
        era_import(data=era(paid_on(one, dt.date(2026, 10, 20))), practice=world.practice)
    again = [svc(l1, "70", ("CO", "45", "25"), ("PR", "1", "30")), svc(l2, "15")]
    with at(dt.date(2026, 10, 29)):
        two = remittance(
            [
                clp(c1, [negate(s) for s in first_c1], status="22", icn="ICN-A", sign=-1),
                clp(c1, again, icn="ICN-C"),
            ],
            trace="T-2",
        )
        era_import(data=era(paid_on(two, dt.date(2026, 10, 28)), isa=2), practice=world.practice)
    assert ledger_check() == []
    del l3
    return Book(world, c1, c2, c3)


def run(*args: str) -> Any:
    out = StringIO()
    call_command("report", *args, stdout=out)
    return json.loads(out.getvalue())


def test_worked_book_october_kpis(book: Book) -> None:
    kpis = run("kpi", "--practice", "rpt", "--from", "2026-10-01", "--to", "2026-10-31", "--json")
    # Charges: lines with a DOS in October: C1 125 + 15, C2 200 = 340.00 (C3 is June's).
    assert kpis["charges"] == "340.00"
    # Payments effective in October: 95 (10-20) - 95 (the reversal, 10-28) + 85 (10-28).
    assert kpis["payments"] == "85.00"
    assert kpis["insurance_payments"] == "85.00"
    # Contractual: 25 (10-20) - 25 (reversed) + 25 (10-28) = 25; net charges 340 - 25 = 315.
    assert kpis["contractual_adjustments"] == "25.00"
    assert kpis["net_charges"] == "315.00"
    # Gross 85 / 340 = 0.25; net 85 / 315 = 0.269841... -> 0.2698.
    assert kpis["gross_collection_rate"] == "0.2500"
    assert kpis["net_collection_rate"] == "0.2698"
    # A/R at 10-31: C1 L1 insurance 125 - 70 - 25 - 30 = 0, patient 30 (the deductible);
    # L2 0; C2 200 (a denial is not a write-off); C3 100. 300 + 30 = 330.00.
    assert kpis["ar_end"] == "330.00"
    # Days in A/R: window 08-01 .. 10-31 = 31 + 30 + 31 = 92 days; its net charges 340 - 25
    # = 315; 330 / (315 / 92) = 96.380... -> 96.4.
    assert kpis["days_in_ar"] == "96.4"
    # Adjudicated in October: C1 (10-20 and 10-28, once), C2 (denied): 1 denied of 2.
    assert kpis["denial_rate"] == "0.5000"
    # By dollars: 200 denied / 340 charged on those claims = 0.588235... -> 0.5882.
    assert kpis["denial_rate_dollars"] == "0.5882"
    # First adjudicated in October: C1 (paid 10-20), C2 (denied): 1 resolved of 2.
    assert kpis["first_pass_resolution"] == "0.5000"
    # First scrubbed in October: C1 (10-03), C2 (10-06). Neither is clean: each got the
    # scrubber's ICD-007 warning (a DOS past the loaded ICD-10-CM fiscal year): 0 / 2.
    assert kpis["clean_claim_rate"] == "0.0000"
    # First submitted in October and answered: C1, C2, both accepted by the 277CA: 2 / 2.
    assert kpis["first_pass_acceptance"] == "1.0000"
    # Insurance A/R at 10-31: C2 200 (DOS 26 days before) + C3 100 (138 days) = 300;
    # over 90 and over 120: C3's 100 / 300 = 0.3333.
    assert kpis["insurance_ar"] == "300.00"
    assert kpis["ar_over_90"] == "0.3333"
    assert kpis["ar_over_120"] == "0.3333"
    # Charge lag (created in October): C1 10-03 - 10-01 = 2, C2 10-06 - 10-05 = 1: [1, 2],
    # median (nearest rank 1) 1, p90 (rank 2) 2. Submission lag: C1 2, C2 1: the same.
    # Payer lag: C1 first paid 10-20 - submitted 10-05 = 15 (C2 never paid).
    assert (kpis["charge_lag_median"], kpis["charge_lag_p90"]) == (1, 2)
    assert (kpis["submission_lag_median"], kpis["submission_lag_p90"]) == (1, 2)
    assert (kpis["payer_lag_median"], kpis["payer_lag_p90"]) == (15, 15)


def test_worked_book_june_has_nothing_to_divide_by_for_adjudications(book: Book) -> None:
    kpis = run("kpi", "--practice", "rpt", "--from", "2026-06-01", "--to", "2026-06-30", "--json")
    # June: C3's 100.00 charged, nothing paid, nothing adjudicated.
    assert kpis["charges"] == "100.00"
    assert kpis["payments"] == "0.00"
    assert kpis["gross_collection_rate"] == "0.0000"
    assert kpis["denial_rate"] is None
    assert kpis["first_pass_resolution"] is None
    # C3 first submitted 06-17, answered only by the 999 (no 277CA): not answered yet.
    assert kpis["first_pass_acceptance"] is None
    # C3 (DOS in the loaded ICD-10-CM year) scrubbed clean on 06-16: 1 / 1.
    assert kpis["clean_claim_rate"] == "1.0000"
    # Window 04-01 .. 06-30 = 91 days, net charges 100: 100 / (100 / 91) = 91.0.
    assert kpis["days_in_ar"] == "91.0"


def test_worked_book_aging(book: Book) -> None:
    zero = {"0-30": "0.00", "31-60": "0.00", "61-90": "0.00", "91-120": "0.00", "120+": "0.00"}
    # 10-31: C2 200 (26 days) in 0-30, C3 100 (138 days) in 120+; C1 L1's 30 deductible
    # (DOS 10-01, 30 days) in the patient's 0-30.
    assert run("aging", "--practice", "rpt", "--as-of", "2026-10-31", "--json") == {
        "insurance": {**zero, "0-30": "200.00", "120+": "100.00"},
        "patient": {**zero, "0-30": "30.00"},
    }
    # 10-25, before the reversal: L1's patient share was the first 835's 20.00; C3 132 days.
    assert run("aging", "--practice", "rpt", "--as-of", "2026-10-25", "--json") == {
        "insurance": {**zero, "0-30": "200.00", "120+": "100.00"},
        "patient": {**zero, "0-30": "20.00"},
    }
    # 11-15: C2 41 days and L1 45 days move to 31-60.
    assert run("aging", "--practice", "rpt", "--as-of", "2026-11-15", "--json") == {
        "insurance": {**zero, "31-60": "200.00", "120+": "100.00"},
        "patient": {**zero, "31-60": "30.00"},
    }
    # 10-10, before any 835: C1 140 and C2 200 (0-30), C3 117 days (91-120).
    assert run("aging", "--practice", "rpt", "--as-of", "2026-10-10", "--json") == {
        "insurance": {**zero, "0-30": "340.00", "91-120": "100.00"},
        "patient": zero,
    }
    # Drill-down: the 120+ insurance cell at 10-31 is C3 and its one line.
    report = aging_for([book.world.practice], dt.date(2026, 10, 31))
    cell = report.drill_down("insurance", "120+")
    assert cell.claim_ids == (book.c3.pk,)
    assert cell.charge_line_ids == tuple(book.c3.lines.values_list("charge_line_id", flat=True))
    by_payer = report.by_payer[book.world.payer.pk]
    assert by_payer.insurance_cents == 30000


def test_kpi_table_prints_each_formula(book: Book) -> None:
    out = StringIO()
    call_command(
        "report",
        "kpi",
        "--practice",
        "rpt",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        stdout=out,
    )
    text = out.getvalue()
    assert "gross_collection_rate" in text and "Payments / charges" in text
    assert "0.2500" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["kpi", "--practice", "nope", "--from", "2026-10-01", "--to", "2026-10-31"],
            "no practice 'nope'",
        ),
        (
            ["kpi", "--practice", "rpt", "--from", "2026-13-01", "--to", "2026-10-31"],
            "--from '2026-13-01' is not a date",
        ),
        (
            ["kpi", "--practice", "rpt", "--from", "2026-10-31", "--to", "2026-10-01"],
            "--to 2026-10-01 is before --from 2026-10-31",
        ),
        (
            [
                "kpi",
                "--practice",
                "rpt",
                "--from",
                "2026-10-01",
                "--to",
                "2026-10-31",
                "--as-of",
                "yesterday",
            ],
            "--as-of 'yesterday' is not a date",
        ),
        (
            ["aging", "--practice", "rpt", "--as-of", "31/10/2026"],
            "--as-of '31/10/2026' is not a date",
        ),
        (["aging", "--practice", "ghost", "--as-of", "2026-10-31"], "no practice 'ghost'"),
    ],
)
def test_cli_refuses_bad_dates_and_unknown_practices(
    db: Any, args: list[str], message: str
) -> None:
    build_practice("rpt", "1234567893")
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("report", *args)


def test_practices_are_apart_and_summed_when_asked(book: Book) -> None:
    # Another practice (same organization and payer) bills its 140.00 claim (DOS 10-01) and
    # sends it on 10-02: the book's KPIs do not see it; both together add up.
    with at(dt.date(2026, 10, 2)):
        other = build_practice("oth", "1234567893", payer=book.world.payer)
        scrub(other.claim)
    submit(other.claim, dt.date(2026, 10, 2))
    october = {"start": dt.date(2026, 10, 1), "end": dt.date(2026, 10, 31)}
    assert kpi_for([book.world.practice], **october).charges_cents == 34000
    assert kpi_for([other.practice], **october).charges_cents == 14000
    both = kpi_for([book.world.practice, other.practice], **october)
    assert both.charges_cents == 48000
    # A/R at 10-31: the book's 330.00 and the other's unpaid 140.00.
    assert both.ar_end_cents == 33000 + 14000
    assert aging_for([other.practice], dt.date(2026, 10, 31)).total.insurance_cents == 14000
    # A biller of the other practice may view only it; a user of no practice, none.
    bob = user_create(username="bob", password=PASSWORD, practice=other.practice, role="biller")
    assert practices_for_user(bob) == [other.practice]
    assert practices_for_user(user_create(username="charlie", password=PASSWORD)) == []
