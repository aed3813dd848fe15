"""The deposit reconciliation page: the worked day seen and worked through its htmx forms, who
may write, and another practice's deposits out of reach."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from openrcm.accounts.services import user_create
from openrcm.reconciliation.models import BankImport, Deposit, DepositMatch
from openrcm.reconciliation.services import deposit_create
from tests.apps.conftest import PASSWORD, PracticeWorld

from .conftest import DAY, Day

HTMX = {"HTTP_HX_REQUEST": "true"}
EFT_LINE = (
    b'date,amount,description,type\n2026-11-02,117.50,"HCCLAIMPMT '
    b'TRN*1*EFT100234*1512345678\\",ACH\n'
)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(world: PracticeWorld) -> str:
    return reverse("reconciliation") + f"?practice={world.practice.pk}&day={DAY.isoformat()}"


def test_a_payment_poster_works_the_day(day: Day) -> None:
    world = day.world
    poster = user_create(
        username="pat", password=PASSWORD, practice=world.practice, role="payment_poster"
    )
    client = client_for(poster)
    page = client.get(page_url(world)).content.decode()
    assert "Deposit reconciliation" in page and "Unmatched 835 payments (3)" in page
    assert "Interest owed" in page and "Overpayment recovery" in page
    assert "Add deposit" in page and "Upload a bank CSV" in page

    # Upload the bank's CSV (htmx): the section comes back with the message.
    upload = SimpleUploadedFile("nov02.csv", EFT_LINE, content_type="text/csv")
    answer = client.post(
        reverse("deposit_import"),
        {"practice": world.practice.pk, "day": "2026-11-02", "file": upload},
        **HTMX,
    )
    assert answer.status_code == 200
    body = answer.content.decode()
    assert body.startswith('<div id="reconciliation"') and "1 deposits imported" in body
    assert "1 deposit(s) ready to match" in body

    # Add the check deposit by hand: 130.00 is suggested for the check's 835.
    answer = client.post(
        reverse("deposit_new"),
        {
            "practice": world.practice.pk,
            "day": "2026-11-02",
            "deposited_on": "2026-11-02",
            "amount": "$130.00",
            "method": "check",
            "payer_name": "MEDICARE",
        },
        **HTMX,
    )
    check = Deposit.objects.get(cents=13000)
    assert check.created_by == poster
    assert "Suggested by amount and date" in answer.content.decode()

    # Match by trace and amount, then confirm the suggestion.
    body = client.post(
        reverse("deposits_match"), {"practice": world.practice.pk, "day": "2026-11-02"}, **HTMX
    ).content.decode()
    assert "1 deposits matched by trace and amount" in body
    body = client.post(
        reverse("deposit_match", args=[check.pk]),
        {"day": "2026-11-02", "remittance": day.check.pk, "method": "amount_date"},
        **HTMX,
    ).content.decode()
    assert f"Deposit {check.pk} matched." in body and "Matched (2)" in body
    assert DepositMatch.objects.get(deposit=check).method == "amount_date"

    # Unmatch, without htmx: back to the page.
    answer = client.post(
        reverse("deposit_unmatch", args=[check.pk]), {"day": "2026-11-02", "reason": "oops"}
    )
    assert answer.status_code == 302 and answer["Location"] == page_url(world)
    assert not DepositMatch.objects.filter(deposit=check, ended_at__isnull=True).exists()


def test_bad_input_is_said_and_writes_nothing(day: Day) -> None:
    world = day.world
    admin = user_create(username="ada", password=PASSWORD, practice=world.practice, role="admin")
    client = client_for(admin)
    upload = SimpleUploadedFile("bad.csv", b"date,amount\n2026-11-02,12,5\n")
    body = client.post(
        reverse("deposit_import"), {"practice": world.practice.pk, "file": upload}, **HTMX
    ).content.decode()
    assert "Nothing imported: bad.csv: row 2: 3 cells but the header has 2" in body
    body = client.post(
        reverse("deposit_new"),
        {"practice": world.practice.pk, "deposited_on": "2026-11-02", "amount": "-5"},
        **HTMX,
    ).content.decode()
    assert "No deposit added" in body and "a deposit is more than 0.00" in body
    deposit = deposit_create(practice=world.practice, deposited_on=DAY, cents=100, method="eft")
    body = client.post(
        reverse("deposit_match", args=[deposit.pk]), {"remittance": day.lonely.pk}, **HTMX
    ).content.decode()
    assert "Not matched: the deposit is 1.00 but the remittances pay 80.00" in body
    huge = "9" * 30  # no row has such an id: refused, not a database overflow
    assert client.post(reverse("deposit_new"), {"practice": huge}).status_code == 404
    body = client.post(
        reverse("deposit_match", args=[deposit.pk]), {"remittance": huge}, **HTMX
    ).content.decode()
    assert "Not matched: choose at least one remittance" in body
    assert Deposit.objects.count() == 1 and not BankImport.objects.exists()
    assert not DepositMatch.objects.exists()


def test_the_owner_reads_but_cannot_write(day: Day) -> None:
    owner = user_create(
        username="olga", password=PASSWORD, practice=day.world.practice, role="practice_owner"
    )
    client = client_for(owner)
    page = client.get(page_url(day.world)).content.decode()
    assert "Unmatched 835 payments (3)" in page and "Add deposit" not in page
    answer = client.post(reverse("deposits_match"), {"practice": day.world.practice.pk})
    assert answer.status_code == 403


def test_another_practice_is_out_of_reach(day: Day, practice_b: PracticeWorld) -> None:
    theirs = user_create(
        username="bea", password=PASSWORD, practice=practice_b.practice, role="payment_poster"
    )
    client = client_for(theirs)
    deposit = deposit_create(
        practice=day.world.practice, deposited_on=DAY, cents=13000, method="check"
    )
    assert client.get(page_url(day.world)).status_code == 404
    assert client.post(reverse("deposit_match", args=[deposit.pk]), {}).status_code == 404
    assert client.post(reverse("deposit_unmatch", args=[deposit.pk]), {}).status_code == 404
    for name in ("deposit_new", "deposits_match", "deposit_import"):
        answer = client.post(reverse(name), {"practice": day.world.practice.pk})
        assert answer.status_code == 404, name
    assert Deposit.objects.count() == 1 and not DepositMatch.objects.exists()
    # Their own page shows their own (empty) day.
    own = client.get(reverse("reconciliation") + f"?day={DAY.isoformat()}").content.decode()
    assert "Practice B" in own and "Unmatched 835 payments (0)" in own
