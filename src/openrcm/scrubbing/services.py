"""Writes for scrubbing: scrub a claim or a practice's batch, override a warning, save a payer
rule.

A scrub replaces the claim's previous findings and moves the claim through the state machine:
draft -> ready when it has no error and every warning is overridden; ready -> draft when an
error (or a warning nobody overrode) appears. The first scrub of a claim counts toward the
clean claim rate of its practice and month (HFMA CL-1: clean only with no finding at all).

One `ScrubContext` serves a whole batch (`scrub_context_for`): the code sets, the imported NCCI
tables, the payers' rules and the index of the practice's other claims are read once.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Max
from django.utils import timezone

from openrcm.audit.models import AuditAction
from openrcm.audit.services import audit_record
from openrcm.claims.models import Claim, ClaimLine
from openrcm.claims.services import claim_transition, claims_transition_many
from openrcm.codes import loaders
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.scrub.conditions import ConditionError, rule_from_data
from openrcm.core.scrub.context import ClaimIndex, ScrubContext, ServiceRecord
from openrcm.core.scrub.engine import Finding, Rule, RulePack, is_clean, scrub
from openrcm.core.scrub.engine import Severity as FindingSeverity
from openrcm.patients.models import Coverage, Patient
from openrcm.payers.models import Payer
from openrcm.providers.models import Provider
from openrcm.reporting.timelines import claim_timelines_deferred, claim_timelines_refresh
from openrcm.scrubbing.models import (
    ClaimFinding,
    ClaimScrub,
    CleanClaimStat,
    PayerRule,
    ScrubRun,
    Severity,
    WarningOverride,
)
from openrcm.scrubbing.snapshots import (
    ClaimFacts,
    ClaimRef,
    LineFacts,
    billing_of,
    claim_snapshot,
    claim_snapshots,
    coverage_facts,
    patient_key,
    snapshot_from_facts,
)
from openrcm.tenancy.models import Location, Practice

# Claims a scrub may move: the ones that have not left for the payer yet.
SCRUBBABLE = (ClaimStatus.DRAFT.value, ClaimStatus.READY.value)
# Claims left out of the duplicate index: never billed, or withdrawn.
NOT_BILLED = (ClaimStatus.VOID.value, ClaimStatus.REJECTED.value)
CHUNK = 500


def practice_today(practice: Practice) -> dt.date:
    """Today in the practice's time zone (timely filing and future dates are counted from it)."""
    return timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(practice.time_zone)).date()


# -- the context of a batch ----------------------------------------------------------------------


def claim_index_for(*, practice: Practice, patient_id: int | None = None) -> ClaimIndex:
    """The practice's billed service lines (void and rejected claims and voids left out), keyed
    for duplicate detection (only one patient's when `patient_id` is given); one query."""
    lines = ClaimLine.objects.filter(practice=practice)
    if patient_id is not None:
        lines = lines.filter(claim__encounter__patient_id=patient_id)
    rows = (
        lines.exclude(claim__status__in=NOT_BILLED)
        .exclude(claim__frequency_code="8")
        .values_list(
            "claim__patient_control_number",
            "claim__encounter__patient_id",
            "claim__sequence",
            "claim__encounter__provider__npi",
            "claim__encounter__date_of_service",
            "charge_line__procedure_code",
            "charge_line__modifier1",
            "charge_line__modifier2",
            "charge_line__modifier3",
            "charge_line__modifier4",
        )
    )
    return ClaimIndex(
        ServiceRecord(
            claim_id=pcn,
            patient_key=patient_key(patient_id, sequence),
            provider_npi=npi or practice.group_npi,
            service_date=day,
            procedure=code.upper(),
            modifiers=tuple(m.upper() for m in (m1, m2, m3, m4) if m),
        )
        for pcn, patient_id, sequence, npi, day, code, m1, m2, m3, m4 in rows.iterator(
            chunk_size=5000
        )
    )


def payer_rules_for(*, organization_id: int) -> dict[str, list[Rule]]:
    """The active payer rules of an organization's payers, by electronic payer id (the
    snapshot's ``payer.id``). A stored rule that no longer compiles is skipped: saving refuses
    such data, so it can only come from a newer rule language."""
    rules: dict[str, list[Rule]] = defaultdict(list)
    stored = (
        PayerRule.objects.filter(payer__organization_id=organization_id, active=True)
        .select_related("payer")
        .order_by("payer__payer_id", "rule_id", "-version")
    )
    for item in stored:
        try:
            rules[item.payer.payer_id].append(rule_from_data(item.data))
        except ConditionError:
            continue
    return dict(rules)


def scrub_context_for(
    *,
    practice: Practice,
    today: dt.date | None = None,
    packs: tuple[RulePack, ...] | None = None,
    with_history: bool = True,
) -> ScrubContext:
    """The context for scrubbing a batch of the practice's claims: built once, shared by all."""
    return ScrubContext(
        today=today or practice_today(practice),
        icd10=loaders.icd10_code_set(),
        hcpcs=loaders.hcpcs_table(),
        ptp=loaders.ptp_table(),
        mue=loaders.mue_table(),
        history=claim_index_for(practice=practice) if with_history else ClaimIndex(),
        payer_rules=payer_rules_for(organization_id=practice.organization_id),
        packs=packs,
    )


# -- storing the results -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """One claim's scrub: its findings and where it stands after them."""

    claim: Claim | ClaimRef
    findings: list[Finding]
    open_warnings: int
    moved_to: str = ""

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is FindingSeverity.ERROR)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    @property
    def held(self) -> bool:
        return self.errors > 0


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _overridden(claim_ids: Sequence[int]) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    for chunk in _chunks(claim_ids):
        found.update(
            WarningOverride.objects.filter(claim_id__in=chunk).values_list("claim_id", "rule_id")
        )
    return found


def _month(practice: Practice, at: dt.datetime) -> dt.date:
    local = timezone.localtime(at, zoneinfo.ZoneInfo(practice.time_zone)).date()
    return local.replace(day=1)


def _count_first_scrubs(practice: Practice, month: dt.date, scrubbed: int, clean: int) -> None:
    if not scrubbed:
        return
    stat, _ = CleanClaimStat.objects.select_for_update().get_or_create(
        practice=practice, month=month
    )
    CleanClaimStat.objects.filter(pk=stat.pk).update(
        claims_scrubbed=F("claims_scrubbed") + scrubbed,
        clean_first_time=F("clean_first_time") + clean,
    )


_FINDING_COLUMNS = (
    "practice",
    "claim",
    "run",
    "rule_id",
    "rule_version",
    "severity",
    "message",
    "line",
    "field",
    "created_at",
)
_STATE_COLUMNS = (
    "practice",
    "claim",
    "run",
    "first_scrubbed_at",
    "first_clean",
    "scrubbed_at",
    "error_count",
    "warning_count",
    "open_warning_count",
)


def _db_datetime(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _insert(
    model: type[models.Model], names: Sequence[str], rows: Sequence[tuple[object, ...]]
) -> None:
    """INSERT plain rows (values already as the database takes them): a batch's findings and
    states are thousands of rows, and building model instances for them costs more than the
    scrub itself."""
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    columns = ", ".join(quote(str(getattr(field, "column", ""))) for field in fields)
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(sql, rows[start : start + 1000])  # type: ignore[arg-type]


def _record(
    *,
    practice: Practice,
    results: list[tuple[Any, list[Finding]]],
    actor: Any,
    now: dt.datetime | None = None,
) -> tuple[ScrubRun, list[ClaimResult]]:
    """Store a batch's findings (replacing each claim's previous ones), its per-claim state and
    the first-scrub counts, then move the claims the findings allow or require to move.

    Rows that would be written back unchanged are kept (a finding found again keeps the run
    and time it was first found), so scrubbing a worklist again writes little."""
    now = now or timezone.now()
    by = actor if getattr(actor, "pk", None) else None
    ids = [claim.pk for claim, _ in results]
    with transaction.atomic():
        run = ScrubRun.objects.create(practice=practice, actor=by, created_at=now)
        overridden = _overridden(ids)
        old_findings: dict[int, list[tuple[object, ...]]] = defaultdict(list)
        old_states: dict[int, tuple[Any, ...]] = {}
        for chunk in _chunks(ids):
            for claim_id, *finding in (
                ClaimFinding.objects.filter(claim_id__in=chunk)
                .order_by("claim_id", "id")
                .values_list(
                    "claim_id", "rule_id", "rule_version", "severity", "message", "line", "field"
                )
            ):
                old_findings[claim_id].append(tuple(finding))
            for claim_id, *values in (
                ClaimScrub.objects.select_for_update()
                .filter(claim_id__in=chunk)
                .values_list(
                    "claim_id",
                    "first_scrubbed_at",
                    "first_clean",
                    "error_count",
                    "warning_count",
                    "open_warning_count",
                )
            ):
                old_states[claim_id] = tuple(values)
        stale_findings: list[int] = []
        stale_states: list[int] = []
        touched: list[int] = []
        rows: list[tuple[object, ...]] = []
        states: list[tuple[object, ...]] = []
        now_db = _db_datetime(now)
        outcomes: list[ClaimResult] = []
        first_scrubbed = first_clean = 0
        for claim, findings in results:
            errors = sum(1 for f in findings if f.severity is FindingSeverity.ERROR)
            open_warnings = sum(
                1
                for f in findings
                if f.severity is not FindingSeverity.ERROR
                and (claim.pk, f.rule_id) not in overridden
            )
            outcomes.append(ClaimResult(claim, findings, open_warnings))
            stored = [
                (f.rule_id, f.rule_version, str(f.severity), f.message, f.line, f.field[:60])
                for f in findings
            ]
            before = old_findings.get(claim.pk)
            if stored != (before or []):
                if before:
                    stale_findings.append(claim.pk)
                rows.extend(
                    (claim.practice_id, claim.pk, run.pk, *finding, now_db) for finding in stored
                )
            counts = (errors, len(findings) - errors, open_warnings)
            previous = old_states.get(claim.pk)
            if previous is not None and tuple(previous[2:]) == counts:
                touched.append(claim.pk)
                continue
            first: dt.datetime
            if previous is None:
                first, clean = now, is_clean(findings)
                first_scrubbed += 1
                first_clean += int(clean)
            else:
                first, clean = previous[0], previous[1]
                stale_states.append(claim.pk)
            states.append(
                (
                    claim.practice_id,
                    claim.pk,
                    run.pk,
                    first if first is now else _db_datetime(first),
                    clean,
                    now_db,
                    *counts,
                )
            )
        for chunk in _chunks(stale_findings):
            ClaimFinding.objects.filter(claim_id__in=chunk).delete()
        _insert(ClaimFinding, _FINDING_COLUMNS, rows)
        for chunk in _chunks(stale_states):
            ClaimScrub.objects.filter(claim_id__in=chunk).delete()
        _insert(ClaimScrub, _STATE_COLUMNS, states)
        for chunk in _chunks(touched):
            ClaimScrub.objects.filter(claim_id__in=chunk).update(run=run, scrubbed_at=now)
        _count_first_scrubs(practice, _month(practice, now), first_scrubbed, first_clean)
        with claim_timelines_deferred():  # one refresh for the first scrubs and the moves
            claim_timelines_refresh(claim_ids=[pk for pk in ids if pk not in old_states])
            outcomes = _move(outcomes, actor=actor, now=now)
        run.claim_count = len(outcomes)
        run.clean_count = sum(1 for o in outcomes if not o.findings)
        run.held_count = sum(1 for o in outcomes if o.held)
        run.ready_count = sum(1 for o in outcomes if o.claim.status == ClaimStatus.READY.value)
        run.save(update_fields=["claim_count", "clean_count", "held_count", "ready_count"])
    return run, outcomes


def _move(
    outcomes: list[ClaimResult], *, actor: Any, now: dt.datetime | None = None
) -> list[ClaimResult]:
    to_ready = [
        o
        for o in outcomes
        if o.claim.status == ClaimStatus.DRAFT.value and not o.errors and not o.open_warnings
    ]
    to_draft = [
        o
        for o in outcomes
        if o.claim.status == ClaimStatus.READY.value and (o.errors or o.open_warnings)
    ]
    if to_ready:
        claims_transition_many(
            claims=[o.claim for o in to_ready],
            to=ClaimStatus.READY,
            actor=actor,
            note="Scrubbed: no errors, every warning overridden or none.",
            now=now,
        )
    if to_draft:
        claims_transition_many(
            claims=[o.claim for o in to_draft],
            to=ClaimStatus.DRAFT,
            actor=actor,
            note="Scrubbed: back to draft until the findings are fixed or overridden.",
            now=now,
        )
    moved = {id(o): ClaimStatus.READY.value for o in to_ready}
    moved.update({id(o): ClaimStatus.DRAFT.value for o in to_draft})
    return [
        ClaimResult(o.claim, o.findings, o.open_warnings, moved.get(id(o), "")) for o in outcomes
    ]


# -- scrubbing -----------------------------------------------------------------------------------


def claim_scrub(
    *,
    claim: Claim,
    actor: Any = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ClaimResult:
    """Scrub one claim now: store its findings (replacing the last scrub's) and move it
    draft -> ready or ready -> draft as they allow. Claims that left for the payer keep their
    status; their findings are stored all the same."""
    fresh = Claim.objects.select_related(
        "practice",
        "encounter__patient",
        "encounter__provider",
        "encounter__referring_provider",
        "encounter__location",
        "coverage__payer",
    ).get(pk=claim.pk)
    context = scrub_context_for(practice=fresh.practice, today=today)
    findings = scrub(claim_snapshot(claim=fresh), context)
    _, outcomes = _record(
        practice=fresh.practice, results=[(fresh, findings)], actor=actor, now=now
    )
    claim.status = fresh.status
    claim.status_changed_at = fresh.status_changed_at
    return outcomes[0]


@dataclass(frozen=True, slots=True)
class BatchResult:
    run: ScrubRun
    results: list[ClaimResult]

    @property
    def rule_counts(self) -> Counter[str]:
        return Counter(f.rule_id for r in self.results for f in r.findings)


def practice_scrub(
    *,
    practice: Practice,
    actor: Any = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> BatchResult:
    """Scrub every draft and ready claim of the practice in one batch: one context, the claims
    read in a fixed number of queries, the findings and moves written in bulk (stamped ``now``,
    default the clock)."""
    context = scrub_context_for(practice=practice, today=today)
    rows = claim_snapshots(practice=practice, claims=Claim.objects.filter(status__in=SCRUBBABLE))
    results = [(row.claim, scrub(row.snapshot, context)) for row in rows]
    run, outcomes = _record(practice=practice, results=results, actor=actor, now=now)
    return BatchResult(run=run, results=outcomes)


def claims_scrub(
    *,
    practice: Practice,
    claim_ids: list[int],
    actor: Any = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> BatchResult:
    """Scrub some draft and ready claims of the practice (`claim_ids`) in one batch, as
    `practice_scrub` scrubs them all: one context for the lot (posting scrubs the secondary
    claims an 835 made this way)."""
    context = scrub_context_for(practice=practice, today=today)
    chosen = Claim.objects.filter(pk__in=claim_ids, status__in=SCRUBBABLE)
    rows = claim_snapshots(practice=practice, claims=chosen)
    results = [(row.claim, scrub(row.snapshot, context)) for row in rows]
    run, outcomes = _record(practice=practice, results=results, actor=actor, now=now)
    return BatchResult(run=run, results=outcomes)


# -- overriding a warning ------------------------------------------------------------------------


def claim_override_warning(
    *, claim: Claim, rule_id: str, reason: str, actor: Any, now: dt.datetime | None = None
) -> WarningOverride:
    """Let the claim go despite a warning of its latest scrub, for the reason given (required;
    audited). An error cannot be overridden: it is fixed. When nothing else holds the claim, a
    draft becomes ready."""
    reason = " ".join((reason or "").split())
    rule_id = (rule_id or "").strip().upper()
    if not reason:
        raise ValidationError({"reason": "Say why the claim may go despite the warning."})
    current = ClaimFinding.objects.filter(claim=claim, rule_id=rule_id)
    if not current.exists():
        raise ValidationError({"rule_id": f"The claim's last scrub found nothing for {rule_id}."})
    if current.filter(severity=Severity.ERROR).exists():
        raise ValidationError(
            {"rule_id": f"{rule_id} is an error: fix the claim; only warnings are overridden."}
        )
    with transaction.atomic():
        override = WarningOverride.objects.create(
            practice_id=claim.practice_id,
            claim=claim,
            rule_id=rule_id,
            reason=reason[:1000],
            actor=actor if getattr(actor, "pk", None) else None,
            at=now or timezone.now(),
        )
        overridden = set(
            WarningOverride.objects.filter(claim=claim).values_list("rule_id", flat=True)
        )
        warnings = ClaimFinding.objects.filter(claim=claim, severity=Severity.WARNING)
        still_open = warnings.exclude(rule_id__in=overridden).count()
        errors = ClaimFinding.objects.filter(claim=claim, severity=Severity.ERROR).count()
        ClaimScrub.objects.filter(claim=claim).update(open_warning_count=still_open)
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            target=override,
            detail={"event": "warning_override", "rule": rule_id, "claim": claim.pk},
        )
        claim.refresh_from_db(fields=["status", "status_changed_at"])
        if claim.status == ClaimStatus.DRAFT.value and not errors and not still_open:
            claim_transition(
                claim=claim,
                to=ClaimStatus.READY,
                actor=actor,
                note=f"Warning {rule_id} overridden; nothing else holds the claim.",
                now=now,
            )
    return override


# -- payer rules as data -------------------------------------------------------------------------


def _rule_data(data: Mapping[str, Any], *, rule_id: str, version: int) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise ConditionError("rule", "expected an object")
    cleaned = dict(data)
    given = cleaned.get("id")
    if given is not None and not isinstance(given, str):
        raise ConditionError("id", "expected a string such as PAYER-ACME-001")
    cleaned["id"] = rule_id
    cleaned["version"] = version
    rule_from_data(cleaned)  # raises ConditionError naming the path
    return cleaned


def payer_rule_create(*, payer: Payer, data: Mapping[str, Any], actor: Any) -> PayerRule:
    """A new rule of `payer` (version 1, or after the last retired version of the same id).
    Raises ConditionError naming the path of the bad key (``when.all[2].in``)."""
    rule_id = str(data.get("id") or "").strip().upper() if isinstance(data, Mapping) else ""
    if not rule_id:
        raise ConditionError("id", "required")
    if PayerRule.objects.filter(payer=payer, rule_id=rule_id, active=True).exists():
        raise ConditionError("id", f"{payer} already has an active rule {rule_id}: edit it")
    last = PayerRule.objects.filter(payer=payer, rule_id=rule_id).aggregate(v=Max("version"))
    version = (last["v"] or 0) + 1
    cleaned = _rule_data(data, rule_id=rule_id, version=version)
    with transaction.atomic():
        rule = PayerRule.objects.create(
            payer=payer,
            rule_id=rule_id,
            version=version,
            data=cleaned,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            action=AuditAction.CREATE,
            actor=actor,
            target=rule,
            detail={"rule": rule_id, "version": version, "payer": payer.pk},
        )
    return rule


def payer_rule_update(
    *, rule: PayerRule, data: Mapping[str, Any], actor: Any, active: bool = True
) -> PayerRule:
    """Save an edit as the next version of the rule and retire the versions before it (the
    rule's id stays). Raises ConditionError naming the path of the bad key."""
    given = str(data.get("id") or rule.rule_id).strip().upper() if isinstance(data, Mapping) else ""
    if given != rule.rule_id:
        raise ConditionError("id", f"the rule id stays {rule.rule_id}: add a new rule instead")
    last = PayerRule.objects.filter(payer_id=rule.payer_id, rule_id=rule.rule_id).aggregate(
        v=Max("version")
    )
    version = (last["v"] or 0) + 1
    cleaned = _rule_data(data, rule_id=rule.rule_id, version=version)
    with transaction.atomic():
        PayerRule.objects.filter(payer_id=rule.payer_id, rule_id=rule.rule_id).update(active=False)
        new = PayerRule.objects.create(
            payer_id=rule.payer_id,
            rule_id=rule.rule_id,
            version=version,
            data=cleaned,
            active=active,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            action=AuditAction.UPDATE,
            actor=actor,
            target=new,
            detail={"rule": rule.rule_id, "version": version, "active": active},
        )
    return new


# -- an encounter being typed --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """An encounter as typed so far (nothing saved): what the live findings are computed from."""

    patient: Patient
    date_of_service: dt.date
    place_of_service: str
    diagnoses: tuple[str, ...]
    lines: tuple[LineFacts, ...]
    provider: Provider | None = None
    referring: Provider | None = None
    location: Location | None = None
    prior_authorization: str = ""


def entry_findings(*, draft: EntryDraft, today: dt.date | None = None) -> list[Finding]:
    """What the scrubber would find on the claim this encounter would build, before it is
    saved: the patient's primary coverage in force on the date of service, the practice's code
    sets and payer rules, and the patient's claims already billed (duplicates). Stores nothing."""
    patient = draft.patient
    practice = patient.practice
    coverage = (
        Coverage.objects.filter(patient=patient, priority=1)
        .select_related("payer")
        .order_by("-effective_from")
    )
    covered = next((c for c in coverage if c.is_active_on(draft.date_of_service)), None)
    context = ScrubContext(
        today=today or practice_today(practice),
        icd10=loaders.icd10_code_set(),
        hcpcs=loaders.hcpcs_table(),
        ptp=loaders.ptp_table(),
        mue=loaders.mue_table(),
        history=claim_index_for(practice=practice, patient_id=patient.pk),
        payer_rules=payer_rules_for(organization_id=practice.organization_id),
    )
    facts = ClaimFacts(
        billing=billing_of(practice),
        patient_id=patient.pk,
        birth_date=patient.date_of_birth,
        sex=patient.sex,
        last_name=patient.last_name,
        first_name=patient.first_name,
        coverage=coverage_facts(covered) if covered is not None else None,
        date_of_service=draft.date_of_service,
        place_of_service=draft.place_of_service,
        diagnoses=draft.diagnoses,
        lines=draft.lines,
        rendering_npi=draft.provider.npi if draft.provider else "",
        referring_npi=draft.referring.npi if draft.referring else "",
        facility_npi=draft.location.npi if draft.location else "",
        prior_authorization=draft.prior_authorization,
    )
    return scrub(snapshot_from_facts(facts), context)
