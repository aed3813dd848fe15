"""Writes for code sets: `codes_import`, all or nothing.

Every file is read before anything is written: a row that cannot be read refuses the whole
import with an error naming the file and the line, and the code set in use stays as it was.
A successful import replaces the previous import of the same kind (for CPT: of the same
practice) in one transaction, and the per-process lookups are reloaded on their next use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from openrcm.audit.models import AuditAction
from openrcm.audit.services import audit_record
from openrcm.codes import loaders
from openrcm.codes.models import (
    AdjustmentCodeEntry,
    CodeImport,
    CodeKind,
    CptCode,
    HcpcsEntry,
    Icd10Release,
    MueLimit,
    PtpEditRow,
)
from openrcm.codes.readers import (
    CodeFileError,
    read_adjustment_codes,
    read_cpt_file,
    read_text,
)
from openrcm.core.codes import icd10cm
from openrcm.core.codes.hcpcs import HcpcsCode, HcpcsFileError, read_hcpcs_file
from openrcm.core.codes.ncci import MueEdit, NcciFileError, PtpEdit, read_mue_file, read_ptp_file
from openrcm.tenancy.models import Practice

BATCH = 5000


class CodeImportError(ValueError):
    """The import was refused; nothing was written. The message names the file and line."""


@dataclass(frozen=True, slots=True)
class _Read:
    rows: list[models.Model]  # unsaved, `source` set on write
    count: int


def _ptp_rows(paths: Sequence[Path]) -> list[models.Model]:
    edits: list[PtpEdit] = []
    for path in paths:
        edits.extend(read_ptp_file(path))
    return [
        PtpEditRow(
            column1=edit.column1,
            column2=edit.column2,
            effective=edit.effective,
            deleted=edit.deleted,
            modifier_indicator=int(edit.modifier_indicator),
            rationale=edit.rationale[:200],
            before_1996=edit.before_1996,
        )
        for edit in edits
    ]


def _mue_rows(paths: Sequence[Path]) -> list[models.Model]:
    by_code: dict[str, MueEdit] = {}
    for path in paths:
        for edit in read_mue_file(path):
            by_code[edit.code] = edit  # a later file wins
    return [
        MueLimit(
            code=edit.code,
            value=edit.value,
            adjudication=int(edit.adjudication),
            rationale=edit.rationale[:200],
        )
        for edit in by_code.values()
    ]


def _hcpcs_rows(paths: Sequence[Path]) -> list[models.Model]:
    by_code: dict[str, HcpcsCode] = {}
    for path in paths:
        table = read_hcpcs_file(path)
        if not len(table):
            raise HcpcsFileError(f"{path.name}: no HCPCS Level II rows found")
        by_code.update(table.codes())
    return [
        HcpcsEntry(
            code=entry.code,
            description=entry.description,
            drug=entry.drug,
            added=entry.added,
            terminated=entry.terminated,
        )
        for entry in by_code.values()
    ]


def _adjustment_rows(paths: Sequence[Path], kind: str) -> list[models.Model]:
    rows: dict[str, AdjustmentCodeEntry] = {}
    for path in paths:
        for entry in read_adjustment_codes(read_text(path), kind=kind, name=path.name):
            rows[entry.code] = AdjustmentCodeEntry(
                kind=kind,
                code=entry.code,
                description=entry.description,
                start=entry.start,
                stop=entry.stop,
            )
    return list(rows.values())


def _cpt_rows(paths: Sequence[Path], practice: Practice) -> list[models.Model]:
    rows: dict[str, CptCode] = {}
    for path in paths:
        for entry in read_cpt_file(read_text(path), name=path.name):
            rows[entry.code] = CptCode(
                practice=practice, code=entry.code, description=entry.description
            )
    return list(rows.values())


_ROW_MODELS: dict[str, type[models.Model]] = {
    CodeKind.NCCI_PTP: PtpEditRow,
    CodeKind.MUE: MueLimit,
    CodeKind.HCPCS: HcpcsEntry,
    CodeKind.CARC: AdjustmentCodeEntry,
    CodeKind.RARC: AdjustmentCodeEntry,
    CodeKind.CPT: CptCode,
}


def _read(kind: str, paths: Sequence[Path], practice: Practice | None) -> list[models.Model]:
    try:
        if kind == CodeKind.NCCI_PTP:
            return _ptp_rows(paths)
        if kind == CodeKind.MUE:
            return _mue_rows(paths)
        if kind == CodeKind.HCPCS:
            return _hcpcs_rows(paths)
        if kind in (CodeKind.CARC, CodeKind.RARC):
            return _adjustment_rows(paths, kind)
        assert practice is not None
        return _cpt_rows(paths, practice)
    except (NcciFileError, HcpcsFileError, CodeFileError) as error:
        raise CodeImportError(str(error)) from None
    except UnicodeDecodeError as error:
        raise CodeImportError(f"not a text file: {error}") from None


def _digest(paths: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def codes_import(
    *,
    kind: str,
    files: Sequence[str | Path],
    practice: Practice | None = None,
    actor: Any = None,
    quarter: str = "",
    effective_from: dt.date | None = None,
) -> CodeImport:
    """Load a code set from its official files (several for a quarter's PTP edits), replacing
    the previous import of the kind. CPT needs the practice whose list it is; no other kind
    takes one. Raises CodeImportError (nothing written) for any file or row it cannot read."""
    if kind not in CodeKind.values:
        raise CodeImportError(f"unknown kind {kind!r}: one of {', '.join(CodeKind.values)}")
    if kind == CodeKind.CPT and practice is None:
        raise CodeImportError("a CPT list belongs to a practice: give --practice SLUG")
    if kind != CodeKind.CPT and practice is not None:
        raise CodeImportError(f"{kind} is shared by every practice: leave --practice out")
    if not files:
        raise CodeImportError("give at least one file")
    paths = [Path(item) for item in files]
    for path in paths:
        if not path.is_file():
            raise CodeImportError(f"{path}: cannot read the file: no such file")
    try:
        rows = _read(kind, paths, practice)
        digest = _digest(paths)
    except OSError as error:
        raise CodeImportError(f"cannot read the file: {error}") from None
    model = _ROW_MODELS[kind]
    now = timezone.now()
    with transaction.atomic():
        previous = CodeImport.objects.filter(kind=kind, practice=practice, replaced_at__isnull=True)
        old_ids = list(previous.values_list("id", flat=True))
        if old_ids:
            model._default_manager.filter(source_id__in=old_ids).delete()
            CodeImport.objects.filter(id__in=old_ids).update(replaced_at=now)
        record = CodeImport.objects.create(
            kind=kind,
            practice=practice,
            files=", ".join(path.name for path in paths)[:500],
            sha256=digest,
            rows=len(rows),
            quarter=quarter.strip()[:20],
            effective_from=effective_from,
            imported_by=actor if getattr(actor, "pk", None) else None,
        )
        for row in rows:
            row.source = record  # type: ignore[attr-defined]
        for start in range(0, len(rows), BATCH):
            model._default_manager.bulk_create(rows[start : start + BATCH])
        audit_record(
            action=AuditAction.IMPORT,
            actor=actor if getattr(actor, "pk", None) else None,
            object_type="codes.codeimport",
            object_id=record.pk,
            practice=practice,
            detail={"kind": kind, "rows": len(rows), "files": len(paths)},
        )
        transaction.on_commit(lambda: loaders.invalidate(kind))
    return record


def _default_effective_to(start: dt.date) -> dt.date | None:
    # ICD-10-CM releases take effect October 1 (to March 31) and April 1 (to September 30).
    if (start.month, start.day) == (10, 1):
        return dt.date(start.year + 1, 3, 31)
    if (start.month, start.day) == (4, 1):
        return dt.date(start.year, 9, 30)
    return None


def icd10_release_import(
    *,
    file: str | Path,
    effective_from: dt.date,
    effective_to: dt.date | None = None,
    name: str = "",
    actor: Any = None,
) -> tuple[Icd10Release, bool]:
    """Load an ICD-10-CM release from a CMS file (the order file or the codes file), in effect
    from `effective_from` to `effective_to` (by default the end of its half year: March 31 for
    an October release, September 30 for an April one). Returns the release and whether it is
    new: a file loaded before (same SHA-256) is not loaded again. Raises CodeImportError
    (nothing written) naming the file and line it cannot read."""
    path = Path(file)
    if not path.is_file():
        raise CodeImportError(f"{path}: cannot read the file: no such file")
    end = effective_to or _default_effective_to(effective_from)
    if end is None:
        raise CodeImportError(
            f"{effective_from} is not October 1 or April 1: give --effective-to YYYY-MM-DD"
        )
    if end < effective_from:
        raise CodeImportError(f"--effective-to {end} is before --effective-from {effective_from}")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CodeImportError(f"{path}: cannot read the file: {error}") from None
    digest = hashlib.sha256(data).hexdigest()
    existing = Icd10Release.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing, False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # CMS has published the files in Windows-1252 before
    label = name.strip() or f"ICD-10-CM {path.name} ({effective_from.isoformat()})"
    try:
        entries = icd10cm.read_release_file(text, name=path.name)
    except icd10cm.Icd10FileError as error:
        raise CodeImportError(str(error)) from None
    base = loaders.icd10_code_set().release_on(effective_from)
    release = icd10cm.release_from_file(
        name=label, effective_from=effective_from, effective_to=end, entries=entries, base=base
    )
    codes, descriptions = icd10cm.dump_release(release, source=path.name)
    user = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        record = Icd10Release.objects.create(
            name=label[:100],
            effective_from=effective_from,
            effective_to=end,
            source_file=path.name[:255],
            sha256=digest,
            code_count=len(entries),
            billable_count=sum(1 for entry in entries if entry.billable),
            codes=codes,
            descriptions=descriptions,
            imported_by=user,
        )
        audit_record(
            action=AuditAction.IMPORT,
            actor=user,
            object_type="codes.icd10release",
            object_id=record.pk,
            detail={
                "kind": "icd10cm",
                "codes": record.code_count,
                "effective_from": effective_from.isoformat(),
                "effective_to": end.isoformat(),
                "file": record.source_file,
            },
        )
        transaction.on_commit(lambda: loaders.invalidate("icd10cm"))
    return record, True
