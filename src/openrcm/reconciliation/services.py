"""Writes of reconciliation: deposits entered or imported from a bank CSV, and their matches.

- `deposit_create`: one deposit a person enters (an EFT seen on the bank's site, a check).
- `deposits_import_csv`: a bank's CSV export, all or nothing. The file is read in full by the
  core (`openrcm.core.reconciliation.bank_csv`) before anything is written: a row that cannot be
  read refuses the whole file, naming the row and column. The same file again (by SHA-256)
  imports nothing and says when it was imported; a line already imported from an earlier,
  overlapping export (same date, amount and bank text) is skipped as a duplicate. Credits become
  deposits; debits and zero amounts are counted and skipped.
- `deposits_match`: the core's rules (`openrcm.core.reconciliation.matching`) over the
  practice's unmatched deposits and unmatched remittances: trace and amount match by
  themselves; a trace with a different amount is a discrepancy and amount-and-date pairs are
  suggestions, both left for a person.
- `deposit_match_manual` / `deposit_unmatch`: a person's pairing (or confirmed suggestion) and
  its undoing; every match and unmatch is audited and kept (an unmatch ends the match).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from openrcm.audit.services import audit_record, audit_service_actor
from openrcm.core.reconciliation.bank_csv import (
    BankCsvError,
    BankLine,
    normalize_trace,
    parse_bank_csv,
)
from openrcm.core.reconciliation.matching import (
    DepositItem,
    MatchPlan,
    RemittanceItem,
    plan_matches,
)
from openrcm.files.models import StoredFileKind
from openrcm.files.services import UploadRefused, file_store, upload_max_bytes
from openrcm.posting.models import Remittance, RemittanceStatus
from openrcm.reconciliation.models import (
    BankImport,
    Deposit,
    DepositMatch,
    DepositMethod,
    DepositSource,
    MatchMethod,
)
from openrcm.tenancy.models import Practice

__all__ = [
    "BankCsvError",
    "BankImportResult",
    "MatchResult",
    "ReconciliationError",
    "deposit_create",
    "deposit_match_manual",
    "deposit_unmatch",
    "deposits_import_csv",
    "deposits_match",
    "eligible_remittances",
    "money",
    "unmatched_deposits",
    "unmatched_remittances",
]

SERVICE_USER = "reconciliation"


class ReconciliationError(ValueError):
    """A deposit or match refused for what it says: nothing was written."""


def money(cents: int) -> str:
    """Cents as the amount string of every face: ``"1234.50"``, ``"-3.00"``."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else audit_service_actor(SERVICE_USER)


# -- what is still open ------------------------------------------------------------------------


def _live_matches() -> QuerySet[DepositMatch]:
    return DepositMatch.objects.filter(ended_at__isnull=True)


def eligible_remittances(*, practice: Practice) -> QuerySet[Remittance]:
    """The practice's posted remittances that move money to it (a credit, more than zero):
    the ones a deposit can pay. Zero-pay notices and debits never meet a deposit."""
    return Remittance.objects.filter(
        practice=practice, status=RemittanceStatus.POSTED, payment_cents__gt=0
    ).exclude(credit_debit="D")


def unmatched_remittances(*, practice: Practice) -> QuerySet[Remittance]:
    """The practice's remittances that move money and have no live match."""
    return eligible_remittances(practice=practice).exclude(
        Exists(_live_matches().filter(remittance=OuterRef("pk")))
    )


def unmatched_deposits(*, practice: Practice) -> QuerySet[Deposit]:
    """The practice's deposits with no live match."""
    return Deposit.objects.filter(practice=practice).exclude(
        Exists(_live_matches().filter(deposit=OuterRef("pk")))
    )


def deposit_item(deposit: Deposit) -> DepositItem:
    return DepositItem(
        id=deposit.pk,
        day=deposit.deposited_on,
        cents=deposit.cents,
        trace=deposit.trace_number,
        originator=deposit.trace_originator,
    )


def remittance_day(remittance: Remittance) -> dt.date:
    """The day a remittance's money moves: BPR16, else the day it was posted."""
    return remittance.payment_date or timezone.localdate(remittance.posted_at)


def remittance_item(remittance: Remittance) -> RemittanceItem:
    return RemittanceItem(
        id=remittance.pk,
        day=remittance_day(remittance),
        cents=remittance.payment_cents,
        trace=remittance.trace_number,
        originator=remittance.trace_originator,
    )


def match_plan(deposits: Iterable[Deposit], remittances: Iterable[Remittance]) -> MatchPlan:
    """The core's rules over these (unmatched) deposits and remittances."""
    return plan_matches(
        [deposit_item(d) for d in deposits], [remittance_item(r) for r in remittances]
    )


# -- deposits ----------------------------------------------------------------------------------


def _clean_method(method: str) -> str:
    value = str(method).strip().lower()
    aliases = {"ach": "eft", "chk": "check", "cheque": "check"}
    value = aliases.get(value, value)
    if value not in DepositMethod.values:
        raise ReconciliationError(
            f"method {method!r} is not one of: {', '.join(DepositMethod.values)}"
        )
    return value


def deposit_create(
    *,
    practice: Practice,
    deposited_on: dt.date,
    cents: int,
    method: str,
    trace_number: str = "",
    trace_originator: str = "",
    bank_reference: str = "",
    payer_name: str = "",
    note: str = "",
    actor: Any = None,
    now: dt.datetime | None = None,
) -> Deposit:
    """Record one deposit a person entered (an EFT seen at the bank, a check deposited).

    `cents` must be positive; `trace_number` is the EFT's TRN02 or the check's number (what the
    835's TRN02 says), which is what matching looks for. Audited (create).
    """
    if isinstance(cents, bool) or not isinstance(cents, int) or cents <= 0:
        raise ReconciliationError(f"amount: a deposit is more than 0.00 (got {cents!r} cents)")
    if not isinstance(deposited_on, dt.date):
        raise ReconciliationError("deposited on: a date is needed")
    clean = _clean_method(method)
    trace = trace_number.strip()
    if len(trace) > 50:
        raise ReconciliationError("trace number: at most 50 characters")
    by = _actor(actor)
    with transaction.atomic():
        deposit = Deposit.objects.create(
            practice=practice,
            deposited_on=deposited_on,
            cents=cents,
            method=clean,
            trace_number=trace,
            trace_originator=trace_originator.strip()[:10],
            bank_reference=bank_reference.strip()[:400],
            payer_name=payer_name.strip()[:100],
            note=note.strip()[:200],
            source=DepositSource.MANUAL,
            created_at=now or timezone.now(),
            created_by=by,
        )
        audit_record(
            action="create",
            actor=by,
            target=deposit,
            detail={"amount": deposit.amount, "method": clean, "trace_number": trace},
        )
    return deposit


# -- bank CSV ----------------------------------------------------------------------------------


@dataclass
class BankImportResult:
    """What an import did. `as_json()` is what `openrcm deposits import --json` prints."""

    practice: str = ""
    sha256: str = ""
    name: str = ""
    rows: int = 0
    deposits_created: int = 0
    deposits_cents: int = 0
    skipped: int = 0
    duplicates: int = 0
    already_imported: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    deposit_ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "practice": self.practice,
            "file": self.name,
            "sha256": self.sha256,
            "rows": self.rows,
            "deposits_created": self.deposits_created,
            "deposits_amount": money(self.deposits_cents),
            "skipped": self.skipped,
            "duplicates": self.duplicates,
            "already_imported": self.already_imported,
            "columns": self.columns,
            "deposit_ids": self.deposit_ids,
            "warnings": self.warnings,
        }


def _line_key(line: BankLine) -> str:
    text = "|".join(
        (
            line.date.isoformat(),
            str(line.cents),
            line.direction.value,
            " ".join(line.description.upper().split()),
            line.reference.strip().upper(),
            normalize_trace(line.check_number),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()


def deposits_import_csv(
    *,
    practice: Practice,
    data: bytes,
    name: str = "",
    actor: Any = None,
    mapping: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> BankImportResult:
    """Import a bank's CSV export as deposits, all or nothing (see the module docstring).

    `mapping` names the file's header for any of our fields (`date`, `amount`, `credit`,
    `debit`, `description`, `type`, `reference`, `check_number`, `payer`) when the defaults do
    not find it. Raises `BankCsvError` (every bad row and column named) or
    `ReconciliationError`, with nothing written.
    """
    raw = bytes(data)
    if len(raw) > upload_max_bytes():
        raise ReconciliationError(f"{name or 'the file'}: larger than the upload limit")
    sha = hashlib.sha256(raw).hexdigest()
    result = BankImportResult(practice=practice.slug, sha256=sha, name=name)
    earlier = BankImport.objects.filter(practice=practice, sha256=sha).first()
    if earlier is not None:
        result.already_imported = True
        result.rows = earlier.rows
        result.columns = dict(earlier.columns)
        result.warnings.append(
            f"this file was imported on {earlier.imported_at:%Y-%m-%d %H:%M} UTC "
            f"({earlier.deposits_created} deposits): nothing new imported"
        )
        return result
    parsed = parse_bank_csv(raw, name=name, mapping=mapping)  # raises before any write
    moment = now or timezone.now()
    by = _actor(actor)
    result.rows = len(parsed.lines)
    result.columns = parsed.columns
    result.skipped = len(parsed.skipped)
    with transaction.atomic():
        try:
            stored = file_store(
                data=raw,
                kind=StoredFileKind.CSV,
                practice=practice,
                original_name=name,
                actor=by,
            )
        except UploadRefused as exc:
            raise ReconciliationError(str(exc)) from exc
        bank_import = BankImport.objects.create(
            practice=practice,
            stored=stored,
            name=stored.original_name,
            sha256=sha,
            columns=parsed.columns,
            imported_at=moment,
            imported_by=by,
        )
        keys = [_line_key(line) for line in parsed.deposits]
        known: dict[str, int] = {}
        for key in Deposit.objects.filter(practice=practice, line_key__in=set(keys)).values_list(
            "line_key", flat=True
        ):
            known[key] = known.get(key, 0) + 1
        rows: list[Deposit] = []
        for line, key in zip(parsed.deposits, keys, strict=True):
            if known.get(key, 0) > 0:
                known[key] -= 1
                result.duplicates += 1
                continue
            bank_text = " ".join(part for part in (line.description, line.reference) if part)
            rows.append(
                Deposit(
                    practice=practice,
                    deposited_on=line.date,
                    cents=line.cents,
                    method=line.method.value,
                    trace_number=line.trace_number[:50],
                    trace_originator=line.trace_originator[:10],
                    bank_reference=bank_text[:400],
                    payer_name=line.payer_name,
                    source=DepositSource.CSV,
                    bank_import=bank_import,
                    row_number=line.row,
                    line_key=key,
                    created_at=moment,
                    created_by=by,
                )
            )
        created = Deposit.objects.bulk_create(rows)
        result.deposits_created = len(created)
        result.deposits_cents = sum(d.cents for d in created)
        result.deposit_ids = list(bank_import.deposits.order_by("id").values_list("pk", flat=True))
        BankImport.objects.filter(pk=bank_import.pk).update(
            rows=result.rows,
            deposits_created=result.deposits_created,
            skipped=result.skipped,
            duplicates=result.duplicates,
        )
        if result.duplicates:
            result.warnings.append(
                f"{result.duplicates} line(s) already imported from an earlier file: skipped"
            )
        audit_record(
            action="import",
            actor=by,
            target=bank_import,
            detail={
                "rows": result.rows,
                "deposits": result.deposits_created,
                "skipped": result.skipped,
                "duplicates": result.duplicates,
                "amount": money(result.deposits_cents),
            },
        )
    return result


# -- matching ----------------------------------------------------------------------------------


@dataclass
class MatchResult:
    """What `deposits_match` did and left. `as_json()` is `openrcm deposits match --json`."""

    practice: str = ""
    matched: list[dict[str, Any]] = field(default_factory=list)
    discrepancies: list[dict[str, Any]] = field(default_factory=list)
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    unmatched_deposits: int = 0
    unmatched_remittances: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "practice": self.practice,
            "matched": len(self.matched),
            "matches": self.matched,
            "discrepancies": self.discrepancies,
            "suggestions": self.suggestions,
            "unmatched_deposits": self.unmatched_deposits,
            "unmatched_remittances": self.unmatched_remittances,
        }


def _write_matches(
    deposit: Deposit,
    remittances: Sequence[Remittance],
    *,
    method: str,
    by: Any,
    moment: dt.datetime,
    note: str = "",
) -> list[DepositMatch]:
    rows = [
        DepositMatch.objects.create(
            practice=deposit.practice,
            deposit=deposit,
            remittance=remittance,
            method=method,
            note=note,
            matched_at=moment,
            matched_by=by,
        )
        for remittance in remittances
    ]
    audit_record(
        action="update",
        actor=by,
        target=deposit,
        detail={
            "matched": [r.pk for r in remittances],
            "traces": [r.trace_number for r in remittances],
            "method": method,
            "amount": deposit.amount,
            "note": note,
        },
    )
    return rows


def deposits_match(
    *, practice: Practice, actor: Any = None, now: dt.datetime | None = None
) -> MatchResult:
    """Match the practice's unmatched deposits to its unmatched remittances by trace number
    and amount (the core's rules); discrepancies and amount-and-date suggestions are reported,
    not matched. Idempotent: what is matched stays, a second run finds nothing new."""
    moment = now or timezone.now()
    by = _actor(actor)
    result = MatchResult(practice=practice.slug)
    with transaction.atomic():
        deposits = {d.pk: d for d in unmatched_deposits(practice=practice).select_for_update()}
        remittances = {r.pk: r for r in unmatched_remittances(practice=practice)}
        plan = match_plan(deposits.values(), remittances.values())
        rows = [
            DepositMatch(
                practice=practice,
                deposit=deposits[deposit_id],
                remittance=remittances[remit_id],
                method=MatchMethod.TRACE_AMOUNT,
                matched_at=moment,
                matched_by=by,
            )
            for deposit_id, remit_ids in plan.matches
            for remit_id in remit_ids
        ]
        DepositMatch.objects.bulk_create(rows)
        for deposit_id, remit_ids in plan.matches:
            deposit = deposits[deposit_id]
            result.matched.append(
                {
                    "deposit_id": deposit.pk,
                    "amount": deposit.amount,
                    "trace_number": deposit.trace_number,
                    "remittance_ids": list(remit_ids),
                }
            )
        if rows:
            # One event for the run (the match rows themselves say who matched what, when):
            # a year's first matching may pair thousands of deposits.
            ids = [row.pk for row in rows if row.pk is not None]
            audit_record(
                action="create",
                actor=by,
                practice=practice,
                object_type="reconciliation.depositmatch",
                object_id=str(min(ids)) if ids else "",
                detail={
                    "method": MatchMethod.TRACE_AMOUNT.value,
                    "deposits": len(plan.matches),
                    "matches": len(rows),
                    "first_match_id": min(ids) if ids else None,
                    "last_match_id": max(ids) if ids else None,
                },
            )
        for found in plan.discrepancies:
            deposit = deposits[found.deposit_id]
            result.discrepancies.append(
                {
                    "deposit_id": deposit.pk,
                    "trace_number": deposit.trace_number,
                    "deposit_amount": money(found.deposit_cents),
                    "remittance_ids": list(found.remittance_ids),
                    "remittance_amount": money(found.remittance_cents),
                    "difference": money(found.difference_cents),
                }
            )
        for deposit_id, remit_id in plan.suggestions:
            result.suggestions.append(
                {
                    "deposit_id": deposit_id,
                    "remittance_id": remit_id,
                    "amount": deposits[deposit_id].amount,
                    "method": MatchMethod.AMOUNT_DATE.value,
                }
            )
        result.unmatched_deposits = len(deposits) - len(plan.matches)
        result.unmatched_remittances = len(remittances) - len(plan.matched_remittance_ids)
    return result


def deposit_match_manual(
    *,
    deposit: Deposit,
    remittances: Sequence[Remittance],
    actor: Any,
    note: str = "",
    method: str = MatchMethod.MANUAL,
    now: dt.datetime | None = None,
) -> list[DepositMatch]:
    """A person pairs `deposit` with `remittances` (a check with its 835, a confirmed
    amount-and-date suggestion: `method="amount_date"`). Refused (ReconciliationError) when the
    deposit or a remittance is already matched, belongs to another practice, moves no money, or
    when the amounts differ and no `note` says why. Audited (update of the deposit)."""
    if method not in (MatchMethod.MANUAL, MatchMethod.AMOUNT_DATE):
        raise ReconciliationError(f"a person's match is manual or amount_date, not {method!r}")
    if not remittances:
        raise ReconciliationError("choose at least one remittance")
    moment = now or timezone.now()
    by = _actor(actor)
    with transaction.atomic():
        locked = Deposit.objects.select_for_update().get(pk=deposit.pk)
        if _live_matches().filter(deposit=locked).exists():
            raise ReconciliationError(f"deposit {locked.pk} is already matched: unmatch it first")
        ids = sorted({r.pk for r in remittances})
        found = {r.pk: r for r in eligible_remittances(practice=locked.practice).filter(pk__in=ids)}
        taken = set(
            _live_matches().filter(remittance_id__in=ids).values_list("remittance_id", flat=True)
        )
        for pk in ids:
            remit = found.get(pk)
            if remit is None:
                raise ReconciliationError(
                    f"remittance {pk} is not a posted payment of {locked.practice.slug}"
                )
            if pk in taken:
                raise ReconciliationError(
                    f"remittance {pk} (trace {remit.trace_number}) is already matched"
                )
        chosen = [found[pk] for pk in ids]
        total = sum(r.payment_cents for r in chosen)
        if total != locked.cents and not note.strip():
            raise ReconciliationError(
                f"the deposit is {locked.amount} but the remittances pay {money(total)}: "
                "give a note saying why to match them anyway"
            )
        return _write_matches(locked, chosen, method=method, by=by, moment=moment, note=note)


def deposit_unmatch(
    *, deposit: Deposit, actor: Any, reason: str = "", now: dt.datetime | None = None
) -> int:
    """End the deposit's live matches (kept, with who and why); returns how many. Audited."""
    moment = now or timezone.now()
    by = _actor(actor)
    with transaction.atomic():
        live = list(_live_matches().select_for_update().filter(deposit=deposit))
        if not live:
            raise ReconciliationError(f"deposit {deposit.pk} is not matched")
        DepositMatch.objects.filter(pk__in=[m.pk for m in live]).update(
            ended_at=moment, ended_by=by, end_reason=reason.strip()[:200]
        )
        audit_record(
            action="update",
            actor=by,
            target=deposit,
            detail={"unmatched": [m.remittance_id for m in live], "reason": reason},
        )
    return len(live)
