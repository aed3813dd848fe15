"""CMS-1500 PDFs of claims: facts from the models, the PDF, the batch, the command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management import call_command

from openrcm.audit.models import AuditEvent
from openrcm.claims.paper import claim_cms1500_facts, claim_cms1500_pdf, claims_cms1500_pdf
from openrcm.patients.services import coverage_create
from openrcm.payers.models import Payer
from tests.apps.conftest import PracticeWorld


def test_facts_from_the_claim(practice_a: PracticeWorld) -> None:
    facts = claim_cms1500_facts(practice_a.claim)
    assert facts.insured.member_id == "MA0001"
    assert facts.claim_filing_indicator == "MB"
    assert facts.patient_account_number == practice_a.claim.patient_control_number
    assert facts.diagnoses == ("E11.9", "I10")
    assert [(line.procedure, line.pointers) for line in facts.lines] == [
        ("99213", (1, 2)),
        ("36415", (1,)),
    ]
    assert facts.billing.npi == practice_a.practice.group_npi
    assert facts.other_insured is None


def test_secondary_coverage_is_the_other_insured(practice_a: PracticeWorld) -> None:
    payer = Payer.objects.create(
        organization=practice_a.practice.organization, name="Medigap Co", payer_id="MG001"
    )
    coverage_create(
        patient=practice_a.patient,
        payer=payer,
        member_id="SEC777",
        priority=2,
        group_number="G-55",
        effective_from=dt.date(2020, 1, 1),
    )
    facts = claim_cms1500_facts(practice_a.claim)
    assert facts.other_insured is not None
    assert facts.other_insured.policy_or_group_number == "G-55"
    assert facts.other_insured.plan_name == "Medigap Co"
    pdf = claim_cms1500_pdf(claim=practice_a.claim, compress=False)
    assert b"(MEDIGAP CO)" in pdf and b"(G-55)" in pdf


def test_pdf_has_the_claim(practice_a: PracticeWorld) -> None:
    for mode in ("form", "data"):
        pdf = claim_cms1500_pdf(claim=practice_a.claim, mode=mode, compress=False)
        assert pdf.startswith(b"%PDF")
        assert b"(TESTPATIENTA, JORDAN)" in pdf
        assert b"(MA0001)" in pdf
        assert b"(99213)" in pdf and b"(AB)" in pdf  # pointers as letters
        assert b"(140 00)" in pdf  # box 28
        assert (b"HEALTH INSURANCE CLAIM FORM" in pdf) == (mode == "form")
    assert claim_cms1500_pdf(claim=practice_a.claim).startswith(b"%PDF")


def test_batch_prints_to_one_pdf(practice_a: PracticeWorld, practice_b: PracticeWorld) -> None:
    pdf = claims_cms1500_pdf(claims=[practice_a.claim, practice_b.claim], compress=False)
    assert b"/Count 2" in pdf
    assert b"(TESTPATIENTA, JORDAN)" in pdf and b"(TESTPATIENTB, JORDAN)" in pdf


def test_command_prints_a_claim_and_audits(practice_a: PracticeWorld, tmp_path: Path) -> None:
    out = tmp_path / "claim.pdf"
    pcn = practice_a.claim.patient_control_number
    call_command("cms1500", pcn, "--mode", "data", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    event = AuditEvent.objects.filter(action="export").get()
    assert event.object_id == str(practice_a.claim.pk)
    assert event.detail["format"] == "cms1500"


def test_command_prints_a_practice(practice_a: PracticeWorld, tmp_path: Path) -> None:
    out = tmp_path / "all.pdf"
    status = practice_a.claim.status
    call_command("cms1500", "--practice", "a", "--status", status, "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")
