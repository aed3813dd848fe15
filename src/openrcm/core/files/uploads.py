"""Checks made on an uploaded file before it is stored: size, X12 shape, a safe display name.

A client's file name is only ever shown, never used as a path: :func:`sanitize_name` keeps its
last path component, drops control and formatting characters (bidi overrides included) and
anything but letters, digits and `` ._-()``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from openrcm.core.x12.errors import X12Error
from openrcm.core.x12.tokenizer import MAX_LEADING, SegmentReader

UTF8_BOM: Final = b"\xef\xbb\xbf"
MAX_NAME_LENGTH: Final = 120
DEFAULT_NAME: Final = "upload"
_LEADING_SPACE: Final = re.compile(rb"[ \t\r\n]*")
_NAME_SAFE_PUNCTUATION: Final = frozenset(" ._-()")


class UploadRefused(ValueError):
    """An upload that is not stored; the message names the file and says why."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"{name}: {reason}")


def sanitize_name(name: str | None, *, default: str = DEFAULT_NAME) -> str:
    """A display name from a client's file name: no directories, no control characters.

    ``"C:\\\\claims\\\\..\\\\era 835.txt"`` -> ``"era 835.txt"``; ``"../../etc/passwd"`` ->
    ``"passwd"``; ``".."`` or ``""`` -> ``default``.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1]
    kept: list[str] = []
    for char in text:
        if char.isspace():
            kept.append(" ")
            continue
        if unicodedata.category(char)[0] == "C":
            continue  # control, format (bidi overrides), private use, unassigned
        kept.append(char if char.isalnum() or char in _NAME_SAFE_PUNCTUATION else "_")
    cleaned = re.sub(r"\s+", " ", "".join(kept)).strip(" .")
    if not cleaned or set(cleaned) <= set("._-"):
        return default
    if len(cleaned) > MAX_NAME_LENGTH:
        stem, dot, ext = cleaned.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            cleaned = stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            cleaned = cleaned[:MAX_NAME_LENGTH].rstrip(" .")
    return cleaned


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.1f} MB" if value < 10 else f"{value:.0f} MB"


def check_size(*, size: int, name: str, max_bytes: int) -> None:
    """Refuse a file larger than ``max_bytes`` (checked before reading it)."""
    if size > max_bytes:
        raise UploadRefused(
            name,
            f"the file is {_megabytes(size)} ({size} bytes), larger than the limit of "
            f"{_megabytes(max_bytes)}",
        )


def check_x12_upload(data: bytes, *, name: str, max_bytes: int) -> None:
    """Refuse ``data`` unless it is at most ``max_bytes`` and begins with a readable ISA header.

    An optional UTF-8 byte-order mark, then white space, may come before ``ISA``. The ISA header
    must be one the X12 tokenizer reads (fixed widths, usable delimiters, version 00501).
    ``name`` should already be sanitized: it is what the messages call the file.
    """
    check_size(size=len(data), name=name, max_bytes=max_bytes)
    if not data:
        raise UploadRefused(name, "the file is empty")
    start = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    match = _LEADING_SPACE.match(data, start, start + MAX_LEADING + 1)
    start = match.end() if match else start
    if not data.startswith(b"ISA", start):
        if start >= len(data):
            raise UploadRefused(name, "the file holds only white space")
        raise UploadRefused(
            name, "the file does not begin with an ISA segment, so it is not an X12 interchange"
        )
    try:
        reader = SegmentReader(data, file=name)
        with reader:
            first = next(iter(reader), None)
    except X12Error as exc:
        raise UploadRefused(name, f"its ISA header cannot be read: {exc.message}") from None
    if first is None or first.id != "ISA":
        raise UploadRefused(name, "its ISA header cannot be read")
