"""The practice switcher, the dashboard, the claims worklist and claim page, the admin."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client
from django.urls import reverse

from openrcm.claims.services import claim_transition
from openrcm.core.claims.status import ClaimStatus
from openrcm.tenancy.middleware import SESSION_KEY
from openrcm.tenancy.services import membership_grant
from tests.apps.conftest import PracticeWorld


def both_practices(member: Any, practice_b: PracticeWorld) -> None:
    membership_grant(user=member, practice=practice_b.practice, role="biller")


# -- practice switcher ---------------------------------------------------------------------------


def test_switch_to_one_of_my_practices_and_back_to_all(
    member: Any, member_client: Client, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    both_practices(member, practice_b)
    response = member_client.post(
        reverse("practice_switch"), {"practice": practice_b.practice.pk, "next": "/patients/"}
    )
    assert response.status_code == 302 and response["Location"] == "/patients/"
    assert member_client.session[SESSION_KEY] == practice_b.practice.pk
    html = member_client.get(reverse("patient_list")).content.decode()
    assert practice_b.patient.last_name in html
    assert practice_a.patient.last_name not in html
    assert f'<option value="{practice_b.practice.pk}" selected>' in html

    member_client.post(reverse("practice_switch"), {"practice": ""})
    assert SESSION_KEY not in member_client.session
    html = member_client.get(reverse("patient_list")).content.decode()
    assert practice_a.patient.last_name in html and practice_b.patient.last_name in html


def test_switcher_refuses_a_practice_i_am_not_a_member_of(
    member_client: Client, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    member_client.post(reverse("practice_switch"), {"practice": practice_a.practice.pk})
    response = member_client.post(
        reverse("practice_switch"), {"practice": practice_b.practice.pk}, follow=True
    )
    assert member_client.session[SESSION_KEY] == practice_a.practice.pk  # unchanged
    assert b"You are not a member of that practice." in response.content
    assert (
        practice_b.patient.last_name.encode()
        not in member_client.get(reverse("patient_list")).content
    )


def test_switcher_ignores_an_offsite_next(member_client: Client, practice_a: PracticeWorld) -> None:
    response = member_client.post(
        reverse("practice_switch"), {"practice": "", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_switcher_lists_only_my_practices(
    member_client: Client, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    html = member_client.get(reverse("home")).content.decode()
    assert '<label for="practice-switch">Practice</label>' in html
    assert "All my practices" in html
    assert practice_a.practice.name in html
    assert practice_b.practice.name not in html


# -- dashboard -----------------------------------------------------------------------------------


def test_dashboard_counts(member_client: Client, practice_a: PracticeWorld) -> None:
    claim_transition(claim=practice_a.claim, to=ClaimStatus.READY)
    html = member_client.get(reverse("home")).content.decode()
    stats = dict(
        re.findall(r'<span class="stat-label">(\w+)</span><span class="stat-value">(\d+)', html)
    )
    assert stats == {"Patients": "1", "Encounters": "1", "Claims": "1"}
    assert f'href="{reverse("claim_list")}?status=ready"' in html


def test_dashboard_for_a_user_without_practice(nobody_client: Client) -> None:
    html = nobody_client.get(reverse("home")).content.decode()
    assert "not a member of any practice" in html


# -- claims --------------------------------------------------------------------------------------


def test_claim_list_columns(member_client: Client, practice_a: PracticeWorld) -> None:
    html = member_client.get(reverse("claim_list")).content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', html)
    assert headers[:6] == ["PCN", "Patient", "DOS", "Payer", "Total", "Status"]
    claim = practice_a.claim
    assert claim.patient_control_number in html
    assert "TestpatientA, Jordan" in html
    assert "10/01/2026" in html
    assert "$140.00" in html
    assert "Draft" in html
    for name in ("practice", "status", "payer", "date_from", "date_to"):
        assert f'<label for="id_{name}">' in html


def test_claim_filters(
    member: Any, member_client: Client, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    both_practices(member, practice_b)
    a_pcn = f">{practice_a.claim.patient_control_number}<"
    b_pcn = f">{practice_b.claim.patient_control_number}<"
    claim_transition(claim=practice_a.claim, to=ClaimStatus.READY)

    def listed(**params: Any) -> tuple[bool, bool]:
        html = member_client.get(reverse("claim_list"), params).content.decode()
        return a_pcn in html, b_pcn in html

    assert listed() == (True, True)
    assert listed(practice=practice_a.practice.pk) == (True, False)
    assert listed(status="ready") == (True, False)
    assert listed(status="draft") == (False, True)
    assert listed(payer=practice_a.payer.pk) == (True, True)
    assert listed(date_from="2026-10-02") == (False, False)
    assert listed(date_from="2026-10-01", date_to="2026-10-01") == (True, True)
    # a practice that is not mine is not a valid choice: the filter is ignored, nothing leaks
    html = member_client.get(reverse("claim_list"), {"practice": 999999}).content.decode()
    assert "Select a valid choice" in html


def test_claim_list_follows_the_switcher_until_filtered(
    member: Any, member_client: Client, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    both_practices(member, practice_b)
    member_client.post(reverse("practice_switch"), {"practice": practice_b.practice.pk})
    html = member_client.get(reverse("claim_list")).content.decode()
    assert practice_b.claim.patient_control_number in html
    assert practice_a.claim.patient_control_number not in html
    html = member_client.get(reverse("claim_list"), {"practice": ""}).content.decode()
    assert practice_a.claim.patient_control_number in html


def test_claim_list_paginates(member_client: Client, practice_a: PracticeWorld) -> None:
    from openrcm.core.money import Money
    from openrcm.encounters.services import ChargeLineInput, encounter_create

    for day in range(1, 27):
        encounter_create(
            patient=practice_a.patient,
            provider=practice_a.provider,
            location=practice_a.location,
            date_of_service=dt.date(2026, 9, day),
            diagnoses=["I10"],
            lines=[
                ChargeLineInput(
                    procedure_code="99213", diagnosis_pointers=[1], charge=Money.from_cents(100)
                )
            ],
        )
    first = member_client.get(reverse("claim_list"), {"status": "draft"}).content.decode()
    assert "Page 1 of 2" in first
    assert "?status=draft&amp;page=2" in first  # the filters stay in the page links
    second = member_client.get(reverse("claim_list"), {"status": "draft", "page": 2})
    assert b"Showing 26\xe2\x80\x9327 of 27" in second.content


def test_claim_page(member_client: Client, practice_a: PracticeWorld) -> None:
    claim = practice_a.claim
    claim_transition(claim=claim, to=ClaimStatus.READY, note="Scrubbed clean.")
    html = member_client.get(reverse("claim_detail", args=[claim.pk])).content.decode()
    assert claim.patient_control_number in html
    assert "Medicare Part B" in html and "00435" in html
    assert practice_a.coverage.member_id in html
    lines = list(claim.lines.select_related("charge_line"))
    for line in lines:
        assert line.charge_line.line_control_number in html
    assert "99213" in html and "36415" in html
    assert "$125.00" in html and "$15.00" in html and "$140.00" in html
    assert "E11.9" in html and "Type 2 diabetes mellitus without complications" in html
    assert "Draft &rarr; Ready to submit" in html or "Draft → Ready to submit" in html
    assert "Scrubbed clean." in html
    assert reverse("encounter_detail", args=[practice_a.encounter.pk]) in html
    assert "CDT" in html or "CST" in html  # history in the practice's time zone


# -- admin ---------------------------------------------------------------------------------------


def test_admin_lists_every_registered_model(client: Client, practice_a: PracticeWorld) -> None:
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    admin_user = get_user_model().objects.create_superuser("root", "root@example.com", "x" * 16)
    client.force_login(admin_user)
    models = {m._meta.label for m in admin.site._registry}
    for label in (
        "tenancy.Practice",
        "tenancy.Location",
        "tenancy.Membership",
        "providers.Provider",
        "payers.Payer",
        "payers.FeeSchedule",
        "patients.Patient",
        "patients.Coverage",
        "encounters.Encounter",
        "claims.Claim",
        "accounts.ApiToken",
    ):
        assert label in models
        app, model = label.lower().split(".")
        assert client.get(f"/admin/{app}/{model}/").status_code == 200
    assert client.get(f"/admin/claims/claim/{practice_a.claim.pk}/change/").status_code == 200
