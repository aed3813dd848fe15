"""Streaming X12 tokenizer: bytes, text, a path or a file object in, segments out.

The delimiters come from the ISA header (106 characters at fixed positions): the element
separator is the character after ``ISA``, the repetition separator is ISA11, the component
separator ISA16, and the segment terminator the character after ISA16. A UTF-8 byte-order mark,
leading white space and line breaks between segments are tolerated. The input is read in chunks,
so memory is bounded by the chunk size plus the longest segment, not by the file.
"""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Iterator
from typing import IO, Final

from openrcm.core.x12.delimiters import Delimiters
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.segments import Segment

type Source = bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes] | IO[str]

CHUNK_SIZE: Final = 1 << 20
MAX_SEGMENT_LENGTH: Final = 1 << 20
ISA_LENGTH: Final = 106
# Widths of ISA01..ISA16 (fixed by the standard).
ISA_WIDTHS: Final = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
ENVELOPE_IDS: Final = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})

_LEADING: Final = "\ufeff \t\r\n"
MAX_LEADING: Final = 1 << 16
_BAD_TEXT = re.compile("[\udc80-\udcff]")


def _error(code: X12ErrorCode, message: str, file: str | None, **kw: int | str | None) -> X12Error:
    return X12Error(code, message, file=file, **kw)  # type: ignore[arg-type]


def parse_isa_delimiters(header: str, *, file: str | None = None) -> Delimiters:
    """The delimiters of an ISA header (``header`` starts with ``ISA``, >= 106 characters).

    Raises X12Error(ISA_INVALID / BAD_DELIMITERS / VERSION_UNSUPPORTED / TRUNCATED).
    """
    loc: dict[str, int | str | None] = {"segment_number": 1, "segment_id": "ISA"}
    if not header.startswith("ISA"):
        raise _error(X12ErrorCode.NOT_X12, "the data does not begin with an ISA segment", file)
    if len(header) < ISA_LENGTH:
        raise _error(
            X12ErrorCode.TRUNCATED,
            f"the ISA header is {len(header)} characters long, it must be {ISA_LENGTH}",
            file,
            **loc,
        )
    esep = header[3]
    if esep.isalnum() or esep in " \r\n":
        raise _error(
            X12ErrorCode.BAD_DELIMITERS,
            f"the element separator after ISA is {esep!r}, which cannot be a separator",
            file,
            **loc,
        )
    pos = 4
    for i, width in enumerate(ISA_WIDTHS, start=1):
        end = pos + width
        if i < 16 and header[end] != esep:
            found = header.find(esep, pos)
            actual = (found - pos) if 0 <= found < pos + 40 else None
            detail = f", found {actual}" if actual is not None else ""
            raise _error(
                X12ErrorCode.ISA_INVALID,
                f"ISA{i:02d} must be exactly {width} characters long{detail}"
                " (the ISA header has fixed positions)",
                file,
                element=i,
                **loc,
            )
        pos = end + 1
    version = header[84:89]
    if version != "00501":
        raise _error(
            X12ErrorCode.VERSION_UNSUPPORTED,
            f"ISA12 is {version!r}: only version 00501 (5010) is supported",
            file,
            element=12,
            **loc,
        )
    delims = Delimiters(
        element=esep, repetition=header[82], component=header[104], segment=header[105]
    )
    problems = delims.problems()
    if problems:
        raise _error(
            X12ErrorCode.BAD_DELIMITERS,
            "the ISA header's delimiters are unusable: " + "; ".join(problems),
            file,
            **loc,
        )
    return delims


def _open_source(source: Source, file: str | None) -> tuple[Iterator[str], str | None]:
    """A chunk iterator of decoded text, and the file name to report."""
    if isinstance(source, str):
        head = source[:4096].lstrip(_LEADING)
        looks_like_path = (
            not head.startswith("ISA")
            and len(source) < 4096
            and "\n" not in source
            and (os.path.exists(source) or os.sep in source or "." in source[-6:])
        )
        if looks_like_path:
            return _path_chunks(source), file if file is not None else source
        return _str_chunks(source), file
    if isinstance(source, os.PathLike):
        path = os.fspath(source)
        return _path_chunks(path), file if file is not None else path
    if isinstance(source, bytes | bytearray | memoryview):
        return _bytes_chunks(memoryview(source)), file
    return _stream_chunks(source), file


def _decoder() -> codecs.IncrementalDecoder:
    return codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")


def _str_chunks(text: str) -> Iterator[str]:
    for i in range(0, len(text), CHUNK_SIZE):
        yield text[i : i + CHUNK_SIZE]


def _bytes_chunks(data: memoryview) -> Iterator[str]:
    dec = _decoder()
    n = len(data)
    for i in range(0, n, CHUNK_SIZE):
        yield dec.decode(data[i : i + CHUNK_SIZE], final=i + CHUNK_SIZE >= n)
    if n == 0:
        yield ""


def _path_chunks(path: str) -> Iterator[str]:
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed in finally of this generator
    except OSError as exc:
        raise X12Error(
            X12ErrorCode.UNREADABLE, f"cannot read the file: {exc.strerror or exc}", file=path
        ) from None
    try:
        yield from _stream_chunks(fh)
    finally:
        fh.close()


def _stream_chunks(fh: IO[bytes] | IO[str]) -> Iterator[str]:
    dec = _decoder()
    while True:
        try:
            block = fh.read(CHUNK_SIZE)
        except (OSError, ValueError) as exc:
            raise X12Error(X12ErrorCode.UNREADABLE, f"cannot read the input: {exc}") from None
        if isinstance(block, str):
            if not block:
                return
            yield block
            continue
        if not block:
            tail = dec.decode(b"", final=True)
            if tail:
                yield tail
            return
        yield dec.decode(block)


class SegmentReader:
    """Reads the ISA header on construction (``.delimiters``), then yields segments.

    ``strict`` (default): a segment that is not valid UTF-8 raises X12Error(INVALID_CHARACTER).
    Otherwise such a segment is yielded with ``segment.error`` set and the bad bytes replaced by
    U+FFFD, so an envelope reader can reject its transaction set alone.
    """

    __slots__ = ("_chunks", "_first", "_gen", "bad", "delimiters", "file", "strict")

    def __init__(self, source: Source, *, file: str | None = None, strict: bool = True) -> None:
        self.strict = strict
        chunks, self.file = _open_source(source, file)
        self._chunks = chunks
        head = ""
        try:
            for block in chunks:
                head += block
                stripped = head.lstrip(_LEADING)
                if len(stripped) >= ISA_LENGTH:
                    break
                if stripped and not "ISA".startswith(stripped[:3]):
                    break
                if len(head) > MAX_LEADING:
                    break
        except X12Error as exc:
            raise exc.with_file(self.file) from None
        head = head.lstrip(_LEADING)
        if not head:
            raise X12Error(X12ErrorCode.NOT_X12, "the input is empty", file=self.file)
        if head.startswith(("\ufffe", "\x00")) or head[:2] in ("\udcff\udcfe", "\udcfe\udcff"):
            raise X12Error(
                X12ErrorCode.NOT_X12,
                "the input is UTF-16 or binary, X12 must be ASCII or UTF-8 text",
                file=self.file,
            )
        self.delimiters = parse_isa_delimiters(head, file=self.file)
        self._first = head
        self._gen: Iterator[Segment] | None = None
        self.bad: dict[int, X12Error] = {}

    def __iter__(self) -> Iterator[Segment]:
        if self._gen is None:
            self._gen = self._segments()
        return self._gen

    def __next__(self) -> Segment:
        return next(iter(self))

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> SegmentReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _chunk_parts(self) -> Iterator[tuple[list[str], bool]]:
        """Per chunk: the segment texts it completes, and whether any holds invalid UTF-8."""
        d = self.delimiters
        term = d.segment
        strip_chars = "".join(c for c in "\r\n" if c != term)
        file = self.file
        number = 0
        buf = ""
        first: str | None = self._first
        chunks = self._chunks
        try:
            while True:
                if first is not None:
                    text, first = first, None
                else:
                    try:
                        text = next(chunks)
                    except StopIteration:
                        break
                if not text:
                    continue
                for c in strip_chars:
                    if c in text:
                        text = text.replace(c, "")
                bad = _BAD_TEXT.search(text) is not None
                parts = (buf + text).split(term) if buf else text.split(term)
                buf = parts.pop()
                if len(buf) > MAX_SEGMENT_LENGTH:
                    number += len(parts) - parts.count("")
                    raise X12Error(
                        X12ErrorCode.SEGMENT_TOO_LONG,
                        f"no segment terminator {term!r} within {MAX_SEGMENT_LENGTH} characters",
                        segment_number=number + 1,
                        file=file,
                    )
                number += len(parts) - parts.count("")
                yield parts, bad
            if buf and not buf.isspace():
                yield [buf.rstrip(" \t")], _BAD_TEXT.search(buf) is not None
        except X12Error as exc:
            if exc.file is None and file is not None:
                raise exc.with_file(file) from None
            raise
        finally:
            self.close()

    def _segments(self) -> Iterator[Segment]:
        d = self.delimiters
        esep = d.element
        number = 0
        for parts, bad in self._chunk_parts():
            if bad:
                for raw in parts:
                    if raw:
                        number += 1
                        yield self._checked(raw, number)
                continue
            for raw in parts:
                if not raw:
                    continue
                number += 1
                els = raw.split(esep)
                yield Segment(els[0], els[1:], number, d)

    def raw(self) -> Iterator[list[str]]:
        """The segments as lists (the id first, then the elements), for hot loops.

        Numbering is as in iteration (count the lists; ISA is 1). A segment that is not valid
        UTF-8 raises X12Error when ``strict``; otherwise it is yielded with the bad bytes
        replaced by U+FFFD and its error is put in ``bad`` under its number.
        """
        esep = self.delimiters.element
        number = 0
        for parts, has_bad in self._chunk_parts():
            if has_bad:
                for text in parts:
                    if text:
                        number += 1
                        seg = self._checked(text, number)
                        if seg.error is not None:
                            self.bad[number] = seg.error
                        yield [seg.id, *seg.elements]
                continue
            number += len(parts) - parts.count("")
            for t in parts:
                if t:
                    yield t.split(esep)

    def _checked(self, raw: str, number: int) -> Segment:
        d = self.delimiters
        els = raw.split(d.element)
        seg = Segment(els[0], els[1:], number, d)
        m = _BAD_TEXT.search(raw)
        if m is None:
            return seg
        byte = ord(m.group()) - 0xDC00
        element = raw[: m.start()].count(d.element)
        err = X12Error(
            X12ErrorCode.INVALID_CHARACTER,
            f"byte 0x{byte:02X} is not valid UTF-8 text",
            segment_number=number,
            segment_id=_safe(els[0]),
            element=element or None,
            file=self.file,
        )
        if self.strict:
            raise err
        clean = _BAD_TEXT.sub("\ufffd", raw).split(d.element)
        return Segment(clean[0], clean[1:], number, d, err)


def _safe(text: str) -> str:
    return _BAD_TEXT.sub("\ufffd", text)


def iter_segments(source: Source, *, file: str | None = None, strict: bool = True) -> SegmentReader:
    """A :class:`SegmentReader` over ``source`` (iterate it for segments; ``.delimiters``).

    ``source`` is bytes, a path (``os.PathLike``, or a one-line ``str`` that does not begin with
    ISA and names an existing file or looks like a path), X12 text (a ``str``) or a file object.
    """
    return SegmentReader(source, file=file, strict=strict)


def read_text(source: Source) -> str:
    """The whole input as text (for small inputs and tests)."""
    chunks, _ = _open_source(source, None)
    out = io.StringIO()
    for c in chunks:
        out.write(c)
    return out.getvalue()
