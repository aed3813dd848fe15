"""Encounter entry: the form saves through encounters.services.encounter_create, builds the claim,
and puts every error beside the input it names; the htmx endpoints behind it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from openrcm.encounters.models import Encounter
from openrcm.payers.models import FeeSchedule
from openrcm.web import encounter_entry
from tests.apps.conftest import PracticeWorld
from tests.apps.web.test_patients import field_errors


def entry_data(world: PracticeWorld, lines: list[dict[str, str]], **header: str) -> dict[str, Any]:
    """A POST of the entry form: header, diagnoses E11.9 and I10, `lines` plus two empty rows."""
    data: dict[str, Any] = {
        "patient": world.patient.pk,
        "provider": world.provider.pk,
        "location": world.location.pk,
        "date_of_service": "2026-11-20",
        "place_of_service": "",
        "dx_1": "E11.9",
        "dx_2": "i10",
        "lines-TOTAL_FORMS": str(len(lines) + 2),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
    }
    for i in range(len(lines) + 2):
        row = {"units": "1", "ndc_unit": ""} | (lines[i] if i < len(lines) else {})
        for key, value in row.items():
            data[f"lines-{i}-{key}"] = value
    data.update(header)
    return data


def new_encounters(world: PracticeWorld) -> Any:
    return Encounter.objects.filter(patient=world.patient).exclude(pk=world.encounter.pk)


def test_entry_creates_the_encounter_and_its_claim(
    member_client: Client, practice_a: PracticeWorld, fee_schedule_a: FeeSchedule
) -> None:
    data = entry_data(
        practice_a,
        [
            {"procedure_code": "99214", "modifier1": "25", "diagnosis_pointers": "1,2"},
            {"procedure_code": "36415", "units": "2", "diagnosis_pointers": "1"},
            {
                "procedure_code": "J1100",
                "charge": "18.50",
                "diagnosis_pointers": "2",
                "ndc_code": "00641-0367-21",
                "ndc_quantity": "1",
                "ndc_unit": "ML",
            },
        ],
    )
    response = member_client.post(reverse("encounter_new"), data)
    encounter = new_encounters(practice_a).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("encounter_detail", args=[encounter.pk])
    assert encounter.diagnosis_codes == ["E11.9", "I10"]
    lines = list(encounter.charge_lines.order_by("line_number"))
    assert [(li.procedure_code, li.units, li.charge_cents) for li in lines] == [
        ("99214", 1, 18500),  # from the fee schedule
        ("36415", 2, 3000),  # fee schedule x units
        ("J1100", 1, 1850),  # as entered
    ]
    assert lines[0].modifiers == ["25"]
    assert lines[0].pointers == [1, 2]
    assert lines[2].ndc_code == "00641036721"
    assert encounter.place_of_service == practice_a.location.default_place_of_service
    claim = encounter.claims.get()
    assert claim.total_charge_cents == 18500 + 3000 + 1850
    assert claim.coverage == practice_a.coverage

    page = member_client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert reverse("claim_detail", args=[claim.pk]) in html
    assert claim.patient_control_number in html
    assert f"Claim {claim.patient_control_number} was built" in html  # the flash message
    assert "$233.50" in html


@pytest.fixture
def self_pay_world(practice_a: PracticeWorld) -> PracticeWorld:
    from openrcm.patients.services import patient_create

    practice_a.patient = patient_create(
        practice=practice_a.practice,
        first_name="Sam",
        last_name="Selfpay",
        date_of_birth=dt.date(1970, 5, 5),
        sex="M",
    )
    return practice_a


def test_self_pay_encounter_is_saved_without_a_claim(
    member_client: Client, self_pay_world: PracticeWorld
) -> None:
    data = entry_data(
        self_pay_world, [{"procedure_code": "99213", "charge": "100", "diagnosis_pointers": "1"}]
    )
    response = member_client.post(reverse("encounter_new"), data)
    assert response.status_code == 302
    encounter = Encounter.objects.get(patient=self_pay_world.patient)
    assert not encounter.claims.exists()
    html = member_client.get(response["Location"]).content.decode()
    assert "No claim was built" in html


def test_errors_are_shown_beside_each_field(
    member_client: Client, practice_a: PracticeWorld, fee_schedule_a: FeeSchedule
) -> None:
    data = entry_data(
        practice_a,
        [
            {"procedure_code": "9921", "diagnosis_pointers": "1"},
            {"procedure_code": "99213", "modifier2": "2", "diagnosis_pointers": "1,3"},
            {"procedure_code": "99999", "diagnosis_pointers": "1", "units": "0"},
            {"procedure_code": "36415", "diagnosis_pointers": ""},
        ],
        dx_2="E11..9",
        date_of_service="",
    )
    response = member_client.post(reverse("encounter_new"), data)
    assert response.status_code == 200
    assert not new_encounters(practice_a).exists()
    html = response.content.decode()
    assert "The encounter was not saved" in html
    assert "required" in field_errors(html, "id_date_of_service")
    assert "ICD-10-CM code" in field_errors(html, "id_dx_2")
    assert "procedure code" in field_errors(html, "id_lines-0-procedure_code")
    assert "modifier" in field_errors(html, "id_lines-1-modifier2")
    assert "Ensure this value is greater than or equal to 1" in field_errors(
        html, "id_lines-2-units"
    )
    assert "Point to at least one diagnosis" in field_errors(html, "id_lines-3-diagnosis_pointers")
    # the other inputs keep what was typed
    assert 'value="9921"' in html and 'value="E11..9"' in html


def test_pointer_past_the_diagnoses_and_missing_fee_are_named(
    member_client: Client, practice_a: PracticeWorld, fee_schedule_a: FeeSchedule
) -> None:
    data = entry_data(
        practice_a,
        [
            {"procedure_code": "99213", "diagnosis_pointers": "1,3"},
            {"procedure_code": "99999", "diagnosis_pointers": "2"},
        ],
    )
    html = member_client.post(reverse("encounter_new"), data).content.decode()
    assert "Points past the 2 diagnoses" in field_errors(html, "id_lines-0-diagnosis_pointers")
    assert "No fee for 99999" in field_errors(html, "id_lines-1-charge")
    assert not new_encounters(practice_a).exists()


def test_diagnoses_must_be_in_order_and_at_least_one(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    line = [{"procedure_code": "99213", "charge": "90", "diagnosis_pointers": "1"}]
    html = member_client.post(
        reverse("encounter_new"), entry_data(practice_a, line, dx_1="", dx_2="")
    ).content.decode()
    assert "at least the principal diagnosis" in field_errors(html, "id_dx_1")
    html = member_client.post(
        reverse("encounter_new"), entry_data(practice_a, line, dx_2="", dx_3="I10")
    ).content.decode()
    assert "in order" in field_errors(html, "id_dx_2")


def test_a_duplicate_diagnosis_is_refused_by_the_service(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    line = [{"procedure_code": "99213", "charge": "90", "diagnosis_pointers": "1"}]
    html = member_client.post(
        reverse("encounter_new"), entry_data(practice_a, line, dx_2="e11.9")
    ).content.decode()
    assert "A diagnosis code appears twice." in html
    assert not new_encounters(practice_a).exists()


def test_no_lines_at_all(member_client: Client, practice_a: PracticeWorld) -> None:
    html = member_client.post(reverse("encounter_new"), entry_data(practice_a, [])).content.decode()
    assert "Enter at least one charge line." in html


def test_provider_of_another_practice_is_not_a_choice(
    member_client: Client, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    line = [{"procedure_code": "99213", "charge": "90", "diagnosis_pointers": "1"}]
    data = entry_data(practice_a, line, provider=str(practice_b.provider.pk))
    html = member_client.post(reverse("encounter_new"), data).content.decode()
    assert "Select a valid choice" in field_errors(html, "id_provider")
    assert not new_encounters(practice_a).exists()


def test_service_error_keys_land_on_the_right_inputs(
    member: Any, practice_a: PracticeWorld
) -> None:
    """Errors only the service knows ("lines[1].charge", "diagnoses[1]", "location") are put
    beside the row and input they name, counting only the rows that were filled in."""
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update(
        entry_data(
            practice_a,
            [
                {"procedure_code": "99213", "charge": "90", "diagnosis_pointers": "1"},
                {"procedure_code": "36415", "charge": "9", "diagnosis_pointers": "1"},
            ],
        )
    )
    # an empty row between the two filled ones: service index 1 is form row 2
    data["lines-1-procedure_code"], data["lines-2-procedure_code"] = "", "36415"
    data["lines-1-charge"], data["lines-2-charge"] = "", "9"
    data["lines-1-diagnosis_pointers"], data["lines-2-diagnosis_pointers"] = "", "1"
    entry = encounter_entry.build_entry(user=member, patient=practice_a.patient, data=data)
    assert entry.form.is_valid() and entry.lines.is_valid()
    used = entry.lines.used_forms()
    assert [i for i, _ in used] == [0, 2]
    encounter_entry.place_service_errors(
        entry=entry,
        exc=ValidationError(
            {
                "lines[1].charge_cents": "Too much.",
                "lines[0].modifiers": "At most 4 modifiers.",
                "diagnoses[1]": "Not billable.",
                "location": "The location belongs to another practice.",
                "diagnoses": "A diagnosis code appears twice.",
                "encounter": "Locked.",
            }
        ),
        used=used,
    )
    assert entry.lines.forms[2].errors["charge"] == ["Too much."]
    assert entry.lines.forms[0].errors["modifier1"] == ["At most 4 modifiers."]
    assert entry.form.errors["dx_2"] == ["Not billable."]
    assert entry.form.errors["location"] == ["The location belongs to another practice."]
    assert entry.section_errors["diagnoses"] == ["A diagnosis code appears twice."]
    assert entry.form.non_field_errors() == ["encounter: Locked."]


def test_choose_the_patient_by_post_search(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    page = member_client.get(reverse("encounter_new"))
    assert b"Whose visit is it?" in page.content
    response = member_client.post(reverse("encounter_find_patient"), {"q": "Testpatienta"})
    html = response.content.decode()
    assert f"/encounters/new/?patient={practice_a.patient.pk}" in html
    assert "Testpatient" not in response.request.get("QUERY_STRING", "")


def test_entry_form_labels_every_control(
    member_client: Client, practice_a: PracticeWorld, fee_schedule_a: FeeSchedule
) -> None:
    html = member_client.get(
        reverse("encounter_new") + f"?patient={practice_a.patient.pk}"
    ).content.decode()
    ids = set(re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html))
    hidden = set(re.findall(r'<input type="hidden"[^>]*\bid="([^"]+)"', html))
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    assert ids - hidden, "no controls found"
    assert (ids - hidden) <= labelled, sorted((ids - hidden) - labelled)
    assert 'id="dx-options"' in html and 'value="E11.9"' in html
    assert 'id="proc-options"' in html and 'value="99214"' in html
    assert "not the full ICD-10-CM code set" in html


def test_add_line_without_javascript_keeps_what_was_typed(
    member_client: Client, practice_a: PracticeWorld
) -> None:
    data = entry_data(practice_a, [{"procedure_code": "99213", "diagnosis_pointers": ""}])
    data["add_line"] = "1"
    data["provider"] = ""  # not chosen yet
    response = member_client.post(reverse("encounter_new"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="lines-TOTAL_FORMS" value="4"' in html
    assert 'id="id_lines-3-procedure_code"' in html
    assert 'value="99213"' in html
    assert re.search(
        r'id="id_lines-3-units"[^>]*value="1"|value="1"[^>]*id="id_lines-3-units"', html
    )
    assert "Point to at least one diagnosis" not in html  # no errors while still typing
    assert "This field is required" not in html
    assert not new_encounters(practice_a).exists()


# -- htmx endpoints ------------------------------------------------------------------------------


def test_line_row_endpoint_returns_the_next_row(member_client: Client) -> None:
    response = member_client.get(reverse("encounter_line_row"), {"lines-TOTAL_FORMS": "4"})
    html = response.content.decode()
    assert 'id="id_lines-4-procedure_code"' in html
    assert '<label class="sr-only" for="id_lines-4-procedure_code">Line 5 procedure code' in html
    assert 'id="id_lines-TOTAL_FORMS" hx-swap-oob="true"' in html
    assert 'value="5"' in html
    full = member_client.get(reverse("encounter_line_row"), {"lines-TOTAL_FORMS": "50"})
    assert b"at most 50 lines" in full.content


def test_totals_endpoint_prices_lines_as_typed(
    member_client: Client, practice_a: PracticeWorld, fee_schedule_a: FeeSchedule
) -> None:
    data = entry_data(
        practice_a,
        [
            {"procedure_code": "99214", "diagnosis_pointers": "1"},
            {"procedure_code": "36415", "units": "3"},
            {"procedure_code": "93000", "charge": "$1,000.10"},
            {"procedure_code": "99999"},
            {"procedure_code": "99213", "charge": "abc"},
        ],
    )
    response = member_client.post(reverse("encounter_totals"), data)
    html = response.content.decode()
    assert '<output id="encounter-total" aria-live="polite">$1,230.10</output>' in html
    assert 'id="line-amount-1" hx-swap-oob="true"' in html
    assert "$45.00" in html  # 3 x $15.00
    assert "no fee" in html and "invalid charge" in html
    assert "2 lines without a price" in html


def test_diagnosis_hints_search_the_built_in_list(member_client: Client) -> None:
    by_words = member_client.post(
        reverse("diagnosis_hints"), {"dx_3": "type 2 diab"}, headers={"HX-Trigger-Name": "dx_3"}
    ).content.decode()
    assert '<option value="E11.9">' in by_words
    assert "I10" not in by_words
    by_code = member_client.post(reverse("diagnosis_hints"), {"q": "i1"}).content.decode()
    assert '<option value="I10">Essential (primary) hypertension</option>' in by_code


def test_procedure_hints_come_from_the_practice_fee_schedule(
    member_client: Client, practice_a: PracticeWorld, fee_schedule_a: FeeSchedule
) -> None:
    html = member_client.post(
        reverse("procedure_hints"),
        {"patient": practice_a.patient.pk, "lines-0-procedure_code": "9921"},
        headers={"HX-Trigger-Name": "lines-0-procedure_code"},
    ).content.decode()
    assert '<option value="99213">' in html and '<option value="99214">' in html
    assert "36415" not in html
    assert "$125.00" in html


def test_code_hints_cover_only_well_formed_codes() -> None:
    from openrcm.core.codes.shapes import format_icd10cm, validate_icd10cm_shape
    from openrcm.web.code_hints import COMMON_DIAGNOSES, describe_diagnosis

    for hint in COMMON_DIAGNOSES:
        assert format_icd10cm(validate_icd10cm_shape(hint.code)) == hint.code
    assert len({h.code for h in COMMON_DIAGNOSES}) == len(COMMON_DIAGNOSES)
    assert describe_diagnosis("e119") == "Type 2 diabetes mellitus without complications"
    assert describe_diagnosis("Z99.99") == ""


def test_a_seven_character_code_is_saved(member_client: Client, practice_a: PracticeWorld) -> None:
    """Dotted, a 7-character ICD-10-CM code is 8 characters long (S72.001A)."""
    line = [{"procedure_code": "99213", "charge": "90", "diagnosis_pointers": "1"}]
    data = entry_data(practice_a, line, dx_1="S72.001A", dx_2="")
    response = member_client.post(reverse("encounter_new"), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert new_encounters(practice_a).get().diagnosis_codes == ["S72.001A"]
