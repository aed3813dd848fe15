"""Secondary claims made after posting: the worked scenario "a secondary payment after the
primary", idempotency, and a reversal of the primary's payment before and after the secondary
claim went out.

Practice A's claim bills 99213 at 125.00 (line 1) and 36415 at 15.00 (line 2) to Medicare Part
B; here the patient also has a secondary coverage with a commercial payer. The primary's 835 is
written by hand (`eras`); the secondary claim goes through the sandbox clearinghouse and payer,
whose 835 is posted as the schedules post it.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from openrcm.claims.models import Claim, ClaimStatusChange
from openrcm.claims.services import claim_transition
from openrcm.clearinghouse.services import batch_build, batch_send, inbound_poll, partner_for
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.x12.claim837p import read_837p
from openrcm.encounters.models import Encounter
from openrcm.files.services import file_read
from openrcm.patients.models import Coverage, Patient
from openrcm.patients.services import coverage_create
from openrcm.payers.models import Payer
from openrcm.posting.ledger import ledger_check
from openrcm.posting.models import (
    ChargeBalance,
    LedgerEntry,
    NextPayerClaim,
    RemittanceClaim,
)
from openrcm.posting.secondary import claim_secondary_create
from openrcm.posting.services import EraImportResult, era_import, eras_post_pending
from openrcm.scrubbing.models import ClaimFinding
from tests.apps.cli.helpers import run
from tests.apps.conftest import PracticeWorld
from tests.core.sandbox.factory import pyx12_errors

from .eras import clp, era, negate, remittance, svc
from .test_scenarios import lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def secondary_payer(world: PracticeWorld) -> Payer:
    """The patient's secondary coverage (a commercial plan) and a full address for the 837P;
    the visit within the fiscal year of the ICD-10-CM release the scrubber loads."""
    Encounter.objects.filter(pk=world.encounter.pk).update(date_of_service=dt.date(2026, 9, 15))
    Patient.objects.filter(pk=world.patient.pk).update(
        address_line1="12 Elm St", city="Springfield", state="IL", zip_code="627041234"
    )
    payer = Payer.objects.create(
        organization=world.practice.organization,
        name="Prairie Health Plan",
        payer_id="PHP01",
        claim_filing_indicator="CI",
    )
    coverage_create(
        patient=world.patient,
        payer=payer,
        member_id="PHP778899",
        priority=2,
        effective_from=dt.date(2020, 1, 1),
    )
    return payer


D = Decimal


def post(data: bytes, claim: Claim) -> EraImportResult:
    result = era_import(data=data, practice=claim.practice, name="primary.835")
    assert ledger_check() == []
    return result


def primary_payment(claim: Claim, *, icn: str = "ICN-P1", pr: str = "20") -> Any:
    """Medicare's adjudication: line 1 paid 80 with CO-45 25 and PR-2 coinsurance ``pr`` (the
    rest paid), line 2 paid 10 with CO-45 2 and PR-1 deductible 3."""
    one, two = lines(claim)
    paid_one = str(Decimal("100") - Decimal(pr))
    return clp(
        claim,
        [
            svc(one, paid_one, ("CO", "45", "25"), ("PR", "2", pr)),
            svc(two, "10", ("CO", "45", "2"), ("PR", "1", "3")),
        ],
        icn=icn,
    )


def secondary_of(claim: Claim) -> Claim:
    link = NextPayerClaim.objects.select_related("claim").get(prior_claim=claim)
    return link.claim


def balances(claim: Claim) -> list[tuple[int, int]]:
    return [
        (row.insurance_cents, row.patient_cents)
        for row in (
            ChargeBalance.objects.get(charge_line_id=line.charge_line_id) for line in lines(claim)
        )
    ]


def segments(text: str) -> list[list[str]]:
    return [s.split("*") for s in text.replace("\n", "").split("~") if s]


def test_a_secondary_payment_after_the_primary(claim: Claim, secondary_payer: Payer) -> None:
    result = post(era(remittance([primary_payment(claim)])), claim)
    assert result.claims_posted == 1 and result.warnings == []
    # PR (20 coinsurance + 3 deductible) stays insurance A/R: the secondary payer is billed.
    assert balances(claim) == [(2000, 0), (300, 0)]
    secondary = secondary_of(claim)
    assert (secondary.sequence, secondary.coverage.payer_id, secondary.frequency_code) == (
        "S",
        secondary_payer.pk,
        "1",
    )
    assert secondary.patient_control_number != claim.patient_control_number
    assert secondary.total_charge_cents == claim.total_charge_cents
    assert list(secondary.lines.values_list("charge_line_id", "line_number", "charge_cents")) == (
        list(claim.lines.values_list("charge_line_id", "line_number", "charge_cents"))
    )
    assert not ClaimFinding.objects.filter(claim=secondary, severity="error").exists()
    assert secondary.status == "ready", list(
        ClaimFinding.objects.filter(claim=secondary).values_list("rule_id", "message")
    )
    # The same charge lines: still one charge each on the ledger.
    assert LedgerEntry.objects.filter(kind="charge").count() == 2

    shown = json.loads(run("claims", "show", claim.patient_control_number, "--json"))
    assert shown["secondary_claim"] == secondary.patient_control_number
    assert (shown["insurance_balance"], shown["patient_balance"]) == ("23.00", "0.00")

    # The secondary claim goes out with the primary's adjudication (2320/2330B/2430).
    partner = partner_for(practice=claim.practice)
    # No random denials, reversals or unknown members: what the sandbox draws depends on ids
    # that differ between databases (PostgreSQL's sequences are not rolled back).
    partner.settings = {
        "seed": 2,
        "denial_rate": "0",
        "reversal_rate": "0",
        "recoupment_rate": "0",
        "unknown_member_rate": "0",
    }
    partner.save(update_fields=["settings"])
    start = timezone.now()
    built = batch_build(practice=claim.practice, partner=partner, now=start)
    assert built.batch is not None and built.batch.claim_count == 1
    text = file_read(stored=built.files[0].stored).decode("ascii")
    assert pyx12_errors(text) == []
    [sent] = [c for b in read_837p(text) for c in b.claims]
    assert sent.patient_control_number == secondary.patient_control_number
    assert sent.subscriber.responsibility == "S"
    assert sent.subscriber.payer.payer_id == "PHP01"
    [prior] = sent.other_payers
    assert (prior.responsibility, prior.payer_id, prior.paid_amount) == ("P", "00435", D(90))
    assert prior.claim_control_number == "ICN-P1"
    assert [
        [(a.paid, [(x.group, x.reason, x.amount) for x in a.adjustments]) for a in ln.adjudications]
        for ln in sent.lines
    ] == [
        [(D(80), [("CO", "45", D(25)), ("PR", "2", D(20))])],
        [(D(10), [("CO", "45", D(2)), ("PR", "1", D(3))])],
    ]
    kinds = [s[0] for s in segments(text)]
    assert {"SVD", "AMT", "OI"} <= set(kinds)

    # The sandbox takes it (999, 277CA) and its secondary payer pays (OA-23 for the primary).
    batch_send(batch=built.batch, now=start)
    poll = inbound_poll(partner=partner, now=start + dt.timedelta(days=1))
    assert poll.rejected == 0 and poll.acknowledged == 1
    inbound_poll(partner=partner, now=start + dt.timedelta(days=60))
    [posted] = eras_post_pending(now=start + dt.timedelta(days=60))
    assert posted.claims_posted == 1 and posted.exceptions == 0, posted.errors
    assert ledger_check() == []
    rc = RemittanceClaim.objects.get(claim=secondary)
    assert rc.status_code == "2"
    prior_payer = LedgerEntry.objects.filter(claim=secondary, kind="prior_payer")
    assert sorted((e.group_code, e.carc) for e in prior_payer) == [("OA", "23"), ("OA", "23")]
    paid = sum(
        LedgerEntry.objects.filter(claim=secondary, kind="insurance_payment").values_list(
            "cents", flat=True
        )
    )
    to_patient = sum(
        LedgerEntry.objects.filter(claim=secondary, kind="transfer_to_patient").values_list(
            "cents", flat=True
        )
    )
    assert 0 < paid <= 2300 and paid + to_patient == 2300
    # Balances exact: nothing left with the payers, the remainder the patient's.
    assert [ins for ins, _ in balances(claim)] == [0, 0]
    assert sum(pat for _, pat in balances(claim)) == 2300 - paid
    shown = json.loads(run("claims", "show", secondary.patient_control_number, "--json"))
    assert shown["insurance_balance"] == "0.00"
    assert shown["patient_balance"] == f"{(2300 - paid) / 100:.2f}"
    assert shown["status"] in ("paid", "partially_paid")


def test_posting_again_makes_no_second_secondary_claim(
    claim: Claim, secondary_payer: Payer
) -> None:
    data = era(remittance([primary_payment(claim)]))
    post(data, claim)
    first = secondary_of(claim)
    again = post(data, claim)  # the same file: nothing changes
    assert again.claims_posted == 0
    # The same payment in another file is refused; the secondary claim is not made twice.
    other = post(era(remittance([primary_payment(claim)]), isa=7), claim)
    assert other.refused_sets == 1
    rc = RemittanceClaim.objects.get(claim=claim)
    assert claim_secondary_create(claim=claim, remittance_claim=rc) == first
    assert Claim.objects.filter(encounter=claim.encounter, sequence="S").count() == 1


def test_no_secondary_coverage_leaves_the_remainder_to_the_patient(claim: Claim) -> None:
    post(era(remittance([primary_payment(claim)])), claim)
    assert not NextPayerClaim.objects.exists()
    assert balances(claim) == [(0, 2000), (0, 300)]
    assert Claim.objects.filter(encounter=claim.encounter).count() == 1


def test_a_primary_paid_in_full_makes_no_secondary_claim(
    claim: Claim, secondary_payer: Payer
) -> None:
    one, two = lines(claim)
    post(era(remittance([clp(claim, [svc(one, "125"), svc(two, "15")])])), claim)
    assert not NextPayerClaim.objects.exists()


def test_a_reversal_withdraws_the_unsent_secondary_and_the_correction_makes_it_anew(
    claim: Claim, secondary_payer: Payer
) -> None:
    first = primary_payment(claim, icn="ICN-A")
    post(era(remittance([first], trace="T-1")), claim)
    old = secondary_of(claim)
    assert old.status == "ready"
    reversal = clp(claim, [negate(s) for s in first.lines], status="22", icn="ICN-A", sign=-1)
    corrected = primary_payment(claim, icn="ICN-B", pr="30")
    post(era(remittance([reversal, corrected], trace="T-2"), isa=2), claim)
    old.refresh_from_db()
    assert old.status == "void"
    assert "reversed" in old.history.order_by("-id").first().note  # type: ignore[union-attr]
    new = NextPayerClaim.objects.exclude(claim=old).get(prior_claim=claim).claim
    assert new.status == "ready" and new.patient_control_number != old.patient_control_number
    assert NextPayerClaim.objects.get(claim=new).remittance_claim.payer_claim_number == "ICN-B"
    assert balances(claim) == [(3000, 0), (300, 0)]
    shown = json.loads(run("claims", "show", claim.patient_control_number, "--json"))
    assert shown["secondary_claim"] == new.patient_control_number
    # Its 837P carries the corrected adjudication.
    partner = partner_for(practice=claim.practice)
    built = batch_build(practice=claim.practice, partner=partner, now=timezone.now())
    assert built.batch is not None and built.batch.claim_count == 1
    text = file_read(stored=built.files[0].stored).decode("ascii")
    assert pyx12_errors(text) == []
    [sent] = [c for b in read_837p(text) for c in b.claims]
    assert sent.patient_control_number == new.patient_control_number
    assert (sent.other_payers[0].paid_amount, sent.other_payers[0].claim_control_number) == (
        D(80),
        "ICN-B",
    )


def test_a_reversal_after_the_secondary_was_sent_leaves_a_note(
    claim: Claim, secondary_payer: Payer
) -> None:
    first = primary_payment(claim, icn="ICN-A")
    post(era(remittance([first], trace="T-1")), claim)
    sent = secondary_of(claim)
    partner = partner_for(practice=claim.practice)
    built = batch_build(practice=claim.practice, partner=partner, now=timezone.now())
    assert built.batch is not None
    sent.refresh_from_db()
    assert sent.status == "batched"
    reversal = clp(claim, [negate(s) for s in first.lines], status="22", icn="ICN-A", sign=-1)
    corrected = primary_payment(claim, icn="ICN-B", pr="30")
    post(era(remittance([reversal, corrected], trace="T-2"), isa=2), claim)
    sent.refresh_from_db()
    assert sent.status == "batched"  # it left us: a person decides
    notes = list(
        ClaimStatusChange.objects.filter(claim=sent, from_status="batched", to_status="batched")
        .order_by("id")
        .values_list("note", flat=True)
    )
    assert len(notes) == 2
    assert "reversed the payment" in notes[0] and "replacement (frequency 7)" in notes[0]
    assert "adjudicated again" in notes[1]
    assert NextPayerClaim.objects.filter(prior_claim=claim).count() == 1
    assert Coverage.objects.filter(patient=claim.encounter.patient).count() == 2


def test_a_tertiary_claim_carries_both_prior_payers(claim: Claim, secondary_payer: Payer) -> None:
    third = Payer.objects.create(
        organization=claim.practice.organization,
        name="County Assistance Plan",
        payer_id="CAP09",
        claim_filing_indicator="CI",
    )
    coverage_create(
        patient=claim.encounter.patient,
        payer=third,
        member_id="CAP4455",
        priority=3,
        effective_from=dt.date(2020, 1, 1),
    )
    post(era(remittance([primary_payment(claim)], trace="T-P")), claim)
    secondary = secondary_of(claim)
    for status in ("batched", "submitted", "accepted"):  # sent; the payer took it
        claim_transition(claim=secondary, to=ClaimStatus(status))
    one, two = lines(secondary)
    paid_by_secondary = clp(
        secondary,
        [
            svc(one, "15", ("OA", "23", "105"), ("PR", "2", "5")),
            svc(two, "2", ("OA", "23", "12"), ("PR", "1", "1")),
        ],
        status="2",
        icn="ICN-S1",
    )
    post(era(remittance([paid_by_secondary], trace="T-S", payer_id="PHP01"), isa=3), claim)
    # What the secondary left (5.00 + 1.00) stays insurance A/R for the tertiary payer.
    assert balances(claim) == [(500, 0), (100, 0)]
    tertiary = secondary_of(secondary)
    assert (tertiary.sequence, tertiary.coverage.payer_id, tertiary.status) == (
        "T",
        third.pk,
        "ready",
    )
    shown = json.loads(run("claims", "show", secondary.patient_control_number, "--json"))
    assert shown["secondary_claim"] == tertiary.patient_control_number
    built = batch_build(
        practice=claim.practice, partner=partner_for(practice=claim.practice), now=timezone.now()
    )
    assert built.batch is not None and built.batch.claim_count == 1
    text = file_read(stored=built.files[0].stored).decode("ascii")
    assert pyx12_errors(text) == []
    [sent] = [c for b in read_837p(text) for c in b.claims]
    assert sent.subscriber.responsibility == "T"
    assert [(op.responsibility, op.payer_id, op.paid_amount) for op in sent.other_payers] == [
        ("P", "00435", D(90)),
        ("S", "PHP01", D(17)),
    ]
    assert [[a.payer_id for a in ln.adjudications] for ln in sent.lines] == [
        ["00435", "PHP01"],
        ["00435", "PHP01"],
    ]


def test_a_next_coverage_with_the_same_payer_is_a_warning(claim: Claim) -> None:
    Patient.objects.filter(pk=claim.encounter.patient_id).update(
        address_line1="12 Elm St", city="Springfield", state="IL"
    )
    coverage_create(
        patient=claim.encounter.patient,
        payer=claim.coverage.payer,
        member_id="MA0001-SUPP",
        priority=2,
        effective_from=dt.date(2020, 1, 1),
    )
    result = post(era(remittance([primary_payment(claim)])), claim)
    assert result.claims_posted == 1
    [warning] = result.warnings
    assert warning.startswith(f"{claim.patient_control_number}: no next-payer claim: ")
    assert "with the payer that adjudicated the claim" in warning
    assert not NextPayerClaim.objects.exists()
    assert balances(claim) == [(2000, 0), (300, 0)]  # open for a person to work
