"""Sealing: AES-256-GCM round trips; any changed byte, other key or other binding is refused."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.files.sealed import (
    MAGIC,
    NONCE_BYTES,
    OVERHEAD,
    KeyringError,
    SealError,
    file_aad,
    generate_key,
    open_sealed,
    parse_key,
    parse_keyring,
    seal,
    sha256_hex,
)

KEY = parse_key(generate_key())
OTHER_KEY = parse_key(generate_key())
AAD = file_aad("0" * 32, sha256_hex(b"payload"))


def test_round_trip() -> None:
    blob = seal(b"ISA*00*...~", KEY, AAD)
    assert blob.startswith(MAGIC)
    assert len(blob) == len(b"ISA*00*...~") + OVERHEAD
    assert b"ISA" not in blob[len(MAGIC) :]
    assert open_sealed(blob, KEY, AAD) == b"ISA*00*...~"


def test_empty_plaintext_round_trips() -> None:
    assert open_sealed(seal(b"", KEY, AAD), KEY, AAD) == b""


def test_each_seal_uses_a_fresh_nonce() -> None:
    first, second = seal(b"same", KEY, AAD), seal(b"same", KEY, AAD)
    assert (
        first[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
        != second[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    )
    assert first != second


@given(st.binary(max_size=300), st.data())
def test_any_flipped_bit_is_refused(plaintext: bytes, data: st.DataObject) -> None:
    blob = bytearray(seal(plaintext, KEY, AAD))
    position = data.draw(st.integers(0, len(blob) - 1))
    bit = data.draw(st.integers(0, 7))
    blob[position] ^= 1 << bit
    with pytest.raises(SealError):
        open_sealed(bytes(blob), KEY, AAD)


def test_wrong_key_is_refused() -> None:
    blob = seal(b"secret", KEY, AAD)
    with pytest.raises(SealError, match="authentication failed"):
        open_sealed(blob, OTHER_KEY, AAD)


def test_other_binding_is_refused() -> None:
    blob = seal(b"secret", KEY, AAD)
    with pytest.raises(SealError):
        open_sealed(blob, KEY, file_aad("1" * 32, sha256_hex(b"payload")))
    with pytest.raises(SealError):
        open_sealed(blob, KEY, file_aad("0" * 32, sha256_hex(b"other")))


def test_truncated_and_foreign_blobs_are_refused() -> None:
    blob = seal(b"secret", KEY, AAD)
    with pytest.raises(SealError, match="shorter than any sealed blob"):
        open_sealed(blob[:10], KEY, AAD)
    with pytest.raises(SealError):
        open_sealed(blob[:-1], KEY, AAD)
    with pytest.raises(SealError, match="header"):
        open_sealed(b"ISA*00*" + b"x" * 64, KEY, AAD)
    with pytest.raises(SealError, match="format 2"):
        open_sealed(MAGIC[:6] + b"\x02" + blob[len(MAGIC) :], KEY, AAD)


def test_keys_are_32_bytes_of_base64() -> None:
    raw = bytes(range(32))
    assert parse_key(base64.b64encode(raw).decode()) == raw
    assert parse_key(base64.urlsafe_b64encode(raw).decode().rstrip("=")) == raw
    with pytest.raises(KeyringError, match="16 bytes"):
        parse_key(base64.b64encode(bytes(16)).decode())
    with pytest.raises(KeyringError, match="not base64"):
        parse_key("not base64 at all!")
    with pytest.raises(KeyringError, match="empty"):
        parse_key("  ")
    with pytest.raises(KeyringError, match="32 bytes"):
        seal(b"x", bytes(16), AAD)


def test_keyring_first_key_is_current_and_repr_hides_keys() -> None:
    new, old = generate_key(), generate_key()
    keyring = parse_keyring(f"2027:{new}, 2026:{old}")
    assert keyring.current_id == "2027"
    assert keyring.current_key == parse_key(new)
    assert keyring.get("2026") == parse_key(old)
    assert keyring.get("2025") is None
    assert repr(keyring) == "Keyring(ids=['2027', '2026'])"
    assert new not in str(keyring)


def test_a_bare_key_gets_the_default_id() -> None:
    assert parse_keyring(generate_key()).ids == ("default",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("a:{k},a:{k}", "appears twice"),
        ("{k},b:{k}", "no id"),
        ("bad id:{k}", "key id 'bad id'"),
        ("a:short", "key 'a'"),
    ],
)
def test_bad_keyrings_are_refused_without_showing_keys(text: str, message: str) -> None:
    key = generate_key()
    with pytest.raises(KeyringError, match=message) as raised:
        parse_keyring(text.format(k=key))
    assert key not in str(raised.value)
