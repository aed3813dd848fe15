"""Writes and checked reads of the encrypted file store.

    stored = file_store(data=raw, kind=StoredFile.Kind.X12_IN, practice=practice,
                        original_name=upload.name, actor=request.user)
    data = file_read(stored=stored)        # decrypted, SHA-256 checked, or StoredFileError

Each file is sealed (AES-256-GCM, `openrcm.core.files.sealed`) with the current key of
OPENRCM_FILE_KEYS and a fresh 96-bit nonce; the associated data binds its stored name and the
SHA-256 of its plaintext, so a blob swapped for another, or a row whose hash was edited, fails to
open. `file_read` checks the SHA-256 once more after decrypting: nothing is returned unchecked.

Blobs live at OPENRCM_DATA_DIR/files/<first 2 characters>/<stored_name>, written to a temporary
file, fsynced and renamed, mode 0600. A stored name is 32 random hex digits: it says nothing about
the content (a plaintext hash would let anyone holding the disk confirm a guessed file).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from openrcm.audit.models import AuditAction
from openrcm.audit.services import audit_record
from openrcm.core.files.sealed import (
    Keyring,
    KeyringError,
    SealError,
    file_aad,
    open_sealed,
    parse_keyring,
    seal,
    sha256_hex,
)
from openrcm.core.files.uploads import UploadRefused, check_x12_upload, sanitize_name
from openrcm.files.models import CONTENT_TYPES, StoredFile, StoredFileKind
from openrcm.tenancy.models import Practice

__all__ = [
    "StoredFileError",
    "UploadRefused",
    "VerifyReport",
    "file_read",
    "file_rekey",
    "file_store",
    "file_verify_all",
    "x12_upload_check",
]

STORED_NAME_RE = re.compile(r"[0-9a-f]{32}")
PDF_MAGIC = b"%PDF-"
BYTES_PER_MB = 1024 * 1024


class StoredFileError(RuntimeError):
    """A stored file that must not be used: missing, altered, corrupted, or its key is absent.

    The message names the file by id, kind and stored name (not by its original name, which
    may say whose file it is); `stored` is the row.
    """

    def __init__(self, stored: StoredFile, reason: str) -> None:
        self.stored = stored
        self.reason = reason
        super().__init__(f"{stored} ({stored.relative_path}) refused: {reason}")


# -- configuration ---------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _parsed_keyring(text: str) -> Keyring:
    return parse_keyring(text)


def file_keyring() -> Keyring:
    """The configured keyring (settings.OPENRCM_FILE_KEYS); the first key seals new files."""
    text = getattr(settings, "OPENRCM_FILE_KEYS", None)
    if not text:
        raise ImproperlyConfigured(
            "no file key: set OPENRCM_FILE_KEY (base64 of 32 bytes) or OPENRCM_FILE_KEYS"
        )
    try:
        return _parsed_keyring(str(text))
    except KeyringError as exc:
        raise ImproperlyConfigured(f"OPENRCM_FILE_KEYS: {exc}") from None


def upload_max_bytes() -> int:
    """The upload limit (settings.OPENRCM_UPLOAD_MAX_MB, default 50) in bytes."""
    megabytes = int(getattr(settings, "OPENRCM_UPLOAD_MAX_MB", 50))
    if megabytes < 1:
        raise ImproperlyConfigured(f"OPENRCM_UPLOAD_MAX_MB is {megabytes}, it must be at least 1")
    return megabytes * BYTES_PER_MB


def files_root() -> Path:
    return Path(settings.OPENRCM_DATA_DIR) / "files"


def _blob_path(stored_name: str) -> Path:
    if not STORED_NAME_RE.fullmatch(stored_name):
        raise ValueError(f"{stored_name!r} is not a stored name this store generates")
    return files_root() / stored_name[:2] / stored_name


# -- uploads ---------------------------------------------------------------------------------


def x12_upload_check(*, data: bytes, name: str) -> None:
    """Refuse an upload (UploadRefused, naming the sanitized file name and why) that is larger
    than OPENRCM_UPLOAD_MAX_MB, or does not begin (after an optional UTF-8 byte-order mark and
    white space) with an ISA header the X12 tokenizer reads."""
    check_x12_upload(data, name=sanitize_name(name), max_bytes=upload_max_bytes())


def _check_content(data: bytes, kind: str, name: str) -> None:
    """What a kind promises: X12 kinds begin with a readable ISA, PDFs with %PDF-."""
    if kind in (StoredFileKind.X12_IN, StoredFileKind.X12_OUT):
        check_x12_upload(data, name=name or "file", max_bytes=max(len(data), 1))
    elif kind == StoredFileKind.PDF and not data.startswith(PDF_MAGIC):
        raise UploadRefused(name or "file", "a PDF must begin with %PDF-")


# -- writing ---------------------------------------------------------------------------------


def _write_blob(path: Path, blob: bytes) -> None:
    """Write atomically: a temporary file in the same directory, fsync, rename, fsync the dir."""
    root = files_root()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.mkdir(mode=0o700, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    with contextlib.suppress(OSError):  # not every file system lets a directory be fsynced
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _seal_to_new_blob(data: bytes, digest: str, keyring: Keyring) -> str:
    stored_name = secrets.token_hex(16)
    blob = seal(data, keyring.current_key, file_aad(stored_name, digest))
    _write_blob(_blob_path(stored_name), blob)
    return stored_name


def _existing(practice: Practice | None, kind: str, digest: str) -> StoredFile | None:
    rows = StoredFile.objects.filter(kind=kind, sha256=digest)
    rows = (
        rows.filter(practice__isnull=True) if practice is None else rows.filter(practice=practice)
    )
    return rows.first()


def _audit_store(stored: StoredFile, actor: Any, *, deduplicated: bool) -> None:
    action = AuditAction.IMPORT if stored.kind == StoredFileKind.X12_IN else AuditAction.CREATE
    audit_record(
        action=action,
        actor=actor,
        target=stored,
        detail={"kind": stored.kind, "size": stored.size, "deduplicated": deduplicated},
    )


def file_store(
    *,
    data: bytes,
    kind: str,
    practice: Practice | None = None,
    original_name: str = "",
    actor: Any = None,
) -> StoredFile:
    """Seal `data` into the store and record it; the same bytes of the same practice and kind
    return the existing row (its blob rewritten if it had gone missing).

    X12 kinds must begin with a readable ISA header and PDFs with %PDF- (UploadRefused).
    `original_name` is sanitized (no directories) and kept for display only. One audit event
    (import for received X12, create otherwise) is recorded per call.
    """
    if kind not in StoredFileKind.values:
        raise ValueError(f"kind {kind!r} is not one of: {', '.join(StoredFileKind.values)}")
    data = bytes(data)
    display_name = sanitize_name(original_name) if original_name else ""
    _check_content(data, kind, display_name)
    digest = sha256_hex(data)
    keyring = file_keyring()

    existing = _existing(practice, kind, digest)
    if existing is not None:
        if not _blob_path(existing.stored_name).exists():
            _reseal(existing, data, keyring)
        _audit_store(existing, actor, deduplicated=True)
        return existing

    stored_name = _seal_to_new_blob(data, digest, keyring)
    user = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            stored = StoredFile.objects.create(
                practice=practice,
                kind=kind,
                original_name=display_name,
                stored_name=stored_name,
                size=len(data),
                sha256=digest,
                content_type=CONTENT_TYPES[StoredFileKind(kind)],
                key_id=keyring.current_id,
                created_by=user,
            )
    except IntegrityError:
        _blob_path(stored_name).unlink(missing_ok=True)
        existing = _existing(practice, kind, digest)  # stored concurrently by another request
        if existing is None:
            raise
        _audit_store(existing, actor, deduplicated=True)
        return existing
    _audit_store(stored, actor, deduplicated=False)
    return stored


def _reseal(stored: StoredFile, data: bytes, keyring: Keyring) -> None:
    """Seal `data` (already checked to be this file's content) with the current key under a new
    stored name, point the row at it, then remove the old blob. A crash in between leaves at
    most an unreferenced blob, never a row without its blob."""
    old_path = _blob_path(stored.stored_name)
    new_name = _seal_to_new_blob(data, stored.sha256, keyring)
    try:
        with transaction.atomic():
            StoredFile.objects.filter(pk=stored.pk).update(
                stored_name=new_name, key_id=keyring.current_id
            )
    except BaseException:
        _blob_path(new_name).unlink(missing_ok=True)
        raise
    stored.stored_name = new_name
    stored.key_id = keyring.current_id
    transaction.on_commit(lambda: old_path.unlink(missing_ok=True))


# -- reading ---------------------------------------------------------------------------------


def file_read(*, stored: StoredFile) -> bytes:
    """The plaintext of `stored`, decrypted and checked against its recorded SHA-256 and size.

    Raises StoredFileError (naming the file) when the blob is missing, was altered or
    corrupted, its row was edited (stored name or hash), or its key is not configured. The
    caller audits the read (an export or a reprocessing) as it sees fit.
    """
    try:
        path = _blob_path(stored.stored_name)
    except ValueError:
        raise StoredFileError(
            stored, "its stored name is not one this store generates (the row was edited)"
        ) from None
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise StoredFileError(stored, "its encrypted blob is missing") from None
    except OSError as exc:
        raise StoredFileError(stored, f"its encrypted blob cannot be read: {exc}") from None
    keyring = file_keyring()
    key = keyring.get(stored.key_id)
    if key is None:
        raise StoredFileError(
            stored,
            f"it was sealed with key {stored.key_id!r}, which is not configured "
            f"(OPENRCM_FILE_KEYS has {', '.join(repr(i) for i in keyring.ids)})",
        )
    try:
        data = open_sealed(blob, key, file_aad(stored.stored_name, stored.sha256))
    except SealError as exc:
        raise StoredFileError(
            stored,
            f"{exc}: the blob or its record was tampered with or corrupted, or key "
            f"{stored.key_id!r} is not the key it was sealed with",
        ) from None
    if len(data) != stored.size or sha256_hex(data) != stored.sha256:
        raise StoredFileError(stored, "its content does not match the recorded SHA-256 and size")
    return data


# -- maintenance -----------------------------------------------------------------------------


@dataclass
class VerifyReport:
    """What `file_verify_all` found: failures name each file; orphans are blobs without a row."""

    checked: int = 0
    failures: list[StoredFileError] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def __str__(self) -> str:
        if self.ok:
            text = f"{self.checked} stored file(s) checked: all decrypt and match their SHA-256"
        else:
            text = f"{len(self.failures)} of {self.checked} stored file(s) failed the check"
        if self.orphans:
            text += f"; {len(self.orphans)} blob(s) without a record (not used)"
        return text


def file_verify_all() -> VerifyReport:
    """Open every stored file and check its SHA-256; also list blobs no row refers to."""
    report = VerifyReport()
    names: set[str] = set()
    for stored in StoredFile.objects.order_by("pk").iterator(chunk_size=200):
        report.checked += 1
        names.add(stored.stored_name)
        try:
            file_read(stored=stored)
        except StoredFileError as exc:
            report.failures.append(exc)
    root = files_root()
    if root.is_dir():
        for path in sorted(root.glob("??/*")):
            if STORED_NAME_RE.fullmatch(path.name) and path.name not in names:
                report.orphans.append(f"files/{path.parent.name}/{path.name}")
    return report


def file_rekey() -> int:
    """Re-seal every file whose key is not the current one; the number re-sealed.

    Rotation: put the new key first in OPENRCM_FILE_KEYS (keep the old ones after it), run
    `openrcm files rekey`, check with `openrcm files verify`, then drop the old keys.
    A file that fails its check is not re-sealed: StoredFileError names it.
    """
    keyring = file_keyring()
    stale = StoredFile.objects.exclude(key_id=keyring.current_id).order_by("pk")
    count = 0
    for pk in list(stale.values_list("pk", flat=True)):  # ids first: rows change as we go
        stored = StoredFile.objects.filter(pk=pk).exclude(key_id=keyring.current_id).first()
        if stored is None:
            continue
        _reseal(stored, file_read(stored=stored), keyring)
        count += 1
    return count
