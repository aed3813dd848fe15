"""The A/R aging's keys kept on each balance row: date of service, provider, responsible payer.

:class:`~openrcm.posting.models.ChargeBalance` carries what the aging groups by, so its totals
are one ``GROUP BY`` on that table with no joins (docs/reporting.md, "Speed"). The keys are
derived exactly as the per-line aging read (``reporting.selectors.aging_balances``) derives
them:

* a charge line's row: its encounter's date of service and rendering provider; the payer of
  the latest claim (highest id) carrying the line that is not void, none when no such claim;
* a claim's claim-level row: the claim's encounter's date of service and provider, and the
  claim's payer.

They change only when claims change around the line, so every write that does calls
:func:`charge_balances_rekey`: a claim created (primary, secondary, replacement, void at payer,
imported), a draft's lines rebuilt, a claim voided. A new balance row gets its keys as it is
created (:func:`charge_balances_keyed`). ``openrcm ledger check`` compares every row's keys
with a fresh derivation (:func:`balance_keys_check`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import OuterRef, Subquery

from openrcm.claims.models import Claim, ClaimLine
from openrcm.core.claims.status import ClaimStatus
from openrcm.encounters.models import ChargeLine
from openrcm.posting.models import ChargeBalance
from openrcm.posting.rows import among

__all__ = [
    "KeyDifference",
    "balance_keys_check",
    "charge_balances_keyed",
    "charge_balances_rekey",
]

BATCH = 500  # ids per statement on SQLite (its bound-parameter limit)
ARRAY_BATCH = 50_000  # ids in one array parameter on PostgreSQL

# A row's aging keys: date of service, provider id, payer id.
type Keys = tuple[dt.date | None, int | None, int | None]

_VOID = ClaimStatus.VOID.value


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), BATCH):
        yield ordered[start : start + BATCH]


def _slices(ids: Iterable[int]) -> Iterator[list[int]]:
    """``ids`` (sorted, once each) in slices for `rows.among`: on PostgreSQL one array
    parameter takes them all at once (one read of each table whatever the size of a posting),
    on SQLite 500 (its bound-parameter limit)."""
    ordered = sorted(set(ids))
    size = ARRAY_BATCH if connection.vendor == "postgresql" else BATCH
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


def _line_keys(charge_line_ids: Iterable[int]) -> dict[int, Keys]:
    """The keys of charge lines' rows: one read of the claim lines carrying them (joined to
    their claim's coverage and the line's encounter) per slice; the few lines no claim that is
    not void carries are read apart."""
    keys: dict[int, Keys] = {}
    for chunk in _slices(charge_line_ids):
        for line_id, payer, served, provider in (
            ClaimLine.objects.filter(among("charge_line_id", chunk))
            .exclude(claim__status=_VOID)
            .order_by("claim_id")
            .values_list(
                "charge_line_id",
                "claim__coverage__payer_id",
                "charge_line__encounter__date_of_service",
                "charge_line__encounter__provider_id",
            )
        ):
            keys[line_id] = (served, provider, payer)  # the last (latest claim) wins
        alone = [line_id for line_id in chunk if line_id not in keys]
        if alone:
            for line_id, served, provider in (
                ChargeLine.objects.filter(among("id", alone))
                .order_by()
                .values_list("pk", "encounter__date_of_service", "encounter__provider_id")
            ):
                keys[line_id] = (served, provider, None)
    return keys


def _claim_keys(claim_ids: Sequence[int]) -> dict[int, Keys]:
    """The keys of claims' claim-level rows."""
    keys: dict[int, Keys] = {}
    for chunk in _slices(claim_ids):
        for claim_id, served, provider, payer in (
            Claim.objects.filter(among("id", chunk))
            .order_by()
            .values_list(
                "pk", "encounter__date_of_service", "encounter__provider_id", "coverage__payer_id"
            )
        ):
            keys[claim_id] = (served, provider, payer)
    return keys


def charge_balances_keyed(rows: Sequence[ChargeBalance]) -> None:
    """Set the aging keys of new, not yet saved balance rows (in place, a few reads for all of
    them): called by the ledger's writer right before it inserts them."""
    lines = _line_keys([r.charge_line_id for r in rows if r.charge_line_id is not None])
    claims = _claim_keys(
        [r.claim_id for r in rows if r.charge_line_id is None and r.claim_id is not None]
    )
    for row in rows:
        if row.charge_line_id is not None:
            keys = lines.get(row.charge_line_id)
        else:
            keys = claims.get(row.claim_id) if row.claim_id is not None else None
        if keys is not None:
            row.service_date, row.provider_id, row.payer_id = keys


def _derived() -> dict[str, Any]:
    """The keys as correlated subqueries on the updated row (one UPDATE sets many rows)."""
    line = ChargeLine.objects.filter(pk=OuterRef("charge_line_id"))
    carrier = (
        ClaimLine.objects.filter(charge_line_id=OuterRef("charge_line_id"))
        .exclude(claim__status=_VOID)
        .order_by("-claim_id")
    )
    return {
        "service_date": Subquery(line.values("encounter__date_of_service")[:1]),
        "provider_id": Subquery(line.values("encounter__provider_id")[:1]),
        "payer_id": Subquery(carrier.values("claim__coverage__payer_id")[:1]),
    }


def _claim_derived() -> dict[str, Any]:
    claim = Claim.objects.filter(pk=OuterRef("claim_id"))
    return {
        "service_date": Subquery(claim.values("encounter__date_of_service")[:1]),
        "provider_id": Subquery(claim.values("encounter__provider_id")[:1]),
        "payer_id": Subquery(claim.values("coverage__payer_id")[:1]),
    }


def charge_balances_rekey(
    *,
    charge_line_ids: Iterable[int] = (),
    claim_ids: Iterable[int] = (),
    everything: bool = False,
) -> int:
    """Derive again the aging keys of the balance rows of ``charge_line_ids`` and of every
    balance of ``claim_ids`` (the rows of the lines they carry and their claim-level rows),
    or, ``everything``, of every row (a backfill, a book written as plain rows). Set-based:
    one ``UPDATE`` per BATCH ids. Returns how many rows were written.

    Call it in the transaction that changes which claims carry a line, or whether one is
    void: the responsible payer follows."""
    if everything:
        return ChargeBalance.objects.filter(charge_line__isnull=False).update(
            **_derived()
        ) + ChargeBalance.objects.filter(charge_line__isnull=True).update(**_claim_derived())
    written = 0
    for chunk in _chunks(charge_line_ids):
        written += ChargeBalance.objects.filter(charge_line_id__in=chunk).update(**_derived())
    for chunk in _chunks(claim_ids):
        carried = ClaimLine.objects.filter(claim_id__in=chunk).values("charge_line_id")
        written += ChargeBalance.objects.filter(charge_line_id__in=carried).update(**_derived())
        written += ChargeBalance.objects.filter(
            charge_line__isnull=True, claim_id__in=chunk
        ).update(**_claim_derived())
    return written


@dataclass(frozen=True, slots=True)
class KeyDifference:
    """A balance row whose stored aging keys are not the ones derived from its claims."""

    practice_slug: str
    holder: str
    stored: Keys
    derived: Keys

    def __str__(self) -> str:
        def keys(k: Keys) -> str:
            served = k[0].isoformat() if k[0] is not None else "none"
            return f"service date {served}, provider {k[1]}, payer {k[2]}"

        return (
            f"practice {self.practice_slug}, {self.holder}: aging keys stored "
            f"{keys(self.stored)}, derived {keys(self.derived)}"
        )


def balance_keys_check() -> list[KeyDifference]:
    """Compare every balance row's stored aging keys with the keys derived from its encounter
    and claims (read here with joins, as the per-line aging read does, not by the subqueries
    :func:`charge_balances_rekey` writes with); the differences, naming practice, line or claim
    (empty when all agree)."""
    differences: list[KeyDifference] = []
    line_rows = (
        ChargeBalance.objects.filter(charge_line__isnull=False)
        .order_by("charge_line_id", "charge_line__claim_lines__claim_id")
        .values_list(
            "charge_line_id",
            "practice__slug",
            "service_date",
            "provider_id",
            "payer_id",
            "charge_line__encounter__date_of_service",
            "charge_line__encounter__provider_id",
            "charge_line__claim_lines__claim__patient_control_number",
            "charge_line__claim_lines__claim__status",
            "charge_line__claim_lines__claim__coverage__payer_id",
        )
    )
    for line_id, group in groupby(line_rows.iterator(chunk_size=5000), key=itemgetter(0)):
        rows = list(group)
        _line, slug, served, provider, payer, dos, rendering = rows[0][:7]
        carriers = [(pcn, p) for *_head, pcn, status, p in rows if pcn and status != _VOID]
        derived: Keys = (dos, rendering, carriers[-1][1] if carriers else None)
        if (served, provider, payer) != derived:
            where = f"charge line {line_id}" + (f" (claim {carriers[-1][0]})" if carriers else "")
            differences.append(KeyDifference(slug, where, (served, provider, payer), derived))
    claim_rows = (
        ChargeBalance.objects.filter(charge_line__isnull=True)
        .order_by("claim_id")
        .values_list(
            "practice__slug",
            "claim__patient_control_number",
            "service_date",
            "provider_id",
            "payer_id",
            "claim__encounter__date_of_service",
            "claim__encounter__provider_id",
            "claim__coverage__payer_id",
        )
    )
    for slug, pcn, served, provider, payer, dos, rendering, claim_payer in claim_rows:
        if (served, provider, payer) != (dos, rendering, claim_payer):
            differences.append(
                KeyDifference(
                    slug,
                    f"claim {pcn} (claim level)",
                    (served, provider, payer),
                    (dos, rendering, claim_payer),
                )
            )
    return differences
