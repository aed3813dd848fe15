"""Route policy, kept as data: every web page and API operation, who may call it, and what it
writes to the audit trail.

One table for both faces. `openrcm.tenancy.route_access` enforces it: the web through
`RoutePolicyMiddleware` (by URL name and method), the API through an operation decorator that
`openrcm.api.root` installs on every route (by method and OpenAPI path). A route or method that
has no entry here is refused (403), and `tests/apps/web/test_access.py` and
`tests/apps/api/test_tenancy.py` fail until it has one.

Access is one of:
- `Access.PUBLIC`: the explicit allow-list (sign in and out, the API docs). Nothing else is
  reachable without signing in.
- `Access.AUTHENTICATED`: any signed-in user; the route shows no practice data (MFA pages,
  the practice switcher, the list of your own practices).
- `Access.STAFF`: the Django admin, guarded by its own staff check.
- an `Action` of the role matrix (`tenancy.permissions.ROLE_ACTIONS`): the user's role must
  grant it. With a `Ref` the object named by the request must be visible to the user (else
  404, exactly as for an object that does not exist) and the role in that object's practice
  must grant the action (else 403). Without one, some practice of the user must grant it
  (else 403); a user with no practice at all still reaches VIEW routes, which list nothing.

Audit: `audit` is the event a successful answer (2xx or 3xx) writes, naming `object_type`;
READ events name the object the first `Ref` found. `writes` (web only) is the event a view notes
with `route_access.audit_note(request, target)` once its create or update succeeded; it replaces
the default event of that request. API writes take their object from the operation's result.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from openrcm.tenancy.permissions import Action

# The audit trail's action names (openrcm.audit.models.AuditAction values), as plain strings so
# this table imports no models.
READ, LIST, CREATE, UPDATE, EXPORT = "read", "list", "create", "update", "export"

PATIENT = "patients.patient"
COVERAGE = "patients.coverage"
ENCOUNTER = "encounters.encounter"
CLAIM = "claims.claim"
PRACTICE = "tenancy.practice"
JOB = "schedules.job"
BATCH = "clearinghouse.batch"
STORED_FILE = "files.storedfile"
REMITTANCE = "posting.remittance"
POSTING_EXCEPTION = "posting.postingexception"
DENIAL = "posting.denial"
MONTHLY_REPORT = "reporting.monthlyreport"

# Models whose rows are PHI (or lead to a patient): the Django admin's pages on them are audited.
PHI_MODELS = frozenset(
    {
        PATIENT,
        COVERAGE,
        ENCOUNTER,
        "encounters.diagnosis",
        "encounters.chargeline",
        CLAIM,
        "claims.claimline",
        "claims.claimstatuschange",
    }
)


class Access(StrEnum):
    PUBLIC = "public"
    AUTHENTICATED = "authenticated"
    STAFF = "staff"


Source = Literal["path", "query", "form", "param", "body"]


@dataclass(frozen=True, slots=True)
class Ref:
    """Where a request names an object: a path parameter, a query or form field, `param` (the
    query on GET, the form on POST) or an attribute of the API body. `tenancy.practice` refs
    take a slug or an id."""

    model: str
    name: str
    source: Source = "path"


@dataclass(frozen=True, slots=True)
class Rule:
    access: Action | Access
    refs: tuple[Ref, ...] = ()
    audit: str | None = None
    object_type: str = ""
    writes: str | None = None
    write_type: str = ""

    @property
    def action(self) -> Action | None:
        return self.access if isinstance(self.access, Action) else None

    @property
    def phi(self) -> bool:
        return self.audit is not None or self.writes is not None


PUBLIC_RULE = Rule(Access.PUBLIC)
SIGNED_IN = Rule(Access.AUTHENTICATED)

_PATIENT_PK = Ref(PATIENT, "pk")
_PATIENT_PARAM = Ref(PATIENT, "patient", "param")
_PATIENT_QUERY = Ref(PATIENT, "patient", "query")
_PATIENT_FORM = Ref(PATIENT, "patient", "form")
_ENTRY = Action.ENTER_CHARGES

# -- web: URL name ("namespace:name" inside a namespace) -> method -> rule --------------------
# HEAD follows GET; a method not listed is 405.
WEB: dict[str, dict[str, Rule]] = {
    # sign in and out; MFA (openrcm.accounts) before any practice data
    "login": {"GET": PUBLIC_RULE, "POST": PUBLIC_RULE},
    "logout": {"POST": PUBLIC_RULE},
    "mfa_setup": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "mfa_verify": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "mfa_recovery_codes": {"POST": SIGNED_IN},
    "practice_switch": {"POST": SIGNED_IN},
    # dashboard: counts and the latest encounters (patient names)
    "home": {"GET": Rule(Action.VIEW, audit=LIST, object_type=ENCOUNTER)},
    # patients; the search is a POST (terms never in URLs)
    "patient_list": {
        "GET": Rule(Action.VIEW, audit=LIST, object_type=PATIENT),
        "POST": Rule(Action.VIEW, audit=LIST, object_type=PATIENT),
    },
    "patient_new": {
        "GET": Rule(Action.EDIT_PATIENTS),
        "POST": Rule(Action.EDIT_PATIENTS, writes=CREATE, write_type=PATIENT),
    },
    "patient_detail": {"GET": Rule(Action.VIEW, (_PATIENT_PK,), READ, PATIENT)},
    "coverage_new": {
        "GET": Rule(Action.EDIT_PATIENTS, (_PATIENT_PK,), READ, PATIENT),
        "POST": Rule(Action.EDIT_PATIENTS, (_PATIENT_PK,), READ, PATIENT, CREATE, COVERAGE),
    },
    # encounters and their entry (the htmx endpoints of the form need the entry's right too)
    "encounter_list": {"GET": Rule(Action.VIEW, (_PATIENT_QUERY,), LIST, ENCOUNTER)},
    "encounter_new": {
        "GET": Rule(_ENTRY, (_PATIENT_PARAM,), READ, PATIENT),
        "POST": Rule(_ENTRY, (_PATIENT_PARAM,), READ, PATIENT, CREATE, ENCOUNTER),
    },
    "encounter_find_patient": {"POST": Rule(_ENTRY, audit=LIST, object_type=PATIENT)},
    "encounter_line_row": {"GET": Rule(_ENTRY)},
    "encounter_totals": {"POST": Rule(_ENTRY, (_PATIENT_FORM,))},
    "diagnosis_hints": {"POST": Rule(_ENTRY)},
    "procedure_hints": {"POST": Rule(_ENTRY, (_PATIENT_FORM,))},
    "encounter_detail": {"GET": Rule(Action.VIEW, (Ref(ENCOUNTER, "pk"),), READ, ENCOUNTER)},
    # claims
    "claim_list": {"GET": Rule(Action.VIEW, (_PATIENT_QUERY,), LIST, CLAIM)},
    "claim_detail": {"GET": Rule(Action.VIEW, (Ref(CLAIM, "pk"),), READ, CLAIM)},
    # the scrubber (openrcm.web.scrub_views): held queue, a claim's findings, live findings of
    # the encounter form, payer rules (admins; no PHI, their changes audited by the service)
    "held_queue": {"GET": Rule(Action.VIEW, audit=LIST, object_type=CLAIM)},
    "claim_scrub": {"POST": Rule(Action.MANAGE_CLAIMS, (Ref(CLAIM, "pk"),), READ, CLAIM)},
    "claim_override": {"POST": Rule(Action.MANAGE_CLAIMS, (Ref(CLAIM, "pk"),), READ, CLAIM)},
    "encounter_findings": {"POST": Rule(_ENTRY, (_PATIENT_FORM,))},
    "payer_rule_list": {"GET": Rule(Action.ADMINISTER)},
    "payer_rule_new": {"GET": Rule(Action.ADMINISTER), "POST": Rule(Action.ADMINISTER)},
    "payer_rule_edit": {"GET": Rule(Action.ADMINISTER), "POST": Rule(Action.ADMINISTER)},
    # the claim's CMS-1500 PDF; the view writes the export event (format cms1500)
    "claim_cms1500": {"GET": Rule(Action.VIEW, (Ref(CLAIM, "pk"),), EXPORT, CLAIM)},
    # submission (openrcm.web.submission_views): the ready queue and "Submit now" (the services
    # audit the batch), batches and inbound files (ids, counts and totals), the rejection
    # worklist and its actions. The batch page (patients) and the X12 files write their own
    # events: read of the batch, read or export of the stored file.
    "submission_queue": {"GET": Rule(Action.VIEW, audit=LIST, object_type=CLAIM)},
    "batch_submit": {"POST": Rule(Action.MANAGE_CLAIMS, (Ref(PRACTICE, "practice", "form"),))},
    "rejection_list": {"GET": Rule(Action.VIEW, audit=LIST, object_type=CLAIM)},
    "claim_resend": {"POST": Rule(Action.MANAGE_CLAIMS, (Ref(CLAIM, "pk"),), READ, CLAIM)},
    "claim_correct": {"POST": Rule(Action.MANAGE_CLAIMS, (Ref(CLAIM, "pk"),), READ, CLAIM)},
    "batch_list": {"GET": Rule(Action.VIEW)},
    "batch_detail": {"GET": Rule(Action.VIEW, (Ref(BATCH, "pk"),))},
    "batch_send": {"POST": Rule(Action.MANAGE_CLAIMS, (Ref(BATCH, "pk"),))},
    "inbound_list": {"GET": Rule(Action.VIEW)},
    "x12_file": {"GET": Rule(Action.VIEW, (Ref(STORED_FILE, "pk"),))},
    "x12_download": {"GET": Rule(Action.VIEW, (Ref(STORED_FILE, "pk"),))},
    # the worker's jobs (openrcm.web.jobs_views): daily batches and polls (no PHI), "retry now"
    "job_list": {"GET": Rule(Action.MANAGE_CLAIMS)},
    "job_retry": {"POST": Rule(Action.MANAGE_CLAIMS, (Ref(JOB, "pk"),))},
    # deposit reconciliation (openrcm.web.reconciliation_views): deposits and 835 payment totals
    # (no PHI). Anyone who may view the practice reads it; payment posters write. The posts name
    # no Ref: their views fetch the practice or deposit with POST_PAYMENTS through the scoped
    # querysets (another practice's is a 404), and the services audit every write.
    "reconciliation": {"GET": Rule(Action.VIEW, (Ref(PRACTICE, "practice", "query"),))},
    "deposit_new": {"POST": Rule(Action.POST_PAYMENTS)},
    "deposit_import": {"POST": Rule(Action.POST_PAYMENTS)},
    "deposits_match": {"POST": Rule(Action.POST_PAYMENTS)},
    "deposit_match": {"POST": Rule(Action.POST_PAYMENTS)},
    "deposit_unmatch": {"POST": Rule(Action.POST_PAYMENTS)},
    # payment posting (openrcm.web.posting_views): the ERA list (payers, traces, amounts); the
    # ERA and exception pages (patients) write their own read events; the worklists list
    # claims; the ledger reads a claim. The writes (upload, match, work a denial) name no Ref,
    # as for the deposits: their views fetch the practice, exception or denial with the
    # writing action through the scoped querysets (another practice's is a 404), and
    # era_import, posting_exception_match and denial_work audit every write.
    "era_list": {"GET": Rule(Action.VIEW)},
    # the KPI dashboard: read-only (practice owners too); the drill-down lists claims (PHI)
    "dashboard": {"GET": Rule(Action.VIEW, (Ref(PRACTICE, "practice", "query"),))},
    "dashboard_practices": {"GET": Rule(Action.VIEW)},
    # (the drill-down's ?practice= is checked by the view: a practice not the user's is a 404)
    "dashboard_drill": {"GET": Rule(Action.VIEW, audit=LIST, object_type=CLAIM)},
    # the monthly practice reports: the list (months, no PHI) and the PDF, read-only (practice
    # owners too); the download view audits the export, as the X12 downloads do
    "monthly_reports": {"GET": Rule(Action.VIEW, (Ref(PRACTICE, "practice", "query"),))},
    "monthly_report_download": {"GET": Rule(Action.VIEW, (Ref(MONTHLY_REPORT, "pk"),))},
    "era_upload": {"POST": Rule(Action.POST_PAYMENTS)},
    "era_detail": {"GET": Rule(Action.VIEW, (Ref(REMITTANCE, "pk"),))},
    "posting_exceptions": {"GET": Rule(Action.VIEW, audit=LIST, object_type=CLAIM)},
    "posting_exception": {"GET": Rule(Action.VIEW, (Ref(POSTING_EXCEPTION, "pk"),))},
    "posting_exception_search": {"POST": Rule(Action.VIEW, (Ref(POSTING_EXCEPTION, "pk"),))},
    "posting_exception_match": {"POST": Rule(Action.POST_PAYMENTS)},
    "denial_list": {"GET": Rule(Action.VIEW, audit=LIST, object_type=CLAIM)},
    "denial_work": {"POST": Rule(Action.WORK_AR)},
    "claim_ledger": {"GET": Rule(Action.VIEW, (Ref(CLAIM, "pk"),), READ, CLAIM)},
    "claim_patient_payment": {"POST": Rule(Action.POST_PAYMENTS)},
}

# URL namespaces handled as a whole.
ADMIN_NAMESPACE = "admin"  # Django admin: staff only (its own check); PHI pages audited
ADMIN_RULE = Rule(Access.STAFF)
ADMIN_PUBLIC = frozenset({"login", "logout"})  # the admin's own sign-in and sign-out
API_NAMESPACE = "api"
# Pages of the API that are not operations: the OpenAPI document and Swagger UI (no data).
API_PAGES: dict[str, Rule] = {"openapi-json": PUBLIC_RULE, "openapi-view": PUBLIC_RULE}

# -- API: (method, OpenAPI path) -> rule ---------------------------------------------------------
V1 = "/api/v1"
_PRACTICE_QUERY = Ref(PRACTICE, "practice", "query")
_PRACTICE_BODY = Ref(PRACTICE, "practice", "body")

API: dict[tuple[str, str], Rule] = {
    # what a client needs to name things: your practices (and role), your organization's payers
    ("GET", f"{V1}/practices"): SIGNED_IN,
    ("GET", f"{V1}/payers"): Rule(Action.VIEW),
    # patients
    ("GET", f"{V1}/patients"): Rule(Action.VIEW, (_PRACTICE_QUERY,), LIST, PATIENT),
    ("POST", f"{V1}/patients/search"): Rule(Action.VIEW, (_PRACTICE_BODY,), LIST, PATIENT),
    ("GET", f"{V1}/patients/{{patient_id}}"): Rule(
        Action.VIEW, (Ref(PATIENT, "patient_id"),), READ, PATIENT
    ),
    ("POST", f"{V1}/patients"): Rule(Action.EDIT_PATIENTS, (_PRACTICE_BODY,), CREATE, PATIENT),
    ("PATCH", f"{V1}/patients/{{patient_id}}"): Rule(
        Action.EDIT_PATIENTS, (Ref(PATIENT, "patient_id"),), UPDATE, PATIENT
    ),
    # coverages
    ("GET", f"{V1}/coverages"): Rule(
        Action.VIEW, (_PRACTICE_QUERY, _PATIENT_QUERY), LIST, COVERAGE
    ),
    ("GET", f"{V1}/coverages/{{coverage_id}}"): Rule(
        Action.VIEW, (Ref(COVERAGE, "coverage_id"),), READ, COVERAGE
    ),
    ("POST", f"{V1}/coverages"): Rule(
        Action.EDIT_PATIENTS, (Ref(PATIENT, "patient", "body"),), CREATE, COVERAGE
    ),
    ("PATCH", f"{V1}/coverages/{{coverage_id}}"): Rule(
        Action.EDIT_PATIENTS, (Ref(COVERAGE, "coverage_id"),), UPDATE, COVERAGE
    ),
    # encounters
    ("GET", f"{V1}/encounters"): Rule(
        Action.VIEW, (_PRACTICE_QUERY, _PATIENT_QUERY), LIST, ENCOUNTER
    ),
    ("GET", f"{V1}/encounters/{{encounter_id}}"): Rule(
        Action.VIEW, (Ref(ENCOUNTER, "encounter_id"),), READ, ENCOUNTER
    ),
    ("POST", f"{V1}/encounters"): Rule(_ENTRY, (_PRACTICE_BODY,), CREATE, ENCOUNTER),
    ("PATCH", f"{V1}/encounters/{{encounter_id}}"): Rule(
        _ENTRY, (Ref(ENCOUNTER, "encounter_id"),), UPDATE, ENCOUNTER
    ),
    # claims
    ("GET", f"{V1}/claims"): Rule(Action.VIEW, (_PRACTICE_QUERY,), LIST, CLAIM),
    ("GET", f"{V1}/claims/{{claim_id}}"): Rule(Action.VIEW, (Ref(CLAIM, "claim_id"),), READ, CLAIM),
    # the scrubber's findings on a claim, and a scrub on demand
    ("GET", f"{V1}/claims/{{claim_id}}/findings"): Rule(
        Action.VIEW, (Ref(CLAIM, "claim_id"),), READ, CLAIM
    ),
    ("POST", f"{V1}/claims/{{claim_id}}/scrub"): Rule(
        Action.MANAGE_CLAIMS, (Ref(CLAIM, "claim_id"),), READ, CLAIM
    ),
}
# Any other path under /api/ is a JSON 404 (openrcm.api.root's last router): public, no data.
API_FALLBACK_PATH = "/api/{rest}"
API_FALLBACK_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
for _method in API_FALLBACK_METHODS:
    API[(_method, API_FALLBACK_PATH)] = PUBLIC_RULE


def web_rule(name: str, method: str) -> Rule | None:
    """The rule of web route `name` for `method` (HEAD as GET: the view decides whether it
    answers HEAD), or None when there is none."""
    methods = WEB.get(name)
    if methods is None:
        return None
    return methods.get("GET" if method == "HEAD" else method)


def api_rule(method: str, path: str) -> Rule | None:
    """The rule of the API operation (`method`, OpenAPI `path`), or None when there is none."""
    return API.get((method.upper(), path))
