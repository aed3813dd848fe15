"""Upload checks: size first, then ISA after an optional byte-order mark and white space."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.files.uploads import (
    MAX_NAME_LENGTH,
    UploadRefused,
    check_x12_upload,
    sanitize_name,
)

ISA = (
    "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       "
    "*261001*1200*^*00501*000000001*0*T*:~"
)
X12 = ISA + "GS*HP*S*R*20261001*1200*1*X*005010X221A1~ST*835*0001~SE*2*0001~GE*1*1~IEA*1*000000001~"
LIMIT = 10_000


def check(data: bytes, name: str = "era.835") -> None:
    check_x12_upload(data, name=name, max_bytes=LIMIT)


def test_isa_header_is_106_characters() -> None:
    assert len(ISA) == 106


@pytest.mark.parametrize(
    "prefix",
    [b"", b"\xef\xbb\xbf", b"  \r\n\t", b"\xef\xbb\xbf\r\n\r\n   ", b"\n" * 5000],
    ids=["plain", "bom", "whitespace", "bom-then-whitespace", "many-newlines"],
)
def test_x12_is_accepted(prefix: bytes) -> None:
    check(prefix + X12.encode())


def test_x12_with_other_delimiters_and_line_breaks() -> None:
    other = ISA.replace("*", "|").replace("~", "\n") + "GS|HP\n"
    check(other.encode())


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "the file is empty"),
        (b" \r\n ", "only white space"),
        (b"%PDF-1.7 ...", "does not begin with an ISA segment"),
        (b"GS*HP*S*R~" + X12.encode(), "does not begin with an ISA segment"),
        (b"\xff\xfeI\x00S\x00A\x00", "does not begin with an ISA segment"),
        (b"isa" + X12.encode()[3:], "does not begin with an ISA segment"),
        (b"ISA*00*short~", "ISA header cannot be read: the ISA header is 13 characters"),
        (X12.replace("00501", "00401").encode(), "ISA header cannot be read: ISA12"),
        (X12.replace("*SUBMITTER      ", "*SUBMITTER").encode(), "ISA06 must be exactly 15"),
    ],
    ids=["empty", "blank", "pdf", "gs-first", "utf16", "lowercase", "short", "4010", "widths"],
)
def test_non_x12_is_refused_naming_the_file(data: bytes, reason: str) -> None:
    with pytest.raises(UploadRefused) as raised:
        check(data, name="upload 7.txt")
    assert str(raised.value).startswith("upload 7.txt: ")
    assert reason in str(raised.value)
    assert raised.value.name == "upload 7.txt"


def test_bom_then_non_x12_is_refused() -> None:
    with pytest.raises(UploadRefused, match="does not begin with an ISA"):
        check(b"\xef\xbb\xbfhello")


def test_oversize_is_refused_before_anything_else() -> None:
    with pytest.raises(
        UploadRefused, match=r"big\.835: the file is .*\(10001 bytes\), larger than"
    ):
        check(b"x" * (LIMIT + 1), name="big.835")
    check((X12 + " " * (LIMIT - len(X12))).encode())  # exactly at the limit


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("era.835", "era.835"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\billing\\Downloads\\835 Oct.txt", "835 Oct.txt"),
        ("/var/lib/openrcm/files/ab/abcdef", "abcdef"),
        ("..", "upload"),
        ("", "upload"),
        ("...", "upload"),
        (".hidden", "hidden"),
        ("a\x00b\x1b[31mc.txt", "ab_31mc.txt"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("line\nbreak.x12", "line break.x12"),
        ("résumé 837.x12", "résumé 837.x12"),
        ("<script>x</script>.835", "script_.835"),
        ("claims;rm -rf *.837", "claims_rm -rf _.837"),
        ("<img src=x onerror=alert(1)>.835", "_img src_x onerror_alert(1)_.835"),
    ],
)
def test_names_are_sanitized(given_name: str, expected: str) -> None:
    assert sanitize_name(given_name) == expected


def test_long_names_keep_their_extension() -> None:
    name = sanitize_name("x" * 500 + ".835")
    assert len(name) == MAX_NAME_LENGTH
    assert name.endswith("x.835")


@given(st.text())
def test_sanitized_names_are_never_paths(name: str) -> None:
    cleaned = sanitize_name(name)
    assert cleaned
    assert "/" not in cleaned and "\\" not in cleaned
    assert cleaned not in (".", "..")
    assert not cleaned.startswith(".")
    assert len(cleaned) <= MAX_NAME_LENGTH
    assert all(ch.isprintable() for ch in cleaned)
