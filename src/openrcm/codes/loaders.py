"""The imported code sets as the core's lookups (`PtpTable`, `MueTable`, `HcpcsTable`),
cached per process.

A cached table is keyed by the id of the import it was built from: each use asks the database
for the current import of its kind (one small query) and rebuilds the table only when that
changed, so an import in another process (the CLI while the server runs) is seen on the next
scrub. An import in this process also drops the cache at once (`invalidate`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from openrcm.codes.models import (
    AdjustmentCodeEntry,
    CodeImport,
    CodeKind,
    HcpcsEntry,
    Icd10Release,
    MueLimit,
    PtpEditRow,
)
from openrcm.core.codes import icd10cm
from openrcm.core.codes.carc import Carc, carc
from openrcm.core.codes.hcpcs import HcpcsCode, HcpcsTable, curated_table
from openrcm.core.codes.ncci import (
    MueAdjudication,
    MueEdit,
    MueTable,
    PtpEdit,
    PtpModifierIndicator,
    PtpTable,
)
from openrcm.core.codes.rarc import Rarc, rarc

_lock = threading.Lock()
_cache: dict[str, tuple[int | None, Any]] = {}
CHUNK = 20000


def current_import(kind: str) -> CodeImport | None:
    """The import of `kind` in use (shared kinds only; CPT lists are per practice)."""
    return (
        CodeImport.objects.filter(kind=kind, practice__isnull=True, replaced_at__isnull=True)
        .order_by("-id")
        .first()
    )


def _current_id(kind: str) -> int | None:
    return (
        CodeImport.objects.filter(kind=kind, practice__isnull=True, replaced_at__isnull=True)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )


def _cached[T](kind: str, build: Callable[[int], T], empty: T) -> T:
    source = _current_id(kind)
    with _lock:
        hit = _cache.get(kind)
        if hit is not None and hit[0] == source:
            return hit[1]  # type: ignore[no-any-return]
    value = empty if source is None else build(source)
    with _lock:
        _cache[kind] = (source, value)
    return value


def invalidate(kind: str | None = None) -> None:
    """Forget the cached table of `kind` (or all): the next use rebuilds it."""
    with _lock:
        if kind is None:
            _cache.clear()
        else:
            _cache.pop(kind, None)


def _build_ptp(source: int) -> PtpTable:
    rows = PtpEditRow.objects.filter(source_id=source).values_list(
        "column1",
        "column2",
        "effective",
        "deleted",
        "modifier_indicator",
        "rationale",
        "before_1996",
    )
    table = PtpTable(source=f"import {source}")
    for column1, column2, effective, deleted, indicator, rationale, before in rows.iterator(
        chunk_size=CHUNK
    ):
        table.add(
            PtpEdit(
                column1,
                column2,
                effective,
                deleted,
                PtpModifierIndicator(indicator),
                rationale,
                before,
            )
        )
    return table


def ptp_table() -> PtpTable | None:
    """The imported NCCI PTP edits, or None when none were imported (NCCI-001/002 are silent)."""
    return _cached(CodeKind.NCCI_PTP, _build_ptp, None)


def _build_mue(source: int) -> MueTable:
    rows = MueLimit.objects.filter(source_id=source).values_list(
        "code", "value", "adjudication", "rationale"
    )
    return MueTable(
        (
            MueEdit(code, value, MueAdjudication(adjudication), rationale)
            for code, value, adjudication, rationale in rows.iterator(chunk_size=CHUNK)
        ),
        source=f"import {source}",
    )


def mue_table() -> MueTable | None:
    """The imported MUE limits, or None when none were imported."""
    return _cached(CodeKind.MUE, _build_mue, None)


def _build_hcpcs(source: int) -> HcpcsTable:
    rows = HcpcsEntry.objects.filter(source_id=source).values_list(
        "code", "description", "drug", "added", "terminated"
    )
    return HcpcsTable(
        (HcpcsCode(*row) for row in rows.iterator(chunk_size=CHUNK)),
        complete=True,
        source=f"import {source}",
    )


_CURATED = curated_table()


def hcpcs_table() -> HcpcsTable:
    """The imported HCPCS file (complete), or the curated table shipped with OpenRCM."""
    return _cached(CodeKind.HCPCS, _build_hcpcs, _CURATED)


_NO_DESCRIPTIONS: Mapping[str, str] = {}


def _descriptions(kind: str) -> Callable[[int], Mapping[str, str]]:
    def build(source: int) -> Mapping[str, str]:
        rows = AdjustmentCodeEntry.objects.filter(source_id=source, kind=kind)
        return dict(rows.values_list("code", "description"))

    return build


def carc_lookup(code: str) -> Carc:
    """A CARC with the imported list's description when one was imported (its category and
    next action stay OpenRCM's)."""
    entry = carc(code)
    imported = _cached(CodeKind.CARC, _descriptions("carc"), _NO_DESCRIPTIONS).get(entry.code)
    if imported is None:
        return entry
    return Carc(entry.code, imported, entry.category, entry.next_action, entry.is_denial)


def rarc_lookup(code: str) -> Rarc:
    """A RARC with the imported list's description when one was imported."""
    entry = rarc(code)
    imported = _cached(CodeKind.RARC, _descriptions("rarc"), _NO_DESCRIPTIONS).get(entry.code)
    if imported is None:
        return entry
    return Rarc(entry.code, imported, entry.category, entry.next_action)


_ICD10_KEY = "icd10cm"


def _stored_descriptions(release_id: int) -> Callable[[], bytes]:
    def read() -> bytes:
        found = Icd10Release.objects.filter(pk=release_id).values_list("descriptions", flat=True)
        return bytes(found.get())

    return read


def _build_icd10(_latest: int) -> icd10cm.Icd10CodeSet:
    shipped = icd10cm.default_code_set().releases
    by_start = {item.effective_from: item for item in shipped}
    # Ordered by id: of two releases loaded for the same start, the later import wins (and
    # an imported release replaces a shipped one with the same start).
    stored = Icd10Release.objects.order_by("id").values_list("id", "codes")
    for release_id, codes in stored:
        item = icd10cm.release_from_data(bytes(codes), _stored_descriptions(release_id))
        by_start[item.effective_from] = item
    return icd10cm.Icd10CodeSet(by_start.values())


def icd10_code_set() -> icd10cm.Icd10CodeSet:
    """The shipped ICD-10-CM release with every release loaded by `codes import icd10cm`;
    rebuilt when a newer release is loaded (keyed on the latest release's id)."""
    latest = Icd10Release.objects.order_by("-id").values_list("id", flat=True).first()
    with _lock:
        hit = _cache.get(_ICD10_KEY)
        if hit is not None and hit[0] == latest:
            return hit[1]  # type: ignore[no-any-return]
    value = icd10cm.default_code_set() if latest is None else _build_icd10(latest)
    with _lock:
        _cache[_ICD10_KEY] = (latest, value)
    return value
