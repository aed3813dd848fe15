"""The A/R aging's keys on each balance row (date of service, provider, responsible payer):
set as the ledger creates the row, moved when claims around the line change (a secondary
claim, a claim voided, a replacement), backfilled by the migration, and checked by
``openrcm ledger check``.

Practice A's claim (Medicare Part B, DOS moved to 2026-09-15 by ``secondary_payer``) bills two
lines; the patient also has a commercial secondary coverage (Prairie Health Plan).
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError

from openrcm.claims.models import Claim
from openrcm.claims.services import claim_transition
from openrcm.clearinghouse.services import claim_replace
from openrcm.core.claims.status import ClaimStatus
from openrcm.payers.models import Payer
from openrcm.posting.balance_keys import balance_keys_check, charge_balances_rekey
from openrcm.posting.ledger import ledger_charges_post
from openrcm.posting.models import ChargeBalance, NextPayerClaim
from tests.apps.cli.helpers import run

from .eras import clp, era, negate, remittance
from .test_secondary_claims import post, primary_payment, secondary_of, secondary_payer

__all__ = ["secondary_payer"]  # the fixture, for the tests below

pytestmark = pytest.mark.django_db


def keys(claim: Claim) -> list[tuple[Any, int | None, int | None]]:
    """The stored keys of the claim's lines' balance rows, in line order."""
    return [
        ChargeBalance.objects.filter(charge_line_id=line.charge_line_id)
        .values_list("service_date", "provider_id", "payer_id")
        .get()
        for line in claim.lines.order_by("line_number")
    ]


def test_a_new_balance_row_gets_its_keys(claim: Claim) -> None:
    ledger_charges_post(claims=[claim])
    encounter = claim.encounter
    payer = claim.coverage.payer_id
    assert keys(claim) == [(encounter.date_of_service, encounter.provider_id, payer)] * 2
    assert balance_keys_check() == []


def test_the_payer_follows_the_secondary_claim_its_void_and_the_next_one(
    claim: Claim, secondary_payer: Payer
) -> None:
    claim.encounter.refresh_from_db()  # secondary_payer moved its date of service
    dos = claim.encounter.date_of_service
    provider = claim.encounter.provider_id
    primary = claim.coverage.payer_id
    first = primary_payment(claim, icn="ICN-A")
    post(era(remittance([first], trace="T-1")), claim)
    old = secondary_of(claim)
    # The secondary claim (a draft the posting made) carries the lines: its payer is theirs.
    assert keys(claim) == [(dos, provider, secondary_payer.pk)] * 2
    assert balance_keys_check() == []
    # The reversal voids that secondary claim and the corrected payment makes another.
    reversal = clp(claim, [negate(s) for s in first.lines], status="22", icn="ICN-A", sign=-1)
    corrected = primary_payment(claim, icn="ICN-B", pr="30")
    post(era(remittance([reversal, corrected], trace="T-2"), isa=2), claim)
    old.refresh_from_db()
    new = secondary_of_live(claim)
    assert old.status == ClaimStatus.VOID and new.pk != old.pk
    assert keys(claim) == [(dos, provider, secondary_payer.pk)] * 2
    # Voiding the live secondary (still a draft) leaves the primary responsible again.
    claim_transition(claim=new, to=ClaimStatus.VOID)
    assert keys(claim) == [(dos, provider, primary)] * 2
    assert balance_keys_check() == []


def secondary_of_live(claim: Claim) -> Claim:
    link = (
        NextPayerClaim.objects.filter(prior_claim=claim)
        .exclude(claim__status=ClaimStatus.VOID.value)
        .select_related("claim")
        .get()
    )
    return link.claim


def test_a_replacement_claim_rekeys_its_lines(claim: Claim) -> None:
    ledger_charges_post(claims=[claim])
    claim_transition(claim=claim, to=ClaimStatus.ACKNOWLEDGED)
    Claim.objects.filter(pk=claim.pk).update(payer_claim_number="ICN-R")
    # Keys gone stale (as if written before the replacement's rekey): the replacement sets them.
    ChargeBalance.objects.update(payer=None)
    replacement = claim_replace(claim=claim)
    assert replacement.lines.count() == 2
    assert [k[2] for k in keys(claim)] == [replacement.coverage.payer_id] * 2
    assert balance_keys_check() == []


def test_ledger_check_names_a_wrong_stored_key(claim: Claim) -> None:
    ledger_charges_post(claims=[claim])
    assert "ledger ok: 2 balances" in run("ledger", "check")
    line = claim.lines.order_by("line_number").first()
    assert line is not None
    ChargeBalance.objects.filter(charge_line_id=line.charge_line_id).update(payer=None)
    [difference] = balance_keys_check()
    text = str(difference)
    assert f"practice a, charge line {line.charge_line_id} (claim " in text
    assert f"{claim.patient_control_number})" in text
    assert f"provider {claim.encounter.provider_id}, payer None, derived " in text
    assert text.endswith(f"payer {claim.coverage.payer_id}")
    with pytest.raises(CommandError, match="1 balances' aging keys differ"):
        run("ledger", "check")
    charge_balances_rekey(charge_line_ids=[line.charge_line_id])
    assert balance_keys_check() == []


def test_the_migration_backfills_every_row(claim: Claim) -> None:
    ledger_charges_post(claims=[claim])
    before = keys(claim)
    ChargeBalance.objects.update(service_date=None, provider=None, payer=None)
    assert len(balance_keys_check()) == 2
    migration = importlib.import_module("openrcm.posting.migrations.0006_balance_aging_keys")
    migration.balance_keys_backfill(apps, None)
    assert keys(claim) == before
    assert balance_keys_check() == []
