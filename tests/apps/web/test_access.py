"""Who may open which page: every web route, for the member, the outsider, the user with no
practice, and the anonymous visitor. The routes are enumerated from the URL resolver, so a new
route without a case here fails this suite."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from tests.apps.conftest import PracticeWorld

PUBLIC = {"login", "logout"}


@dataclass
class Case:
    """How to call one route against practice A's objects."""

    method: str
    url: Callable[[PracticeWorld], str]
    data: Callable[[PracticeWorld], dict[str, Any]] = field(default=lambda w: {})
    # True when the route shows one of practice A's objects: the outsider must get a 404.
    scoped: bool = False
    ok: int = 200  # what the member gets


CASES: dict[str, Case] = {
    "home": Case("get", lambda w: reverse("home")),
    "practice_switch": Case(
        "post",
        lambda w: reverse("practice_switch"),
        lambda w: {"practice": "", "next": "/"},
        ok=302,
    ),
    "patient_list": Case("get", lambda w: reverse("patient_list")),
    "patient_new": Case("get", lambda w: reverse("patient_new")),
    "patient_detail": Case(
        "get", lambda w: reverse("patient_detail", args=[w.patient.pk]), scoped=True
    ),
    "coverage_new": Case(
        "get", lambda w: reverse("coverage_new", args=[w.patient.pk]), scoped=True
    ),
    "encounter_list": Case(
        "get", lambda w: reverse("encounter_list") + f"?patient={w.patient.pk}", scoped=True
    ),
    "encounter_new": Case(
        "get", lambda w: reverse("encounter_new") + f"?patient={w.patient.pk}", scoped=True
    ),
    "encounter_find_patient": Case(
        "post", lambda w: reverse("encounter_find_patient"), lambda w: {"q": "Testpatient"}
    ),
    "encounter_line_row": Case(
        "get", lambda w: reverse("encounter_line_row") + "?lines-TOTAL_FORMS=4"
    ),
    "encounter_totals": Case(
        "post",
        lambda w: reverse("encounter_totals"),
        lambda w: {"patient": w.patient.pk, "lines-TOTAL_FORMS": "0"},
        scoped=True,
    ),
    "diagnosis_hints": Case("post", lambda w: reverse("diagnosis_hints"), lambda w: {"q": "E11"}),
    "procedure_hints": Case(
        "post",
        lambda w: reverse("procedure_hints"),
        lambda w: {"patient": w.patient.pk, "q": "99"},
        scoped=True,
    ),
    "encounter_detail": Case(
        "get", lambda w: reverse("encounter_detail", args=[w.encounter.pk]), scoped=True
    ),
    "claim_list": Case(
        "get", lambda w: reverse("claim_list") + f"?patient={w.patient.pk}", scoped=True
    ),
    "claim_detail": Case("get", lambda w: reverse("claim_detail", args=[w.claim.pk]), scoped=True),
    "claim_cms1500": Case(
        "get", lambda w: reverse("claim_cms1500", args=[w.claim.pk]), scoped=True
    ),
    # the scrubber; payer rules are for admins (the member is a biller: 403)
    "held_queue": Case("get", lambda w: reverse("held_queue")),
    "claim_scrub": Case(
        "post", lambda w: reverse("claim_scrub", args=[w.claim.pk]), scoped=True, ok=302
    ),
    "claim_override": Case(
        "post",
        lambda w: reverse("claim_override", args=[w.claim.pk]),
        lambda w: {"rule_id": "ICD-007", "reason": "checked by hand"},
        scoped=True,
        ok=302,
    ),
    "encounter_findings": Case(
        "post",
        lambda w: reverse("encounter_findings"),
        lambda w: {"patient": w.patient.pk, "lines-TOTAL_FORMS": "0"},
        scoped=True,
    ),
    "payer_rule_list": Case("get", lambda w: reverse("payer_rule_list"), ok=403),
    "payer_rule_new": Case("get", lambda w: reverse("payer_rule_new"), ok=403),
    "payer_rule_edit": Case("get", lambda w: reverse("payer_rule_edit", args=[1]), ok=404),
}


def web_route_names() -> set[str]:
    """Names of every route the web UI serves (the resolver's patterns from openrcm.web.urls)."""
    names: set[str] = set()
    for pattern in get_resolver().url_patterns:
        for sub in getattr(pattern, "url_patterns", [pattern]):
            if isinstance(sub, URLPattern) and sub.callback.__module__.startswith("openrcm.web"):
                names.add(str(sub.name))
    return names


def call(client: Client, case: Case, world: PracticeWorld) -> Any:
    return getattr(client, case.method)(case.url(world), case.data(world))


def test_every_web_route_has_an_access_case() -> None:
    missing = web_route_names() - set(CASES) - PUBLIC
    assert not missing, f"web routes without an access case: {sorted(missing)}"
    assert set(CASES) <= web_route_names()


@pytest.mark.parametrize("name", sorted(CASES))
def test_member_opens_every_page(
    name: str, member_client: Client, practice_a: PracticeWorld
) -> None:
    case = CASES[name]
    response = call(member_client, case, practice_a)
    assert response.status_code == case.ok, response.content[:500]
    assert b"{#" not in response.content and b"{%" not in response.content  # no template leaks


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.scoped))
def test_outsider_gets_404_for_practice_a_objects(
    name: str, outsider_client: Client, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    response = call(outsider_client, CASES[name], practice_a)
    assert response.status_code == 404
    assert b"Not found" in response.content
    # and the same route works for the outsider's own practice
    own = call(outsider_client, CASES[name], practice_b)
    assert own.status_code == CASES[name].ok


@pytest.mark.parametrize("name", sorted(n for n, c in CASES.items() if c.scoped))
def test_user_without_practice_gets_404(
    name: str, nobody_client: Client, practice_a: PracticeWorld
) -> None:
    assert call(nobody_client, CASES[name], practice_a).status_code == 404


@pytest.mark.parametrize("name", sorted(CASES))
def test_anonymous_is_sent_to_login(name: str, client: Client, practice_a: PracticeWorld) -> None:
    response = call(client, CASES[name], practice_a)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_login_page_and_sign_in(client: Client, member: Any) -> None:
    from tests.apps.conftest import PASSWORD

    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert b'<label for="id_username"' in page.content
    assert b'<label for="id_password"' in page.content
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_wrong_password_is_refused(client: Client, member: Any) -> None:
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_logout_is_a_post_and_ends_the_session(member_client: Client) -> None:
    response = member_client.post(reverse("logout"))
    assert response.status_code == 302
    assert member_client.get(reverse("home")).status_code == 302


def test_pages_are_not_cached(member_client: Client, practice_a: PracticeWorld) -> None:
    response = member_client.get(reverse("patient_detail", args=[practice_a.patient.pk]))
    assert "no-store" in response["Cache-Control"]


def test_outsider_lists_do_not_show_practice_a(
    outsider_client: Client, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    a_name = practice_a.patient.last_name.encode()
    for url in (reverse("patient_list"), reverse("encounter_list"), reverse("claim_list")):
        body = outsider_client.get(url).content
        assert a_name not in body
        assert practice_b.patient.last_name.encode() in body
    found = outsider_client.post(reverse("patient_list"), {"q": practice_a.patient.last_name})
    assert b"No patient matches your search." in found.content
    assert reverse("patient_detail", args=[practice_a.patient.pk]).encode() not in found.content
    assert (
        practice_a.claim.patient_control_number.encode()
        not in outsider_client.get(reverse("claim_list")).content
    )


def test_outsider_cannot_enter_an_encounter_for_practice_a(
    outsider_client: Client, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    response = outsider_client.post(
        reverse("encounter_new"),
        {
            "patient": practice_a.patient.pk,
            "provider": practice_b.provider.pk,
            "location": practice_b.location.pk,
        },
    )
    assert response.status_code == 404
    assert practice_a.patient.encounters.count() == 1


def test_outsider_cannot_add_coverage_to_practice_a_patient(
    outsider_client: Client, practice_a: PracticeWorld
) -> None:
    response = outsider_client.post(
        reverse("coverage_new", args=[practice_a.patient.pk]),
        {"payer": practice_a.payer.pk, "member_id": "X1", "effective_from": "2026-01-01"},
    )
    assert response.status_code == 404
    assert practice_a.patient.coverages.count() == 1


def test_read_only_role_sees_but_cannot_enter_charges(
    client: Client, practice_a: PracticeWorld
) -> None:
    from openrcm.accounts.services import user_create
    from tests.apps.conftest import PASSWORD

    owner = user_create(
        username="olga", password=PASSWORD, practice=practice_a.practice, role="practice_owner"
    )
    client.force_login(owner)
    page = client.get(reverse("patient_detail", args=[practice_a.patient.pk]))
    assert page.status_code == 200
    assert b"New encounter" not in page.content
    assert client.get(reverse("patient_new")).status_code == 403
    url = reverse("encounter_new") + f"?patient={practice_a.patient.pk}"
    assert client.get(url).status_code == 404


def test_expired_session_on_an_htmx_request_redirects_the_whole_page(client: Client) -> None:
    response = client.post(
        reverse("diagnosis_hints"),
        {"q": "E11"},
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/encounters/new/?x=1"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=%2Fencounters%2Fnew%2F"
    assert response.content == b""


def test_login_page_shows_the_demo_login_only_on_a_demo_database(client: Client, db: Any) -> None:
    from django.conf import settings

    from openrcm.accounts.services import user_create
    from openrcm.tenancy.services import organization_get_or_create

    assert b"Demo database" not in client.get(reverse("login")).content
    organization_get_or_create(slug="demo", name="Demo Billing", is_demo=True)
    user_create(
        username=settings.OPENRCM_DEMO_USERNAME,
        password=settings.OPENRCM_DEMO_PASSWORD,
        validate=False,
    )
    html = client.get(reverse("login")).content.decode()
    assert "Demo database" in html and settings.OPENRCM_DEMO_PASSWORD in html
    organization_get_or_create(slug="real", name="Real Billing")
    assert b"Demo database" not in client.get(reverse("login")).content
