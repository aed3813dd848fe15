"""The scrubber's faces: findings on the claim page (scrub now, overrides), live findings in the
encounter form, the held queue, and the payer rules admins edit (errors show their path)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django.urls import reverse

from openrcm.accounts.services import user_create
from openrcm.audit.models import AuditEvent
from openrcm.claims.models import Claim
from openrcm.scrubbing.models import ClaimFinding, PayerRule, WarningOverride
from openrcm.scrubbing.services import claim_scrub, payer_rule_create
from openrcm.tenancy.services import organization_get_or_create, practice_create
from tests.apps.conftest import PASSWORD, PracticeWorld
from tests.apps.scrubbing.conftest import ERROR_RULE, LATER, TODAY
from tests.apps.web.conftest import signed_in

HTMX = {"HX-Request": "true"}


def _admin(world: PracticeWorld, username: str = "ada") -> Any:
    return user_create(username=username, password=PASSWORD, practice=world.practice, role="admin")


def test_the_claim_page_shows_the_findings(
    member_client: Client, error_claim: Claim, warning_claim: Claim
) -> None:
    url = reverse("claim_detail", args=[error_claim.pk])
    assert b"Not scrubbed yet." in member_client.get(url).content
    claim_scrub(claim=error_claim, today=TODAY)
    html = member_client.get(url).content.decode()
    assert "Scrubber findings" in html and "ICD-003" in html and "Scrub now" in html
    assert "Send despite a warning" not in html  # errors are fixed, not overridden


def test_scrub_now_with_htmx_answers_the_panel(member_client: Client, error_claim: Claim) -> None:
    url = reverse("claim_scrub", args=[error_claim.pk])
    response = member_client.post(url, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="panel scrub-panel" id="scrub-panel"')
    assert "ICD-003" in html and "Scrubbed: 1 error(s)" in html
    assert ClaimFinding.objects.filter(claim=error_claim).exists()
    # without JavaScript: back to the claim page
    plain = member_client.post(url)
    assert plain.status_code == 302
    assert plain["Location"] == reverse("claim_detail", args=[error_claim.pk])


def test_override_a_warning_needs_a_reason(
    member: Any, member_client: Client, warning_claim: Claim
) -> None:
    claim_scrub(claim=warning_claim, today=LATER)
    page = member_client.get(reverse("claim_detail", args=[warning_claim.pk])).content.decode()
    assert "Send despite a warning" in page and 'name="rule_id" value="ICD-007"' in page
    url = reverse("claim_override", args=[warning_claim.pk])
    refused = member_client.post(url, {"rule_id": "ICD-007", "reason": ""}, headers=HTMX)
    assert refused.status_code == 200
    assert "Say why the claim may go despite the warning." in refused.content.decode()
    assert not WarningOverride.objects.exists()
    done = member_client.post(
        url, {"rule_id": "ICD-007", "reason": "Checked against the FY2027 codes"}, headers=HTMX
    )
    html = done.content.decode()
    assert "Overridden by alice" in html and "Checked against the FY2027 codes" in html
    warning_claim.refresh_from_db()
    assert warning_claim.status == "ready"
    assert AuditEvent.objects.filter(object_type="scrubbing.warningoverride").count() == 1


def test_a_read_only_role_sees_findings_but_cannot_scrub(
    client: Client, practice_a: PracticeWorld, error_claim: Claim
) -> None:
    owner = user_create(
        username="olga", password=PASSWORD, practice=practice_a.practice, role="practice_owner"
    )
    client.force_login(owner)
    claim_scrub(claim=error_claim, today=TODAY)
    html = client.get(reverse("claim_detail", args=[error_claim.pk])).content.decode()
    assert "ICD-003" in html and "Scrub now" not in html
    assert client.post(reverse("claim_scrub", args=[error_claim.pk])).status_code == 403


def test_live_findings_of_the_encounter_form(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    w = practice_a
    form = {
        "patient": w.patient.pk,
        "provider": w.provider.pk,
        "location": w.location.pk,
        "date_of_service": "2026-06-01",
        "dx_1": "E11",  # a header code
        "dx_2": "I10",
        "lines-TOTAL_FORMS": "2",
        "lines-0-procedure_code": "99213",
        "lines-0-units": "1",
        "lines-0-charge": "125.00",
        "lines-0-diagnosis_pointers": "1,2",
        "lines-1-procedure_code": "",
    }
    url = reverse("encounter_findings")
    html = member_client.post(url, form, headers=HTMX).content.decode()
    assert "ICD-003" in html and "E11" in html
    form["dx_1"] = "E11.9"
    html = member_client.post(url, form, headers=HTMX).content.decode()
    assert "ICD-003" not in html
    form["lines-0-diagnosis_pointers"] = "1,5"
    html = member_client.post(url, form, headers=HTMX).content.decode()
    assert "PTR-002" in html
    # nothing was saved
    assert w.patient.encounters.count() == 1
    empty = member_client.post(url, {"patient": w.patient.pk}, headers=HTMX).content.decode()
    assert "Enter the date of service and a charge line" in empty
    page = member_client.get(reverse("encounter_new") + f"?patient={w.patient.pk}")
    assert reverse("encounter_findings").encode() in page.content


def test_the_held_queue(
    member_client: Client,
    outsider_client: Client,
    error_claim: Claim,
    clean_claim: Claim,
    practice_b: PracticeWorld,
) -> None:
    claim_scrub(claim=error_claim, today=TODAY)
    claim_scrub(claim=clean_claim, today=TODAY)
    html = member_client.get(reverse("held_queue")).content.decode()
    assert error_claim.patient_control_number in html and "ICD-003" in html
    assert clean_claim.patient_control_number not in html
    other = outsider_client.get(reverse("held_queue")).content.decode()
    assert error_claim.patient_control_number not in other
    assert "No claim is held" in other


def test_payer_rules_are_for_admins(
    client: Client, member_client: Client, practice_a: PracticeWorld
) -> None:
    for name in ("payer_rule_list", "payer_rule_new"):
        assert member_client.get(reverse(name)).status_code == 403  # a biller
    rule = payer_rule_create(payer=practice_a.payer, data=ERROR_RULE, actor=None)
    assert member_client.get(reverse("payer_rule_edit", args=[rule.pk])).status_code == 403
    admin = signed_in(_admin(practice_a))
    assert admin.get(reverse("payer_rule_list")).status_code == 200
    assert b"PAYER-MCR-001" in admin.get(reverse("payer_rule_list")).content
    assert admin.get(reverse("payer_rule_edit", args=[rule.pk])).status_code == 200
    # an admin of another organization does not see the rule at all
    org = organization_get_or_create(slug="other-billing", name="Other Billing")
    elsewhere = practice_create(
        organization=org, slug="z", name="Practice Z", group_npi="1245319599", tin="987654321"
    )
    stranger = user_create(username="zed", password=PASSWORD, practice=elsewhere, role="admin")
    client.force_login(stranger)
    assert client.get(reverse("payer_rule_edit", args=[rule.pk])).status_code == 404
    assert b"PAYER-MCR-001" not in client.get(reverse("payer_rule_list")).content


def _rule_form(world: PracticeWorld, **change: Any) -> dict[str, Any]:
    form = {
        "payer": world.payer.pk,
        "rule_id": "payer-mcr-002",
        "severity": "warning",
        "title": "Telehealth visits carry modifier 95",
        "message": "Line {line}: add modifier 95 to {procedure} for a telehealth visit.",
        "citation": "Synthetic Medicare telehealth bulletin 2026",
        "when": json.dumps(
            {
                "all": [
                    {"field": "claim.place_of_service", "in": ["02", "10"]},
                    {"field": "line.modifiers", "not_contains": "95"},
                ]
            }
        ),
    }
    form.update(change)
    return form


def test_an_admin_adds_and_edits_a_rule(practice_a: PracticeWorld) -> None:
    admin = signed_in(_admin(practice_a))
    created = admin.post(reverse("payer_rule_new"), _rule_form(practice_a))
    assert created.status_code == 302, created.content.decode()[:2000]
    rule = PayerRule.objects.get()
    assert (rule.rule_id, rule.version, rule.severity) == ("PAYER-MCR-002", 1, "warning")
    edited = admin.post(
        reverse("payer_rule_edit", args=[rule.pk]),
        _rule_form(practice_a, severity="error", active="on"),
    )
    assert edited.status_code == 302
    latest = PayerRule.objects.get(active=True)
    assert (latest.version, latest.severity) == (2, "error")
    page = admin.get(reverse("payer_rule_edit", args=[latest.pk])).content.decode()
    assert "version 1" in page and "Save as version 3" in page


def test_rule_errors_show_their_path_beside_the_field(practice_a: PracticeWorld) -> None:
    admin = signed_in(_admin(practice_a))
    bad_when = json.dumps({"all": [{"field": "line.nope", "eq": "x"}]})
    response = admin.post(reverse("payer_rule_new"), _rule_form(practice_a, when=bad_when))
    assert response.status_code == 200
    html = response.content.decode()
    assert "when.all[0].field: unknown field &#x27;line.nope&#x27;" in html
    assert "The rule was not saved." in html
    bad_id = admin.post(reverse("payer_rule_new"), _rule_form(practice_a, rule_id="acme"))
    assert "id: rule id &#x27;ACME&#x27;" in bad_id.content.decode()
    not_json = admin.post(reverse("payer_rule_new"), _rule_form(practice_a, when="{all: []"))
    assert "when: not valid JSON" in not_json.content.decode()
    fraction = admin.post(
        reverse("payer_rule_new"),
        _rule_form(practice_a, when='{"field": "line.charge", "gt": 12.5}'),
    )
    assert "write it as a string" in fraction.content.decode()
    assert not PayerRule.objects.exists()


def test_the_held_queue_links_payer_rules_for_admins(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    link = reverse("payer_rule_list").encode()
    assert link not in member_client.get(reverse("held_queue")).content
    admin = signed_in(_admin(practice_a))
    assert link in admin.get(reverse("held_queue")).content
