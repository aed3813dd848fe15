"""Worked posting scenarios: each a named story with its 835 and the balances it must leave.

Practice A's claim bills 99213 at 125.00 (line 1) and 36415 at 15.00 (line 2) to Medicare
Part B; the patient has no secondary coverage unless the scenario adds one.
"""

from __future__ import annotations

from typing import Any

from openrcm.claims.models import Claim
from openrcm.posting.ledger import ledger_check
from openrcm.posting.models import (
    ChargeBalance,
    Denial,
    LedgerEntry,
    PostingException,
    ProviderAdjustment,
    RemittanceClaim,
)
from openrcm.posting.selectors import claim_money
from openrcm.posting.services import EraImportResult, era_import

from .eras import clp, era, negate, remittance, svc


def lines(claim: Claim) -> list[Any]:
    return list(
        claim.lines.select_related("charge_line", "claim__encounter").order_by("line_number")
    )


def balances(claim: Claim) -> list[tuple[int, int]]:
    """(insurance, patient) cents per line of the claim, in line order."""
    out = []
    for line in lines(claim):
        row = ChargeBalance.objects.get(charge_line_id=line.charge_line_id)
        out.append((row.insurance_cents, row.patient_cents))
    return out


def post(data: bytes, claim: Claim) -> EraImportResult:
    result = era_import(data=data, practice=claim.practice, name="scenario.835")
    assert ledger_check() == []
    return result


def status(claim: Claim) -> str:
    return Claim.objects.get(pk=claim.pk).status


def test_paid_in_full(claim: Claim) -> None:
    one, two = lines(claim)
    result = post(era(remittance([clp(claim, [svc(one, "125"), svc(two, "15")])])), claim)
    assert result.as_json()["claims_posted"] == 1
    assert result.as_json()["lines_posted"] == 2
    assert result.as_json()["payment_amount"] == "140.00"
    assert balances(claim) == [(0, 0), (0, 0)]
    assert status(claim) == "paid"
    money = claim_money(claim)
    assert (money["insurance_paid"], money["insurance_balance"], money["denied"]) == (
        "140.00",
        "0.00",
        False,
    )
    # Matched by the line control number we sent (REF*6R).
    rc = RemittanceClaim.objects.get()
    assert [m["method"] for m in rc.matching] == ["6R", "6R"]


def test_partial_with_contractual_and_deductible_coinsurance_copay(claim: Claim) -> None:
    one, two = lines(claim)
    svcs = [
        svc(one, "55", ("CO", "45", "25"), ("PR", "1", "20"), ("PR", "2", "10"), ("PR", "3", "15")),
        svc(two, "10", ("CO", "45", "5")),
    ]
    post(era(remittance([clp(claim, svcs)])), claim)
    assert balances(claim) == [(0, 4500), (0, 0)]
    assert status(claim) == "paid"
    reasons = dict(
        LedgerEntry.objects.filter(kind="transfer_to_patient").values_list(
            "patient_reason", "cents"
        )
    )
    assert reasons == {"deductible": 2000, "coinsurance": 1000, "copay": 1500}
    money = claim_money(claim)
    assert money["insurance_paid"] == "65.00"
    assert money["contractual_adjustment"] == "30.00"
    assert money["patient_responsibility"] == "45.00"
    assert money["patient_balance"] == "45.00"
    assert not Denial.objects.exists()


def test_claim_level_denial_co50_keeps_the_balance_open(claim: Claim) -> None:
    payment = clp(claim, [], status="4", adjustments=(("CO", "50", "140"),), remarks=("N115",))
    result = post(era(remittance([payment])), claim)
    assert balances(claim) == [(12500, 0), (1500, 0)]  # a denial is not a write-off
    assert status(claim) == "denied"
    assert result.denials == 1
    denial = Denial.objects.get()
    assert (denial.carc, denial.rarcs, denial.category, denial.cents, denial.claim_line) == (
        "50",
        ["N115"],
        "medical necessity",
        14000,
        None,
    )
    assert denial.status == "open"
    money = claim_money(claim)
    assert money["denied"] is True
    assert money["insurance_balance"] == "140.00"


def test_one_line_denial_co97_with_a_remark(claim: Claim) -> None:
    one, two = lines(claim)
    svcs = [
        svc(one, "100", ("CO", "45", "25")),
        svc(two, "0", ("CO", "97", "15"), remarks=("M15",)),
    ]
    post(era(remittance([clp(claim, svcs)])), claim)
    assert balances(claim) == [(0, 0), (1500, 0)]
    assert status(claim) == "partially_paid"
    denial = Denial.objects.get()
    assert (denial.carc, denial.rarcs, denial.category, denial.claim_line_id) == (
        "97",
        ["M15"],
        "bundling",
        two.pk,
    )


def test_all_to_deductible_is_paid_not_denied(claim: Claim) -> None:
    one, two = lines(claim)
    svcs = [svc(one, "0", ("PR", "1", "125")), svc(two, "0", ("PR", "1", "15"))]
    result = post(era(remittance([clp(claim, svcs)])), claim)
    assert result.payment_amount == "0.00"
    assert balances(claim) == [(0, 12500), (0, 1500)]
    assert status(claim) == "paid"
    assert not Denial.objects.exists()


def test_reversal_then_corrected_payment(claim: Claim) -> None:
    one, two = lines(claim)
    first = [svc(one, "125"), svc(two, "15")]
    post(era(remittance([clp(claim, first, icn="ICN-A")], trace="T-1")), claim)
    assert balances(claim) == [(0, 0), (0, 0)]
    corrected = [svc(one, "100", ("PR", "2", "25")), svc(two, "15")]
    second = remittance(
        [
            clp(claim, [negate(s) for s in first], status="22", icn="ICN-A", sign=-1),
            clp(claim, corrected, icn="ICN-B"),
        ],
        trace="T-2",
    )
    result = post(era(second, isa=2), claim)
    assert result.claims_posted == 2
    assert balances(claim) == [(0, 2500), (0, 0)]
    assert status(claim) == "paid"
    reversals = LedgerEntry.objects.filter(reverses__isnull=False)
    assert sorted(e.cents for e in reversals) == [-12500, -1500]
    original = RemittanceClaim.objects.get(payer_claim_number="ICN-A", status_code="1")
    assert original.reversed_by is not None and original.reversed_by.status_code == "22"
    assert claim_money(claim)["insurance_paid"] == "115.00"


def test_plb_interest_and_recoupment_post_at_provider_level(claim: Claim) -> None:
    one, two = lines(claim)
    rem = remittance(
        [clp(claim, [svc(one, "125"), svc(two, "15")], icn="ICN-9")],
        plb=[("L6", "-2.50", "ICN-9"), ("WO", "10.00", "ICN-OLD")],
    )
    result = post(era(rem), claim)
    assert result.payment_amount == "132.50"  # 140.00 + 2.50 interest - 10.00 recouped
    assert result.provider_adjustments == 2
    assert sorted(ProviderAdjustment.objects.values_list("reason", "reference", "cents")) == [
        ("L6", "ICN-9", -250),
        ("WO", "ICN-OLD", 1000),
    ]
    assert balances(claim) == [(0, 0), (0, 0)]  # provider level: no claim line moves


def test_an_835_for_a_claim_we_never_sent_goes_to_the_exceptions_queue(claim: Claim) -> None:
    one, two = lines(claim)
    stranger = clp(claim, [svc(one, "125"), svc(two, "15")], pcn="9C99999999")
    result = post(era(remittance([stranger])), claim)
    assert (result.claims_posted, result.exceptions) == (0, 1)
    exception = PostingException.objects.get()
    assert exception.kind == "unknown_claim"
    assert "9C99999999" in exception.tried and "practice a" in exception.tried
    assert not LedgerEntry.objects.exclude(kind="charge").exists()
    assert status(claim) == "accepted"
