"""The exceptions queue worked by hand: an 835 claim payment matched to our claim posts exactly
as the import posts a matched claim, once; a match that cannot post changes nothing."""

from __future__ import annotations

import pytest

from openrcm.audit.models import AuditEvent
from openrcm.claims.models import Claim
from openrcm.posting.exceptions import ExceptionMatchError, posting_exception_match
from openrcm.posting.ledger import ledger_check
from openrcm.posting.models import LedgerEntry, PostingException, RemittanceClaim
from openrcm.posting.selectors import claim_money
from openrcm.posting.services import era_import
from tests.apps.conftest import PracticeWorld

from .eras import clp, era, remittance, svc
from .test_scenarios import balances, lines, status


def _unknown(
    claim: Claim, *, pcn: str = "NOSUCHPCN01", trace: str = "TRACE0001"
) -> PostingException:
    """An 835 paying `claim` in full under a patient control number we do not have."""
    one, two = lines(claim)
    payment = clp(claim, [svc(one, "100", ("CO", "45", "25")), svc(two, "15")], pcn=pcn)
    result = era_import(data=era(remittance([payment], trace=trace)), practice=claim.practice)
    assert result.exceptions == 1 and result.claims_posted == 0
    return PostingException.objects.get(patient_control_number=pcn, resolved_at__isnull=True)


def test_a_claim_we_do_not_have_matched_by_hand_posts_and_balances(
    claim: Claim, member: object
) -> None:
    exception = _unknown(claim)
    assert exception.kind == "unknown_claim"
    assert "NOSUCHPCN01" in exception.tried
    assert not LedgerEntry.objects.filter(claim=claim).exclude(kind="charge").exists()

    rc = posting_exception_match(exception=exception, claim=claim, actor=member)

    assert balances(claim) == [(0, 0), (0, 0)]
    assert status(claim) == "paid"
    assert ledger_check() == []
    assert rc.claim_id == claim.pk and rc.patient_control_number == "NOSUCHPCN01"
    assert rc.outcome == "paid"
    assert any("matched by hand" in w for w in rc.warnings)
    assert [m["method"] for m in rc.matching] == ["6R", "6R"]
    exception.refresh_from_db()
    assert exception.resolved_at is not None and exception.resolved_by == member
    assert exception.detail["matched"]["claim_id"] == claim.pk
    money = claim_money(claim)
    assert (money["insurance_paid"], money["contractual_adjustment"]) == ("115.00", "25.00")
    event = AuditEvent.objects.filter(object_type="posting.postingexception").get()
    assert (event.action, event.actor_id, event.patient_id) == (
        "update",
        member.pk,  # type: ignore[attr-defined]
        claim.encounter.patient_id,
    )


def test_a_resolved_exception_is_not_matched_twice(claim: Claim) -> None:
    exception = _unknown(claim)
    posting_exception_match(exception=exception, claim=claim)
    entries = LedgerEntry.objects.count()
    with pytest.raises(ExceptionMatchError, match="resolved"):
        posting_exception_match(exception=exception, claim=claim)
    assert LedgerEntry.objects.count() == entries


def test_a_payment_already_posted_on_the_claim_is_refused(claim: Claim) -> None:
    one, two = lines(claim)
    paid = clp(claim, [svc(one, "100", ("CO", "45", "25")), svc(two, "15")])
    era_import(data=era(remittance([paid])), practice=claim.practice)
    exception = _unknown(claim, pcn=claim.patient_control_number + "X", trace="TRACE0002")
    entries = LedgerEntry.objects.count()
    with pytest.raises(ExceptionMatchError, match="already posted"):
        posting_exception_match(exception=exception, claim=claim)
    assert LedgerEntry.objects.count() == entries
    exception.refresh_from_db()
    assert exception.resolved_at is None


def test_a_claim_whose_lines_do_not_match_is_refused_and_nothing_changes(
    claim: Claim, world: PracticeWorld
) -> None:
    one, two = lines(claim)
    strangers = [svc(one, "125", lcn=False), svc(two, "15", lcn=False)]
    for line in strangers:
        line.procedure_code = "99999"  # a procedure the claim does not bill, no REF*6R
    payment = clp(claim, strangers, pcn="NOSUCHPCN02")
    era_import(data=era(remittance([payment])), practice=claim.practice)
    exception = PostingException.objects.get()
    before = (LedgerEntry.objects.count(), RemittanceClaim.objects.count())
    with pytest.raises(ExceptionMatchError, match="cannot be posted to claim"):
        posting_exception_match(exception=exception, claim=claim)
    assert (LedgerEntry.objects.count(), RemittanceClaim.objects.count()) == before
    assert status(claim) == "accepted"
    exception.refresh_from_db()
    assert exception.resolved_at is None


def test_another_practices_claim_is_refused(claim: Claim, practice_b: PracticeWorld) -> None:
    exception = _unknown(claim)
    with pytest.raises(ExceptionMatchError, match="another practice"):
        posting_exception_match(exception=exception, claim=practice_b.claim)


def test_a_denial_matched_by_hand_is_recorded(claim: Claim) -> None:
    payment = clp(claim, [], status="4", adjustments=(("CO", "50", "140"),), pcn="LOSTPCN")
    era_import(data=era(remittance([payment])), practice=claim.practice)
    exception = PostingException.objects.get()
    posting_exception_match(exception=exception, claim=claim)
    assert status(claim) == "denied"
    assert balances(claim) == [(12500, 0), (1500, 0)]
    assert claim.denials.get().carc == "50"
