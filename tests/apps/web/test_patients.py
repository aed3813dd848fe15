"""Patients: the list, the search by POST (names never in URLs), registration and coverages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.test import Client
from django.urls import reverse

from openrcm.patients.models import Coverage, Patient
from openrcm.patients.services import patient_create
from tests.apps.conftest import PracticeWorld


def field_errors(html: str, field_id: str) -> str:
    """The error list Django renders for the input with `field_id` (id="<field_id>_error")."""
    match = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', html, re.S)
    return match.group(1) if match else ""


def test_search_by_post_finds_the_patient(member_client: Client, practice_a: PracticeWorld) -> None:
    patient_create(
        practice=practice_a.practice,
        first_name="Other",
        last_name="Person",
        date_of_birth=dt.date(1990, 1, 1),
        sex="M",
    )
    response = member_client.post(reverse("patient_list"), {"q": "testpatienta"})
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("patient_detail", args=[practice_a.patient.pk]) in html
    assert "Person, Other" not in html
    assert response.request["PATH_INFO"] == reverse("patient_list")
    assert "testpatient" not in response.request.get("QUERY_STRING", "")


def test_search_form_posts_and_never_puts_terms_in_the_url(member_client: Client) -> None:
    html = member_client.get(reverse("patient_list")).content.decode()
    form = re.search(r'<form method="(\w+)" action="/patients/"[^>]*role="search"', html)
    assert form and form.group(1) == "post"
    assert '<label for="id_q">' in html


def test_search_by_account_number_and_member_id(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    for term in (practice_a.patient.account_number, practice_a.coverage.member_id):
        html = member_client.post(reverse("patient_list"), {"q": term}).content.decode()
        assert reverse("patient_detail", args=[practice_a.patient.pk]) in html


def test_search_results_htmx_partial(member_client: Client, practice_a: PracticeWorld) -> None:
    response = member_client.post(
        reverse("patient_list"), {"q": "Testpatient"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="patient-results"')
    assert "<html" not in html
    assert practice_a.patient.last_name in html


def test_patient_list_paginates_25_a_page(member_client: Client, practice_a: PracticeWorld) -> None:
    for i in range(30):
        patient_create(
            practice=practice_a.practice,
            first_name=f"Pat{i:02d}",
            last_name="Zed",
            date_of_birth=dt.date(1980, 1, 1),
            sex="F",
        )
    first = member_client.get(reverse("patient_list")).content.decode()
    assert "Page 1 of 2" in first
    assert len(re.findall(r'href="/patients/\d+/"', first)) == 25
    second = member_client.get(reverse("patient_list") + "?page=2").content.decode()
    assert "Page 2 of 2" in second
    # a search's pages are buttons that POST the terms again
    searched = member_client.post(reverse("patient_list"), {"q": "zed", "page": "2"})
    html = searched.content.decode()
    assert "Page 2 of 2" in html
    assert 'name="page" value="1"' in html
    assert '<input type="hidden" name="q" value="zed">' in html


def test_patient_detail_shows_demographics_coverages_encounters_claims(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    html = member_client.get(
        reverse("patient_detail", args=[practice_a.patient.pk])
    ).content.decode()
    assert "TestpatientA, Jordan" in html
    assert "03/04/1958" in html
    assert practice_a.coverage.member_id in html
    assert "Medicare Part B" in html
    assert reverse("encounter_detail", args=[practice_a.encounter.pk]) in html
    assert reverse("claim_detail", args=[practice_a.claim.pk]) in html
    assert practice_a.claim.patient_control_number in html
    assert f"/encounters/new/?patient={practice_a.patient.pk}" in html


def test_register_a_patient(member_client: Client, practice_a: PracticeWorld) -> None:
    response = member_client.post(
        reverse("patient_new"),
        {
            "first_name": "Maria",
            "last_name": "Lopez",
            "date_of_birth": "1984-07-02",
            "sex": "F",
            "zip_code": "62704-1234",
            "phone": "(217) 555-0142",
            "state": "il",
        },
    )
    patient = Patient.objects.get(last_name="Lopez")
    assert response.status_code == 302
    assert response["Location"] == reverse("patient_detail", args=[patient.pk])
    assert patient.practice == practice_a.practice
    assert patient.zip_code == "627041234"
    assert patient.phone == "2175550142"
    assert patient.state == "IL"
    assert patient.account_number  # assigned


def test_patient_form_errors_name_the_field(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    response = member_client.post(
        reverse("patient_new"),
        {
            "first_name": "Maria",
            "last_name": "",
            "date_of_birth": "2999-01-01",
            "sex": "F",
            "zip_code": "1234",
            "phone": "555-0142",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required" in field_errors(html, "id_last_name")
    assert "is in the future" in field_errors(html, "id_date_of_birth")
    assert "ZIP code" in field_errors(html, "id_zip_code")
    assert "10 digits" in field_errors(html, "id_phone")
    assert 'aria-invalid="true"' in html
    assert not Patient.objects.filter(first_name="Maria").exists()


def test_duplicate_account_number_is_shown_beside_the_field(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    response = member_client.post(
        reverse("patient_new"),
        {
            "first_name": "Maria",
            "last_name": "Lopez",
            "date_of_birth": "1984-07-02",
            "sex": "F",
            "account_number": practice_a.patient.account_number,
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert field_errors(html, "id_account_number")
    assert "patient_account_unique_in_practice" not in html


def test_member_of_two_practices_chooses_the_practice(
    member: Any, member_client: Client, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    from openrcm.tenancy.services import membership_grant

    membership_grant(user=member, practice=practice_b.practice, role="biller")
    page = member_client.get(reverse("patient_new")).content.decode()
    assert '<label for="id_practice">' in page
    member_client.post(
        reverse("patient_new"),
        {
            "practice": practice_b.practice.pk,
            "first_name": "Bo",
            "last_name": "Chosen",
            "date_of_birth": "2001-02-03",
            "sex": "M",
        },
    )
    assert Patient.objects.get(last_name="Chosen").practice == practice_b.practice


def test_add_coverage(member_client: Client, practice_a: PracticeWorld) -> None:
    response = member_client.post(
        reverse("coverage_new", args=[practice_a.patient.pk]),
        {
            "payer": practice_a.payer.pk,
            "priority": 2,
            "member_id": "SEC123",
            "effective_from": "2026-01-01",
            "relationship": "18",
            "copay": "25.00",
        },
    )
    assert response.status_code == 302
    coverage = Coverage.objects.get(member_id="SEC123")
    assert coverage.patient == practice_a.patient
    assert coverage.priority == 2
    assert coverage.copay_cents == 2500


def test_coverage_errors_from_the_service_are_beside_their_fields(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    response = member_client.post(
        reverse("coverage_new", args=[practice_a.patient.pk]),
        {
            "payer": practice_a.payer.pk,
            "priority": 1,
            "member_id": "SP1",
            "effective_from": "2026-06-01",
            "effective_to": "2026-01-01",
            "relationship": "01",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "ends before it starts" in field_errors(html, "id_effective_to")
    assert "not the subscriber" in field_errors(html, "id_subscriber_first_name")
    assert "not the subscriber" in field_errors(html, "id_subscriber_last_name")
    assert not Coverage.objects.filter(member_id="SP1").exists()


def test_coverage_payers_are_those_of_the_practice_organization(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    from openrcm.payers.models import Payer
    from openrcm.tenancy.services import organization_get_or_create

    other_org = organization_get_or_create(slug="other", name="Other Billing")
    Payer.objects.create(organization=other_org, name="Elsewhere Health", payer_id="99999")
    html = member_client.get(reverse("coverage_new", args=[practice_a.patient.pk])).content.decode()
    assert "Medicare Part B" in html
    assert "Elsewhere Health" not in html
