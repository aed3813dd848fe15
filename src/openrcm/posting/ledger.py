"""Writes of the ledger: entries and the balances they move, in one transaction.

Every write here goes through :func:`entries_write`: it turns the core's entries
(`openrcm.core.posting.entries.Entry`) into `LedgerEntry` rows and adds each entry's
`effect()` to its balance row, locked with `select_for_update` (rows locked in id order, so two
postings on the same lines wait for each other instead of deadlocking). :func:`ledger_recompute`
sums the entries again for `openrcm ledger check`.

Charges enter the ledger when a claim is first submitted (`clearinghouse.services` calls
:func:`ledger_charges_post` when a batch goes out): a draft's lines are still rebuilt from its
encounter, a submitted claim's are not. The 835 import posts them too, for any claim it pays
whose charges are not on the ledger yet (a claim sent before the ledger existed, or on paper),
so a payment never lands on a line without its charge. One charge per charge line: the
secondary claim bills the same charge lines and posts no second charge.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from openrcm.claims.models import Claim, ClaimLine
from openrcm.core.posting.entries import Bucket, Entry, EntryKind, PatientReason, effect
from openrcm.encounters.models import ChargeLine
from openrcm.posting.balance_keys import charge_balances_keyed
from openrcm.posting.models import ChargeBalance, EntrySource, LedgerDaySum, LedgerEntry
from openrcm.posting.rows import among, chunks, rows_add, rows_insert
from openrcm.tenancy.models import Practice

BATCH = 500  # rows per statement (SQLite's bound-parameter limit, PostgreSQL's plan size)

# A balance row's key: ("line", charge line id) or ("claim", claim id) for claim-level entries.
type BalanceKey = tuple[str, int]


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def core_entry(row: LedgerEntry) -> Entry:
    """The core's view of a stored entry (for `effect`, `balances` and `totals_by_kind`)."""
    return Entry(
        kind=EntryKind(row.kind),
        cents=row.cents,
        bucket=Bucket(row.bucket),
        line_id=row.claim_line_id,
        group=row.group_code,
        carc=row.carc,
        rarcs=tuple(row.rarcs or ()),
        reason=PatientReason(row.patient_reason) if row.patient_reason else None,
        reverses=row.reverses_id,
        note=row.note,
    )


def _key(charge_line_id: int | None, claim_id: int | None) -> BalanceKey:
    if charge_line_id is not None:
        return ("line", charge_line_id)
    if claim_id is None:
        raise ValueError("a ledger entry needs a charge line or a claim")
    return ("claim", claim_id)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an entry goes: practice, charge line (None for claim level), claim, claim line,
    and the 835 claim payment it came from."""

    practice_id: int
    charge_line_id: int | None
    claim_id: int | None
    claim_line_id: int | None
    remittance_claim_id: int | None = None


RAW_OVER = 200  # more entries than this go in as plain rows (an 835 of thousands of claims)


def entries_write(
    *,
    placed: Sequence[tuple[Entry, Placement]],
    effective_date: dt.date,
    source: str,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> list[LedgerEntry]:
    """Store `placed` entries and move their balances, all in one transaction.

    Each core `Entry` is stored with its placement; `entry.reverses` (an entry id) becomes the
    row's `reverses`. Balances change by the core's `effect()` only. Returns the rows, with
    their ids, for up to RAW_OVER entries; a larger write (an 835's) inserts plain rows, many
    to a statement, and returns none: model instances would cost more than the posting.
    """
    if not placed:
        return []
    moment = now or timezone.now()
    by = _user(actor)
    deltas: dict[BalanceKey, list[int]] = defaultdict(lambda: [0, 0])
    practice_of: dict[BalanceKey, int] = {}
    for entry, where in placed:
        key = _key(where.charge_line_id, where.claim_id)
        insurance, patient = effect(entry)
        deltas[key][0] += insurance
        deltas[key][1] += patient
        practice_of[key] = where.practice_id
    with transaction.atomic():
        if len(placed) > RAW_OVER:
            _entries_insert(placed, effective_date, source, by, moment)
            rows: list[LedgerEntry] = []
        else:
            rows = [
                LedgerEntry(
                    practice_id=where.practice_id,
                    charge_line_id=where.charge_line_id,
                    claim_id=where.claim_id,
                    claim_line_id=where.claim_line_id,
                    kind=entry.kind.value,
                    cents=entry.cents,
                    bucket=entry.bucket.value,
                    group_code=entry.group,
                    carc=entry.carc,
                    rarcs=list(entry.rarcs),
                    patient_reason=entry.reason.value if entry.reason is not None else "",
                    effective_date=effective_date,
                    created_at=moment,
                    created_by=by,
                    source=source,
                    remittance_claim_id=where.remittance_claim_id,
                    reverses_id=entry.reverses,
                    note=entry.note[:200],
                )
                for entry, where in placed
            ]
            LedgerEntry.objects.bulk_create(rows, batch_size=BATCH)
        _balances_move(deltas, practice_of, moment)
        # Last: the day sums of a payment date are the rows every posting of that day shares,
        # so their row locks are held for the shortest time.
        _day_sums_add(placed, effective_date)
    return rows


# A day sum's key: practice id, effective date, date of service, kind, bucket.
type DaySumKey = tuple[int, dt.date, dt.date, str, str]


def _service_dates(placed: Sequence[tuple[Entry, Placement]]) -> dict[BalanceKey, dt.date]:
    """The date of service of each entry's holder: its charge line's encounter, or (an entry on
    a whole claim) its claim's encounter."""
    line_ids = sorted({w.charge_line_id for _e, w in placed if w.charge_line_id is not None})
    claim_ids = sorted(
        {w.claim_id for _e, w in placed if w.charge_line_id is None and w.claim_id is not None}
    )
    dates: dict[BalanceKey, dt.date] = {}
    served = "encounter__date_of_service"
    for chunk in chunks(line_ids):
        for pk, day in ChargeLine.objects.filter(among("pk", chunk)).values_list("pk", served):
            dates[("line", pk)] = day
    for chunk in chunks(claim_ids):
        for pk, day in Claim.objects.filter(among("pk", chunk)).values_list("pk", served):
            dates[("claim", pk)] = day
    return dates


def _day_sums_add(placed: Sequence[tuple[Entry, Placement]], effective_date: dt.date) -> None:
    """Add the entries' cents to their :class:`LedgerDaySum` rows, creating missing ones: one
    ``INSERT ... ON CONFLICT DO UPDATE SET cents = cents + excluded.cents`` per BATCH keys (the
    same SQL on SQLite and PostgreSQL). Keys go in sorted order, so two postings touching the
    same rows wait for each other instead of deadlocking."""
    dates = _service_dates(placed)
    sums: dict[DaySumKey, int] = defaultdict(int)
    for entry, where in placed:
        served = dates[_key(where.charge_line_id, where.claim_id)]
        key = (where.practice_id, effective_date, served, entry.kind.value, entry.bucket.value)
        sums[key] += entry.cents
    day_sums_upsert(sums)


_SUM_KEY = ("practice_id", "effective_date", "service_date", "kind", "bucket")


def day_sums_upsert(sums: dict[DaySumKey, int]) -> None:
    """Add ``sums`` (cents per day-sum key) to the stored :class:`LedgerDaySum` rows."""
    ops = connection.ops
    table = ops.quote_name(LedgerDaySum._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in (*_SUM_KEY, "cents"))
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
    tail = (
        f" ON CONFLICT ({', '.join(ops.quote_name(c) for c in _SUM_KEY)}) DO UPDATE SET "
        f"cents = {table}.cents + excluded.cents"
    )
    rows = [
        (
            practice,
            ops.adapt_datefield_value(effective),
            ops.adapt_datefield_value(served),
            kind,
            bucket,
            cents,
        )
        for (practice, effective, served, kind, bucket), cents in sorted(sums.items())
        if cents
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            cursor.execute(
                head + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk)) + tail,
                [v for row in chunk for v in row],
            )


_COLUMNS = (
    "practice_id", "charge_line_id", "claim_id", "claim_line_id", "kind", "cents", "bucket",
    "group_code", "carc", "rarcs", "patient_reason", "effective_date", "created_at",
    "created_by_id", "source", "remittance_claim_id", "reverses_id", "note",
)  # fmt: skip


def _entries_insert(
    placed: Sequence[tuple[Entry, Placement]],
    effective_date: dt.date,
    source: str,
    by: Any,
    moment: dt.datetime,
) -> None:
    """INSERT the entries as plain rows (`rows.rows_insert`: same columns and values as the
    model would write)."""
    ops = connection.ops
    day = ops.adapt_datefield_value(effective_date)
    at = ops.adapt_datetimefield_value(moment)
    user_id = by.pk if by is not None else None
    values = [
        (
            where.practice_id,
            where.charge_line_id,
            where.claim_id,
            where.claim_line_id,
            entry.kind.value,
            entry.cents,
            entry.bucket.value,
            entry.group,
            entry.carc,
            json.dumps(list(entry.rarcs)),
            entry.reason.value if entry.reason is not None else "",
            day,
            at,
            user_id,
            source,
            where.remittance_claim_id,
            entry.reverses,
            entry.note[:200],
        )
        for entry, where in placed
    ]
    rows_insert(LedgerEntry, _COLUMNS, values)


def _balances_move(
    deltas: dict[BalanceKey, list[int]], practice_of: dict[BalanceKey, int], moment: dt.datetime
) -> None:
    """Add each key's deltas to its balance row (locked first), creating missing rows."""
    line_ids = sorted(k[1] for k in deltas if k[0] == "line")
    claim_ids = sorted(k[1] for k in deltas if k[0] == "claim")
    found: dict[BalanceKey, int] = {}
    locked = ChargeBalance.objects.select_for_update()
    for chunk in chunks(line_ids):
        for pk, charge_line_id, claim_id in locked.filter(
            among("charge_line_id", chunk)
        ).values_list("pk", "charge_line_id", "claim_id"):
            found[_key(charge_line_id, claim_id)] = pk
    for chunk in chunks(claim_ids):
        for pk, charge_line_id, claim_id in locked.filter(
            among("claim_id", chunk), charge_line__isnull=True
        ).values_list("pk", "charge_line_id", "claim_id"):
            found[_key(charge_line_id, claim_id)] = pk
    created: list[ChargeBalance] = []
    changed: list[tuple[int, int, int]] = []
    at = connection.ops.adapt_datetimefield_value(moment)
    for key, (insurance, patient) in deltas.items():
        row_id = found.get(key)
        if row_id is None:
            created.append(
                ChargeBalance(
                    practice_id=practice_of[key],
                    charge_line_id=key[1] if key[0] == "line" else None,
                    claim_id=key[1] if key[0] == "claim" else None,
                    insurance_cents=insurance,
                    patient_cents=patient,
                    updated_at=moment,
                )
            )
        elif insurance or patient:
            changed.append((row_id, insurance, patient))
    if created:
        charge_balances_keyed(created)  # the aging's keys, set as the rows go in
        ChargeBalance.objects.bulk_create(created, batch_size=BATCH)
    # Added in the database, not written back from what was read: the row lock above and
    # this arithmetic both keep a concurrent posting from being lost.
    rows_add(ChargeBalance, ("insurance_cents", "patient_cents"), changed, also={"updated_at": at})


def ledger_charges_post(
    *, claims: Iterable[Claim], actor: Any = None, now: dt.datetime | None = None
) -> int:
    """Post the CHARGE of every line of `claims` whose charge line has none yet (idempotent:
    a charge line is charged once, whichever payer's claim bills it). Returns how many."""
    claim_ids = [c.pk for c in claims]
    if not claim_ids:
        return 0
    moment = now or timezone.now()
    with transaction.atomic():
        # Plain rows, and only the lines whose charge line has no charge yet (NOT EXISTS on
        # the index ledger_one_charge_per_line): an 835 of thousands of claims checks every
        # line here, nearly all of them charged when their claim went out.
        charge = LedgerEntry.objects.filter(
            kind=EntryKind.CHARGE.value, charge_line_id=OuterRef("charge_line_id")
        )
        lines: list[tuple[int, int, int, int, int]] = []
        for chunk in chunks(claim_ids):
            lines += (
                ClaimLine.objects.filter(among("claim_id", chunk), ~Exists(charge))
                .exclude(charge_cents=0)
                .order_by("claim_id", "line_number")
                .values_list("pk", "practice_id", "claim_id", "charge_line_id", "charge_cents")
            )
        charged: set[int] = set()  # two claims of the same charge line (primary, secondary)
        placed: list[tuple[Entry, Placement]] = []
        for pk, practice_id, claim_id, charge_line_id, charge_cents in lines:
            if charge_line_id in charged:
                continue
            charged.add(charge_line_id)
            placed.append(
                (
                    Entry(EntryKind.CHARGE, charge_cents, line_id=pk),
                    Placement(practice_id, charge_line_id, claim_id, pk),
                )
            )
        entries_write(
            placed=placed,
            effective_date=timezone.localdate(moment),
            source=EntrySource.CLAIM,
            actor=actor,
            now=moment,
        )
    return len(placed)


@dataclass(frozen=True, slots=True)
class BalanceDifference:
    """A stored balance that is not what its entries sum to."""

    practice_slug: str
    claim_pcn: str
    line: str
    stored: tuple[int, int]
    recomputed: tuple[int, int]

    def __str__(self) -> str:
        def money(pair: tuple[int, int]) -> str:
            return f"insurance {pair[0] / 100:.2f}, patient {pair[1] / 100:.2f}"

        return (
            f"practice {self.practice_slug}, claim {self.claim_pcn}, {self.line}: "
            f"stored {money(self.stored)}, recomputed {money(self.recomputed)}"
        )


def _unit_effect(kind: str, bucket: str, reason: str) -> tuple[int, int]:
    """The core's `effect()` of one cent of `kind` on `bucket` (it is linear in the cents)."""
    key = (kind, bucket, reason)
    unit = _UNIT_EFFECTS.get(key)
    if unit is None:
        unit = effect(
            Entry(
                EntryKind(kind),
                1,
                bucket=Bucket(bucket),
                reason=PatientReason(reason) if reason else None,
            )
        )
        _UNIT_EFFECTS[key] = unit
    return unit


_UNIT_EFFECTS: dict[tuple[str, str, str], tuple[int, int]] = {}


def ledger_recompute() -> dict[BalanceKey, tuple[int, int]]:
    """Every balance as the entries sum to, by the core's `effect()` (per kind and bucket, times
    the cents: the rule is linear, so millions of entries need no object each)."""
    sums: dict[BalanceKey, list[int]] = defaultdict(lambda: [0, 0])
    rows = LedgerEntry.objects.order_by().values_list(
        "charge_line_id", "claim_id", "kind", "bucket", "patient_reason", "cents"
    )
    for charge_line_id, claim_id, kind, bucket, reason, cents in rows.iterator(chunk_size=5000):
        insurance, patient = _unit_effect(kind, bucket, reason)
        key = _key(charge_line_id, claim_id)
        sums[key][0] += insurance * cents
        sums[key][1] += patient * cents
    return {key: (v[0], v[1]) for key, v in sums.items()}


@dataclass(frozen=True, slots=True)
class ReferenceDifference:
    """An entry whose practice, claim, claim line or user is missing or disagrees with the
    others (these have no foreign key in the database: `LedgerEntry`'s docstring)."""

    entry_id: int
    problem: str

    def __str__(self) -> str:
        return f"ledger entry {self.entry_id}: {self.problem}"


def ledger_references_check() -> list[ReferenceDifference]:
    """Entries whose practice, claim, claim line or user does not exist, or whose claim line
    is not a line of its claim or does not bill its charge line, or whose practice is not that
    of its charge line or claim. One query; empty when every reference holds."""
    quote = connection.ops.quote_name

    def table(model: Any) -> str:
        return quote(model._meta.db_table)

    user = LedgerEntry._meta.get_field("created_by").related_model
    checks = (
        ("p.id IS NULL", "its practice does not exist"),
        ("e.claim_id IS NOT NULL AND c.id IS NULL", "its claim does not exist"),
        ("c.practice_id <> e.practice_id", "its claim is another practice's"),
        ("e.claim_line_id IS NOT NULL AND l.id IS NULL", "its claim line does not exist"),
        ("l.claim_id <> e.claim_id OR (l.id IS NOT NULL AND e.claim_id IS NULL)",
         "its claim line is not a line of its claim"),
        ("l.charge_line_id <> e.charge_line_id OR (l.id IS NOT NULL AND e.charge_line_id IS NULL)",
         "its claim line bills another charge line"),
        ("g.practice_id <> e.practice_id", "its charge line is another practice's"),
        ("e.created_by_id IS NOT NULL AND u.id IS NULL", "its user does not exist"),
    )  # fmt: skip
    cases = " ".join(f"WHEN {condition} THEN {i}" for i, (condition, _w) in enumerate(checks))
    sql = (
        f"SELECT e.id, CASE {cases} END AS problem "  # noqa: S608 - names from the models
        f"FROM {table(LedgerEntry)} e "
        f"LEFT JOIN {table(Practice)} p ON p.id = e.practice_id "
        f"LEFT JOIN {table(Claim)} c ON c.id = e.claim_id "
        f"LEFT JOIN {table(ClaimLine)} l ON l.id = e.claim_line_id "
        f"LEFT JOIN {table(ChargeLine)} g ON g.id = e.charge_line_id "
        f"LEFT JOIN {table(user)} u ON u.id = e.created_by_id "
        f"WHERE {' OR '.join(f'({condition})' for condition, _w in checks)} ORDER BY e.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [ReferenceDifference(pk, checks[problem][1]) for pk, problem in cursor.fetchall()]


def ledger_check() -> list[BalanceDifference | ReferenceDifference]:
    """Compare every stored balance with its recomputation from the entries, and check every
    entry's references (`ledger_references_check`); the differences, each naming practice,
    claim and line, or the entry (empty when the books agree)."""
    references: list[BalanceDifference | ReferenceDifference] = [*ledger_references_check()]
    return references + _balances_check()


def _balances_check() -> list[BalanceDifference]:
    recomputed = ledger_recompute()
    stored: dict[BalanceKey, tuple[int, int]] = {}
    for charge_line_id, claim_id, insurance, patient in ChargeBalance.objects.values_list(
        "charge_line_id", "claim_id", "insurance_cents", "patient_cents"
    ).iterator(chunk_size=5000):
        stored[_key(charge_line_id, claim_id)] = (insurance, patient)
    bad = sorted(
        key for key in set(stored) | set(recomputed)
        if stored.get(key, (0, 0)) != recomputed.get(key, (0, 0))
    )  # fmt: skip
    if not bad:
        return []
    return [_describe(key, stored.get(key, (0, 0)), recomputed.get(key, (0, 0))) for key in bad]


def _describe(
    key: BalanceKey, stored: tuple[int, int], recomputed: tuple[int, int]
) -> BalanceDifference:
    if key[0] == "claim":
        claim = Claim.objects.select_related("practice").get(pk=key[1])
        return BalanceDifference(
            claim.practice.slug, claim.patient_control_number, "claim level", stored, recomputed
        )
    line = (
        ClaimLine.objects.filter(charge_line_id=key[1])
        .select_related("claim__practice", "charge_line")
        .order_by("claim__sequence", "claim_id")
        .first()
    )
    if line is None:  # a charge line no claim bills (a patient-only charge)
        entry = LedgerEntry.objects.filter(charge_line_id=key[1]).select_related("practice").first()
        slug = entry.practice.slug if entry is not None else "?"
        return BalanceDifference(slug, "-", f"charge line {key[1]}", stored, recomputed)
    return BalanceDifference(
        line.claim.practice.slug,
        line.claim.patient_control_number,
        f"line {line.line_number} ({line.charge_line.procedure_code})",
        stored,
        recomputed,
    )


def ledger_day_sums_recompute() -> dict[DaySumKey, int]:
    """Every :class:`LedgerDaySum` as the entries sum to (one ``GROUP BY`` in the database);
    keys whose entries sum to zero are left out."""
    rows = (
        LedgerEntry.objects.order_by()
        .annotate(
            served=Coalesce(
                "charge_line__encounter__date_of_service", "claim__encounter__date_of_service"
            )
        )
        .values_list("practice_id", "effective_date", "served", "kind", "bucket")
        .annotate(total=Sum("cents"))
    )
    return {
        (practice, effective, served, kind, bucket): total
        for practice, effective, served, kind, bucket, total in rows.iterator(chunk_size=5000)
        if total
    }


@dataclass(frozen=True, slots=True)
class DaySumDifference:
    """A stored day sum that is not what its entries sum to."""

    practice_slug: str
    effective_date: dt.date
    service_date: dt.date
    kind: str
    bucket: str
    stored: int
    recomputed: int

    def __str__(self) -> str:
        return (
            f"practice {self.practice_slug}, day sum of {self.kind} ({self.bucket}) effective "
            f"{self.effective_date.isoformat()}, served {self.service_date.isoformat()}: "
            f"stored {self.stored / 100:.2f}, recomputed {self.recomputed / 100:.2f}"
        )


def ledger_day_sums_check() -> list[DaySumDifference]:
    """Compare every stored :class:`LedgerDaySum` with the entries' sums; the differences
    (empty when they agree). A stored zero and a missing row are the same."""
    recomputed = ledger_day_sums_recompute()
    stored: dict[DaySumKey, int] = {}
    for practice, effective, served, kind, bucket, cents in (
        LedgerDaySum.objects.order_by().values_list(*_SUM_KEY, "cents").iterator(chunk_size=5000)
    ):
        if cents:
            stored[(practice, effective, served, kind, bucket)] = cents
    bad = sorted(
        key for key in set(stored) | set(recomputed) if stored.get(key) != recomputed.get(key)
    )
    slugs = dict(Practice.objects.filter(pk__in={key[0] for key in bad}).values_list("pk", "slug"))
    return [
        DaySumDifference(
            slugs.get(key[0], "?"), *key[1:], stored.get(key, 0), recomputed.get(key, 0)
        )
        for key in bad
    ]


def ledger_day_sums_rebuild() -> int:
    """Replace every :class:`LedgerDaySum` by the entries' sums (for a book written without
    :func:`entries_write`, such as the reports benchmark's); returns how many rows."""
    sums = ledger_day_sums_recompute()
    with transaction.atomic():
        LedgerDaySum.objects.all().delete()
        day_sums_upsert(sums)
    return len(sums)


# Statuses a claim reaches only after it went out: its charges belong on the ledger.
SENT_STATUSES = (
    "submitted",
    "accepted",
    "acknowledged",
    "paid",
    "partially_paid",
    "denied",
    "closed",
)


def ledger_charges_backfill(*, actor: Any = None, now: dt.datetime | None = None) -> int:
    """Post the charges of every claim that went out before the ledger existed (any status from
    submitted on, rejected claims that were sent included); idempotent. Returns how many."""
    sent = Claim.objects.filter(status__in=SENT_STATUSES) | Claim.objects.filter(
        status="rejected", batch_links__isnull=False
    )
    ids = sorted(set(sent.values_list("pk", flat=True)))
    posted = 0
    for start in range(0, len(ids), BATCH * 4):
        chunk = Claim.objects.filter(pk__in=ids[start : start + BATCH * 4]).only("pk")
        posted += ledger_charges_post(claims=list(chunk), actor=actor, now=now)
    return posted
