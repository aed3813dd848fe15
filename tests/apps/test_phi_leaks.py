"""No PHI in logs, URLs, cookies or the audit trail: canaries through the main flows.

A patient with unmistakable values (name, date of birth, member id, phone, address) is
registered and worked through the web UI and the API: search (POST), patient page, coverage,
encounter entry, claim page; list, get, search, create, update. Every logger is captured at
DEBUG (also those that do not propagate, such as django.server and waitress), and the test
collects every URL requested, every redirect (Location, HX-Redirect) and every link, form
action and htmx URL in the rendered pages. None may hold a canary; links carry opaque ids
only. Cookies are only the session and CSRF ones (messages, which name patients, stay on the
server), and the audit trail records ids, never the values.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from openrcm.accounts.services import token_create
from openrcm.audit.models import AuditEvent
from openrcm.patients.models import Patient
from tests.apps.conftest import PASSWORD, PracticeWorld

FIRST, LAST = "Zyxcanary", "Qwertyson"
MEMBER_ID = "CANARY123456"
DOB = "1961-07-29"
PHONE = "2175550199"
STREET = "742 Canarywood Ln"
CANARIES = [FIRST, LAST, MEMBER_ID, DOB, "07/29/1961", "19610729", PHONE, "Canarywood"]

URL_ATTRS = re.compile(
    r"""\b(?:href|src|action|formaction|hx-(?:get|post|put|patch|delete|push-url))\s*=\s*["']([^"']*)["']""",
    re.IGNORECASE,
)
ALLOWED_COOKIES = {"sessionid", "csrftoken"}


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG into caplog, including those that do not propagate to the root."""
    caplog.set_level(logging.DEBUG)
    names = [
        name
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    ]
    for name in {*names, "django.request", "django.server", "django.security", "waitress"}:
        caplog.set_level(logging.DEBUG, logger=name)
    attached = []
    for name in [*names, "django.server", "waitress", "waitress.queue"]:
        logger = logging.getLogger(name)
        if not logger.propagate and caplog.handler not in logger.handlers:
            logger.addHandler(caplog.handler)
            attached.append(logger)
    yield caplog
    for logger in attached:
        logger.removeHandler(caplog.handler)


class Recorder:
    """A test client that remembers every URL it asked for and every URL the answers name."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.urls: list[str] = []
        self.cookies: set[str] = set()
        self.bodies: list[str] = []

    def send(self, method: str, url: str, data: Any = None, **kwargs: Any) -> Any:
        self.urls.append(url)
        response = getattr(self.client, method)(url, data, **kwargs)
        for header in ("Location", "HX-Redirect", "HX-Location", "HX-Push-Url", "Content-Location"):
            if header in response:
                self.urls.append(response[header])
        self.cookies |= set(response.cookies)
        content_type = response.get("Content-Type", "")
        if "html" in content_type:
            html = response.content.decode()
            self.bodies.append(html)
            self.urls += URL_ATTRS.findall(html)
        return response

    def get(self, url: str, data: Any = None, **kwargs: Any) -> Any:
        return self.send("get", url, data, **kwargs)

    def post(self, url: str, data: Any = None, **kwargs: Any) -> Any:
        return self.send("post", url, data, **kwargs)

    def follow(self, response: Any) -> Any:
        assert response.status_code == 302, response.content[:300]
        return self.get(response["Location"])


def _found(text: str) -> list[str]:
    lowered = text.lower()
    return [canary for canary in CANARIES if canary.lower() in lowered]


def _log_text(record: logging.LogRecord) -> str:
    formatted = logging.Formatter("%(name)s %(levelname)s %(message)s").format(record)
    return f"{formatted} {record.args!r} {getattr(record, 'request', '')!s}"


def assert_no_canaries(recorder: Recorder, caplog: pytest.LogCaptureFixture) -> None:
    assert caplog.records, "nothing was captured: the capture is broken"
    for record in caplog.records:
        text = _log_text(record)
        assert not _found(text), f"PHI in a log record: {text[:500]}"
    for url in recorder.urls:
        assert not _found(url), f"PHI in a URL: {url}"
    assert recorder.cookies <= ALLOWED_COOKIES, f"cookies: {sorted(recorder.cookies)}"
    for event in AuditEvent.objects.all():
        stored = json.dumps(
            [event.actor_name, event.object_type, event.object_id, event.request_id, event.detail]
        )
        assert not _found(stored), f"PHI in audit event {event.seq}: {stored}"


def _account_canaries() -> None:
    """The account number assigned to the canary patient is an identifier too."""
    patient = Patient.objects.get(last_name=LAST)
    if patient.account_number not in CANARIES:
        CANARIES.append(patient.account_number)


@pytest.fixture
def canaries() -> Iterator[list[str]]:
    saved = list(CANARIES)
    yield CANARIES
    CANARIES[:] = saved


def test_web_flows_leak_no_phi(
    all_logs: pytest.LogCaptureFixture,
    canaries: list[str],
    practice_a: PracticeWorld,
    member: Any,
    outsider: Any,
) -> None:
    web = Recorder(Client())
    # sign in with the password, as a person would
    web.get(reverse("login"))
    web.follow(web.post(reverse("login"), {"username": "alice", "password": PASSWORD}))
    # register the canary patient, with a mistake first (the form comes back with the values)
    new = {
        "first_name": FIRST,
        "last_name": LAST,
        "date_of_birth": "1961-13-29",
        "sex": "F",
        "address_line1": STREET,
        "city": "Springfield",
        "state": "IL",
        "zip_code": "62704",
        "phone": PHONE,
    }
    assert web.post(reverse("patient_new"), new).status_code == 200
    page = web.follow(web.post(reverse("patient_new"), new | {"date_of_birth": DOB}))
    assert LAST in page.content.decode()
    _account_canaries()
    patient = Patient.objects.get(last_name=LAST)
    # search by POST (full page and htmx), by name, member id and date of birth
    for term in (LAST, f"{LAST}, {FIRST}", patient.account_number):
        assert LAST in web.post(reverse("patient_list"), {"q": term}).content.decode()
    web.post(reverse("patient_list"), {"q": LAST}, headers={"HX-Request": "true"})
    web.get(reverse("patient_list"))
    # coverage with the canary member id
    coverage = {
        "payer": practice_a.payer.pk,
        "priority": 1,
        "member_id": MEMBER_ID,
        "effective_from": "2026-01-01",
        "relationship": "18",
    }
    web.get(reverse("coverage_new", args=[patient.pk]))
    web.follow(web.post(reverse("coverage_new", args=[patient.pk]), coverage))
    assert web.post(reverse("patient_list"), {"q": MEMBER_ID}).status_code == 200
    # encounter entry: find the patient (POST), the form, live totals, hints, save
    web.get(reverse("encounter_new"))
    web.post(reverse("encounter_find_patient"), {"q": FIRST})
    web.post(reverse("encounter_find_patient"), {"q": LAST}, headers={"HX-Request": "true"})
    web.get(reverse("encounter_new") + f"?patient={patient.pk}")
    entry = {
        "patient": patient.pk,
        "provider": practice_a.provider.pk,
        "location": practice_a.location.pk,
        "date_of_service": "2026-11-20",
        "dx_1": "E11.9",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        "lines-0-procedure_code": "99213",
        "lines-0-units": "1",
        "lines-0-charge": "125.00",
        "lines-0-diagnosis_pointers": "1",
    }
    web.post(reverse("encounter_totals"), entry, headers={"HX-Request": "true"})
    web.post(reverse("procedure_hints"), {"patient": patient.pk, "q": "99"})
    web.post(reverse("encounter_new"), entry | {"add_line": "1"})
    encounter_page = web.follow(web.post(reverse("encounter_new"), entry))
    assert LAST in encounter_page.content.decode()
    claim = patient.encounters.get().claims.get()
    claim_page = web.get(reverse("claim_detail", args=[claim.pk]))
    assert LAST in claim_page.content.decode() and MEMBER_ID in claim_page.content.decode()
    for name in ("encounter_list", "claim_list"):
        web.get(reverse(name) + f"?patient={patient.pk}")
    web.get(reverse("claim_list"), {"status": "draft"})
    web.get(reverse("home"))
    # refusals and misses are logged by path: opaque ids only
    stranger = Recorder(Client())
    stranger.client.force_login(outsider)
    assert stranger.get(reverse("patient_detail", args=[patient.pk])).status_code == 404
    assert stranger.post(reverse("patient_list"), {"q": LAST}).status_code == 200
    web.post(reverse("logout"))
    assert web.get(reverse("patient_detail", args=[patient.pk])).status_code == 302

    web.urls += stranger.urls
    web.cookies |= stranger.cookies
    assert any(str(patient.pk) in url for url in web.urls)  # the pages did link the patient
    assert_no_canaries(web, all_logs)


def test_api_flows_leak_no_phi(
    all_logs: pytest.LogCaptureFixture,
    canaries: list[str],
    client: Client,
    practice_a: PracticeWorld,
    member: Any,
    outsider: Any,
) -> None:
    _, key = token_create(user=member, name="leaks")
    headers = {"Authorization": f"Bearer {key}"}
    api = Recorder(client)

    def send(method: str, path: str, body: Any = None, **query: Any) -> Any:
        url = f"/api/v1/{path}"
        if method == "get":
            return api.get(url, query, headers=headers)
        return api.send(
            method, url, json.dumps(body), content_type="application/json", headers=headers
        )

    body = {
        "practice": "a",
        "first_name": FIRST,
        "last_name": LAST,
        "date_of_birth": DOB,
        "sex": "F",
        "address_line1": STREET,
        "phone": PHONE,
    }
    bad = send("post", "patients", body | {"date_of_birth": "1961-13-29"})
    assert bad.status_code == 422
    created = send("post", "patients", body)
    assert created.status_code == 201, created.content
    patient_id = created.json()["id"]
    _account_canaries()
    coverage = {
        "patient": patient_id,
        "payer": practice_a.payer.id,
        "member_id": MEMBER_ID,
        "effective_from": "2026-01-01",
    }
    assert send("post", "coverages", coverage).status_code == 201
    assert send("get", "patients").json()["count"] == 2
    assert send("get", f"patients/{patient_id}").json()["last_name"] == LAST
    for query in (LAST, MEMBER_ID, f"{FIRST} {LAST}"):
        found = send("post", "patients/search", {"query": query})
        assert found.json()["count"] == 1, query
    send("post", "patients/search", {"query": LAST, "date_of_birth": DOB})
    send("patch", f"patients/{patient_id}", {"city": "Peoria", "sex": "Q"})  # 422 names fields
    assert send("patch", f"patients/{patient_id}", {"city": "Peoria"}).status_code == 200
    encounter = {
        "practice": "a",
        "patient": patient_id,
        "provider": practice_a.provider.id,
        "location": practice_a.location.id,
        "date_of_service": "2026-10-05",
        "diagnoses": ["J06.9"],
        "lines": [{"procedure_code": "99214", "diagnosis_pointers": [1], "charge": "180.00"}],
    }
    made = send("post", "encounters", encounter)
    assert made.status_code == 201, made.content
    send("get", "encounters", patient=patient_id)
    send("get", "coverages", patient=patient_id)
    claims = send("get", "claims").json()["items"]
    for item in claims:
        send("get", f"claims/{item['id']}")
    # another practice: 404 by id, nothing by search
    _, other = token_create(user=outsider, name="other")
    headers["Authorization"] = f"Bearer {other}"
    assert send("get", f"patients/{patient_id}").status_code == 404
    assert send("post", "patients/search", {"query": LAST}).json()["count"] == 0

    assert_no_canaries(api, all_logs)


def test_the_detectors_see_a_leak(all_logs: pytest.LogCaptureFixture, db: Any) -> None:
    """The checks above would fail on a canary in a non-propagating logger, a URL or a cookie."""
    logging.getLogger("django.server").info('"GET /patients/?q=%s HTTP/1.1" 200', LAST)
    recorder = Recorder(Client())
    with pytest.raises(AssertionError, match="log record"):
        assert_no_canaries(recorder, all_logs)
    all_logs.clear()
    logging.getLogger("django.server").info("nothing to see")
    recorder.urls.append(f"/patients/?q={MEMBER_ID.lower()}")
    with pytest.raises(AssertionError, match="in a URL"):
        assert_no_canaries(recorder, all_logs)
    recorder.urls.clear()
    recorder.cookies.add("messages")
    with pytest.raises(AssertionError, match="cookies"):
        assert_no_canaries(recorder, all_logs)


def test_the_admin_searches_phi_by_id_only() -> None:
    """The Django admin's search box sends its terms in the URL (?q=): on PHI models it may
    only match ids, exact, never names, member ids, account numbers or dates of birth."""
    from django.contrib import admin

    from openrcm.tenancy.route_policy import PHI_MODELS

    opaque = re.compile(r"^=(?:\w+__)*(?:id|pk|patient_control_number|payer_claim_number)$")
    looked_at = 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.label_lower not in PHI_MODELS:
            continue
        looked_at += 1
        for field_name in model_admin.search_fields:
            assert opaque.match(field_name) or field_name in {
                "line_control_number",
                "procedure_code",
                "patient_control_number",
                "payer_claim_number",
            }, (model._meta.label_lower, field_name)
    assert looked_at >= 4
