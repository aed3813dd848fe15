"""What the sandbox remembers: files received, files answered, claims the payers hold.

Pure dataclasses with a JSON form (:meth:`SandboxState.to_json` / :meth:`SandboxState.from_json`)
so the Django side can persist the state between calls (a JSON field, a file). Idempotency:

* a file whose SHA-256 was received before is answered with the files of its first receipt and
  creates nothing new;
* a claim (patient control number) accepted before with the same content is acknowledged again
  but not adjudicated twice;
* :meth:`SandboxState.take_due` hands each outbound file out once.

Control numbers of the files the sandbox writes (ISA13, GS06, ST02) come from a
:class:`ControlNumbers` source: by default counters kept in the state, or the caller's own (a
database sequence).
"""

from __future__ import annotations

import hashlib
import json
import types
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol, Union, get_args, get_origin, get_type_hints

from openrcm.core.x12.era import ClaimPayment

__all__ = [
    "ClaimLine",
    "ControlNumbers",
    "OutboundFile",
    "PayerClaim",
    "PendingAdjustment",
    "ReceivedFile",
    "SandboxState",
    "StateControls",
    "from_jsonable",
    "to_jsonable",
]

STATE_VERSION = 1


# -- JSON codec for dataclasses ---------------------------------------------------------------


def to_jsonable(value: object) -> Any:
    """Plain JSON data for dataclasses, Decimals (as strings), dates and times (ISO 8601)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in fields(value) if f.init}
    if isinstance(value, list | tuple | frozenset | set):
        items = sorted(value) if isinstance(value, frozenset | set) else value
        return [to_jsonable(v) for v in items]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


_HINTS: dict[type, dict[str, Any]] = {}


def from_jsonable(tp: Any, data: Any) -> Any:
    """The value of type ``tp`` that :func:`to_jsonable` turned into ``data``."""
    origin = get_origin(tp)
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(tp) if a is not type(None)]
        if data is None:
            return None
        if len(args) != 1:
            raise TypeError(f"cannot read a union {tp!r}")
        return from_jsonable(args[0], data)
    if tp is Any:
        return data
    if tp is Decimal:
        return Decimal(str(data))
    if tp is datetime:
        return datetime.fromisoformat(data)
    if tp is date:
        return date.fromisoformat(data)
    if tp is time:
        return time.fromisoformat(data)
    if tp is timedelta:
        return timedelta(seconds=data)
    if tp in (str, int, bool):
        if not isinstance(data, tp):
            raise TypeError(f"expected {tp.__name__}, got {type(data).__name__}")
        return data
    if origin is list:
        (arg,) = get_args(tp)
        return [from_jsonable(arg, v) for v in data]
    if origin is tuple:
        targs = get_args(tp)
        if len(targs) == 2 and targs[1] is Ellipsis:
            return tuple(from_jsonable(targs[0], v) for v in data)
        return tuple(from_jsonable(a, v) for a, v in zip(targs, data, strict=True))
    if origin is dict:
        _, val = get_args(tp)
        return {k: from_jsonable(val, v) for k, v in data.items()}
    if isinstance(tp, type) and is_dataclass(tp):
        hints = _HINTS.get(tp)
        if hints is None:
            hints = _HINTS[tp] = get_type_hints(tp)
        kwargs = {
            f.name: from_jsonable(hints[f.name], data[f.name])
            for f in fields(tp)
            if f.init and f.name in data
        }
        return tp(**kwargs)
    raise TypeError(f"cannot read {tp!r} from JSON")


# -- records ----------------------------------------------------------------------------------


@dataclass(slots=True)
class ReceivedFile:
    """An 837 file the clearinghouse received, and the files it answered with."""

    sha256: str
    name: str
    received_at: datetime
    interchange_control: str
    submitter_id: str
    usage: str = "T"
    response_files: list[str] = field(default_factory=list)
    accepted_claims: list[str] = field(default_factory=list)  # patient control numbers
    rejected_claims: list[str] = field(default_factory=list)


@dataclass(slots=True)
class OutboundFile:
    """A file the sandbox answers with: TA1, 999, 277CA or 835 (X12 text), available in the
    inbound folder from ``available_at``, handed out once (``delivered_at``)."""

    file_id: str
    kind: str
    name: str
    text: str
    available_at: datetime
    in_reply_to: str = ""  # SHA-256 of the 837 file (TA1, 999, 277CA)
    delivered_at: datetime | None = None

    @property
    def content(self) -> bytes:
        return self.text.encode("ascii")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(slots=True)
class ClaimLine:
    """A service line as the payer keeps it (from 837P loop 2400)."""

    number: int
    procedure_code: str
    modifiers: list[str]
    charge: Decimal
    units: Decimal
    service_date: date
    service_end_date: date | None = None
    control_number: str = ""
    prior_paid: Decimal | None = None  # 2430: what the prior payer paid on this line
    prior_patient: Decimal | None = None  # 2430: the prior payer's PR amounts on this line


@dataclass(slots=True)
class PayerClaim:
    """A claim a sandbox payer accepted (277CA A2) and adjudicates when its lag has elapsed.

    ``icn`` is the payer's claim control number (277CA REF*1K, 835 CLP07). ``status``: pending,
    paid (adjudicated: paid, partly paid or denied), reversed, voided. ``payment`` is the 835
    claim loop as sent (a reversal negates it)."""

    icn: str
    pcn: str
    content_hash: str
    file_sha256: str
    submitter_id: str
    payer_id: str
    payer_name: str
    filing_indicator: str
    responsibility: str
    billing_npi: str
    billing_name: str
    billing_tax_id: str
    member_id: str
    insured_last: str
    insured_first: str
    patient_last: str
    patient_first: str
    patient_is_subscriber: bool
    place_of_service: str
    frequency: str
    total_charge: Decimal
    lines: list[ClaimLine]
    received_on: date
    payment_date: date
    original_icn: str = ""  # REF*F8 of a replacement or void
    rendering_npi: str = ""
    rendering_last: str = ""
    rendering_first: str = ""
    crossover_name: str = ""  # the secondary payer named in 2320 (primary claims)
    crossover_id: str = ""
    prior_paid: Decimal | None = None  # 2320 AMT*D: the prior payer's payment (secondary)
    prior_patient: Decimal | None = None  # 2320 CAS PR amounts of the prior payer
    duplicate_of: str = ""  # the icn of an earlier claim with this PCN (CO-18)
    status: str = "pending"
    payment: ClaimPayment | None = None
    trace_number: str = ""


@dataclass(slots=True)
class PendingAdjustment:
    """A later action: a ``reversal`` of a paid claim (CLP02 22 then a corrected payment), a
    ``recoupment`` (PLB WO of ``amount``), or a balance ``forward``ed by a remittance that
    netted below zero (PLB FB), due in the payer's first 835 to the payee on or after ``due``."""

    kind: str
    icn: str
    due: date
    amount: Decimal = Decimal(0)
    done: bool = False
    key: str = ""  # payer|submitter|payee NPI (forwarded balances)
    reference: str = ""  # PLB03-2 of a forwarded balance


class ControlNumbers(Protocol):
    """Where the sandbox takes the control numbers of the files it writes: ``next("ISA")``,
    ``next("GS")``, ``next("ST")`` each return a new, increasing positive number."""

    def next(self, kind: str) -> int: ...


@dataclass(slots=True)
class SandboxState:
    """The sandbox's memory (see the module docstring)."""

    received: dict[str, ReceivedFile] = field(default_factory=dict)
    files: list[OutboundFile] = field(default_factory=list)
    claims: dict[str, PayerClaim] = field(default_factory=dict)
    accumulators: dict[str, Decimal] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    pending: list[PendingAdjustment] = field(default_factory=list)
    remittances_issued: dict[str, int] = field(default_factory=dict)
    version: int = STATE_VERSION

    # -- queries

    def claims_for_pcn(self, pcn: str) -> list[PayerClaim]:
        return [c for c in self.claims.values() if c.pcn == pcn]

    def file(self, file_id: str) -> OutboundFile:
        for f in self.files:
            if f.file_id == file_id:
                return f
        raise KeyError(file_id)

    def take_due(self, as_of: datetime) -> list[OutboundFile]:
        """Files available by ``as_of`` and not handed out before; they are marked delivered."""
        out: list[OutboundFile] = []
        for f in self.files:
            if f.delivered_at is None and f.available_at <= as_of:
                f.delivered_at = as_of
                out.append(f)
        out.sort(key=lambda f: (f.available_at, f.file_id))
        return out

    def next_control(self, kind: str) -> int:
        n = self.counters.get(kind, 0) + 1
        self.counters[kind] = n
        return n

    # -- JSON

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = to_jsonable(self)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SandboxState:
        version = data.get("version", STATE_VERSION)
        if version != STATE_VERSION:
            raise ValueError(f"sandbox state version {version} is not {STATE_VERSION}")
        state: SandboxState = from_jsonable(cls, data)
        return state

    @classmethod
    def from_json(cls, text: str) -> SandboxState:
        return cls.from_dict(json.loads(text))


@dataclass(slots=True)
class StateControls:
    """Control numbers from counters kept in the state (the default source)."""

    state: SandboxState

    def next(self, kind: str) -> int:
        return self.state.next_control(kind)
