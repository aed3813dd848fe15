"""What ``openrcm x12 parse`` and ``openrcm x12 show`` print, as pure functions.

- :func:`parse_to_json` reads a file with the reader of its transaction set and returns plain
  data (amounts as strings, dates as ISO strings).
- :func:`summary` returns counts and totals.
- :func:`show` returns a readable, indented view: each segment with its number, loop and name,
  each element with its name and, for codes, their meaning.

All three raise :class:`X12Error` when the file cannot be read; the CLI prints it and exits 2.
Readers of other transaction sets plug in with :func:`register_view` (keyed on ST01, and on the
implementation guide when one ST01 has several, e.g. 277 for X212 and X214).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date, time
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Final, Protocol

from openrcm.core.x12 import names
from openrcm.core.x12.ack999 import Ack999, read_999
from openrcm.core.x12.envelope import iter_transaction_sets
from openrcm.core.x12.era import ClaimPayment, Remittance, ServiceLine, read_835
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.segments import Segment
from openrcm.core.x12.ta1 import TA1Ack, read_ta1
from openrcm.core.x12.tokenizer import Source, iter_segments

ZERO: Final = Decimal(0)


def to_jsonable(value: Any) -> Any:
    """Plain JSON data: dataclasses as dicts, Decimal as str (exact), dates ISO, enums' values."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in fields(value):
            if f.repr:
                out[f.name] = to_jsonable(getattr(value, f.name))
        return out
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return str(value)


# -- registry ---------------------------------------------------------------------------------


class Reader(Protocol):
    def __call__(self, source: Source, *, file: str | None = None) -> Sequence[Any]: ...


@dataclass(frozen=True, slots=True)
class SetView:
    """How the CLI reads and presents one transaction set.

    ``read(source, file=...)`` returns the set's objects (one per ST-SE) or raises X12Error;
    ``to_json`` and ``summary`` turn one object into plain data (default: all its fields, and a
    count); ``versions`` restricts the view to these implementation guides (GS08/ST03);
    ``loops`` makes a fresh loop tracker for :func:`show`.
    """

    set_id: str
    name: str
    read: Reader
    to_json: Callable[[Any], dict[str, Any]] | None = None
    summary: Callable[[Any], dict[str, Any]] | None = None
    versions: frozenset[str] = frozenset()
    loops: Callable[[], Callable[[Segment], str]] | None = None
    depth: Callable[[str], int] | None = None


_VIEWS: dict[str, list[SetView]] = {}


def register_view(view: SetView) -> None:
    """Add (or replace) the view of a transaction set."""
    views = _VIEWS.setdefault(view.set_id, [])
    views[:] = [v for v in views if v.versions != view.versions]
    views.append(view)


def find_view(set_id: str, version: str = "") -> SetView | None:
    _load_plugins()
    views = _VIEWS.get(set_id, [])
    for v in views:
        if version and version in v.versions:
            return v
    for v in views:
        if not v.versions:
            return v
    return None


_PLUGINS: Final = (
    "openrcm.core.x12.claim837p",
    "openrcm.core.x12.ack277ca",
    "openrcm.core.x12.eligibility",
    "openrcm.core.x12.claim_status",
    "openrcm.core.x12.hl_views",
)
_loaded = False


def _load_plugins() -> None:
    """Import the other readers (they may register their own views), then add adapters for
    those that did not, by their ``read_*`` functions."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    modules: dict[str, Any] = {}
    for name in _PLUGINS:
        try:
            modules[name.rsplit(".", 1)[1]] = importlib.import_module(name)
        except ImportError:  # pragma: no cover - a reader not (yet) present
            continue
    for mod in modules.values():
        hook = getattr(mod, "register_cli_view", None)
        if callable(hook):
            hook()  # the module registers its own view (loops for `show`, names)
    adapters: list[tuple[str, str, str, frozenset[str], str | None, str | None]] = [
        ("claim837p", "837", "read_837p", frozenset(), "claim837p_to_json", "claim837p_summary"),
        ("ack277ca", "277", "read_277ca", frozenset({"005010X214"}), None, None),
        ("claim_status", "277", "read_277", frozenset({"005010X212"}), None, None),
        ("claim_status", "276", "read_276", frozenset(), None, None),
        ("eligibility", "270", "read_270", frozenset(), None, None),
        ("eligibility", "271", "read_271", frozenset(), None, None),
    ]
    for mod_name, set_id, read_name, versions, json_name, summary_name in adapters:
        mod = modules.get(mod_name)
        if mod is None or not hasattr(mod, read_name):
            continue
        if any(v.versions == versions for v in _VIEWS.get(set_id, [])):
            continue  # the module registered its own view
        register_view(
            SetView(
                set_id=set_id,
                name=f"{set_id} ({mod_name})",
                read=getattr(mod, read_name),
                to_json=getattr(mod, json_name) if json_name and hasattr(mod, json_name) else None,
                summary=(
                    getattr(mod, summary_name)
                    if summary_name and hasattr(mod, summary_name)
                    else None
                ),
                versions=versions,
            )
        )


# -- 835 --------------------------------------------------------------------------------------


def _line_json(line: ServiceLine) -> dict[str, Any]:
    out: dict[str, Any] = to_jsonable(line)
    out["line_control_number"] = line.line_control_number
    out["allowed"] = to_jsonable(line.allowed)
    out["service_date"] = to_jsonable(line.service_date)
    out["remark_codes"] = line.remark_codes
    return out


def _claim_json(c: ClaimPayment) -> dict[str, Any]:
    out: dict[str, Any] = to_jsonable(c)
    out["lines"] = [_line_json(ln) for ln in c.lines]
    out["remark_codes"] = c.remark_codes
    out["header"] = to_jsonable(c.header)
    return out


def remittance_to_json(rem: Remittance) -> dict[str, Any]:
    """One 835 set as plain data: payment, trace, payer, payee, claims, PLBs."""
    out: dict[str, Any] = {
        "transaction_set": "835",
        "control_number": rem.control_number,
        "payment": to_jsonable(rem.payment),
        "trace": to_jsonable(rem.trace),
        "payer": to_jsonable(rem.payer),
        "payee": to_jsonable(rem.payee),
        "references": to_jsonable(rem.references),
        "production_date": to_jsonable(rem.production_date),
        "currency": rem.currency,
        "claims": [_claim_json(c) for c in rem.claims],
        "provider_adjustments": to_jsonable(rem.provider_adjustments),
    }
    return out


def remittance_summary(rem: Remittance) -> dict[str, Any]:
    """Counts and totals of one 835 set."""
    by_group: dict[str, Decimal] = {}
    lines = 0
    patient = ZERO
    for c in rem.claims:
        lines += len(c.lines)
        patient += c.patient_responsibility or ZERO
        for a in c.adjustments:
            by_group[a.group] = by_group.get(a.group, ZERO) + a.amount
        for ln in c.lines:
            for a in ln.adjustments:
                by_group[a.group] = by_group.get(a.group, ZERO) + a.amount
    return {
        "transaction_set": "835",
        "control_number": rem.control_number,
        "trace_number": rem.trace.number,
        "payer": rem.payer.name,
        "payee": rem.payee.name,
        "payment_amount": format(rem.payment.amount, "f"),
        "payment_method": rem.payment.method,
        "payment_date": rem.payment.date.isoformat(),
        "claims": len(rem.claims),
        "lines": lines,
        "denied_claims": sum(1 for c in rem.claims if c.status == "4"),
        "reversals": sum(1 for c in rem.claims if c.status == "22"),
        "total_charge": format(sum((c.charge for c in rem.claims), ZERO), "f"),
        "total_paid": format(sum((c.paid for c in rem.claims), ZERO), "f"),
        "patient_responsibility": format(patient, "f"),
        "adjustments_by_group": {k: format(v, "f") for k, v in sorted(by_group.items())},
        "provider_adjustments": len(rem.plb_items),
        "plb_total": format(rem.plb_total, "f"),
    }


def _ack999_summary(ack: Ack999) -> dict[str, Any]:
    return {
        "transaction_set": "999",
        "control_number": ack.control_number,
        "acknowledged_group": ack.group_control_number,
        "functional_id": ack.functional_id,
        "group_status": ack.group_status,
        "sets_included": ack.sets_included,
        "sets_received": ack.sets_received,
        "sets_accepted": ack.sets_accepted,
        "rejected_sets": [s.control_number for s in ack.sets if not s.accepted],
        "segment_errors": sum(len(s.segment_notes) for s in ack.sets),
    }


def _ta1_summary(ack: TA1Ack) -> dict[str, Any]:
    return {
        "transaction_set": "TA1",
        "interchange_control_number": ack.control_number,
        "status": ack.status,
        "note_code": ack.note_code,
        "note": names.CODES["TA105"].get(ack.note_code, ""),
    }


class _Loops835:
    __slots__ = ("loop",)

    def __init__(self) -> None:
        self.loop = "header"

    def __call__(self, seg: Segment) -> str:
        sid = seg.id
        if sid == "N1":
            self.loop = "1000A" if seg.el(1) == "PR" else "1000B"
        elif sid == "LX":
            self.loop = "2000"
        elif sid == "CLP":
            self.loop = "2100"
        elif sid == "SVC":
            self.loop = "2110"
        elif sid == "PLB":
            self.loop = "footer"
        elif sid in ("BPR", "TRN", "CUR"):
            self.loop = "header"
        return self.loop


_DEPTH_835: Final = {"header": 0, "1000A": 1, "1000B": 1, "2000": 1, "2100": 2, "2110": 3,
                     "footer": 1}  # fmt: skip


class _Loops999:
    __slots__ = ("loop",)

    def __init__(self) -> None:
        self.loop = "header"

    def __call__(self, seg: Segment) -> str:
        self.loop = {"AK1": "header", "AK2": "2000", "IK3": "2100", "IK4": "2110",
                     "IK5": "2000", "AK9": "header"}.get(seg.id, self.loop)  # fmt: skip
        return self.loop


_DEPTH_999: Final = {"header": 0, "2000": 1, "2100": 2, "2110": 3}


register_view(
    SetView(
        "835",
        "835 Health Care Claim Payment/Advice",
        read_835,
        to_json=remittance_to_json,
        summary=remittance_summary,
        loops=_Loops835,
        depth=lambda loop: _DEPTH_835.get(loop, 0),
    )
)
register_view(
    SetView(
        "999",
        "999 Implementation Acknowledgment",
        read_999,
        summary=_ack999_summary,
        loops=_Loops999,
        depth=lambda loop: _DEPTH_999.get(loop, 0),
    )
)


# -- dispatch -----------------------------------------------------------------------------


def _first_set(path: Source) -> tuple[str, str]:
    """("TA1", "") for an interchange of TA1s only, else ST01 and the guide of the first set."""
    for seg in iter_segments(path):
        if seg.id == "TA1":
            return "TA1", ""
        if seg.id == "GS":
            break
    for ts in iter_transaction_sets(path):
        if ts.kind == "set":
            return ts.transaction_set_id, ts.version
    raise X12Error(X12ErrorCode.ENVELOPE_INVALID, "the file holds no transaction set (ST ... SE)")


def _generic_read(source: Source, *, file: str | None = None) -> list[dict[str, Any]]:
    """For a set without a registered reader: the envelope is checked, segments listed."""
    out: list[dict[str, Any]] = []
    for ts in iter_transaction_sets(source, file=file):
        if ts.error is not None:
            raise ts.error
        out.append(
            {
                "transaction_set": ts.transaction_set_id,
                "control_number": ts.control_number,
                "version": ts.version,
                "segments": [[s.id, *s.elements] for s in ts.segments],
            }
        )
    return out


def _read(name: str) -> tuple[str, SetView | None, Sequence[Any]]:
    path = Path(name)
    set_id, version = _first_set(path)
    if set_id == "TA1":
        return set_id, None, read_ta1(path)
    view = find_view(set_id, version)
    if view is None:
        return set_id, None, _generic_read(path)
    return set_id, view, view.read(path)


def _named(e: X12Error, path: str) -> X12Error:
    return e if e.file is not None else e.with_file(path)


def parse_to_json(path: str) -> dict[str, Any]:
    """``openrcm x12 parse FILE --json``: what was read, as plain data."""
    try:
        set_id, view, items = _read(path)
    except X12Error as e:
        raise _named(e, path) from None
    if view is not None and view.to_json is not None:
        convert = view.to_json
        data = [convert(i) for i in items]
    else:
        data = [to_jsonable(i) for i in items]
    return {"file": path, "transaction_set": set_id, "sets": data}


def summary(path: str) -> dict[str, Any]:
    """``openrcm x12 parse FILE --summary``: counts and totals (per set, and for the file)."""
    try:
        set_id, view, items = _read(path)
    except X12Error as e:
        raise _named(e, path) from None
    per_set: list[dict[str, Any]]
    if set_id == "TA1":
        per_set = [_ta1_summary(i) for i in items]
    elif view is not None and view.summary is not None:
        convert = view.summary
        per_set = [convert(i) for i in items]
    else:
        per_set = [{"transaction_set": set_id} for _ in items]
    out: dict[str, Any] = {"file": path, "transaction_set": set_id, "sets": len(per_set)}
    for key in ("claims", "lines"):
        if any(key in s for s in per_set):
            out[key] = sum(int(s.get(key, 0)) for s in per_set)
    for key in ("total_charge", "total_paid", "payment_amount", "plb_total"):
        if any(key in s for s in per_set):
            out[key] = format(sum((Decimal(str(s.get(key, 0))) for s in per_set), ZERO), "f")
    out["per_set"] = per_set
    return out


# -- show ---------------------------------------------------------------------------------


_ENVELOPE_DEPTH: Final = {"ISA": 0, "IEA": 0, "TA1": 1, "GS": 1, "GE": 1, "ST": 2, "SE": 2}
_HL_LEVELS: Final = {
    "20": "information source / billing provider", "21": "information receiver",
    "22": "subscriber", "23": "dependent", "19": "provider of service", "PT": "patient",
}  # fmt: skip


def _hl_tracker() -> Callable[[Segment], str]:
    state = {"loop": "header"}

    def track(seg: Segment) -> str:
        if seg.id == "HL":
            level = seg.el(3)
            state["loop"] = f"HL {level}" + (f" {_HL_LEVELS[level]}" if level in _HL_LEVELS else "")
        return state["loop"]

    return track


def _describe_elements(seg: Segment, set_id: str, indent: str, out: list[str]) -> None:
    comp = seg.delimiters.component
    rep = seg.delimiters.repetition
    for pos, value in enumerate(seg.elements, start=1):
        if not value:
            continue
        ref = f"{seg.id}{pos:02d}"
        label = names.element_name(seg.id, pos, set_id=set_id)
        shown = value
        if seg.id == "ISA":
            shown = value.rstrip() or repr(value)
        meaning = names.code_meaning(seg.id, pos, value, set_id=set_id)
        line = f"{indent}{ref:<7}{label or '(element)'}: {shown}"
        if meaning:
            line += f"  ({meaning})"
        out.append(line)
        if seg.id == "ISA":
            continue
        if rep in value and len(value) > 1:
            for i, r in enumerate(value.split(rep), start=1):
                out.append(f"{indent}  repetition {i}: {r}")
        elif comp in value:
            for i, c in enumerate(value.split(comp), start=1):
                if not c:
                    continue
                cname = names.component_name(seg.id, pos, i)
                cmeaning = names.code_meaning(seg.id, pos, c, set_id=set_id, component=i)
                text = f"{indent}  {ref}-{i} {cname or '(component)'}: {c}"
                out.append(text + (f"  ({cmeaning})" if cmeaning else ""))


def show(path: str) -> str:
    """``openrcm x12 show FILE``: every segment with its number, loop and name, each element
    with its name and the meaning of its code. Reads anything the tokenizer can (a file with
    errors is shown as it is); raises X12Error only when the input is not X12."""
    try:
        reader = iter_segments(Path(path), strict=False)
    except X12Error as e:
        raise _named(e, path) from None
    out: list[str] = [f"{path}"]
    set_id = ""
    tracker: Callable[[Segment], str] | None = None
    depth_of: Callable[[str], int] = lambda _loop: 0  # noqa: E731
    version = ""
    try:
        for seg in reader:
            sid = seg.id
            loop = ""
            if sid == "GS":
                version = seg.el(8)
            if sid == "ST":
                set_id = seg.el(1)
                view = find_view(set_id, seg.el(3) or version)
                tracker = view.loops() if view is not None and view.loops is not None else None
                if tracker is None:
                    tracker = _hl_tracker()
                if view is not None and view.depth is not None:
                    depth_of = view.depth
                else:
                    depth_of = lambda loop: 1 if loop.startswith("HL") else 0  # noqa: E731
            if sid in _ENVELOPE_DEPTH:
                depth = _ENVELOPE_DEPTH[sid]
                if sid in ("SE", "GE", "IEA"):
                    tracker = None if sid == "SE" else tracker
            elif tracker is not None:
                loop = tracker(seg)
                depth = 3 + depth_of(loop)
            else:
                depth = 3
            qualifier = seg.el(1)
            name = names.segment_name(sid, set_id=set_id, loop=loop, qualifier=qualifier)
            indent = "  " * depth
            loop_text = ""
            if loop:
                lname = names.loop_name(loop, set_id=set_id)
                loop_text = f" [{loop}{' ' + lname if lname else ''}]"
            out.append(f"{seg.number:>6} {indent}{sid}{loop_text} {name}".rstrip())
            _describe_elements(seg, set_id, " " * 7 + indent + "    ", out)
    except X12Error as e:
        raise _named(e, path) from None
    return "\n".join(out) + "\n"
