"""Request id and client IP: worked out once per request, kept for audit_record and jobs.

The middleware stores them on the request (`request.request_id`, `request.client_ip`) and in a
context variable, so `audit_record` can pick them up even where no request is passed (a service
called from a view). Background jobs open their own `audit_context(request_id=...)`.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Incoming X-Request-ID values we keep: 8-64 characters of a conservative set (UUIDs, hex ids,
# proxy ids such as "Root=1-5f...-..."); anything else is replaced by a fresh UUID.
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/-]{7,63}")

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str
    client_ip: str


_current: ContextVar[RequestContext | None] = ContextVar("openrcm_audit_context", default=None)


def current_context() -> RequestContext | None:
    """The request id and client IP of the request (or job) being handled, if any."""
    return _current.get()


@contextmanager
def audit_context(*, request_id: str = "", client_ip: str = "") -> Iterator[RequestContext]:
    """Make `request_id` (a fresh one when empty or malformed) and `client_ip` current."""
    ctx = RequestContext(
        request_id=sane_request_id(request_id) or new_request_id(),
        client_ip=normalize_ip(client_ip),
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def new_request_id() -> str:
    return str(uuid.uuid4())


def sane_request_id(value: str | None) -> str | None:
    """`value` when it looks like a request id, else None."""
    if not value:
        return None
    value = value.strip()
    return value if REQUEST_ID_RE.fullmatch(value) else None


def normalize_ip(value: str | None) -> str:
    """The canonical text of an IP address (IPv4-mapped IPv6 as IPv4), or "" when it is none."""
    if not value:
        return ""
    try:
        addr = ipaddress.ip_address(value.strip())
    except ValueError:
        return ""
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return str(addr.ipv4_mapped)
    return str(addr)


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"OPENRCM_TRUSTED_PROXIES: {entry!r} is not an IP address or network ({exc})."
            ) from None
    return tuple(networks)


def trusted_proxies() -> tuple[IPNetwork, ...]:
    """settings.OPENRCM_TRUSTED_PROXIES (addresses or CIDR networks) parsed."""
    entries: Iterable[str] = getattr(settings, "OPENRCM_TRUSTED_PROXIES", ()) or ()
    if isinstance(entries, str):
        entries = entries.split(",")
    return _networks(tuple(e for e in entries if e.strip()))


def _trusted(ip: str, networks: tuple[IPNetwork, ...]) -> bool:
    addr = ipaddress.ip_address(ip)
    return any(addr.version == net.version and addr in net for net in networks)


def client_ip_from_meta(meta: Mapping[str, Any], networks: tuple[IPNetwork, ...] = ()) -> str:
    """The client's IP: REMOTE_ADDR, unless that is a trusted proxy.

    Behind trusted proxies, X-Forwarded-For is read from the right (the hop our proxy added)
    leftwards, skipping trusted proxies; the first untrusted address is the client. Values to
    its left were written by the client and are ignored.
    """
    remote = normalize_ip(str(meta.get("REMOTE_ADDR", "")))
    if not remote or not networks or not _trusted(remote, networks):
        return remote
    candidate = remote
    hops = [hop for hop in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    for hop in reversed(hops):
        ip = normalize_ip(hop)
        if not ip:
            break
        candidate = ip
        if not _trusted(ip, networks):
            break
    return candidate


def client_ip_for(request: Any) -> str:
    """The client IP of a Django request (what the middleware stored, else worked out now)."""
    stored = getattr(request, "client_ip", None)
    if isinstance(stored, str):
        return stored
    meta = getattr(request, "META", None) or {}
    return client_ip_from_meta(meta, trusted_proxies())
