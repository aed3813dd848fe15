"""The demo's billing cycle: simulated days of a billing office, ending now.

Each simulated day is the 24 hours ending ``now - k days``; its steps happen at fixed offsets
before that end, so the last day ends with the demo itself:

- 16 h before: each clearinghouse is polled (the 277CAs of yesterday's batches, the 835s the
  payers released that morning) and the 835s are posted; secondary claims follow from them.
- 3 h before: the day's charges are entered (visits a few days old: the charge lag).
- 2 h 30 before: the biller works a few denials (an appeal, a small balance written off).
- 2 h before: the practice's claims are scrubbed (clean ones go ready, a few are held).
- 1 h before: the daily batch goes to the sandbox clearinghouse; 5 minutes later a poll
  takes its 999 (the claims are then accepted by the clearinghouse).
- 20 min before: the biller fixes some rejections (the member id corrected on the coverage,
  the claim reopened and scrubbed); 15 min before, charges entered late are scrubbed; 10 min
  before both go out in a second batch (still submitted at the end of the last day).
- On the last day, 5 min before its end, what is left is entered and scrubbed: it waits
  ready for the next batch.

Scrubbing, the biller confirms the warnings of claims no error holds (they go ready); claims
with errors stay held in draft.

Visits are entered, scrubbed and sent only on weekdays (and on the last day); polls run every
day. Services take the simulated moment (``now=``); rows whose timestamp a service sets itself
(``auto_now_add``, or a service without ``now=``) are stamped with the step's moment after it,
found by primary key above the last step's, so every date follows the simulated clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Model, Q

from openrcm.audit.services import audit_service_actor
from openrcm.claims.models import Claim, ClaimStatusChange
from openrcm.clearinghouse.models import Acknowledgment, Batch, InboundFile, TradingPartner
from openrcm.clearinghouse.services import (
    batch_build,
    batch_send,
    claim_reopen,
    inbound_poll,
    partner_for,
)
from openrcm.clearinghouse.transports import SandboxTransport
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.scrub.engine import Severity as FindingSeverity
from openrcm.encounters.models import Encounter
from openrcm.encounters.services import EncounterInput, encounter_create_many
from openrcm.files.models import StoredFile
from openrcm.operations.demo import people
from openrcm.operations.demo.catalog import PAYERS
from openrcm.patients.services import coverage_update
from openrcm.posting.denials import DenialAction, denial_work
from openrcm.posting.models import Denial, DenialStatus, NextPayerClaim
from openrcm.posting.services import eras_post_pending
from openrcm.reporting.timelines import claim_timelines_rebuild
from openrcm.scrubbing.models import ClaimScrub, ScrubRun, WarningOverride
from openrcm.scrubbing.services import claim_override_warning, claim_scrub, practice_scrub
from openrcm.tenancy.models import Practice

SERVICE_NAME = "worker"  # batches and polls act as the worker does

MORNING_POLL = dt.timedelta(hours=16)
ENTRY = dt.timedelta(hours=3)
DENIAL_WORK = dt.timedelta(hours=2, minutes=30)
SCRUB = dt.timedelta(hours=2)
DAILY_BATCH = dt.timedelta(hours=1)
ACK_POLL = dt.timedelta(minutes=55)
FIXES = dt.timedelta(minutes=20)
LATE_ENTRY = dt.timedelta(minutes=15)
SECOND_BATCH = dt.timedelta(minutes=10)
AFTER_HOURS = dt.timedelta(minutes=5)

LATE_SHARE = 0.12  # visits entered after the day's batch
FIX_SHARE = 0.6  # rejections (unknown member id) the biller fixes, a day or more after
APPEAL_SHARE = 0.25  # denials a week old appealed
WRITE_OFF_SHARE = 0.15  # ... or written off
DENIAL_AGE = dt.timedelta(days=7)
MEMBER_NOT_FOUND = "A3:33"  # 277CA: subscriber and subscriber id not found


@dataclass(frozen=True, slots=True)
class Visit:
    """A visit the demo records: its encounter, and how many business days later it is entered."""

    practice_index: int
    item: EncounterInput
    lag_days: int


@dataclass(slots=True)
class CycleSummary:
    """What the simulated days did."""

    days: int
    first_day: dt.date
    last_day: dt.date
    batches: int = 0
    claims_sent: int = 0
    polls: int = 0
    eras_posted: int = 0
    warnings_overridden: int = 0
    rejections_fixed: int = 0
    denials_appealed: int = 0
    denials_written_off: int = 0
    seconds: float = 0.0


class _HeldSandbox(SandboxTransport):
    """The practice's sandbox clearinghouse kept in memory over the simulated days: its state
    (every claim it has seen) is written back to the partner row once, at the end, instead of
    after every send and poll (the whole demo is one transaction either way)."""

    def _save(self) -> None:
        pass

    def at(self, moment: dt.datetime) -> _HeldSandbox:
        self.now = moment
        return self

    def save(self) -> None:
        self.partner.refresh_from_db()
        super()._save()


@dataclass(slots=True)
class _Practice:
    practice: Practice
    zone: zoneinfo.ZoneInfo
    partner: TradingPartner
    sandbox: _HeldSandbox
    pending: list[tuple[dt.date, bool, EncounterInput]] = field(default_factory=list)


def _unit(*parts: object) -> float:
    """A number in [0, 1) fixed by ``parts`` (no database id among them: ids differ by run)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _number(claim: Claim) -> str:
    """The practice's own claim number (the patient control number after its practice id)."""
    return claim.patient_control_number.partition("C")[2]


class _Stamper:
    """Stamps the rows made during the cycle with the step's moment where their service set
    the clock's time itself (``auto_now_add``, services without ``now=``): every such time is
    later than any simulated moment, and rows stamped at an earlier step are not."""

    FIELDS: tuple[tuple[type[Model], tuple[str, ...]], ...] = (
        (Encounter, ("created_at", "updated_at")),
        (Claim, ("created_at", "status_changed_at")),
        (ClaimStatusChange, ("at",)),
        (Batch, ("created_at",)),
        (InboundFile, ("received_at",)),
        (Acknowledgment, ("created_at",)),
        (StoredFile, ("created_at",)),
        (ScrubRun, ("created_at",)),
        (WarningOverride, ("at",)),
        (ClaimScrub, ("first_scrubbed_at", "scrubbed_at")),
        (NextPayerClaim, ("created_at",)),
    )

    def __init__(self) -> None:
        # Rows from before the cycle are left alone (and not scanned).
        self.marks: dict[type[Model], int] = {
            model: int(model._default_manager.aggregate(top=Max("pk"))["top"] or 0)
            for model, _ in self.FIELDS
        }

    def stamp(self, moment: dt.datetime, models: Iterable[type[Model]] | None = None) -> None:
        chosen = set(models) if models is not None else None
        for model, names in self.FIELDS:
            if chosen is not None and model not in chosen:
                continue
            rows = model._default_manager.filter(pk__gt=self.marks[model])
            for name in names:
                rows.filter(**{f"{name}__gt": moment}).update(**{name: moment})


class _Cycle:
    def __init__(
        self,
        *,
        seed: int,
        practices: list[Practice],
        visits: list[Visit],
        now: dt.datetime,
        days: int,
        biller: Any,
    ) -> None:
        self.seed = seed
        self.now = now
        self.days = days
        self.biller = biller
        self.worker = audit_service_actor(SERVICE_NAME)
        self.stamper = _Stamper()
        self.practices: list[_Practice] = []
        for index, practice in enumerate(practices):
            partner = partner_for(practice=practice, name="sandbox")
            # The sandbox's own seed: the demo's, not the practice's database id.
            partner.settings = {**partner.settings, "seed": f"demo-{seed}-{index}"}
            partner.save(update_fields=["settings"])
            self.practices.append(
                _Practice(
                    practice,
                    zoneinfo.ZoneInfo(practice.time_zone),
                    partner,
                    _HeldSandbox(partner, now=now),
                )
            )
        self.first = self.local_date(0, self.end(0) - ENTRY)
        for n, visit in enumerate(visits):
            entry = _weekday_on_or_after(
                visit.item.date_of_service + dt.timedelta(days=visit.lag_days)
            )
            late = _unit(seed, "late", visit.practice_index, n) < LATE_SHARE
            # Visits from before the first simulated day were entered on it (go-live backlog).
            self.practices[visit.practice_index].pending.append(
                (max(entry, self.first), late, visit.item)
            )
        self.decided: set[int] = set()
        self.summary = CycleSummary(
            days=days, first_day=self.first, last_day=self.local_date(0, now)
        )

    def end(self, k: int) -> dt.datetime:
        """The end of simulated day ``k`` (0 = the first); the last one ends at ``now``."""
        return self.now - dt.timedelta(days=self.days - 1 - k)

    def local_date(self, index: int, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.practices[index].zone).date()

    # -- the days ------------------------------------------------------------------------------

    def run(self) -> CycleSummary:
        started = time.perf_counter()
        for k in range(self.days):
            end = self.end(k)
            last = k == self.days - 1
            self.poll(end - MORNING_POLL)
            working = [
                i
                for i in range(len(self.practices))
                if last or self.local_date(i, end - ENTRY).weekday() < 5
            ]
            self.enter(working, end - ENTRY, late=False)
            self.work_denials(end - DENIAL_WORK)
            self.scrub(working, end - SCRUB)
            self.send(working, end - DAILY_BATCH)
            self.poll(end - ACK_POLL, working)
            self.fix_rejections(working, end - FIXES)
            self.enter(working, end - LATE_ENTRY, late=True)
            self.scrub(working, end - LATE_ENTRY)
            self.send(working, end - SECOND_BATCH)
            if last:  # what is left is entered after the last batch: ready for tomorrow's
                self.enter(working, end - AFTER_HOURS, late=True, rest=True)
                self.scrub(working, end - AFTER_HOURS)
        for state in self.practices:
            state.sandbox.save()
        # The stamper moved the rows' times back to the simulated moments after the services
        # had kept the claim timelines (reports) from the clock's: recompute them.
        claim_timelines_rebuild(practices=[state.practice for state in self.practices])
        self.summary.seconds = time.perf_counter() - started
        return self.summary

    def enter(
        self, working: list[int], moment: dt.datetime, *, late: bool, rest: bool = False
    ) -> None:
        """Record the visits due by the step's local date (``rest``: all that are left)."""
        items: list[EncounterInput] = []
        for i in working:
            state = self.practices[i]
            today = self.local_date(i, moment)
            due = [p for p in state.pending if rest or (p[0] <= today and (late or not p[1]))]
            if not due:
                continue
            taken = {id(p) for p in due}
            state.pending = [p for p in state.pending if id(p) not in taken]
            items += [p[2] for p in due]
        if items:
            encounter_create_many(items=items, now=moment)
            self.stamper.stamp(moment, (Encounter, Claim, ClaimStatusChange))

    def scrub(self, working: list[int], moment: dt.datetime, *, review: bool = True) -> None:
        """Scrub the practices that have new claims; the biller then confirms the warnings of
        the claims no error holds (the codes checked, the date right...), which go ready."""
        for i in working:
            state = self.practices[i]
            # New claims, and claims (secondary ones among them) held only by warnings.
            fresh = Claim.objects.filter(
                practice=state.practice, status=ClaimStatus.DRAFT.value
            ).filter(
                Q(scrub__isnull=True) | Q(scrub__error_count=0, scrub__open_warning_count__gt=0)
            )
            if not fresh.exists():
                continue
            today = self.local_date(i, moment)
            batch = practice_scrub(practice=state.practice, today=today, now=moment)
            waiting = {
                result.claim.pk: sorted(
                    {f.rule_id for f in result.findings if f.severity is FindingSeverity.WARNING}
                )
                for result in batch.results
                if review and not result.errors and result.open_warnings
            }
            done = set(
                WarningOverride.objects.filter(claim_id__in=waiting).values_list(
                    "claim_id", "rule_id"
                )
            )
            for claim in Claim.objects.filter(pk__in=waiting).order_by("pk"):
                for rule_id in waiting[claim.pk]:
                    if (claim.pk, rule_id) in done:
                        continue
                    claim_override_warning(
                        claim=claim,
                        rule_id=rule_id,
                        reason="Reviewed: the claim is right as it is.",
                        actor=self.biller,
                        now=moment,
                    )
                self.summary.warnings_overridden += 1
        self.stamper.stamp(moment, (ScrubRun, ClaimScrub, ClaimStatusChange))

    def send(self, working: list[int], moment: dt.datetime) -> None:
        for i in working:
            state = self.practices[i]
            ready = Claim.objects.filter(practice=state.practice, status=ClaimStatus.READY.value)
            if not ready.exists():
                continue
            built = batch_build(
                practice=state.practice, partner=state.partner, actor=self.worker, now=moment
            )
            if built.batch is None:
                continue
            batch_send(
                batch=built.batch,
                actor=self.worker,
                now=moment,
                transport=state.sandbox.at(moment),
            )
            self.summary.batches += 1
            self.summary.claims_sent += built.batch.claim_count
        self.stamper.stamp(moment, (Batch, StoredFile))

    def poll(self, moment: dt.datetime, working: list[int] | None = None) -> None:
        """Poll each clearinghouse (of the ``working`` practices: those that just sent), then
        post the 835s taken (not after the daily batch's acknowledgment poll)."""
        chosen = range(len(self.practices)) if working is None else working
        for i in chosen:
            state = self.practices[i]
            inbound_poll(
                partner=state.partner,
                actor=self.worker,
                now=moment,
                transport=state.sandbox.at(moment),
            )
            self.summary.polls += 1
        self.stamper.stamp(moment, (InboundFile, Acknowledgment, StoredFile))
        if working is None:
            results = eras_post_pending(now=moment, actor=self.worker)
            self.summary.eras_posted += sum(1 for r in results if not r.errors)
            # Secondary claims made (and scrubbed) by the posting.
            self.stamper.stamp(moment)

    # -- the biller's work ---------------------------------------------------------------------

    def fix_rejections(self, working: list[int], moment: dt.datetime) -> None:
        """Correct the member id of some claims the payer did not know the subscriber of (a
        day or more ago), reopen them and scrub them: they go out in the second batch."""
        fixed = 0
        for i in working:
            state = self.practices[i]
            rejected = (
                Claim.objects.filter(
                    practice=state.practice,
                    status=ClaimStatus.REJECTED.value,
                    status_changed_at__lte=moment - dt.timedelta(days=1),
                )
                .select_related("coverage__payer")
                .order_by("patient_control_number")
            )
            for claim in rejected:
                number = _number(claim)
                if _unit(self.seed, "fix", i, number) >= FIX_SHARE:
                    continue
                codes = Acknowledgment.objects.filter(claim=claim, kind="277CA").values_list(
                    "codes", flat=True
                )
                if not any(c.startswith(MEMBER_NOT_FOUND) for row in codes for c in (row or [])):
                    continue
                coverage = claim.coverage
                coverage_update(
                    coverage=coverage, member_id=self.member_id(coverage.payer.payer_id, number)
                )
                claim_reopen(
                    claim=claim,
                    actor=self.biller,
                    note="Member id corrected from the patient's insurance card.",
                    now=moment,
                )
                claim_scrub(
                    claim=claim, actor=self.biller, today=self.local_date(i, moment), now=moment
                )
                fixed += 1
        self.summary.rejections_fixed += fixed
        self.stamper.stamp(moment, (ScrubRun, ClaimScrub, ClaimStatusChange))

    def member_id(self, payer_id: str, number: str) -> str:
        rng = random.Random(f"{self.seed}:member:{payer_id}:{number}")
        template = next((t for t in PAYERS if t.payer_id == payer_id), None)
        if template is None or template.key == "medicare":
            return people.mbi(rng)
        return people.member_id(rng, template.key)

    def work_denials(self, moment: dt.datetime) -> None:
        """Each denial a week old is decided once: appealed, written off, or left open."""
        denials = (
            Denial.objects.filter(
                practice__in=[s.practice for s in self.practices],
                status=DenialStatus.OPEN,
                created_at__lte=moment - DENIAL_AGE,
            )
            .exclude(pk__in=self.decided)
            .select_related("claim")
            .order_by("id")
        )
        for denial in denials:
            self.decided.add(denial.pk)
            roll = _unit(self.seed, "denial", _number(denial.claim), denial.group_code, denial.carc)
            if roll < APPEAL_SHARE:
                denial_work(
                    denial=denial,
                    action=DenialAction.APPEAL,
                    note="Appeal sent with the visit notes.",
                    actor=self.biller,
                    now=moment,
                )
                self.summary.denials_appealed += 1
            elif roll < APPEAL_SHARE + WRITE_OFF_SHARE:
                denial_work(
                    denial=denial,
                    action=DenialAction.WRITE_OFF,
                    note="Small balance: not worth an appeal.",
                    actor=self.biller,
                    now=moment,
                )
                self.summary.denials_written_off += 1
        self.stamper.stamp(moment, (Claim, ClaimStatusChange))


def demo_cycle(
    *,
    seed: int,
    practices: list[Practice],
    visits: list[Visit],
    now: dt.datetime,
    days: int,
    biller: Any,
) -> CycleSummary:
    """Run ``days`` simulated days ending at ``now`` over the demo's practices: record
    ``visits``, and scrub, send, acknowledge, post and work their claims (see the module
    docstring). ``biller`` does the by-hand work (the demo login)."""
    return _Cycle(
        seed=seed, practices=practices, visits=visits, now=now, days=days, biller=biller
    ).run()


__all__ = ["CycleSummary", "Visit", "demo_cycle"]
