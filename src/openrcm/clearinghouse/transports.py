"""How files travel to and from a clearinghouse: one interface, several transports.

A transport sends a named file and lists the files waiting in its inbound folder; taking each
inbound file once (by name and hash) is the caller's job (:func:`services.inbound_poll`).
SFTP lives in :mod:`openrcm.clearinghouse.sftp` (imported when a partner uses it).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from openrcm.clearinghouse.models import TradingPartner, TransportKind
from openrcm.core.sandbox import Sandbox, SandboxConfig, SandboxState


class TransportError(Exception):
    """A transport could not send or poll (the message is for people)."""


class Transport(Protocol):
    def send(self, *, name: str, data: bytes) -> None: ...

    def poll(self) -> list[tuple[str, bytes]]: ...


class FolderTransport:
    """Files written into ``out_dir`` and read from ``in_dir`` (a mounted share, a sync
    client's folder, or a clearinghouse's own local agent)."""

    def __init__(self, out_dir: str | Path, in_dir: str | Path) -> None:
        self.out_dir = Path(out_dir)
        self.in_dir = Path(in_dir)

    def send(self, *, name: str, data: bytes) -> None:
        if Path(name).name != name or name.startswith("."):
            raise TransportError(f"{name!r} is not a plain file name")
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            target = self.out_dir / name
            if target.exists():
                raise TransportError(f"{target} already exists: not overwritten")
            # Written under a hidden name and renamed: a reader never sees half a file.
            fd, tmp = tempfile.mkstemp(prefix=".", suffix=".part", dir=self.out_dir)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except OSError as exc:
            raise TransportError(f"cannot write {name} into {self.out_dir}: {exc}") from exc

    def poll(self) -> list[tuple[str, bytes]]:
        if not self.in_dir.is_dir():
            return []
        out: list[tuple[str, bytes]] = []
        try:
            for path in sorted(self.in_dir.iterdir()):
                if path.is_file() and not path.name.startswith("."):
                    out.append((path.name, path.read_bytes()))
        except OSError as exc:
            raise TransportError(f"cannot read {self.in_dir}: {exc}") from exc
        return out


class SandboxTransport:
    """The sandbox clearinghouse as a partner: a sent 837P is answered at once (TA1, 999,
    277CA, available on the sandbox's clock) and a poll hands out what is due by ``now``.
    The sandbox's state lives on the partner row; the caller saves it in its transaction."""

    def __init__(self, partner: TradingPartner, *, now: dt.datetime) -> None:
        self.partner = partner
        self.now = now
        options = partner.settings or {}
        base = SandboxConfig(seed=options.get("seed", 0))

        def rate(key: str, default: Decimal) -> Decimal:
            # Rates a partner may tune (e.g. no denials for a training practice).
            return Decimal(str(options[key])) if key in options else default

        config = replace(
            base,
            denial_rate=rate("denial_rate", base.denial_rate),
            reversal_rate=rate("reversal_rate", base.reversal_rate),
            interest_rate=rate("interest_rate", base.interest_rate),
            recoupment_rate=rate("recoupment_rate", base.recoupment_rate),
            unknown_member_rate=rate("unknown_member_rate", base.unknown_member_rate),
        )
        state = SandboxState.from_json(partner.sandbox_state) if partner.sandbox_state else None
        self.sandbox = Sandbox(config, state)

    def _save(self) -> None:
        self.partner.sandbox_state = self.sandbox.state.to_json()
        self.partner.save(update_fields=["sandbox_state"])

    def send(self, *, name: str, data: bytes) -> None:
        self.sandbox.receive_837(data, received_at=self.now, name=name)
        self._save()

    def poll(self) -> list[tuple[str, bytes]]:
        files = self.sandbox.poll(as_of=self.now)
        self._save()
        return [(f.name, f.content) for f in files]


def transport_for(partner: TradingPartner, *, now: dt.datetime) -> Transport:
    """The transport a partner is configured with."""
    options = partner.settings or {}
    if partner.transport == TransportKind.FOLDER:
        out_dir, in_dir = options.get("out_dir"), options.get("in_dir")
        if not out_dir or not in_dir:
            raise TransportError(f"partner {partner.name}: settings need out_dir and in_dir")
        return FolderTransport(out_dir, in_dir)
    if partner.transport == TransportKind.SANDBOX:
        return SandboxTransport(partner, now=now)
    if partner.transport == TransportKind.SFTP:
        from openrcm.clearinghouse.sftp import sftp_transport_for

        return sftp_transport_for(partner.name, options)
    raise TransportError(f"partner {partner.name}: unknown transport {partner.transport!r}")
