"""Deterministic draws for the sandbox: SHA-256 of the seed and a few labels, never ``hash()``
(randomized per process) nor a shared ``random.Random`` (whose sequence would depend on the
order of calls). The same seed and labels give the same value on every machine and run."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

__all__ = ["digest", "digits", "pick", "pick_weighted", "rate_cents", "uniform", "unit"]

T = TypeVar("T")
_SCALE = 1 << 64


def digest(seed: int | str, *labels: object) -> bytes:
    text = "\x1f".join([str(seed), *(str(x) for x in labels)])
    return hashlib.sha256(text.encode("utf-8")).digest()


def unit(seed: int | str, *labels: object) -> Decimal:
    """A number in [0, 1), exact (a Decimal with 64 bits of the digest)."""
    n = int.from_bytes(digest(seed, *labels)[:8], "big")
    return Decimal(n) / Decimal(_SCALE)


def uniform(seed: int | str, low: int, high: int, *labels: object) -> int:
    """An integer in [low, high]."""
    if high < low:
        raise ValueError(f"empty range {low}..{high}")
    n = int.from_bytes(digest(seed, *labels)[:8], "big")
    return low + n % (high - low + 1)


def digits(seed: int | str, count: int, *labels: object) -> str:
    """``count`` decimal digits."""
    n = int.from_bytes(digest(seed, *labels), "big")
    return str(n % (10**count)).zfill(count)


def pick[T](seed: int | str, items: Sequence[T], *labels: object) -> T:
    if not items:
        raise ValueError("nothing to pick from")
    return items[uniform(seed, 0, len(items) - 1, *labels)]


def pick_weighted[T](seed: int | str, items: Sequence[tuple[T, int]], *labels: object) -> T:
    """One item, with probability proportional to its (positive integer) weight."""
    total = sum(w for _, w in items if w > 0)
    if total <= 0:
        raise ValueError("no item has a positive weight")
    n = uniform(seed, 0, total - 1, *labels)
    for item, w in items:
        if w <= 0:
            continue
        if n < w:
            return item
        n -= w
    raise AssertionError("unreachable")  # pragma: no cover


def rate_cents(cents: int, rate: Decimal) -> int:
    """``cents * rate`` rounded half up to a whole cent (how payers round percentages)."""
    return int((Decimal(cents) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))
