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
   denials recorded, and the claims moved by the state machine (`claims_transition_many`,
   one move per status). A CLP for a claim we do not have, or with lines that match none of
   ours, goes to the exceptions queue with what was tried. `claim_payment_post` posts one CLP
   to a claim a person chose (the exceptions queue) through the same steps.

Speed: a set is posted in a number of queries that does not grow with its claims. Claims and
lines are read as plain rows (`PostingClaim`), BATCH to a query; claim payments, denials and
ledger entries are inserted as plain rows (`rows.rows_insert`), balances moved in bulk under
their row locks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from django.db import connection, transaction
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
from openrcm.core.posting.plan import ClaimPostingPlan, OurClaim, plan_claim_payment
from openrcm.core.posting.plan import content_key as payment_content_key
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
    DenialStatus,
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
from openrcm.posting.rows import among, chunks, rows_insert
from openrcm.posting.secondary import next_payer_claims_after_posting
from openrcm.reporting.timelines import claim_timelines_deferred, claim_timelines_refresh
from openrcm.tenancy.models import Practice

__all__ = [
    "ClaimPaymentPosting",
    "ClaimPaymentRefused",
    "EraImportError",
    "EraImportResult",
    "PostingClaim",
    "claim_payment_post",
    "era_import",
    "eras_post_pending",
    "ledger_entry_post",
    "ledger_entry_reverse",
    "remittance_claim_payment_read",
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


def remittance_claim_payment_read(
    *, remittance: Remittance, content_key: str
) -> ClaimPayment | None:
    """The CLP of the posted `remittance` whose content key (the core's `content_key`) is
    `content_key`, read again from the stored 835 (the file is the record, not a copy of it);
    None when the file no longer holds that set or CLP. Raises `EraImportError` when the
    stored file cannot be read."""
    era_file = remittance.era_file
    for item in _read_sets(file_read(stored=era_file.stored), era_file.name):
        header = item.header
        if item.failure is not None or header is None:
            continue
        if (header.control_number, header.trace.number[:50]) != (
            remittance.control_number,
            remittance.trace_number,
        ):
            continue
        for payment in item.claims:
            if payment_content_key(payment) == content_key:
                return payment
    return None


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
    with _collector_paused():
        return _era_import(raw, practice=practice, actor=actor, now=now, name=name, inbound=inbound)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block (reference counting still frees
    nearly everything). A 20,000-claim 835 keeps 1.77 million container objects alive when its
    set is written, 1.2 million of them the parsed file (`core.x12.era`: 625,000 lists alone),
    the rest the claims and plans; with the collector on, 7 full collections walked them all
    again, 3.8 s of 11.5 s CPU (docs/posting.md, "Speed"). The collector runs again as before
    afterwards, on error too. A parsed file of tuples (which the collector stops tracking)
    rather than lists would make this pause unnecessary."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _era_import(
    raw: bytes,
    *,
    practice: Practice | None,
    actor: Any,
    now: dt.datetime | None,
    name: str,
    inbound: InboundFile | None,
) -> EraImportResult:
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
                _SetPoster(era_file, by, moment, result).post(item)
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


# -- claims as posting reads them: plain rows ------------------------------------------------


@dataclass(slots=True)
class PostingClaim:
    """One of our claims as posting reads it: plain values, not a model instance (an 835 of
    thousands of claims would spend more building instances than posting). It has the fields
    `claims_transition_many` moves (`pk`, `practice_id`, `status`, `status_changed_at`)."""

    pk: int
    practice_id: int
    patient_control_number: str
    status: str
    status_changed_at: dt.datetime | None
    patient_id: int
    date_of_service: dt.date
    coverage_priority: int
    member_id: str
    lines: tuple[OurLine, ...] = ()
    charge_line_of: dict[int, int] = field(default_factory=dict)  # claim line id: charge line


_CLAIM_FIELDS = (
    "pk",
    "practice_id",
    "patient_control_number",
    "status",
    "status_changed_at",
    "encounter__patient_id",
    "encounter__date_of_service",
    "coverage__priority",
    "coverage__member_id",
)


def _claims_by_patient_control_number(
    practice: Practice, pcns: Sequence[str]
) -> dict[str, list[PostingClaim]]:
    """Our claims of `practice` whose patient control number is one of `pcns` (CLP01, surrounding
    spaces removed), in id order, with their lines: the one place an 835's CLP01 finds claims.
    Several claims may share a number (claims imported with another system's CLM01)."""
    found: dict[str, list[PostingClaim]] = defaultdict(list)
    claims: list[PostingClaim] = []
    for chunk in chunks(pcns):
        rows = (
            Claim.objects.filter(among("patient_control_number", chunk), practice=practice)
            .order_by("id")
            .values_list(*_CLAIM_FIELDS)
        )
        claims += [PostingClaim(*row) for row in rows]
    claims.sort(key=lambda c: c.pk)
    for claim in claims:
        found[claim.patient_control_number].append(claim)
    _claim_lines_load(claims)
    return found


def _claims_by_id(ids: Sequence[int]) -> list[PostingClaim]:
    """The claims with these ids, with their lines (a claim a person chose)."""
    claims = [
        PostingClaim(*row) for row in Claim.objects.filter(pk__in=ids).values_list(*_CLAIM_FIELDS)
    ]
    _claim_lines_load(claims)
    return claims


_LINE_FIELDS = (
    "pk",
    "claim_id",
    "charge_line_id",
    "charge_cents",
    "charge_line__line_control_number",
    "charge_line__procedure_code",
    "charge_line__modifier1",
    "charge_line__modifier2",
    "charge_line__modifier3",
    "charge_line__modifier4",
    "charge_line__units",
    "charge_line__service_date",
    "charge_line__service_end_date",
)


def _claim_lines_load(claims: Sequence[PostingClaim]) -> None:
    """Give each claim its lines as the core matches them (`OurLine`), BATCH claims a query."""
    by_id = {c.pk: c for c in claims}
    lines: dict[int, list[OurLine]] = defaultdict(list)
    for chunk in chunks(sorted(by_id)):
        rows = (
            ClaimLine.objects.filter(among("claim_id", chunk))
            .order_by("claim_id", "line_number")
            .values_list(*_LINE_FIELDS)
        )
        for pk, claim_id, charge_line_id, *rest in rows:
            claim = by_id[claim_id]
            claim.charge_line_of[pk] = charge_line_id
            lines[claim_id].append(_our_line(claim, pk, *rest))
    for claim_id, found in lines.items():
        by_id[claim_id].lines = tuple(found)


def _our_line(
    claim: PostingClaim,
    pk: int,
    charge_cents: int,
    line_control_number: str,
    procedure: str,
    mod1: str,
    mod2: str,
    mod3: str,
    mod4: str,
    units: int,
    service_date: dt.date | None,
    service_end_date: dt.date | None,
) -> OurLine:
    """One claim line as the core matches it (the `_LINE_FIELDS` after the first three)."""
    return OurLine(
        line_id=pk,
        line_control_number=line_control_number or None,
        procedure=procedure,
        modifiers=tuple(m for m in (mod1, mod2, mod3, mod4) if m),
        service_date=service_date or claim.date_of_service,
        service_end_date=service_end_date,
        charge_cents=charge_cents,
        units=Decimal(units),
    )


def _our_claim(claim: PostingClaim) -> OurClaim:
    return OurClaim(
        claim_id=claim.pk, patient_control_number=claim.patient_control_number, lines=claim.lines
    )


# Columns of the rows posting inserts as plain rows (values as the database takes them).
_RC_COLUMNS = (
    "practice_id", "remittance_id", "claim_id", "patient_control_number", "status_code",
    "charge_cents", "paid_cents", "patient_responsibility_cents", "payer_claim_number",
    "outcome", "content_key", "warnings", "matching",
)  # fmt: skip
_DENIAL_COLUMNS = (
    "practice_id", "claim_id", "claim_line_id", "remittance_claim_id", "group_code", "carc",
    "rarcs", "category", "next_action", "cents", "status", "created_at",
)  # fmt: skip


# -- posting ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Pending:
    """One CLP planned, waiting for `_flush` to write it (its RemittanceClaim row, entries,
    denials or exception)."""

    payment: ClaimPayment
    claim: PostingClaim | None
    plan: ClaimPostingPlan | None
    choice: ClaimChoice | None
    patient_control_number: str
    content_key: str
    warnings: list[str]
    outcome: str = ""
    rc_id: int | None = None


class _SetPoster:
    """Posts the claim payments of one transaction set (the caller holds its savepoint):
    `post` a whole set; `claim_payment_post` uses the same steps for one chosen claim."""

    def __init__(
        self, era_file: EraFile, by: Any, moment: dt.datetime, result: EraImportResult
    ) -> None:
        self.era_file = era_file
        self.by = by
        self.moment = moment
        self.result = result
        self.practice = era_file.practice
        self.remittance: Remittance
        self.pending: list[_Pending] = []
        self.targets: dict[int, ClaimStatus] = {}
        self.claims: dict[int, PostingClaim] = {}
        self.reversed: list[tuple[int, int]] = []  # (reversed entry id, reversing CLP's row id)
        self.next_payer: set[int] = set()
        self.posted_keys: set[tuple[int, str]] = set()
        self.earlier: dict[tuple[int, str], list[PostedEntry]] = {}
        self.touched: set[int] = set()  # claims this set planned a payment for

    # -- the set ---------------------------------------------------------------------------

    def _remittance(self, item: _Set, status: str, error: str = "") -> Remittance:
        header = item.header
        payment = header.payment if header is not None else None
        npi, _tin = _payee_ids(header)
        return Remittance.objects.create(
            practice=self.practice,
            era_file=self.era_file,
            control_number=(header.control_number if header else "")
            or (item.failure.control_number if item.failure else ""),
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
            claim_count=len(item.claims) if status == RemittanceStatus.POSTED else 0,
            posted_at=self.moment,
        )

    def _refuse(self, item: _Set, error: str) -> None:
        self._remittance(item, RemittanceStatus.REFUSED, error)
        self.result.refused_sets += 1
        self.result.errors.append(error)

    def post(self, item: _Set) -> None:
        result = self.result
        if item.failure is not None:
            self._refuse(
                item, f"set {item.failure.control_number or '?'} refused: {item.failure.error}"
            )
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
                item,
                f"set {header.control_number}: payment TRN02 {header.trace.number} from payer "
                f"{key['payer_id']} (TRN03 {header.trace.originator}) was already posted from "
                f"another file ({seen.era_file.name or 'unnamed'}, sha256 {seen.sha256[:12]}, "
                f"{seen.posted_at:%Y-%m-%d}); the same payment with different content is "
                "refused",
            )
            return
        self.remittance = self._remittance(item, RemittanceStatus.POSTED)
        result.sets_posted += 1
        result.payment_cents += self.remittance.payment_cents
        result.remittance_ids.append(self.remittance.pk)
        self._provider_adjustments(item.end)
        self._claims(item.claims)
        self._finish()

    def _finish(self) -> None:
        """Write what is planned, move the claims' statuses, then make the next payers'
        claims (secondary, tertiary) or withdraw them; the touched claims' timelines (reports)
        refreshed once, at the end."""
        with claim_timelines_deferred():
            self._flush()
            claim_timelines_refresh(claim_ids=self.touched)
            self._move_statuses()
            self.result.warnings += next_payer_claims_after_posting(
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

    def _prepare(self, claims: Sequence[PostingClaim], payments: Sequence[ClaimPayment]) -> None:
        """What planning needs of the database, a few queries for all `claims`: charges on
        the ledger, next payers, the claim payments already posted, and the earlier postings
        the reversals among `payments` undo."""
        self.claims.update((c.pk, c) for c in claims)
        # ledger_charges_post reads only each claim's pk.
        ledger_charges_post(claims=cast("list[Claim]", claims), actor=self.by, now=self.moment)
        self.next_payer |= _next_payers(claims)
        for chunk in chunks([c.pk for c in claims]):
            self.posted_keys.update(
                RemittanceClaim.objects.filter(
                    among("claim_id", chunk),
                    remittance__status=RemittanceStatus.POSTED,
                    reversed_by__isnull=True,
                )
                .exclude(outcome="exception")
                .values_list("claim_id", "content_key")
            )
        icns = sorted({p.payer_claim_number for p in payments if p.is_reversal})
        for start in range(0, len(icns), BATCH):
            rows = LedgerEntry.objects.filter(
                practice=self.practice,
                remittance_claim__payer_claim_number__in=icns[start : start + BATCH],
                remittance_claim__remittance__status=RemittanceStatus.POSTED,
            ).select_related("remittance_claim")
            for row in rows.order_by("id"):
                assert row.remittance_claim is not None
                if row.claim_id not in self.claims:
                    continue
                found = self.earlier.setdefault(
                    (row.claim_id, row.remittance_claim.payer_claim_number), []
                )
                found.append(PostedEntry(row.pk, core_entry(row)))

    def _claims(self, payments: list[ClaimPayment]) -> None:
        pcns = sorted({p.patient_control_number.strip() for p in payments})
        by_pcn = _claims_by_patient_control_number(self.practice, pcns)
        self._prepare([c for group in by_pcn.values() for c in group], payments)
        names = _patient_names([c for group in by_pcn.values() if len(group) > 1 for c in group])
        for payment in payments:
            pcn = payment.patient_control_number.strip()
            choice = _choose_claim(payment, by_pcn.get(pcn, []), names)
            claim = self.claims[choice.chosen.claim_id] if choice.chosen is not None else None
            if claim is None:
                self._unknown(payment, choice)
                continue
            self._plan(payment, claim, choice)

    def _plan(
        self, payment: ClaimPayment, claim: PostingClaim, choice: ClaimChoice | None
    ) -> _Pending | None:
        """Plan `payment` on `claim` and queue it; None when it was posted on the claim already
        (a duplicate, counted)."""
        earlier: list[PostedEntry] = []
        if payment.is_reversal:
            if claim.pk in self.touched:
                # A reversal may undo what this set posted a moment ago: write it, read it.
                self._flush()
                earlier = _earlier(claim.pk, payment.payer_claim_number)
            else:
                earlier = self.earlier.get((claim.pk, payment.payer_claim_number), [])
        plan = plan_claim_payment(
            claim=_our_claim(claim),
            payment=payment,
            has_next_payer=claim.pk in self.next_payer,
            earlier=earlier,
        )
        if (claim.pk, plan.content_key) in self.posted_keys and not payment.is_reversal:
            self.result.duplicate_claims += 1
            return None
        self.posted_keys.add((claim.pk, plan.content_key))
        self.touched.add(claim.pk)
        pending = _Pending(
            payment,
            claim,
            plan,
            choice,
            payment.patient_control_number[:38],
            plan.content_key,
            list(plan.warnings),
        )
        if choice is not None and choice.tried:  # several claims had CLP01: which, and how
            pending.warnings.append(choice.message)
        self.pending.append(pending)
        if not plan.postable:
            pending.outcome = "exception"
            return pending
        result = self.result
        result.claims_posted += 1
        result.lines_posted += len({e.line_id for e in plan.entries if e.line_id})
        result.denials += len(plan.denials)
        result.warnings += [f"{payment.patient_control_number.strip()}: {w}" for w in plan.warnings]
        if plan.status is not None:
            pending.outcome = plan.status.value
            self.targets[claim.pk] = plan.status
        elif plan.is_reversal:
            pending.outcome = "reversed"
        return pending

    def _unknown(self, payment: ClaimPayment, choice: ClaimChoice) -> None:
        self.pending.append(
            _Pending(
                payment,
                None,
                None,
                choice,
                payment.patient_control_number[:38],
                payment_content_key(payment),
                [],
                "exception",
            )
        )

    def _rc_row(self, p: _Pending) -> tuple[Any, ...]:
        payment, plan = p.payment, p.plan
        matching = (
            [
                {
                    "svc": m.svc_index,
                    "line_id": m.line.line_id,
                    "method": m.method.value,
                    "detail": m.detail,
                }
                for m in plan.matching.matches
            ]
            if plan is not None
            else []
        )
        return (
            self.practice.pk,
            self.remittance.pk,
            p.claim.pk if p.claim is not None else None,
            p.patient_control_number,
            payment.status,
            decimal_to_cents(payment.charge),
            decimal_to_cents(payment.paid),
            decimal_to_cents(payment.patient_responsibility)
            if payment.patient_responsibility is not None
            else None,
            payment.payer_claim_number[:50],
            p.outcome,
            p.content_key,
            json.dumps(p.warnings),
            json.dumps(matching),
        )

    def _flush(self) -> None:
        """Write what the set has planned so far: claim payments, entries and balances,
        denials, exceptions, a few statements for any number of claims."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        ids = rows_insert(
            RemittanceClaim, _RC_COLUMNS, [self._rc_row(p) for p in pending], returning=True
        )
        placed: list[tuple[Entry, Placement]] = []
        denials: list[tuple[Any, ...]] = []
        exceptions: list[PostingException] = []
        created = connection.ops.adapt_datetimefield_value(self.moment)
        for p, rc_id in zip(pending, ids, strict=True):
            p.rc_id = rc_id
            if p.claim is None:
                exceptions.append(self._exception_unknown(p))
                continue
            assert p.plan is not None
            if not p.plan.postable:
                exceptions.append(self._exception_unmatched(p, p.plan))
                continue
            claim = p.claim
            for entry in p.plan.entries:
                line_id = entry.line_id
                placed.append(
                    (
                        entry,
                        Placement(
                            practice_id=self.practice.pk,
                            charge_line_id=claim.charge_line_of[line_id]
                            if line_id is not None
                            else None,
                            claim_id=claim.pk,
                            claim_line_id=line_id,
                            remittance_claim_id=rc_id,
                        ),
                    )
                )
            for finding in p.plan.denials:
                denials.append(
                    (
                        self.practice.pk,
                        claim.pk,
                        finding.line_id,
                        rc_id,
                        finding.group,
                        finding.carc,
                        json.dumps(list(finding.rarcs)),
                        str(finding.category.value)[:40],
                        str(finding.next_action.value)[:200],
                        finding.amount_cents,
                        DenialStatus.OPEN.value,
                        created,
                    )
                )
            if p.plan.is_reversal and p.plan.reversed_ids:
                self.reversed.append((p.plan.reversed_ids[0], rc_id))
        effective = self.remittance.payment_date or timezone.localdate(self.moment)
        entries_write(
            placed=placed,
            effective_date=effective,
            source=EntrySource.REMITTANCE,
            actor=self.by,
            now=self.moment,
        )
        rows_insert(Denial, _DENIAL_COLUMNS, denials)
        PostingException.objects.bulk_create(exceptions, batch_size=BATCH)
        self.result.exceptions += len(exceptions)
        self._mark_reversed()

    def _mark_reversed(self) -> None:
        """Point each reversed claim payment at the CLP that reversed it."""
        if not self.reversed:
            return
        reversed_, self.reversed = self.reversed, []
        original = dict(
            LedgerEntry.objects.filter(pk__in=[e for e, _rc in reversed_]).values_list(
                "pk", "remittance_claim_id"
            )
        )
        for entry_id, rc_id in reversed_:
            if original.get(entry_id) is not None:
                RemittanceClaim.objects.filter(
                    pk=original[entry_id], reversed_by__isnull=True
                ).update(reversed_by_id=rc_id)

    def _exception_unknown(self, p: _Pending) -> PostingException:
        pcn, choice = p.patient_control_number, p.choice
        detail: dict[str, Any] = {
            "paid": _money(decimal_to_cents(p.payment.paid)),
            "payer_claim_number": p.payment.payer_claim_number[:50],
        }
        if choice is not None and choice.candidates:  # claims share CLP01; none is surely it
            return PostingException(
                practice=self.practice,
                remittance=self.remittance,
                remittance_claim_id=p.rc_id,
                kind=ExceptionKind.UNKNOWN_CLAIM,
                patient_control_number=pcn,
                tried=f"CLP01 {pcn!r}: {choice.message}; match it to a claim by hand",
                detail={
                    **detail,
                    "candidates": [c.claim_id for c in choice.candidates],
                    "choice": choice.kind,
                },
            )
        return PostingException(
            practice=self.practice,
            remittance=self.remittance,
            remittance_claim_id=p.rc_id,
            kind=ExceptionKind.UNKNOWN_CLAIM,
            patient_control_number=pcn,
            tried=(
                f"CLP01 {pcn!r} is the patient control number of no claim "
                f"of practice {self.practice.slug} (looked up exactly, surrounding spaces "
                "removed); match it to a claim by hand"
            ),
            detail=detail,
        )

    def _exception_unmatched(self, p: _Pending, plan: ClaimPostingPlan) -> PostingException:
        kind = ExceptionKind.NOT_REVERSIBLE if plan.is_reversal else ExceptionKind.UNMATCHED_LINE
        return PostingException(
            practice=self.practice,
            remittance=self.remittance,
            remittance_claim_id=p.rc_id,
            kind=kind,
            patient_control_number=p.patient_control_number,
            tried="; ".join(plan.problems),
            detail={
                "problems": [
                    {"svc": q.svc_index, "kind": q.kind, "tried": list(q.tried)}
                    for q in plan.matching.problems
                ],
                "paid": _money(decimal_to_cents(p.payment.paid)),
            },
        )

    def _move_statuses(self) -> None:
        """Move each paid, partly paid or denied claim through the state machine, one bulk
        move per status."""
        groups: dict[ClaimStatus, list[PostingClaim]] = defaultdict(list)
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
        self.targets = {}
        for target, claims in groups.items():
            claims_transition_many(
                claims=claims,
                to=target,
                actor=self.by,
                note=f"835 {self.remittance.trace_number} ({self.era_file.name or 'file'}).",
                now=self.moment,
            )


def _next_payers(claims: Sequence[PostingClaim]) -> set[int]:
    """Ids of the claims whose patient has a coverage after the claim's, in force on the date
    of service."""
    patients = sorted({c.patient_id for c in claims})
    coverages: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for chunk in chunks(patients):
        for patient_id, priority, start_day, end_day in Coverage.objects.filter(
            among("patient_id", chunk), priority__gt=1
        ).values_list("patient_id", "priority", "effective_from", "effective_to"):
            coverages[patient_id].append((priority, start_day, end_day))
    out: set[int] = set()
    for claim in claims:
        day = claim.date_of_service
        if any(
            priority > claim.coverage_priority
            and start_day <= day
            and (end_day is None or day <= end_day)
            for priority, start_day, end_day in coverages.get(claim.patient_id, [])
        ):
            out.add(claim.pk)
    return out


def _earlier(claim_id: int, payer_claim_number: str) -> list[PostedEntry]:
    """The entries posted on the claim for that payer claim number (what a reversal undoes)."""
    rows = LedgerEntry.objects.filter(
        claim_id=claim_id,
        remittance_claim__payer_claim_number=payer_claim_number,
        remittance_claim__remittance__status=RemittanceStatus.POSTED,
    ).order_by("id")
    return [PostedEntry(row.pk, core_entry(row)) for row in rows]


def _patient_names(claims: Sequence[PostingClaim]) -> dict[int, tuple[str, str]]:
    """(last, first) name of the patients of `claims`, by patient id (claims that share a
    patient control number are told apart by their patient, among other things)."""
    ids = sorted({c.patient_id for c in claims})
    names: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), BATCH):
        for pk, last, first in Patient.objects.filter(
            pk__in=ids[start : start + BATCH]
        ).values_list("pk", "last_name", "first_name"):
            names[pk] = (last, first)
    return names


def _choose_claim(
    payment: ClaimPayment, claims: list[PostingClaim], names: dict[int, tuple[str, str]]
) -> ClaimChoice:
    """Our claim for `payment` among `claims` (those with its CLP01; several when imported
    claims share a number): `core.posting.claim_match.choose_claim` decides."""
    if len(claims) < 2:
        return choose_claim(
            [
                ClaimCandidate(OurClaim(c.pk, c.patient_control_number, ()), "", "", "")
                for c in claims
            ],
            payment,
        )
    candidates = [
        ClaimCandidate(
            _our_claim(c),
            member_id=c.member_id,
            last_name=names.get(c.patient_id, ("", ""))[0],
            first_name=names.get(c.patient_id, ("", ""))[1],
        )
        for c in claims
    ]
    return choose_claim(candidates, payment)


# -- one claim payment, to a claim a person chose ----------------------------------------------


class ClaimPaymentRefused(ValueError):
    """The claim payment cannot be posted to that claim (the message says why); nothing was
    written."""


@dataclass(frozen=True)
class ClaimPaymentPosting:
    """What `claim_payment_post` did: the new claim payment row, and the counts and warnings
    (denials, next-payer claims) as an import reports them."""

    remittance_claim: RemittanceClaim
    result: EraImportResult


def claim_payment_post(
    *,
    remittance: Remittance,
    claim: Claim,
    payment: ClaimPayment,
    actor: Any = None,
    now: dt.datetime | None = None,
    note: str = "",
) -> ClaimPaymentPosting:
    """Post one 835 claim payment (`payment`, a CLP of the posted `remittance`) to `claim`,
    chosen by the caller whatever CLP01 says, exactly as the import posts a matched claim.

    The payment is planned as if CLP01 were the claim's own patient control number (so its
    content key is the claim's); the row keeps the payer's CLP01 and adds `note` to its
    warnings. Entries and balances, denials, the claim's status through the state machine, and
    the next payer's claim are written in one transaction. Raises `ClaimPaymentRefused`
    (nothing written) when the payment was already posted on the claim, or the core cannot
    post it there (its lines match none of the claim's, a reversal without an earlier
    posting).
    """
    moment = now or timezone.now()
    by = actor if getattr(actor, "pk", None) else audit_service_actor(SERVICE_USER)
    result = EraImportResult(practice=remittance.practice.slug)
    sent_as = payment.patient_control_number
    moved = dataclasses.replace(payment, patient_control_number=claim.patient_control_number)
    with transaction.atomic():
        poster = _SetPoster(remittance.era_file, by, moment, result)
        poster.remittance = remittance
        claims = _claims_by_id([claim.pk])
        poster._prepare(claims, [moved])
        pending = poster._plan(moved, claims[0], None)
        if pending is None:
            raise ClaimPaymentRefused(
                f"this payment was already posted on claim {claim.patient_control_number}"
            )
        assert pending.plan is not None
        if not pending.plan.postable:
            raise ClaimPaymentRefused(
                f"the payment cannot be posted to claim {claim.patient_control_number}: "
                + "; ".join(pending.plan.problems)
            )
        pending.patient_control_number = sent_as[:38]  # what the 835 said; the claim is ours
        if note:
            pending.warnings.append(note)
        poster._finish()
        assert pending.rc_id is not None
        row = RemittanceClaim.objects.get(pk=pending.rc_id)
    return ClaimPaymentPosting(row, result)


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
