"""Writes of posting: 835 imports (`era_import`, `eras_post_pending`) and manual ledger entries.

An 835 import, step by step:

1. The file is read in full by the core's streaming reader (`iter_remittance`) before anything
   is written: a file that is not X12 at all is refused (`EraImportError`) and nothing is
   stored. A transaction set (ST-SE) that breaks a rule (balancing, loops) arrives as a
   `RemittanceFailure` naming the segment: that set is refused whole, the others post.
2. The practice is the one named (`--practice`), else the one whose group NPI (or tax id) is the
   835's payee (N1*PE). The file is stored encrypted (`files.file_store`) and recorded once per
   practice and SHA-256 (`EraFile`): the same file again changes nothing and says so.
3. Each set is posted in its own savepoint, all sets in one transaction: a set refused for
   what it says is recorded as refused while the others post; an unexpected error (a crash,
   a database failure) undoes the whole import, so a retry starts from a clean slate.
4. Idempotency per set: payer + TRN02 + TRN03 is posted once. The same key from the same file
   is a duplicate (nothing changes); the same key with different content is refused, naming
   the earlier file. Per claim payment: a CLP whose content (the core's `content_key`) was
   already posted on the claim, and not reversed since, is a duplicate too.
5. Each CLP: CLP01 is our patient control number in the practice; the core plans the posting
   (`plan_claim_payment`: line matching by REF*6R or procedure, modifiers and date; what each
   CAS does; denials; reversals); entries and balances are written together (`ledger`),
   denials recorded, and the claim moved by `claim_transition`'s state machine. A CLP for a
   claim we do not have, or with lines that match none of ours, goes to the exceptions queue
   with what was tried.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from openrcm.audit.services import audit_record, audit_service_actor
from openrcm.claims.models import Claim, ClaimLine
from openrcm.claims.services import claims_transition_many
from openrcm.clearinghouse.models import InboundFile
from openrcm.core.claims.state import can_transition
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.money import decimal_to_cents
from openrcm.core.posting.claim_match import ClaimCandidate, ClaimChoice, choose_claim
from openrcm.core.posting.entries import Bucket, Entry, EntryKind, PatientReason, PostedEntry
from openrcm.core.posting.match import OurLine
from openrcm.core.posting.plan import ClaimPostingPlan, OurClaim, content_key, plan_claim_payment
from openrcm.core.x12.era import (
    ClaimPayment,
    RemittanceEnd,
    RemittanceFailure,
    iter_remittance,
)
from openrcm.core.x12.era import (
    Remittance as EraRemittance,
)
from openrcm.core.x12.errors import X12Error
from openrcm.encounters.models import ChargeLine
from openrcm.files.models import StoredFileKind
from openrcm.files.services import UploadRefused, file_read, file_store
from openrcm.patients.models import Coverage, Patient
from openrcm.posting.ledger import (
    BATCH,
    Placement,
    core_entry,
    entries_write,
    ledger_charges_post,
)
from openrcm.posting.models import (
    Denial,
    EntrySource,
    EraFile,
    ExceptionKind,
    LedgerEntry,
    PostingException,
    ProviderAdjustment,
    Remittance,
    RemittanceClaim,
    RemittanceStatus,
)
from openrcm.posting.secondary import next_payer_claims_after_posting
from openrcm.tenancy.models import Practice

__all__ = [
    "EraImportError",
    "EraImportResult",
    "era_import",
    "eras_post_pending",
    "ledger_entry_post",
    "ledger_entry_reverse",
]

SERVICE_USER = "posting"
MANUAL_KINDS = frozenset(
    {EntryKind.PATIENT_PAYMENT, EntryKind.REFUND, EntryKind.WRITE_OFF, EntryKind.OTHER_ADJUSTMENT}
)


class EraImportError(Exception):
    """The file cannot be imported at all (not X12, no 835, no practice): nothing was written."""


def _money(cents: int) -> str:
    return f"{cents / 100:.2f}"


@dataclass
class EraImportResult:
    """What an import did. `as_json()` is what `openrcm era import --json` prints."""

    sha256: str = ""
    practice: str = ""
    sets: int = 0
    sets_posted: int = 0
    claims_posted: int = 0
    lines_posted: int = 0
    payment_cents: int = 0
    duplicates: int = 0
    duplicate_claims: int = 0
    exceptions: int = 0
    refused_sets: int = 0
    denials: int = 0
    provider_adjustments: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    remittance_ids: list[int] = field(default_factory=list)

    @property
    def payment_amount(self) -> str:
        return _money(self.payment_cents)

    def as_json(self) -> dict[str, Any]:
        return {
            "claims_posted": self.claims_posted,
            "lines_posted": self.lines_posted,
            "payment_amount": self.payment_amount,
            "duplicates": self.duplicates,
            "exceptions": self.exceptions,
            "refused_sets": self.refused_sets,
            "sets": self.sets,
            "sets_posted": self.sets_posted,
            "duplicate_claims": self.duplicate_claims,
            "denials": self.denials,
            "provider_adjustments": self.provider_adjustments,
            "practice": self.practice,
            "sha256": self.sha256,
            "errors": self.errors,
            "warnings": self.warnings,
        }


# -- reading ---------------------------------------------------------------------------------


@dataclass
class _Set:
    header: EraRemittance | None = None
    claims: list[ClaimPayment] = field(default_factory=list)
    end: RemittanceEnd | None = None
    failure: RemittanceFailure | None = None


def _read_sets(raw: bytes, name: str) -> list[_Set]:
    sets: list[_Set] = []
    current = _Set()
    try:
        for event in iter_remittance(raw, file=name or None):
            if isinstance(event, EraRemittance):
                current = _Set(header=event)
            elif isinstance(event, ClaimPayment):
                current.claims.append(event)
            elif isinstance(event, RemittanceEnd):
                current.end = event
                sets.append(current)
                current = _Set()
            else:
                sets.append(_Set(header=event.remittance or current.header, failure=event))
                current = _Set()
    except X12Error as exc:
        raise EraImportError(f"{name or 'the file'} is not a readable X12 file: {exc}") from exc
    if not sets:
        raise EraImportError(f"{name or 'the file'} holds no 835 transaction set")
    return sets


def _payee_ids(header: EraRemittance | None) -> tuple[str, str]:
    """(NPI, tax id) the 835 names for the payee: N1*PE XX / FI, or REF*TJ."""
    if header is None:
        return "", ""
    payee = header.payee
    npi = payee.id if payee.id_qualifier == "XX" else ""
    tin = payee.id if payee.id_qualifier == "FI" else ""
    for ref in payee.references:
        if ref.qualifier == "TJ" and not tin:
            tin = ref.value
    return npi, tin.replace("-", "")


def _practice_for(sets: list[_Set]) -> Practice:
    for s in sets:
        npi, tin = _payee_ids(s.header)
        if npi:
            found = list(Practice.objects.filter(group_npi=npi)[:2])
            if len(found) == 1:
                return found[0]
        if tin:
            found = list(Practice.objects.filter(tin=tin)[:2])
            if len(found) == 1:
                return found[0]
        if npi or tin:
            raise EraImportError(
                f"no single practice has the 835's payee (N1*PE) NPI {npi or '-'} or tax id "
                f"{tin or '-'}: name the practice (--practice SLUG)"
            )
    raise EraImportError("the 835 names no payee (N1*PE): name the practice (--practice SLUG)")


def _payer_id(header: EraRemittance) -> str:
    if header.payer.id:
        return header.payer.id
    for ref in header.payer.references:
        if ref.qualifier == "2U":
            return ref.value
    return header.trace.originator


# -- import ----------------------------------------------------------------------------------


def era_import(
    *,
    data: bytes | None = None,
    path: str | Path | None = None,
    practice: Practice | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
    name: str = "",
    inbound: InboundFile | None = None,
) -> EraImportResult:
    """Import one 835 file (bytes, or a path): store it, post every good set, refuse the bad.

    `practice`: the practice the file is for; by default the one whose NPI or tax id is the
    payee's. Raises `EraImportError` when nothing can be imported (not X12, no 835 set, no
    practice), with nothing written. The module docstring gives the rules.
    """
    if data is None:
        if path is None:
            raise ValueError("era_import needs data or a path")
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise EraImportError(f"cannot read {path}: {exc.strerror or exc}") from exc
        name = name or Path(path).name
    raw = bytes(data)
    sets = _read_sets(raw, name)
    moment = now or timezone.now()
    sha = hashlib.sha256(raw).hexdigest()
    result = EraImportResult(sha256=sha, sets=len(sets))
    with transaction.atomic():
        by = actor if getattr(actor, "pk", None) else audit_service_actor(SERVICE_USER)
        target = practice or _practice_for(sets)
        result.practice = target.slug
        earlier = EraFile.objects.filter(practice=target, sha256=sha).first()
        if earlier is not None:
            result.duplicates = earlier.remittances.filter(status=RemittanceStatus.POSTED).count()
            result.refused_sets = earlier.remittances.filter(
                status=RemittanceStatus.REFUSED
            ).count()
            result.warnings.append(
                f"this file was imported on {earlier.imported_at:%Y-%m-%d %H:%M} UTC: "
                "nothing changed"
            )
            return result
        try:
            stored = file_store(
                data=raw,
                kind=StoredFileKind.X12_IN,
                practice=target,
                original_name=name,
                actor=by,
            )
        except UploadRefused as exc:
            raise EraImportError(str(exc)) from exc
        era_file = EraFile.objects.create(
            practice=target,
            stored=stored,
            name=stored.original_name,
            sha256=sha,
            imported_at=moment,
            imported_by=by,
            inbound=inbound,
        )
        for item in sets:
            with transaction.atomic():
                _SetPoster(era_file, item, by, moment, result).post()
        audit_record(
            action="import",
            actor=by,
            practice=target,
            object_type="posting.erafile",
            object_id=era_file.pk,
            detail={
                "sets": result.sets,
                "claims_posted": result.claims_posted,
                "refused_sets": result.refused_sets,
                "exceptions": result.exceptions,
            },
        )
    return result


@dataclass
class _Pending:
    rc: RemittanceClaim
    claim: Claim | None
    plan: ClaimPostingPlan | None
    lines: dict[int, ClaimLine]
    choice: ClaimChoice | None = None


class _SetPoster:
    """Posts one transaction set (the caller holds its savepoint)."""

    def __init__(
        self, era_file: EraFile, item: _Set, by: Any, moment: dt.datetime, result: EraImportResult
    ) -> None:
        self.era_file = era_file
        self.item = item
        self.by = by
        self.moment = moment
        self.result = result
        self.practice = era_file.practice
        self.pending: list[_Pending] = []
        self.targets: dict[int, ClaimStatus] = {}
        self.claims: dict[int, Claim] = {}
        self.reversed: list[tuple[int, RemittanceClaim]] = []
        self.only_claim_id: int | None = None  # a manual match: the claim a person chose

    # -- the set ---------------------------------------------------------------------------

    def _remittance(self, status: str, error: str = "") -> Remittance:
        header = self.item.header
        payment = header.payment if header is not None else None
        npi, _tin = _payee_ids(header)
        return Remittance.objects.create(
            practice=self.practice,
            era_file=self.era_file,
            control_number=(header.control_number if header else "")
            or (self.item.failure.control_number if self.item.failure else ""),
            payer_name=header.payer.name[:60] if header else "",
            payer_id=_payer_id(header)[:80] if header else "",
            trace_number=header.trace.number[:50] if header else "",
            trace_originator=header.trace.originator[:10] if header else "",
            payment_cents=decimal_to_cents(payment.amount) if payment else 0,
            credit_debit=payment.credit_debit if payment else "",
            method=payment.method if payment else "",
            payment_date=payment.date if payment else None,
            payee_npi=npi,
            sha256=self.era_file.sha256,
            status=status,
            error=error,
            claim_count=len(self.item.claims) if status == RemittanceStatus.POSTED else 0,
            posted_at=self.moment,
        )

    def _refuse(self, error: str) -> None:
        self._remittance(RemittanceStatus.REFUSED, error)
        self.result.refused_sets += 1
        self.result.errors.append(error)

    def post(self) -> None:
        item, result = self.item, self.result
        if item.failure is not None:
            self._refuse(f"set {item.failure.control_number or '?'} refused: {item.failure.error}")
            return
        header = item.header
        assert header is not None and item.end is not None
        key = {
            "practice": self.practice,
            "payer_id": _payer_id(header)[:80],
            "trace_number": header.trace.number[:50],
            "trace_originator": header.trace.originator[:10],
            "status": RemittanceStatus.POSTED,
        }
        seen = Remittance.objects.filter(**key).select_related("era_file").first()
        if seen is not None:
            if seen.sha256 == self.era_file.sha256:
                result.duplicates += 1
                return
            self._refuse(
                f"set {header.control_number}: payment TRN02 {header.trace.number} from payer "
                f"{key['payer_id']} (TRN03 {header.trace.originator}) was already posted from "
                f"another file ({seen.era_file.name or 'unnamed'}, sha256 {seen.sha256[:12]}, "
                f"{seen.posted_at:%Y-%m-%d}); the same payment with different content is refused"
            )
            return
        self.remittance = self._remittance(RemittanceStatus.POSTED)
        result.sets_posted += 1
        result.payment_cents += self.remittance.payment_cents
        result.remittance_ids.append(self.remittance.pk)
        self._provider_adjustments(item.end)
        self._claims(item.claims)
        self._flush()
        self._move_statuses()
        # After posting: claims to the next payer (secondary, tertiary), or their withdrawal.
        result.warnings += next_payer_claims_after_posting(
            remittance=self.remittance, actor=self.by, now=self.moment
        )

    def _provider_adjustments(self, end: RemittanceEnd) -> None:
        rows = [
            ProviderAdjustment(
                practice=self.practice,
                remittance=self.remittance,
                provider_id=adj.provider_id[:50],
                fiscal_period_date=adj.fiscal_period_date,
                reason=item.reason[:2],
                reference=item.reference[:50],
                cents=decimal_to_cents(item.amount),
            )
            for adj in end.provider_adjustments
            for item in adj.items
        ]
        ProviderAdjustment.objects.bulk_create(rows)
        self.result.provider_adjustments += len(rows)

    # -- claims ----------------------------------------------------------------------------

    def _load(self, pcns: list[str]) -> tuple[dict[str, list[Claim]], dict[int, list[ClaimLine]]]:
        """The claims with these patient control numbers (imported claims may share one), and
        their lines."""
        claims: dict[str, list[Claim]] = defaultdict(list)
        for start in range(0, len(pcns), BATCH):
            for claim in (
                Claim.objects.filter(
                    practice=self.practice, patient_control_number__in=pcns[start : start + BATCH]
                )
                .select_related("encounter", "coverage")
                .order_by("id")
            ):
                claims[claim.patient_control_number].append(claim)
        ids = [c.pk for group in claims.values() for c in group]
        lines: dict[int, list[ClaimLine]] = defaultdict(list)
        for start in range(0, len(ids), BATCH):
            for line in (
                ClaimLine.objects.filter(claim_id__in=ids[start : start + BATCH])
                .select_related("charge_line")
                .order_by("claim_id", "line_number")
            ):
                lines[line.claim_id].append(line)
        return claims, lines

    def _next_payers(self, claims: Iterable[Claim]) -> set[int]:
        """Ids of the claims whose patient has a coverage after the claim's, in force on the
        date of service."""
        claims = list(claims)
        patients = sorted({c.encounter.patient_id for c in claims})
        coverages: dict[int, list[Coverage]] = defaultdict(list)
        for start in range(0, len(patients), BATCH):
            for coverage in Coverage.objects.filter(
                patient_id__in=patients[start : start + BATCH], priority__gt=1
            ):
                coverages[coverage.patient_id].append(coverage)
        out: set[int] = set()
        for claim in claims:
            day = claim.encounter.date_of_service
            if any(
                cov.priority > claim.coverage.priority and cov.is_active_on(day)
                for cov in coverages.get(claim.encounter.patient_id, [])
            ):
                out.add(claim.pk)
        return out

    def _claims(self, payments: list[ClaimPayment]) -> None:
        pcns = sorted({p.patient_control_number.strip() for p in payments})
        by_pcn, lines = self._load(pcns)
        self.claims = {c.pk: c for group in by_pcn.values() for c in group}
        ledger_charges_post(claims=self.claims.values(), actor=self.by, now=self.moment)
        next_payer = self._next_payers(self.claims.values())
        posted_keys: set[tuple[int, str]] = set()
        ids = list(self.claims)
        for start in range(0, len(ids), BATCH):
            posted_keys.update(
                RemittanceClaim.objects.filter(
                    claim_id__in=ids[start : start + BATCH],
                    remittance__status=RemittanceStatus.POSTED,
                    reversed_by__isnull=True,
                )
                .exclude(outcome="exception")
                .values_list("claim_id", "content_key")
            )
        for payment in payments:
            pcn = payment.patient_control_number.strip()
            choice = self._choose_claim(payment, by_pcn.get(pcn, []), lines)
            claim = self.claims[choice.chosen.claim_id] if choice.chosen is not None else None
            if claim is None:
                self._unknown(payment, choice)
                continue
            our_lines = lines.get(claim.pk, [])
            our = OurClaim(
                claim_id=claim.pk,
                patient_control_number=claim.patient_control_number,
                lines=tuple(_our_line(claim, ln) for ln in our_lines),
            )
            earlier: list[PostedEntry] = []
            if payment.is_reversal:
                self._flush()  # a reversal may undo what this set posted a moment ago
                earlier = self._earlier(claim, payment.payer_claim_number)
            plan = plan_claim_payment(
                claim=our,
                payment=payment,
                has_next_payer=claim.pk in next_payer,
                earlier=earlier,
            )
            if (claim.pk, plan.content_key) in posted_keys and not payment.is_reversal:
                self.result.duplicate_claims += 1
                continue
            posted_keys.add((claim.pk, plan.content_key))
            rc = self._rc(payment, claim, plan)
            if choice.tried:  # several claims had CLP01: say which was chosen and how
                rc.warnings = [*rc.warnings, choice.message]
            pending = _Pending(rc, claim, plan, {ln.pk: ln for ln in our_lines})
            self.pending.append(pending)
            if not plan.postable:
                rc.outcome = "exception"
                continue
            self.result.claims_posted += 1
            self.result.lines_posted += len({e.line_id for e in plan.entries if e.line_id})
            self.result.denials += len(plan.denials)
            self.result.warnings += [f"{pcn}: {w}" for w in plan.warnings]
            if plan.status is not None:
                rc.outcome = plan.status.value
                self.targets[claim.pk] = plan.status
            elif plan.is_reversal:
                rc.outcome = "reversed"

    def _rc(self, payment: ClaimPayment, claim: Claim | None, plan: ClaimPostingPlan | None) -> Any:
        return RemittanceClaim(
            practice=self.practice,
            remittance=self.remittance,
            claim=claim,
            patient_control_number=payment.patient_control_number[:38],
            status_code=payment.status,
            charge_cents=decimal_to_cents(payment.charge),
            paid_cents=decimal_to_cents(payment.paid),
            patient_responsibility_cents=decimal_to_cents(payment.patient_responsibility)
            if payment.patient_responsibility is not None
            else None,
            payer_claim_number=payment.payer_claim_number[:50],
            content_key=plan.content_key if plan is not None else "",
            warnings=list(plan.warnings) if plan is not None else [],
            matching=[
                {
                    "svc": m.svc_index,
                    "line_id": m.line.line_id,
                    "method": m.method.value,
                    "detail": m.detail,
                }
                for m in plan.matching.matches
            ]
            if plan is not None
            else [],
        )

    def _unknown(self, payment: ClaimPayment, choice: ClaimChoice) -> None:
        rc = self._rc(payment, None, None)
        rc.content_key = content_key(payment)
        rc.outcome = "exception"
        self.pending.append(_Pending(rc, None, None, {}, choice))

    # -- which claim: CLP01, and the core's choice when claims share it -----------------------

    def _choose_claim(
        self, payment: ClaimPayment, claims: list[Claim], lines: dict[int, list[ClaimLine]]
    ) -> ClaimChoice:
        """Our claim for `payment` among `claims` (those with its CLP01; several when imported
        claims share a number): `core.posting.claim_match.choose_claim` decides. A manual match
        (`only_claim_id`) names the claim itself."""
        if self.only_claim_id is not None:
            claims = [c for c in claims if c.pk == self.only_claim_id]
        if len(claims) < 2:
            return choose_claim(
                [
                    ClaimCandidate(OurClaim(c.pk, c.patient_control_number, ()), "", "", "")
                    for c in claims
                ],
                payment,
            )
        names = {
            pk: (last, first)
            for pk, last, first in Patient.objects.filter(
                pk__in={c.encounter.patient_id for c in claims}
            ).values_list("pk", "last_name", "first_name")
        }
        candidates = [
            ClaimCandidate(
                OurClaim(
                    c.pk,
                    c.patient_control_number,
                    tuple(_our_line(c, ln) for ln in lines.get(c.pk, [])),
                ),
                member_id=c.coverage.member_id,
                last_name=names.get(c.encounter.patient_id, ("", ""))[0],
                first_name=names.get(c.encounter.patient_id, ("", ""))[1],
            )
            for c in claims
        ]
        return choose_claim(candidates, payment)

    def _earlier(self, claim: Claim, payer_claim_number: str) -> list[PostedEntry]:
        rows = LedgerEntry.objects.filter(
            claim=claim,
            remittance_claim__payer_claim_number=payer_claim_number,
            remittance_claim__remittance__status=RemittanceStatus.POSTED,
        ).order_by("id")
        return [PostedEntry(row.pk, core_entry(row)) for row in rows]

    def _flush(self) -> None:
        """Write what the set has planned so far: claim payments, entries and balances,
        denials, exceptions."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        RemittanceClaim.objects.bulk_create([p.rc for p in pending], batch_size=BATCH)
        placed: list[tuple[Entry, Placement]] = []
        denials: list[Denial] = []
        exceptions: list[PostingException] = []
        for p in pending:
            if p.claim is None:
                exceptions.append(self._exception_unknown(p.rc, p.choice))
                continue
            assert p.plan is not None
            if not p.plan.postable:
                exceptions.append(self._exception_unmatched(p.rc, p.plan))
                continue
            for entry in p.plan.entries:
                line = p.lines[entry.line_id] if entry.line_id is not None else None
                placed.append(
                    (
                        entry,
                        Placement(
                            practice_id=self.practice.pk,
                            charge_line_id=line.charge_line_id if line else None,
                            claim_id=p.claim.pk,
                            claim_line_id=line.pk if line else None,
                            remittance_claim_id=p.rc.pk,
                        ),
                    )
                )
            for finding in p.plan.denials:
                denials.append(
                    Denial(
                        practice=self.practice,
                        claim=p.claim,
                        claim_line_id=finding.line_id,
                        remittance_claim=p.rc,
                        group_code=finding.group,
                        carc=finding.carc,
                        rarcs=list(finding.rarcs),
                        category=str(finding.category.value)[:40],
                        next_action=str(finding.next_action.value)[:200],
                        cents=finding.amount_cents,
                        created_at=self.moment,
                    )
                )
            if p.plan.is_reversal and p.plan.reversed_ids:
                self.reversed.append((p.plan.reversed_ids[0], p.rc))
        effective = self.remittance.payment_date or timezone.localdate(self.moment)
        entries_write(
            placed=placed,
            effective_date=effective,
            source=EntrySource.REMITTANCE,
            actor=self.by,
            now=self.moment,
        )
        Denial.objects.bulk_create(denials, batch_size=BATCH)
        PostingException.objects.bulk_create(exceptions, batch_size=BATCH)
        self.result.exceptions += len(exceptions)
        self._mark_reversed()

    def _mark_reversed(self) -> None:
        """Point each reversed claim payment at the CLP that reversed it."""
        for entry_id, rc in self.reversed:
            original = (
                LedgerEntry.objects.filter(pk=entry_id).values_list(
                    "remittance_claim_id", flat=True
                )
            ).first()
            if original is not None:
                RemittanceClaim.objects.filter(pk=original, reversed_by__isnull=True).update(
                    reversed_by=rc
                )
        self.reversed = []

    def _exception_unknown(
        self, rc: RemittanceClaim, choice: ClaimChoice | None
    ) -> PostingException:
        if choice is not None and choice.candidates:  # claims share CLP01; none is surely it
            return PostingException(
                practice=self.practice,
                remittance=self.remittance,
                remittance_claim=rc,
                kind=ExceptionKind.UNKNOWN_CLAIM,
                patient_control_number=rc.patient_control_number,
                tried=f"CLP01 {rc.patient_control_number!r}: {choice.message}; match it to a "
                "claim by hand",
                detail={
                    "paid": _money(rc.paid_cents),
                    "payer_claim_number": rc.payer_claim_number,
                    "candidates": [c.claim_id for c in choice.candidates],
                    "choice": choice.kind,
                },
            )
        return PostingException(
            practice=self.practice,
            remittance=self.remittance,
            remittance_claim=rc,
            kind=ExceptionKind.UNKNOWN_CLAIM,
            patient_control_number=rc.patient_control_number,
            tried=(
                f"CLP01 {rc.patient_control_number!r} is the patient control number of no claim "
                f"of practice {self.practice.slug} (looked up exactly, surrounding spaces "
                "removed); match it to a claim by hand"
            ),
            detail={"paid": _money(rc.paid_cents), "payer_claim_number": rc.payer_claim_number},
        )

    def _exception_unmatched(self, rc: RemittanceClaim, plan: ClaimPostingPlan) -> PostingException:
        kind = ExceptionKind.NOT_REVERSIBLE if plan.is_reversal else ExceptionKind.UNMATCHED_LINE
        return PostingException(
            practice=self.practice,
            remittance=self.remittance,
            remittance_claim=rc,
            kind=kind,
            patient_control_number=rc.patient_control_number,
            tried="; ".join(plan.problems),
            detail={
                "problems": [
                    {"svc": p.svc_index, "kind": p.kind, "tried": list(p.tried)}
                    for p in plan.matching.problems
                ],
                "paid": _money(rc.paid_cents),
            },
        )

    def _move_statuses(self) -> None:
        """Move each paid, partly paid or denied claim through the state machine."""
        groups: dict[ClaimStatus, list[Claim]] = defaultdict(list)
        for claim_id, target in self.targets.items():
            claim = self.claims[claim_id]
            if claim.status == target.value:
                continue
            if not can_transition(claim.status, target):
                self.result.warnings.append(
                    f"{claim.patient_control_number}: stays {claim.status} (a {claim.status} "
                    f"claim cannot become {target.value})"
                )
                continue
            groups[target].append(claim)
        for target, claims in groups.items():
            claims_transition_many(
                claims=claims,
                to=target,
                actor=self.by,
                note=f"835 {self.remittance.trace_number} ({self.era_file.name or 'file'}).",
                now=self.moment,
            )


def _our_line(claim: Claim, line: ClaimLine) -> OurLine:
    charge: ChargeLine = line.charge_line
    return OurLine(
        line_id=line.pk,
        line_control_number=charge.line_control_number or None,
        procedure=charge.procedure_code,
        modifiers=tuple(charge.modifiers),
        service_date=charge.service_date or claim.encounter.date_of_service,
        service_end_date=charge.service_end_date,
        charge_cents=line.charge_cents,
        units=Decimal(charge.units),
    )


def eras_post_pending(
    *, now: dt.datetime | None = None, actor: Any = None
) -> list[EraImportResult]:
    """Post every 835 the clearinghouses delivered (`InboundFile` of kind 835) that has not
    been imported yet; a file that cannot be read is recorded with its error, not retried."""
    results: list[EraImportResult] = []
    pending = (
        InboundFile.objects.filter(kind="835", era_file__isnull=True)
        .select_related("partner__practice", "stored")
        .order_by("received_at", "id")
    )
    for inbound in pending:
        practice = inbound.partner.practice
        try:
            results.append(
                era_import(
                    data=file_read(stored=inbound.stored),
                    practice=practice,
                    actor=actor,
                    now=now,
                    name=inbound.name,
                    inbound=inbound,
                )
            )
        except EraImportError as exc:
            moment = now or timezone.now()
            with transaction.atomic():
                era_file = EraFile.objects.filter(practice=practice, sha256=inbound.sha256).first()
                if era_file is None:
                    EraFile.objects.create(
                        practice=practice,
                        stored=inbound.stored,
                        name=inbound.name,
                        sha256=inbound.sha256,
                        imported_at=moment,
                        inbound=inbound,
                        error=str(exc),
                    )
            results.append(EraImportResult(sha256=inbound.sha256, errors=[str(exc)]))
    return results


# -- manual entries --------------------------------------------------------------------------


def ledger_entry_post(
    *,
    charge_line: ChargeLine,
    kind: EntryKind | str,
    cents: int,
    bucket: Bucket | str | None = None,
    claim: Claim | None = None,
    reason: PatientReason | None = None,
    actor: Any = None,
    now: dt.datetime | None = None,
    note: str = "",
) -> LedgerEntry:
    """Post one manual entry (a patient payment, a refund, a write-off, an adjustment) on a
    charge line; its balance moves in the same transaction."""
    kind = EntryKind(kind)
    if kind not in MANUAL_KINDS:
        raise ValueError(
            f"a {kind.value} entry is not posted by hand (manual kinds: "
            + ", ".join(sorted(k.value for k in MANUAL_KINDS))
            + ")"
        )
    entry = Entry(
        kind,
        cents,
        bucket=Bucket(bucket)
        if bucket
        else Bucket.PATIENT
        if kind is EntryKind.PATIENT_PAYMENT
        else Bucket.INSURANCE,
        reason=reason,
        note=note,
    )
    moment = now or timezone.now()
    claim_line = (
        ClaimLine.objects.filter(claim=claim, charge_line=charge_line).first() if claim else None
    )
    [row] = entries_write(
        placed=[
            (
                entry,
                Placement(
                    charge_line.practice_id,
                    charge_line.pk,
                    claim.pk if claim else None,
                    claim_line.pk if claim_line else None,
                ),
            )
        ],
        effective_date=timezone.localdate(moment),
        source=EntrySource.MANUAL,
        actor=actor,
        now=moment,
    )
    return row


def ledger_entry_reverse(
    *, entry: LedgerEntry, actor: Any = None, now: dt.datetime | None = None, note: str = ""
) -> LedgerEntry:
    """Post the entry that cancels `entry` (same kind and codes, negated cents). An entry is
    reversed once; a reversal itself is not reversed (post the entry anew instead)."""
    moment = now or timezone.now()
    with transaction.atomic():
        locked = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.reverses_id is not None:
            raise ValueError(f"entry {locked.pk} is itself a reversal: post the entry anew")
        if LedgerEntry.objects.filter(reverses=locked).exists():
            raise ValueError(f"entry {locked.pk} was already reversed")
        reversal = core_entry(locked).reversal(locked.pk, note=note or f"reverses {locked.pk}")
        [row] = entries_write(
            placed=[
                (
                    reversal,
                    Placement(
                        locked.practice_id,
                        locked.charge_line_id,
                        locked.claim_id,
                        locked.claim_line_id,
                        locked.remittance_claim_id,
                    ),
                )
            ],
            effective_date=timezone.localdate(moment),
            source=EntrySource.MANUAL,
            actor=actor,
            now=moment,
        )
    return row
