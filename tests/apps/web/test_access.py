"""Who may open which page, proven over every route the URL resolver knows.

The routes are enumerated from the resolver and checked against the route policy
(`openrcm.tenancy.route_policy`): a page added without a policy entry, or without a case here,
fails `test_every_route_has_a_policy_and_a_case`. Then, for every web route and method:
- the anonymous visitor is sent to sign in, except on the explicit allow-list;
- each of the seven roles of the role matrix gets exactly what its role grants (2xx/3xx when
  granted, 403 when not);
- every user of another practice, whatever their role, gets 404 on practice A's objects;
- every page showing PHI writes its audit event; every refusal writes `permission_denied`.
The Django admin's patterns (staff only, its own check) are walked for the anonymous visitor.
The API's operations are proven the same way in tests/apps/api/test_tenancy.py.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from openrcm.accounts.services import user_create
from openrcm.audit.models import AuditEvent
from openrcm.claims.models import Claim
from openrcm.encounters.models import Encounter
from openrcm.patients.models import Coverage, Patient
from openrcm.tenancy.permissions import ROLE_ACTIONS
from openrcm.tenancy.route_policy import (
    ADMIN_NAMESPACE,
    ADMIN_PUBLIC,
    API_NAMESPACE,
    API_PAGES,
    PHI_MODELS,
    WEB,
    Access,
    Rule,
    web_rule,
)
from tests.apps.conftest import PASSWORD, PracticeWorld, build_practice

ROLES = tuple(ROLE_ACTIONS)


@dataclass
class Case:
    """How to call one route with one method against practice A's objects, successfully."""

    url: Callable[[PracticeWorld], str]
    data: Callable[[PracticeWorld], dict[str, Any]] = field(default=lambda w: {})
    ok: int = 200  # what a user allowed to call it gets
    verified: bool = False  # needs a session that passed MFA


def _entry(w: PracticeWorld) -> dict[str, Any]:
    """A complete encounter entry for practice A's patient (charges entered, no fee schedule)."""
    data: dict[str, Any] = {
        "patient": w.patient.pk,
        "provider": w.provider.pk,
        "location": w.location.pk,
        "date_of_service": "2026-11-20",
        "place_of_service": "",
        "dx_1": "E11.9",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        "lines-0-procedure_code": "99213",
        "lines-0-units": "1",
        "lines-0-charge": "125.00",
        "lines-0-diagnosis_pointers": "1",
        "lines-0-ndc_unit": "",
    }
    return data


def _new_patient(w: PracticeWorld) -> dict[str, Any]:
    return {"first_name": "Maria", "last_name": "Lopez", "date_of_birth": "1984-07-02", "sex": "F"}


def _new_coverage(w: PracticeWorld) -> dict[str, Any]:
    return {
        "payer": w.payer.pk,
        "priority": 2,
        "member_id": "SEC123",
        "effective_from": "2026-01-01",
        "relationship": "18",
    }


def _payer_rule(w: PracticeWorld, rule_id: str = "PAYER-ACCESS-001") -> dict[str, Any]:
    """A payer rule as the admin's form posts it (the scrubber's payer rules)."""
    return {
        "payer": w.payer.pk,
        "rule_id": rule_id,
        "severity": "warning",
        "message": "Line {line}: check {procedure}.",
        "citation": "Synthetic payer bulletin",
        "when": '{"field": "line.procedure", "eq": "99499"}',
        "active": "on",
    }


def _a_payer_rule(w: PracticeWorld) -> Any:
    from openrcm.scrubbing.models import PayerRule
    from openrcm.scrubbing.services import payer_rule_create

    found = PayerRule.objects.filter(payer=w.payer, rule_id="PAYER-ACCESS-002").first()
    if found is not None:
        return found
    data = _payer_rule(w)
    data = {
        "id": "PAYER-ACCESS-002",
        "severity": data["severity"],
        "message": data["message"],
        "citation": data["citation"],
        "when": {"field": "line.procedure", "eq": "99499"},
    }
    return payer_rule_create(payer=w.payer, data=data, actor=None)


def _a_failed_job(w: PracticeWorld) -> Any:
    """A daily batch of practice A that failed every attempt (the jobs page's retry button)."""
    from openrcm.schedules.models import Job, JobKind, JobStatus

    job, _ = Job.objects.get_or_create(
        key=f"daily-batch:{w.practice.pk}:access",
        defaults={
            "kind": JobKind.DAILY_BATCH,
            "practice": w.practice,
            "status": JobStatus.FAILED,
            "attempts": 1,
            "max_attempts": 1,
            "last_error": "TransportError: the clearinghouse is down",
        },
    )
    return job


def _a_batch(w: PracticeWorld) -> Any:
    """A batch of the world's practice, sent to its sandbox clearinghouse (built once)."""
    from openrcm.claims.services import claim_transition
    from openrcm.clearinghouse.models import Batch
    from openrcm.clearinghouse.services import batch_build, batch_send, partner_for
    from openrcm.core.claims.status import ClaimStatus

    found = Batch.objects.filter(practice=w.practice).first()
    if found is not None:
        return found
    if w.claim.status == ClaimStatus.DRAFT.value:
        claim_transition(claim=w.claim, to=ClaimStatus.READY)
    built = batch_build(practice=w.practice, partner=partner_for(practice=w.practice))
    assert built.batch is not None
    batch_send(batch=built.batch)
    return built.batch


def _an_x12_file(w: PracticeWorld) -> Any:
    """The stored 837P of the world's batch."""
    return _a_batch(w).files.get().stored


def _a_deposit(w: PracticeWorld) -> Any:
    """An unmatched deposit of the world's practice (deposit reconciliation)."""
    from openrcm.reconciliation.models import Deposit
    from openrcm.reconciliation.services import deposit_create

    found = Deposit.objects.filter(practice=w.practice).first()
    if found is not None:
        return found
    return deposit_create(
        practice=w.practice,
        deposited_on=datetime.date(2026, 11, 2),
        cents=4200,
        method="check",
    )


def _bank_csv(w: PracticeWorld) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = b"date,amount,description\n2026-11-02,12.00,DEPOSIT\n"
    return {
        "practice": w.practice.pk,
        "file": SimpleUploadedFile("bank.csv", data, content_type="text/csv"),
    }


def _a_monthly_report(w: PracticeWorld) -> Any:
    """The stored October 2026 report of the world's practice (generated once)."""
    from openrcm.reporting.models import MonthlyReport
    from openrcm.reporting.services import monthly_report_generate

    found = MonthlyReport.objects.filter(practice=w.practice).first()
    if found is not None:
        return found
    return monthly_report_generate(practice=w.practice, month=datetime.date(2026, 10, 1))


def _an_era(w: PracticeWorld) -> Any:
    """A posted 835 of the world's practice: a claim-level denial (CO-50) of the world's claim,
    a payment for a claim we do not have (an exception) and a PLB (imported once)."""
    from openrcm.posting.models import Remittance
    from openrcm.posting.services import era_import
    from tests.apps.posting.eras import clp, era, remittance, svc

    found = Remittance.objects.filter(practice=w.practice, trace_number="ACCESS01").first()
    if found is not None:
        return found
    lines = list(w.claim.lines.select_related("charge_line", "claim__encounter"))
    denied = clp(w.claim, [], status="4", adjustments=(("CO", "50", "140"),), icn="ICNDENIED")
    unknown = clp(w.claim, [svc(ln, str(ln.charge_cents / 100)) for ln in lines], pcn="ACCESSX1")
    data = era(remittance([denied, unknown], trace="ACCESS01", plb=[("L6", "-1.25", "INT")]))
    era_import(data=data, practice=w.practice, name="access.835")
    return Remittance.objects.get(practice=w.practice, trace_number="ACCESS01")


def _an_exception(w: PracticeWorld) -> Any:
    return _an_era(w).exceptions.get()


def _a_denial(w: PracticeWorld) -> Any:
    return _an_era(w).claims.get(payer_claim_number="ICNDENIED").denials.get()


def _an_835_upload(w: PracticeWorld) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.apps.posting.eras import clp, era, remittance

    payment = clp(w.claim, [], status="4", adjustments=(("CO", "16", "140"),), icn="UPLOAD1")
    data = era(remittance([payment], trace="UPLOAD01"))
    return {"practice": w.practice.pk, "file": SimpleUploadedFile("upload.835", data)}


CASES: dict[tuple[str, str], Case] = {
    ("login", "GET"): Case(lambda w: reverse("login"), ok=302),  # signed in: on to the dashboard
    ("login", "POST"): Case(lambda w: reverse("login"), ok=302),
    ("logout", "POST"): Case(lambda w: reverse("logout"), ok=302),
    ("mfa_setup", "GET"): Case(lambda w: reverse("mfa_setup")),
    ("mfa_setup", "POST"): Case(lambda w: reverse("mfa_setup"), lambda w: {"code": "000000"}),
    ("mfa_verify", "GET"): Case(lambda w: reverse("mfa_verify"), ok=302),  # not enrolled yet
    ("mfa_verify", "POST"): Case(lambda w: reverse("mfa_verify"), ok=302),
    ("mfa_recovery_codes", "POST"): Case(lambda w: reverse("mfa_recovery_codes"), verified=True),
    ("practice_switch", "POST"): Case(
        lambda w: reverse("practice_switch"), lambda w: {"practice": "", "next": "/"}, ok=302
    ),
    ("home", "GET"): Case(lambda w: reverse("home")),
    ("patient_list", "GET"): Case(lambda w: reverse("patient_list")),
    ("patient_list", "POST"): Case(lambda w: reverse("patient_list"), lambda w: {"q": "Test"}),
    ("patient_new", "GET"): Case(lambda w: reverse("patient_new")),
    ("patient_new", "POST"): Case(lambda w: reverse("patient_new"), _new_patient, ok=302),
    ("patient_detail", "GET"): Case(lambda w: reverse("patient_detail", args=[w.patient.pk])),
    ("coverage_new", "GET"): Case(lambda w: reverse("coverage_new", args=[w.patient.pk])),
    ("coverage_new", "POST"): Case(
        lambda w: reverse("coverage_new", args=[w.patient.pk]), _new_coverage, ok=302
    ),
    ("encounter_list", "GET"): Case(
        lambda w: reverse("encounter_list") + f"?patient={w.patient.pk}"
    ),
    ("encounter_new", "GET"): Case(lambda w: reverse("encounter_new") + f"?patient={w.patient.pk}"),
    ("encounter_new", "POST"): Case(lambda w: reverse("encounter_new"), _entry, ok=302),
    ("encounter_find_patient", "POST"): Case(
        lambda w: reverse("encounter_find_patient"), lambda w: {"q": "Testpatient"}
    ),
    ("encounter_line_row", "GET"): Case(
        lambda w: reverse("encounter_line_row") + "?lines-TOTAL_FORMS=4"
    ),
    ("encounter_totals", "POST"): Case(
        lambda w: reverse("encounter_totals"),
        lambda w: {"patient": w.patient.pk, "lines-TOTAL_FORMS": "0"},
    ),
    ("diagnosis_hints", "POST"): Case(lambda w: reverse("diagnosis_hints"), lambda w: {"q": "E11"}),
    ("procedure_hints", "POST"): Case(
        lambda w: reverse("procedure_hints"), lambda w: {"patient": w.patient.pk, "q": "99"}
    ),
    ("encounter_detail", "GET"): Case(lambda w: reverse("encounter_detail", args=[w.encounter.pk])),
    ("claim_list", "GET"): Case(lambda w: reverse("claim_list") + f"?patient={w.patient.pk}"),
    ("claim_detail", "GET"): Case(lambda w: reverse("claim_detail", args=[w.claim.pk])),
    ("claim_cms1500", "GET"): Case(lambda w: reverse("claim_cms1500", args=[w.claim.pk])),
    # the scrubber
    ("held_queue", "GET"): Case(lambda w: reverse("held_queue")),
    ("claim_scrub", "POST"): Case(lambda w: reverse("claim_scrub", args=[w.claim.pk]), ok=302),
    ("claim_override", "POST"): Case(
        lambda w: reverse("claim_override", args=[w.claim.pk]),
        lambda w: {"rule_id": "ICD-007", "reason": "checked by hand"},
        ok=302,
    ),
    ("encounter_findings", "POST"): Case(lambda w: reverse("encounter_findings"), _entry),
    ("payer_rule_list", "GET"): Case(lambda w: reverse("payer_rule_list")),
    ("payer_rule_new", "GET"): Case(lambda w: reverse("payer_rule_new")),
    ("payer_rule_new", "POST"): Case(lambda w: reverse("payer_rule_new"), _payer_rule, ok=302),
    ("payer_rule_edit", "GET"): Case(
        lambda w: reverse("payer_rule_edit", args=[_a_payer_rule(w).pk])
    ),
    ("payer_rule_edit", "POST"): Case(
        lambda w: reverse("payer_rule_edit", args=[_a_payer_rule(w).pk]),
        lambda w: _payer_rule(w, "PAYER-ACCESS-002"),
        ok=302,
    ),
    # submission: the ready queue, batches, inbound files, X12 files, the rejection worklist
    ("submission_queue", "GET"): Case(lambda w: reverse("submission_queue")),
    ("batch_submit", "POST"): Case(  # no clearinghouse set up: back to the queue, with why
        lambda w: reverse("batch_submit"), lambda w: {"practice": w.practice.pk}, ok=302
    ),
    ("rejection_list", "GET"): Case(lambda w: reverse("rejection_list")),
    ("claim_resend", "POST"): Case(lambda w: reverse("claim_resend", args=[w.claim.pk]), ok=302),
    ("claim_correct", "POST"): Case(lambda w: reverse("claim_correct", args=[w.claim.pk]), ok=302),
    ("batch_list", "GET"): Case(lambda w: reverse("batch_list")),
    ("batch_detail", "GET"): Case(lambda w: reverse("batch_detail", args=[_a_batch(w).pk])),
    ("batch_send", "POST"): Case(  # already sent: back to the batch, with why
        lambda w: reverse("batch_send", args=[_a_batch(w).pk]), ok=302
    ),
    ("inbound_list", "GET"): Case(lambda w: reverse("inbound_list")),
    ("x12_file", "GET"): Case(lambda w: reverse("x12_file", args=[_an_x12_file(w).pk])),
    ("x12_download", "GET"): Case(lambda w: reverse("x12_download", args=[_an_x12_file(w).pk])),
    # the worker's jobs
    ("job_list", "GET"): Case(lambda w: reverse("job_list") + "?status=failed"),
    ("job_retry", "POST"): Case(lambda w: reverse("job_retry", args=[_a_failed_job(w).pk]), ok=302),
    # deposit reconciliation (a post that cannot do what it asks still answers 302, with why)
    ("reconciliation", "GET"): Case(
        lambda w: reverse("reconciliation") + f"?practice={w.practice.pk}&day=2026-11-02"
    ),
    ("deposit_new", "POST"): Case(
        lambda w: reverse("deposit_new"),
        lambda w: {
            "practice": w.practice.pk,
            "deposited_on": "2026-11-02",
            "amount": "$130.00",
            "method": "check",
        },
        ok=302,
    ),
    ("deposit_import", "POST"): Case(lambda w: reverse("deposit_import"), _bank_csv, ok=302),
    ("deposits_match", "POST"): Case(
        lambda w: reverse("deposits_match"), lambda w: {"practice": w.practice.pk}, ok=302
    ),
    ("deposit_match", "POST"): Case(
        lambda w: reverse("deposit_match", args=[_a_deposit(w).pk]), ok=302
    ),
    ("deposit_unmatch", "POST"): Case(
        lambda w: reverse("deposit_unmatch", args=[_a_deposit(w).pk]), ok=302
    ),
    # payment posting: ERAs, exceptions (matching by hand), denials, a claim's ledger (a post
    # that cannot do what it asks, e.g. a second match, still answers 302, with why)
    # the KPI dashboard (read-only): a practice's, across practices, the drill-down to claims
    ("dashboard", "GET"): Case(lambda w: reverse("dashboard") + f"?practice={w.practice.pk}"),
    ("dashboard_practices", "GET"): Case(lambda w: reverse("dashboard_practices")),
    ("dashboard_drill", "GET"): Case(
        lambda w: (
            reverse("dashboard_drill")
            + f"?practice={w.practice.pk}&metric=aging&side=insurance&bucket=0-30"
        )
    ),
    # the monthly practice reports (read-only): the list, the PDF download
    ("monthly_reports", "GET"): Case(
        lambda w: reverse("monthly_reports") + f"?practice={w.practice.pk}"
    ),
    ("monthly_report_download", "GET"): Case(
        lambda w: reverse("monthly_report_download", args=[_a_monthly_report(w).pk])
    ),
    ("era_list", "GET"): Case(lambda w: reverse("era_list")),
    ("era_upload", "POST"): Case(lambda w: reverse("era_upload"), _an_835_upload, ok=302),
    ("era_detail", "GET"): Case(lambda w: reverse("era_detail", args=[_an_era(w).pk])),
    ("posting_exceptions", "GET"): Case(lambda w: reverse("posting_exceptions")),
    ("posting_exception", "GET"): Case(
        lambda w: reverse("posting_exception", args=[_an_exception(w).pk])
    ),
    ("posting_exception_search", "POST"): Case(
        lambda w: reverse("posting_exception_search", args=[_an_exception(w).pk]),
        lambda w: {"q": "Testpatient"},
    ),
    ("posting_exception_match", "POST"): Case(
        lambda w: reverse("posting_exception_match", args=[_an_exception(w).pk]),
        lambda w: {"claim": w.claim.pk},
        ok=302,
    ),
    ("denial_list", "GET"): Case(lambda w: reverse("denial_list")),
    ("denial_work", "POST"): Case(
        lambda w: reverse("denial_work", args=[_a_denial(w).pk]),
        lambda w: {"action": "appeal", "note": "records sent"},
        ok=302,
    ),
    ("claim_ledger", "GET"): Case(lambda w: reverse("claim_ledger", args=[w.claim.pk])),
    ("claim_patient_payment", "POST"): Case(  # the patient owes nothing: refused, with why
        lambda w: reverse("claim_patient_payment", args=[w.claim.pk]),
        lambda w: {"amount": "5.00"},
        ok=302,
    ),
}


def _id(key: tuple[str, str]) -> str:
    return f"{key[1]} {key[0]}"


def rule_of(key: tuple[str, str]) -> Rule:
    rule = web_rule(*key)
    assert rule is not None, key
    return rule


# Every route with the object of practice A it names (an outsider must get 404 there).
SCOPED = sorted(key for key in CASES if rule_of(key).refs)
PROTECTED = sorted(key for key in CASES if rule_of(key).access != Access.PUBLIC)
AUDITED = sorted(key for key in CASES if rule_of(key).phi)


# -- the resolver's routes ------------------------------------------------------------------------


def _walk(
    patterns: list[Any], namespace: str = "", prefix: str = ""
) -> list[tuple[str, str, URLPattern]]:
    """(namespace, route, pattern) of every URL pattern, through every include()."""
    found: list[tuple[str, str, URLPattern]] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            found += _walk(pattern.url_patterns, inner, route)
        else:
            found.append((namespace, route, pattern))
    return found


def all_patterns() -> list[tuple[str, str, URLPattern]]:
    return _walk(get_resolver().url_patterns)


def web_route_names() -> set[str]:
    """Names of every route outside the admin and the API (web UI and accounts)."""
    return {
        f"{ns}:{p.name}" if ns else str(p.name)
        for ns, _, p in all_patterns()
        if ns not in (ADMIN_NAMESPACE, API_NAMESPACE)
    }


def admin_urls() -> list[tuple[str, str]]:
    """(name, a URL) for every pattern of the Django admin, with sample arguments."""
    urls = []
    for ns, route, pattern in all_patterns():
        if ns != ADMIN_NAMESPACE:
            continue
        if pattern.name is None:  # the admin's catch-all
            urls.append(("<catch-all>", "/admin/no-such-page/"))
            continue
        kwargs = {}
        for group in pattern.pattern.regex.groupindex:
            if group == "app_label":
                kwargs[group] = re.search(r"\(\?P<app_label>(\w+)", route).group(1)  # type: ignore[union-attr]
            else:
                kwargs[group] = "1"
        urls.append((pattern.name, reverse(f"admin:{pattern.name}", kwargs=kwargs)))
    return urls


def test_every_route_has_a_policy_and_a_case() -> None:
    """A route added without a policy entry (or a method without a case) fails here."""
    names = web_route_names()
    missing_policy = names - set(WEB)
    assert not missing_policy, (
        f"routes without an entry in openrcm.tenancy.route_policy.WEB: {sorted(missing_policy)}"
    )
    assert set(WEB) <= names, f"policy entries for no route: {sorted(set(WEB) - names)}"
    wanted = {(name, method) for name, methods in WEB.items() for method in methods}
    assert wanted == set(CASES), (
        f"policy without a case here: {sorted(wanted - set(CASES))}; "
        f"cases without a policy: {sorted(set(CASES) - wanted)}"
    )
    api_pages = {p.name for ns, _, p in all_patterns() if ns == API_NAMESPACE} & set(API_PAGES)
    assert api_pages == set(API_PAGES)


def test_route_count(capsys: pytest.CaptureFixture[str]) -> None:
    """How many routes these tests walk (for docs/security.md): printed with -s."""
    web = len(CASES)
    admin = len(admin_urls())
    from tests.apps.api.test_tenancy import API_CASES

    api = len(API_CASES)
    with capsys.disabled():
        print(
            f"\naccess tests cover {web} web routes (URL name x method, {len(WEB)} names), "
            f"{api} API operations and {admin} admin patterns: {web + api + admin} in all"
        )
    assert web >= 28 and api >= 16


# -- roles ----------------------------------------------------------------------------------------


def signed_in(user: AbstractBaseUser, *, verified: bool = False) -> Client:
    client = Client()
    client.force_login(user)
    if verified:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def call(client: Client, key: tuple[str, str], world: PracticeWorld) -> Any:
    case = CASES[key]
    send = client.get if key[1] == "GET" else client.post
    return send(case.url(world), case.data(world))


def role_users(world: PracticeWorld) -> dict[str, Any]:
    """One user per role of the matrix, each a member of `world`'s practice only."""
    slug = world.practice.slug
    return {
        role: user_create(
            username=f"{role}-{slug}", password=PASSWORD, practice=world.practice, role=role
        )
        for role in ROLES
    }


def granted(rule: Rule, role: str) -> bool:
    if rule.access in (Access.PUBLIC, Access.AUTHENTICATED):
        return True
    return rule.access in ROLE_ACTIONS[role]


@pytest.mark.parametrize("key", sorted(CASES), ids=_id)
def test_each_role_gets_exactly_what_the_matrix_grants(
    key: tuple[str, str], practice_a: PracticeWorld
) -> None:
    rule = rule_of(key)
    got = {}
    for role, user in role_users(practice_a).items():
        response = call(signed_in(user, verified=CASES[key].verified), key, practice_a)
        got[role] = response.status_code
    expected = {role: CASES[key].ok if granted(rule, role) else 403 for role in ROLES}
    assert got == expected
    assert all(200 <= status < 400 for role, status in got.items() if granted(rule, role))


@pytest.mark.parametrize("key", sorted(CASES), ids=_id)
def test_member_opens_every_page(
    key: tuple[str, str], member: Any, practice_a: PracticeWorld
) -> None:
    """The biller of practice A (the suites' `member`): the rendered pages leak no template."""
    if not granted(rule_of(key), "biller"):
        pytest.skip("not a biller's page")
    response = call(signed_in(member, verified=CASES[key].verified), key, practice_a)
    assert response.status_code == CASES[key].ok, response.content[:500]
    assert b"{#" not in response.content and b"{%" not in response.content


@pytest.mark.parametrize("key", SCOPED, ids=_id)
def test_every_role_of_another_practice_gets_404_for_practice_a_objects(
    key: tuple[str, str], practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    for role, user in role_users(practice_b).items():
        response = call(signed_in(user), key, practice_a)
        assert response.status_code == 404, (role, response.status_code)
        assert b"Not found" in response.content
    # and the biller of practice B reaches the same route with practice B's objects
    biller = user_create(
        username="bob", password=PASSWORD, practice=practice_b.practice, role="biller"
    )
    assert call(signed_in(biller), key, practice_b).status_code == CASES[key].ok


@pytest.mark.parametrize("key", SCOPED, ids=_id)
def test_user_without_practice_gets_404(
    key: tuple[str, str], nobody: Any, practice_a: PracticeWorld
) -> None:
    assert call(signed_in(nobody), key, practice_a).status_code == 404


@pytest.mark.parametrize("key", PROTECTED, ids=_id)
def test_anonymous_is_sent_to_login(
    key: tuple[str, str], client: Client, practice_a: PracticeWorld
) -> None:
    response = call(client, key, practice_a)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_the_allow_list_is_short_and_open(client: Client, practice_a: PracticeWorld) -> None:
    public = sorted(key for key in CASES if rule_of(key).access == Access.PUBLIC)
    assert public == [("login", "GET"), ("login", "POST"), ("logout", "POST")]
    assert client.get(reverse("login")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    for name in API_PAGES:
        assert client.get(reverse(f"api:{name}")).status_code == 200


def test_anonymous_is_refused_on_every_admin_page(client: Client, db: Any) -> None:
    urls = admin_urls()
    assert len(urls) > 50
    for name, url in urls:
        if name in ADMIN_PUBLIC:
            continue
        response = client.get(url)
        assert response.status_code == 302, (name, url, response.status_code)
        assert response["Location"].startswith(reverse("admin:login")), (name, url)


def test_a_route_without_policy_is_refused(
    member: Any, practice_a: PracticeWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openrcm.tenancy import route_policy

    monkeypatch.delitem(route_policy.WEB, "claim_detail")
    response = signed_in(member).get(reverse("claim_detail", args=[practice_a.claim.pk]))
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="permission_denied")
    assert event.detail == {"status": 403, "route": "claim_detail"}


def test_a_method_without_policy_is_405(member: Any, practice_a: PracticeWorld) -> None:
    client = signed_in(member)
    url = reverse("patient_detail", args=[practice_a.patient.pk])
    for method in ("put", "patch", "delete", "post"):
        assert getattr(client, method)(url).status_code == 405


# -- the audit trail ------------------------------------------------------------------------------

WRITTEN = {
    "patients.patient": Patient,
    "patients.coverage": Coverage,
    "encounters.encounter": Encounter,
}


@pytest.mark.parametrize("key", AUDITED, ids=_id)
def test_every_phi_page_writes_its_audit_event(
    key: tuple[str, str], practice_a: PracticeWorld
) -> None:
    rule = rule_of(key)
    user = user_create(
        username="adele", password=PASSWORD, practice=practice_a.practice, role="admin"
    )
    client = signed_in(user)
    before = AuditEvent.objects.count()
    response = call(client, key, practice_a)
    assert response.status_code == CASES[key].ok
    [event] = AuditEvent.objects.filter(seq__gt=before)
    action, object_type = (
        (rule.writes, rule.write_type) if rule.writes else (rule.audit, rule.object_type)
    )
    assert (event.action, event.object_type, event.outcome) == (action, object_type, "success")
    assert event.actor_id == user.pk and event.actor_name == "adele"
    assert event.practice_id == practice_a.practice.pk
    assert event.request_id == response["X-Request-ID"]
    assert event.client_ip == "127.0.0.1"
    if rule.writes:
        created = WRITTEN[object_type].objects.order_by("-pk").first()
        assert event.object_id == str(created.pk)
    elif action == "read":
        obj = {
            "patients.patient": practice_a.patient,
            "encounters.encounter": practice_a.encounter,
            "claims.claim": practice_a.claim,
        }[object_type]
        assert event.object_id == str(obj.pk)
    if rule.refs or rule.writes:
        assert event.patient_id == (
            practice_a.patient.pk if key != ("patient_new", "POST") else int(event.object_id)
        )
    assert object_type in PHI_MODELS


def test_refusals_are_audited(
    practice_a: PracticeWorld, practice_b: PracticeWorld, outsider: Any
) -> None:
    owner = user_create(
        username="olga", password=PASSWORD, practice=practice_a.practice, role="practice_owner"
    )
    url = reverse("encounter_new") + f"?patient={practice_a.patient.pk}"
    assert signed_in(owner).get(url).status_code == 403
    denied = AuditEvent.objects.get(action="permission_denied")
    assert (denied.outcome, denied.actor_id, denied.practice_id) == (
        "denied",
        owner.pk,
        practice_a.practice.pk,
    )
    assert (denied.object_type, denied.object_id) == (
        "patients.patient",
        str(practice_a.patient.pk),
    )
    assert denied.detail == {"status": 403, "route": "encounter_new", "needs": "enter_charges"}
    # another practice's claim: 404, recorded as a denied look-up in practice A's trail
    url = reverse("claim_detail", args=[practice_a.claim.pk])
    assert signed_in(outsider).get(url).status_code == 404
    looked = AuditEvent.objects.filter(action="permission_denied").order_by("-seq").first()
    assert looked is not None
    assert (looked.actor_id, looked.object_type, looked.object_id) == (
        outsider.pk,
        "claims.claim",
        str(practice_a.claim.pk),
    )
    assert looked.detail["status"] == 404 and looked.patient_id == practice_a.patient.pk
    # a claim that does not exist: 404, nothing to record
    client = signed_in(outsider)
    count = AuditEvent.objects.count()
    missing = Claim.objects.order_by("-pk").first().pk + 1000  # type: ignore[union-attr]
    assert client.get(reverse("claim_detail", args=[missing])).status_code == 404
    assert AuditEvent.objects.count() == count


def test_admin_phi_pages_are_audited(practice_a: PracticeWorld, member: Any) -> None:
    member.is_staff = True
    member.is_superuser = True
    member.save()
    client = signed_in(member)
    patient = practice_a.patient
    before = AuditEvent.objects.count()
    assert client.get(reverse("admin:patients_patient_changelist")).status_code == 200
    change = reverse("admin:patients_patient_change", args=[patient.pk])
    assert client.get(change).status_code == 200
    events = list(
        AuditEvent.objects.filter(seq__gt=before)
        .order_by("seq")
        .values_list("action", "object_type", "object_id")
    )
    assert events == [
        ("list", "patients.patient", ""),
        ("read", "patients.patient", str(patient.pk)),
    ]
    read = AuditEvent.objects.get(action="read")
    assert (read.patient_id, read.practice_id) == (patient.pk, practice_a.practice.pk)


# -- what the pages show ----------------------------------------------------------------------


def test_login_page_and_sign_in(client: Client, member: Any) -> None:
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
    owner = user_create(
        username="olga", password=PASSWORD, practice=practice_a.practice, role="practice_owner"
    )
    client.force_login(owner)
    page = client.get(reverse("patient_detail", args=[practice_a.patient.pk]))
    assert page.status_code == 200
    assert b"New encounter" not in page.content
    assert client.get(reverse("patient_new")).status_code == 403
    url = reverse("encounter_new") + f"?patient={practice_a.patient.pk}"
    assert client.get(url).status_code == 403  # their own practice's patient: forbidden
    other = build_practice("c", "1245319599", payer=practice_a.payer)
    url = reverse("encounter_new") + f"?patient={other.patient.pk}"
    assert client.get(url).status_code == 404  # another practice's: not found


def test_member_of_two_practices_is_judged_by_the_object_practice(
    client: Client, practice_a: PracticeWorld, practice_b: PracticeWorld
) -> None:
    """Biller in A, read-only owner in B: charges for A's patient, 403 for B's."""
    from openrcm.tenancy.models import Membership

    user = user_create(
        username="dual", password=PASSWORD, practice=practice_a.practice, role="biller"
    )
    Membership.objects.create(user=user, practice=practice_b.practice, role="practice_owner")
    client.force_login(user)
    for world, status in ((practice_a, 200), (practice_b, 403)):
        url = reverse("encounter_new") + f"?patient={world.patient.pk}"
        assert client.get(url).status_code == status
        assert client.get(reverse("patient_detail", args=[world.patient.pk])).status_code == 200


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


def test_docs_show_the_role_matrix() -> None:
    """docs/security.md's role matrix table is ROLE_ACTIONS."""
    from pathlib import Path

    from openrcm.tenancy.permissions import Action

    text = (Path(__file__).parents[3] / "docs" / "security.md").read_text(encoding="utf-8")
    header = "| action | " + " | ".join(ROLES) + " |"
    assert header in text
    for action in Action:
        cells = " | ".join("yes" if action in ROLE_ACTIONS[r] else "-" for r in ROLES)
        assert f"| `{action}` | {cells} |" in text, action
