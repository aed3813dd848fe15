"""Sealed blobs: AES-256-GCM with a random 96-bit nonce per blob, and the keyring that opens them.

A sealed blob is ``MAGIC (7 bytes) | nonce (12 bytes) | ciphertext | tag (16 bytes)``. The
header is authenticated together with the caller's associated data (``aad``), so a blob opens
only with the key it was sealed with and the exact ``aad`` it was sealed for; any changed byte
of header, nonce, ciphertext, tag or ``aad`` is refused with :class:`SealError`.

Keys are 32 random bytes, written as base64. A keyring is ``"id:key,id:key"``; the first key
seals new blobs, the others still open older ones (rotation: put the new key first, re-seal,
then drop the old one). Neither errors nor ``repr`` ever show a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC: Final = b"ORCMSF\x01"  # OpenRCM sealed file, format 1
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16
KEY_BYTES: Final = 32
OVERHEAD: Final = len(MAGIC) + NONCE_BYTES + TAG_BYTES
KEY_ID_RE: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
DEFAULT_KEY_ID: Final = "default"


class SealError(ValueError):
    """A blob that cannot be opened: not sealed by us, truncated, altered, or another key."""


class KeyringError(ValueError):
    """A key or keyring that cannot be used (the message never contains key material)."""


def seal(plaintext: bytes, key: bytes, aad: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` under ``key``, bound to ``aad``."""
    nonce = os.urandom(NONCE_BYTES)
    return MAGIC + nonce + AESGCM(_checked_key(key)).encrypt(nonce, plaintext, MAGIC + aad)


def open_sealed(blob: bytes, key: bytes, aad: bytes) -> bytes:
    """The plaintext of a blob made by :func:`seal` with this ``key`` and ``aad``.

    Raises SealError when the blob is not ours, is truncated, or fails authentication (altered
    bytes, another key, or other associated data: GCM cannot tell these apart).
    """
    if len(blob) < OVERHEAD:
        raise SealError(f"the blob is {len(blob)} bytes, shorter than any sealed blob")
    if not blob.startswith(MAGIC):
        if blob.startswith(MAGIC[:6]):
            raise SealError(f"the blob is of sealed format {blob[6]}, this version reads 1")
        raise SealError("the blob does not start with the sealed-file header")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        return AESGCM(_checked_key(key)).decrypt(
            nonce, blob[len(MAGIC) + NONCE_BYTES :], MAGIC + aad
        )
    except InvalidTag:
        raise SealError(
            "authentication failed: the blob was altered, or the key or its binding is wrong"
        ) from None


def file_aad(stored_name: str, sha256: str) -> bytes:
    """Associated data of a stored file: its stored name and the SHA-256 of its plaintext."""
    return b"openrcm-file\x00" + stored_name.encode("ascii") + b"\x00" + sha256.encode("ascii")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _checked_key(key: bytes) -> bytes:
    if len(key) != KEY_BYTES:
        raise KeyringError(f"an AES-256 key is {KEY_BYTES} bytes, not {len(key)}")
    return key


def generate_key() -> str:
    """A new random key, as base64 (what OPENRCM_FILE_KEY holds)."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def parse_key(text: str) -> bytes:
    """The 32 bytes of a base64 key (standard or URL-safe alphabet, padding optional)."""
    cleaned = "".join(text.split())
    if not cleaned:
        raise KeyringError("the key is empty")
    cleaned = cleaned.replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        raw = base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError("the key is not base64") from None
    if len(raw) != KEY_BYTES:
        raise KeyringError(f"the key is base64 of {len(raw)} bytes, it must be {KEY_BYTES} bytes")
    return raw


@dataclass(frozen=True, slots=True, repr=False)
class Keyring:
    """Named keys; the first seals new blobs. ``repr`` and ``str`` show only the ids."""

    entries: tuple[tuple[str, bytes], ...]

    def __post_init__(self) -> None:
        if not self.entries:
            raise KeyringError("the keyring is empty")
        seen: set[str] = set()
        for key_id, key in self.entries:
            if not KEY_ID_RE.fullmatch(key_id):
                raise KeyringError(
                    f"key id {key_id!r}: use up to 32 letters, digits, '.', '_' or '-'"
                )
            if key_id in seen:
                raise KeyringError(f"key id {key_id!r} appears twice")
            seen.add(key_id)
            _checked_key(key)

    @property
    def current_id(self) -> str:
        return self.entries[0][0]

    @property
    def current_key(self) -> bytes:
        return self.entries[0][1]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(key_id for key_id, _ in self.entries)

    def get(self, key_id: str) -> bytes | None:
        for candidate, key in self.entries:
            if candidate == key_id:
                return key
        return None

    def __repr__(self) -> str:
        return f"Keyring(ids={list(self.ids)!r})"

    __str__ = __repr__


def parse_keyring(text: str) -> Keyring:
    """``"id:key,id:key"`` (the first seals new blobs); a bare key gets the id "default"."""
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise KeyringError("the keyring is empty")
    entries: list[tuple[str, bytes]] = []
    for position, item in enumerate(items, start=1):
        key_id, sep, key_text = item.partition(":")
        if not sep:
            if len(items) > 1:
                raise KeyringError(f"entry {position} has no id: write id:key for every key")
            key_id, key_text = DEFAULT_KEY_ID, item
        key_id = key_id.strip()
        try:
            key = parse_key(key_text)
        except KeyringError as exc:
            raise KeyringError(f"key {key_id!r}: {exc}") from None
        entries.append((key_id, key))
    return Keyring(tuple(entries))
