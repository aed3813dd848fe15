"""GET /api/v1/claims/{id}/findings and POST /api/v1/claims/{id}/scrub."""

from __future__ import annotations

from typing import Any

from django.test import Client

from openrcm.accounts.services import user_create
from openrcm.claims.models import Claim
from openrcm.scrubbing.services import claim_scrub
from tests.apps.api.conftest import json_client_for
from tests.apps.conftest import PASSWORD, PracticeWorld
from tests.apps.scrubbing.conftest import TODAY


def test_findings_and_scrub(client: Client, member: Any, error_claim: Claim) -> None:
    api = json_client_for(client, member)
    before = api.get(f"claims/{error_claim.pk}/findings")
    assert before.status_code == 200
    assert before.json()["scrubbed_at"] is None and before.json()["findings"] == []
    claim_scrub(claim=error_claim, today=TODAY)
    body = api.get(f"claims/{error_claim.pk}/findings").json()
    assert body["id"] == error_claim.pk
    assert body["patient_control_number"] == error_claim.patient_control_number
    assert (body["status"], body["errors"], body["warnings"]) == ("draft", 1, 0)
    [finding] = body["findings"]
    assert finding["rule"] == "ICD-003" and finding["severity"] == "error"
    assert finding["line"] is None and finding["overridden"] is False
    scrubbed = api.post(f"claims/{error_claim.pk}/scrub")
    assert scrubbed.status_code == 200
    assert any(f["rule"] == "ICD-003" for f in scrubbed.json()["findings"])


def test_other_practices_get_404_and_read_only_roles_403(
    client: Client, outsider: Any, error_claim: Claim, practice_a: PracticeWorld
) -> None:
    other = json_client_for(client, outsider)
    assert other.get(f"claims/{error_claim.pk}/findings").status_code == 404
    assert other.post(f"claims/{error_claim.pk}/scrub").status_code == 404
    owner = user_create(
        username="olga", password=PASSWORD, practice=practice_a.practice, role="practice_owner"
    )
    reader = json_client_for(client, owner)
    assert reader.get(f"claims/{error_claim.pk}/findings").status_code == 200
    assert reader.post(f"claims/{error_claim.pk}/scrub").status_code == 403
