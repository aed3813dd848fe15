"""The web's posting pages end to end: an 835 uploaded and shown (payment, claims with their
adjustments and line matching, PLBs, refused sets with the segment named), an exception matched
by hand that posts and balances, a denial written off with a reason, a claim's ledger with
running balances; another practice's ERAs, exceptions, denials and ledgers are 404; query
counts do not grow with the rows."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openrcm.accounts.services import user_create
from openrcm.audit.models import AuditEvent
from openrcm.claims.models import Claim
from openrcm.core.x12.era import write_835
from openrcm.posting.ledger import ledger_check
from openrcm.posting.models import ChargeBalance, Denial, LedgerEntry, PostingException, Remittance
from openrcm.posting.services import era_import
from tests.apps.conftest import PASSWORD, PracticeWorld
from tests.apps.posting.conftest import send
from tests.apps.posting.eras import NOW, clp, era, remittance, svc

pytestmark = pytest.mark.django_db


def _client(w: PracticeWorld, role: str, name: str) -> Client:
    user = user_create(username=name, password=PASSWORD, practice=w.practice, role=role)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def poster(practice_a: PracticeWorld) -> Client:
    return _client(practice_a, "payment_poster", "pat-poster")


@pytest.fixture
def ar(practice_a: PracticeWorld) -> Client:
    return _client(practice_a, "ar_specialist", "andy-ar")


@pytest.fixture
def owner(practice_a: PracticeWorld) -> Client:
    return _client(practice_a, "practice_owner", "olga-owner")


@pytest.fixture
def sent(practice_a: PracticeWorld) -> Claim:
    return send(practice_a.claim)


def _lines(claim: Claim) -> list[Any]:
    return list(
        claim.lines.select_related("charge_line", "claim__encounter").order_by("line_number")
    )


def _balances(claim: Claim) -> list[tuple[int, int]]:
    return [
        tuple(  # type: ignore[misc]
            ChargeBalance.objects.filter(charge_line_id=ln.charge_line_id).values_list(
                "insurance_cents", "patient_cents"
            )[0]
        )
        for ln in _lines(claim)
    ]


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _paid_835(
    claim: Claim, *, trace: str = "TRACE0001", unknown: int = 0, icn: str = "ICN0001"
) -> bytes:
    """Claim paid 100 + 15 with CO-45 25 on line 1, interest L6 2.50 (PLB), and `unknown`
    more CLPs for claims we do not have."""
    one, two = _lines(claim)
    claims = [clp(claim, [svc(one, "100", ("CO", "45", "25")), svc(two, "15")], icn=icn)]
    claims += [
        clp(claim, [svc(one, "125"), svc(two, "15")], pcn=f"NOTOURS{i:03}", icn=f"X{i}")
        for i in range(unknown)
    ]
    return era(remittance(claims, trace=trace, plb=[("L6", "-2.50", "INTEREST")]))


# -- ERAs -----------------------------------------------------------------------------------------


def test_an_uploaded_835_posts_and_its_page_shows_what_it_did(
    poster: Client, sent: Claim, practice_a: PracticeWorld
) -> None:
    upload = SimpleUploadedFile("medicare.835", _paid_835(sent, unknown=1))
    response = poster.post(
        reverse("era_upload"), {"practice": practice_a.practice.pk, "file": upload}, follow=True
    )
    assert response.status_code == 200
    said = _messages(response)
    assert "1 payment(s) posted" in said and "1 claim(s) and 2 line(s) posted" in said
    assert "1 exception(s)" in said
    remittance_row = Remittance.objects.get()
    assert response.redirect_chain[-1][0] == reverse("era_detail", args=[remittance_row.pk])
    page = _text(response)
    assert "MEDICARE PART B" in page and "TRACE0001" in page
    assert "$257.50" in page  # 100 + 15, 140 for the claim not ours, 2.50 interest
    assert sent.patient_control_number in page
    assert practice_a.patient.full_name in page
    assert "CO-45" in page and "$25.00" in page
    assert "6R" in page  # each SVC matched to our line by REF*6R
    assert "Interest owed" in page and "L6" in page and "-$2.50" in page
    assert "NOTOURS000" in page and "match by hand" in page
    assert _balances(sent) == [(0, 0), (0, 0)]
    raw = reverse("x12_file", args=[remittance_row.era_file.stored_id])
    assert raw in page and poster.get(raw).status_code == 200
    # the ERA page is audited as a read of the remittance
    event = AuditEvent.objects.filter(object_type="posting.remittance").get()
    assert (event.action, event.object_id) == ("read", str(remittance_row.pk))

    # the same file again: nothing changes, and the page says so
    again = poster.post(
        reverse("era_upload"),
        {
            "practice": practice_a.practice.pk,
            "file": SimpleUploadedFile("medicare.835", _paid_835(sent, unknown=1)),
        },
        follow=True,
    )
    assert "was already imported: nothing changed" in _messages(again)
    assert Remittance.objects.count() == 1
    assert ledger_check() == []

    listing = _text(poster.get(reverse("era_list")))
    assert "TRACE0001" in listing and "$257.50" in listing and "Posted" in listing


def test_a_refused_set_is_listed_with_the_segment_named(
    poster: Client, sent: Claim, practice_a: PracticeWorld
) -> None:
    one, two = _lines(sent)
    bad = clp(sent, [svc(one, "100", ("CO", "45", "25")), svc(two, "15")])
    bad.paid = Decimal("99")  # CLP04 no longer the lines' payments: the set does not balance
    text = write_835(
        [remittance([bad], trace="BROKEN1")],
        sender_id="MEDICARE",
        receiver_id="CLINIC",
        isa_control=7,
        gs_control=7,
        now=NOW,
        check_balance=False,
    )
    response = poster.post(
        reverse("era_upload"),
        {
            "practice": practice_a.practice.pk,
            "file": SimpleUploadedFile("broken.835", text.encode()),
        },
        follow=True,
    )
    refused = Remittance.objects.get()
    assert refused.status == "refused" and "CLP" in refused.error
    assert refused.error in _messages(response)
    listing = _text(poster.get(reverse("era_list")))
    assert "Refused" in listing and refused.error in listing
    detail = _text(poster.get(reverse("era_detail", args=[refused.pk])))
    assert "refused whole" in detail and refused.error in detail
    assert not LedgerEntry.objects.exclude(kind="charge").exists()


def test_a_file_that_is_not_x12_is_refused_with_why(
    poster: Client, practice_a: PracticeWorld
) -> None:
    response = poster.post(
        reverse("era_upload"),
        {
            "practice": practice_a.practice.pk,
            "file": SimpleUploadedFile("notes.txt", b"hello, not an 835"),
        },
        follow=True,
    )
    assert "notes.txt was not imported" in _messages(response)
    assert not Remittance.objects.exists()


# -- exceptions -----------------------------------------------------------------------------------


def test_an_exception_matched_by_hand_posts_and_balances(
    poster: Client, sent: Claim, practice_a: PracticeWorld
) -> None:
    one, two = _lines(sent)
    payment = clp(sent, [svc(one, "100", ("CO", "45", "25")), svc(two, "15")], pcn="TYPO-PCN")
    era_import(data=era(remittance([payment])), practice=practice_a.practice)
    exception = PostingException.objects.get()

    listing = _text(poster.get(reverse("posting_exceptions")))
    assert "TYPO-PCN" in listing and "Claim not found" in listing
    assert "match it to a claim by hand" in listing

    page = poster.get(reverse("posting_exception", args=[exception.pk]))
    text = _text(page)
    assert "TESTPATIENT, JORDAN" in text  # the 835's patient (NM1*QC), read from the stored file
    assert sent.patient_control_number in text  # a claim with the same charge is suggested
    assert "Match and post" in text

    found = _text(
        poster.post(
            reverse("posting_exception_search", args=[exception.pk]),
            {"q": practice_a.patient.last_name, "date_of_service": "2026-11-01"},
        )
    )
    assert "No claim matches your search." in found or sent.patient_control_number in found
    found = _text(
        poster.post(
            reverse("posting_exception_search", args=[exception.pk]),
            {"q": practice_a.patient.last_name},
        )
    )
    assert sent.patient_control_number in found

    response = poster.post(
        reverse("posting_exception_match", args=[exception.pk]), {"claim": sent.pk}, follow=True
    )
    assert f"Matched to claim {sent.patient_control_number} and posted" in _messages(response)
    assert _balances(sent) == [(0, 0), (0, 0)]
    assert Claim.objects.get(pk=sent.pk).status == "paid"
    assert ledger_check() == []
    exception.refresh_from_db()
    assert exception.resolved_at is not None
    resolved = _text(poster.get(reverse("posting_exceptions")))
    assert "No open exception" in resolved and "TYPO-PCN" in resolved

    # a second match changes nothing and says why
    again = poster.post(
        reverse("posting_exception_match", args=[exception.pk]), {"claim": sent.pk}, follow=True
    )
    assert "Not matched: this exception was resolved" in _messages(again)
    assert LedgerEntry.objects.filter(kind="insurance_payment").count() == 2


def test_the_owner_sees_the_worklists_but_cannot_match_or_work(
    owner: Client, sent: Claim, practice_a: PracticeWorld
) -> None:
    payment = clp(sent, [], status="4", adjustments=(("CO", "50", "140"),), pcn="LOST1")
    era_import(data=era(remittance([payment])), practice=practice_a.practice)
    exception = PostingException.objects.get()
    page = _text(owner.get(reverse("posting_exception", args=[exception.pk])))
    assert "Match and post" not in page
    response = owner.post(
        reverse("posting_exception_match", args=[exception.pk]), {"claim": sent.pk}
    )
    assert response.status_code == 403
    assert "Upload an 835" not in _text(owner.get(reverse("era_list")))


# -- denials --------------------------------------------------------------------------------------


def test_a_denial_is_worked_from_the_worklist_and_written_off_with_a_reason(
    ar: Client, sent: Claim, practice_a: PracticeWorld
) -> None:
    payment = clp(sent, [], status="4", adjustments=(("CO", "50", "140"),), remarks=("N115",))
    era_import(data=era(remittance([payment])), practice=practice_a.practice)
    denial = Denial.objects.get()

    page = _text(ar.get(reverse("denial_list")))
    assert "medical necessity" in page.lower()
    assert "CO-50" in page and "Not medically necessary in the payer's judgment" in page
    assert "N115" in page and "local coverage determination" in page
    assert denial.next_action in page
    assert "$140.00" in page
    by_category = _text(ar.get(reverse("denial_list") + "?category=bundling"))
    assert "No denial waiting in bundling" in by_category

    refused = ar.post(
        reverse("denial_work", args=[denial.pk]), {"action": "write_off", "note": " "}, follow=True
    )
    assert "a write-off needs a reason" in _messages(refused)
    assert not LedgerEntry.objects.filter(kind="write_off").exists()

    done = ar.post(
        reverse("denial_work", args=[denial.pk]),
        {"action": "write_off", "note": "no ABN on file"},
        follow=True,
    )
    assert "written off" in _messages(done)
    assert _balances(sent) == [(0, 0), (0, 0)]
    assert Claim.objects.get(pk=sent.pk).status == "closed"
    assert "No denial waiting" in _text(done)
    assert "Written off" in _text(done)

    ledger = _text(ar.get(reverse("claim_ledger", args=[sent.pk])))
    assert "Write-off" in ledger and "denial CO-50 written off: no ABN on file" in ledger
    assert "Denial" in ledger and "N115" in ledger
    assert "$0.00 / $0.00" in ledger


def test_appeal_and_resubmit_from_the_worklist(
    ar: Client, sent: Claim, practice_a: PracticeWorld
) -> None:
    payment = clp(sent, [], status="4", adjustments=(("CO", "16", "140"),), remarks=("M51",))
    era_import(data=era(remittance([payment])), practice=practice_a.practice)
    denial = Denial.objects.get()
    ar.post(reverse("denial_work", args=[denial.pk]), {"action": "appeal", "note": "sent"})
    denial.refresh_from_db()
    assert denial.status == "appealed"
    assert "appealed" in _text(ar.get(reverse("denial_list")))
    ar.post(reverse("denial_work", args=[denial.pk]), {"action": "resubmit"})
    denial.refresh_from_db()
    assert denial.status == "resubmitted"
    assert Claim.objects.get(pk=sent.pk).status == "ready"


# -- the ledger -----------------------------------------------------------------------------------


def test_the_claim_ledger_shows_running_balances_and_links_the_era(
    member_client: Client, sent: Claim, practice_a: PracticeWorld
) -> None:
    era_import(data=_paid_835(sent), practice=practice_a.practice)
    remittance_row = Remittance.objects.get()
    response = member_client.get(reverse("claim_ledger", args=[sent.pk]))
    text = _text(response)
    rows = response.context["rows"]
    assert [r.label for r in rows][:2] == ["Charge", "Charge"]
    assert (rows[1].insurance_cents, rows[1].patient_cents) == (14000, 0)
    assert (rows[-1].insurance_cents, rows[-1].patient_cents) == (0, 0)
    assert reverse("era_detail", args=[remittance_row.pk]) in text
    assert "Contractual adjustment" in text and "CO-45" in text
    detail = _text(member_client.get(reverse("claim_detail", args=[sent.pk])))
    assert reverse("claim_ledger", args=[sent.pk]) in detail


# -- another practice -----------------------------------------------------------------------------


def test_another_practice_gets_404_everywhere(
    outsider_client: Client, sent: Claim, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    one, two = _lines(sent)
    denied = clp(sent, [], status="4", adjustments=(("CO", "50", "140"),), icn="D1")
    lost = clp(sent, [svc(one, "125"), svc(two, "15")], pcn="LOST2", icn="L1")
    era_import(data=era(remittance([denied, lost])), practice=practice_a.practice)
    remittance_row = Remittance.objects.get()
    exception = PostingException.objects.get()
    denial = Denial.objects.get()
    for url in (
        reverse("era_detail", args=[remittance_row.pk]),
        reverse("posting_exception", args=[exception.pk]),
        reverse("claim_ledger", args=[sent.pk]),
    ):
        assert outsider_client.get(url).status_code == 404, url
    # practice B's poster and A/R specialist cannot write on practice A's objects either
    poster_b = _client(practice_b, "payment_poster", "bob-poster")
    ar_b = _client(practice_b, "ar_specialist", "bob-ar")
    assert (
        poster_b.post(
            reverse("posting_exception_match", args=[exception.pk]), {"claim": sent.pk}
        ).status_code
        == 404
    )
    assert (
        poster_b.post(
            reverse("era_upload"),
            {
                "practice": practice_a.practice.pk,
                "file": SimpleUploadedFile("x.835", _paid_835(sent, trace="OTHER")),
            },
        ).status_code
        == 404
    )
    assert (
        ar_b.post(
            reverse("denial_work", args=[denial.pk]), {"action": "write_off", "note": "x"}
        ).status_code
        == 404
    )
    # practice B's own exception cannot be matched to practice A's claim
    lost_b = clp(practice_b.claim, [], status="4", adjustments=(("CO", "50", "140"),), pcn="B1")
    era_import(data=era(remittance([lost_b], trace="BTRACE")), practice=practice_b.practice)
    exception_b = PostingException.objects.get(practice=practice_b.practice)
    response = poster_b.post(
        reverse("posting_exception_match", args=[exception_b.pk]), {"claim": sent.pk}, follow=True
    )
    assert "Choose a claim of the practice" in _messages(response)
    # and the lists show none of practice A's rows
    for url in (reverse("era_list"), reverse("posting_exceptions"), reverse("denial_list")):
        body = _text(outsider_client.get(url))
        assert "LOST2" not in body and sent.patient_control_number not in body
    assert denial.status == "open" and exception.resolved_at is None


# -- query counts ---------------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_rows(
    member_client: Client, sent: Claim, practice_a: PracticeWorld
) -> None:
    def denied(icn: str) -> Any:
        return clp(sent, [], status="4", adjustments=(("CO", "50", "140"),), icn=icn)

    era_import(data=_paid_835(sent, unknown=1), practice=practice_a.practice)
    era_import(data=era(remittance([denied("D1")], trace="DEN1")), practice=practice_a.practice)
    small = Remittance.objects.get(trace_number="TRACE0001")
    pages = {
        name: reverse(name, args=args)
        for name, args in (
            ("era_list", []),
            ("posting_exceptions", []),
            ("denial_list", []),
            ("claim_ledger", [sent.pk]),
        )
    }
    before = {name: _queries(member_client, url) for name, url in pages.items()}
    # the same claim paid again under another payer claim number, 8 more claims not ours,
    # more denials: every page has more rows, and as many queries
    more = _paid_835(sent, trace="TRACE0002", unknown=8, icn="ICN0002")
    era_import(data=more, practice=practice_a.practice)
    for n in range(2, 6):
        data = era(remittance([denied(f"D{n}")], trace=f"DEN{n}"))
        era_import(data=data, practice=practice_a.practice)
    large = Remittance.objects.get(trace_number="TRACE0002")
    assert large.exceptions.count() == 8 and Denial.objects.count() == 5
    assert _queries(member_client, reverse("era_detail", args=[small.pk])) == _queries(
        member_client, reverse("era_detail", args=[large.pk])
    )
    after = {name: _queries(member_client, url) for name, url in pages.items()}
    assert after == before
    assert max(after.values()) <= 30


# -- a patient payment ----------------------------------------------------------------------------


def test_a_patient_payment_is_applied_to_what_the_patient_owes(
    poster: Client, sent: Claim, practice_a: PracticeWorld
) -> None:
    one, two = _lines(sent)
    to_deductible = [svc(one, "0", ("PR", "1", "125")), svc(two, "0", ("PR", "1", "15"))]
    era_import(data=era(remittance([clp(sent, to_deductible)])), practice=practice_a.practice)
    assert _balances(sent) == [(0, 12500), (0, 1500)]
    url = reverse("claim_patient_payment", args=[sent.pk])
    too_much = poster.post(url, {"amount": "150.00"}, follow=True)
    assert "the patient owes 140.00" in _messages(too_much)
    assert "is not an amount" in _messages(poster.post(url, {"amount": "1.234"}, follow=True))
    done = poster.post(url, {"amount": "$130.00", "note": "check 1234"}, follow=True)
    assert "Patient payment of $130.00 posted" in _messages(done)
    assert _balances(sent) == [(0, 0), (0, 1000)]
    assert ledger_check() == []
    assert [e.cents for e in LedgerEntry.objects.filter(kind="patient_payment")] == [12500, 500]
    assert "Patient payment" in _text(done) and "check 1234" in _text(done)
    owner = _client(practice_a, "practice_owner", "olga")
    assert owner.post(url, {"amount": "10.00"}).status_code == 403
    assert "Post payment" not in _text(owner.get(reverse("claim_ledger", args=[sent.pk])))
