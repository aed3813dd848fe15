"""Payer rules as data: a small, safe condition language over claim fields.

A billing team writes a payer's rule without code, as JSON (or YAML parsed to the same
structure) that an admin edits in the UI and the database stores per payer, versioned::

    {
      "id": "PAYER-ACME-001",
      "version": 2,
      "severity": "error",
      "title": "Acme wants 25 on office visits with an injection",
      "message": "Line {line}: Acme pays {procedure} with an injection only with modifier 25.",
      "citation": "Acme Health provider manual 2026, section 4.2",
      "when": {"all": [
        {"field": "payer.id", "eq": "00435"},
        {"field": "line.procedure", "in": ["99213", "99214"]},
        {"field": "line.modifiers", "not_contains": "25"}
      ]}
    }

Conditions:

* ``{"all": [c, ...]}``, ``{"any": [c, ...]}``, ``{"not": c}``;
* ``{"field": NAME, OPERATOR: VALUE}`` with exactly one operator: ``eq``, ``ne``, ``in``,
  ``not_in``, ``starts_with`` (a string or a list of them), ``contains`` and ``not_contains``
  (list fields), ``gt``, ``gte``, ``lt``, ``lte`` (numbers and dates), ``exists`` (true or
  false: the field has a value).

Fields are a fixed catalogue (:data:`FIELDS`), each read by a function written here: nothing
in a rule is evaluated, imported or looked up by name, so a rule can only compare values. When
a condition uses a ``line.`` field the rule is checked per service line and its findings name
the line. Every mistake in a rule raises :class:`ConditionError` naming the path of the bad
key (``when.all[2].in: ...``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from openrcm.core.scrub.engine import Finding, Rule, Severity
from openrcm.core.scrub.snapshot import age_on

if TYPE_CHECKING:
    from openrcm.core.scrub.context import ScrubContext
    from openrcm.core.scrub.snapshot import ClaimSnapshot, ServiceLine

__all__ = [
    "FIELDS",
    "OPERATORS",
    "Condition",
    "ConditionError",
    "FieldType",
    "compile_condition",
    "rule_from_data",
    "rules_from_json",
]

MAX_DEPTH: Final = 12
MAX_LIST: Final = 5000


class ConditionError(ValueError):
    """A rule or condition is not valid; ``path`` names the bad key."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


class FieldType(StrEnum):
    TEXT = "text"
    CODE = "code"
    """A code compared uppercase (procedures, modifiers, places of service)."""
    DIAGNOSIS = "diagnosis"
    """An ICD-10-CM code compared uppercase without its dot."""
    NUMBER = "number"
    DATE = "date"
    CODES = "codes"
    """A list of codes (modifiers)."""
    DIAGNOSES = "diagnoses"
    """A list of ICD-10-CM codes."""


Value = str | Decimal | date | tuple[str, ...] | None


Reader = Callable[["ClaimSnapshot", "ServiceLine | None"], Value]


def _line_field(read: Callable[[ClaimSnapshot, ServiceLine], Value]) -> Reader:
    def get(claim: ClaimSnapshot, line: ServiceLine | None) -> Value:
        return None if line is None else read(claim, line)

    return get


def _age(claim: ClaimSnapshot) -> Value:
    birth = claim.patient.birth_date
    first = claim.first_date
    if birth is None or first is None:
        return None
    return Decimal(age_on(birth, first))


def _pointed(claim: ClaimSnapshot, line: ServiceLine) -> Value:
    count = len(claim.diagnoses)
    return tuple(claim.diagnoses[p - 1] for p in line.pointers if 1 <= p <= count)


def _text(value: str) -> Value:
    return value or None


@dataclass(frozen=True, slots=True)
class _Field:
    type: FieldType
    read: Reader
    description: str


FIELDS: Final[Mapping[str, _Field]] = {
    "payer.id": _Field(FieldType.TEXT, lambda c, _line: _text(c.payer.id), "payer id"),
    "payer.name": _Field(FieldType.TEXT, lambda c, _line: _text(c.payer.name), "payer name"),
    "payer.filing_indicator": _Field(
        FieldType.CODE, lambda c, _line: _text(c.payer.filing_indicator), "claim filing indicator"
    ),
    "payer.responsibility": _Field(
        FieldType.CODE, lambda c, _line: _text(c.payer.responsibility), "P, S or T"
    ),
    "claim.place_of_service": _Field(
        FieldType.CODE, lambda c, _line: _text(c.place_of_service), "claim place of service"
    ),
    "claim.frequency": _Field(FieldType.CODE, lambda c, _line: _text(c.frequency), "1, 7 or 8"),
    "claim.total_charge": _Field(
        FieldType.NUMBER, lambda c, _line: c.total_charge.amount, "total charge in dollars"
    ),
    "claim.prior_authorization": _Field(
        FieldType.TEXT, lambda c, _line: _text(c.prior_authorization), "prior authorization"
    ),
    "claim.diagnoses": _Field(
        FieldType.DIAGNOSES, lambda c, _line: c.diagnoses, "all diagnoses of the claim"
    ),
    "claim.principal_diagnosis": _Field(
        FieldType.DIAGNOSIS,
        lambda c, _line: c.diagnoses[0] if c.diagnoses else None,
        "the first-listed diagnosis",
    ),
    "claim.rendering_npi": _Field(
        FieldType.TEXT, lambda c, _line: _text(c.rendering_npi), "rendering provider NPI"
    ),
    "claim.referring_npi": _Field(
        FieldType.TEXT, lambda c, _line: _text(c.referring_npi), "referring provider NPI"
    ),
    "claim.line_count": _Field(
        FieldType.NUMBER, lambda c, _line: Decimal(len(c.lines)), "number of service lines"
    ),
    "billing.npi": _Field(FieldType.TEXT, lambda c, _line: _text(c.billing.npi), "billing NPI"),
    "billing.taxonomy": _Field(
        FieldType.CODE, lambda c, _line: _text(c.billing.taxonomy), "billing taxonomy"
    ),
    "patient.sex": _Field(FieldType.CODE, lambda c, _line: _text(c.patient.sex), "M, F or U"),
    "patient.age": _Field(
        FieldType.NUMBER, lambda c, _line: _age(c), "age in years on the first date of service"
    ),
    "line.procedure": _Field(
        FieldType.CODE, _line_field(lambda c, line: line.procedure), "procedure code"
    ),
    "line.modifiers": _Field(
        FieldType.CODES, _line_field(lambda c, line: line.modifiers), "the line's modifiers"
    ),
    "line.units": _Field(FieldType.NUMBER, _line_field(lambda c, line: line.units), "units"),
    "line.charge": _Field(
        FieldType.NUMBER, _line_field(lambda c, line: line.charge.amount), "line charge"
    ),
    "line.place_of_service": _Field(
        FieldType.CODE,
        _line_field(lambda c, line: line.place_of_service or c.place_of_service or None),
        "the line's place of service (the claim's when the line has none)",
    ),
    "line.ndc": _Field(FieldType.TEXT, _line_field(lambda c, line: line.ndc or None), "NDC"),
    "line.diagnoses": _Field(
        FieldType.DIAGNOSES, _line_field(_pointed), "the diagnoses the line points to"
    ),
    "line.service_date": _Field(
        FieldType.DATE, _line_field(lambda c, line: line.service_date), "date of service"
    ),
}

_SCALAR_OPERATORS: Final = frozenset({"eq", "ne", "in", "not_in", "starts_with", "exists"})
_ORDER_OPERATORS: Final = frozenset({"gt", "gte", "lt", "lte"})
_LIST_OPERATORS: Final = frozenset({"contains", "not_contains", "exists"})
OPERATORS: Final = _SCALAR_OPERATORS | _ORDER_OPERATORS | _LIST_OPERATORS

Condition = Callable[["ClaimSnapshot", "ServiceLine | None"], bool]


def _normalize(kind: FieldType, value: object, path: str) -> str | Decimal | date:
    """Turn a rule's literal into the field's type, or raise naming ``path``."""
    if kind is FieldType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | str | Decimal):
            raise ConditionError(
                path, f"expected a whole number or a number in a string, got {value!r}"
            )
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ConditionError(path, f"expected a number, got {value!r}") from None
        if not number.is_finite():
            raise ConditionError(path, f"expected a finite number, got {value!r}")
        return number
    if kind is FieldType.DATE:
        if not isinstance(value, str):
            raise ConditionError(path, f"expected a date as YYYY-MM-DD, got {value!r}")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ConditionError(path, f"expected a date as YYYY-MM-DD, got {value!r}") from None
    if not isinstance(value, str) or not value.strip():
        raise ConditionError(path, f"expected a non-empty string, got {value!r}")
    text = value.strip()
    if kind in (FieldType.DIAGNOSIS, FieldType.DIAGNOSES):
        return text.upper().replace(".", "")
    if kind in (FieldType.CODE, FieldType.CODES):
        return text.upper()
    return text


def _strings(kind: FieldType, value: object, path: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ConditionError(path, "expected at least one value")
    if len(items) > MAX_LIST:
        raise ConditionError(path, f"at most {MAX_LIST} values")
    out: list[str] = []
    for index, item in enumerate(items):
        normalized = _normalize(kind, item, f"{path}[{index}]")
        if not isinstance(normalized, str):
            raise ConditionError(f"{path}[{index}]", "expected a string")
        out.append(normalized)
    return tuple(out)


def _leaf(node: Mapping[str, object], path: str) -> tuple[Condition, bool]:
    name = node.get("field")
    if not isinstance(name, str):
        raise ConditionError(f"{path}.field", "expected the name of a claim field")
    spec = FIELDS.get(name)
    if spec is None:
        raise ConditionError(
            f"{path}.field", f"unknown field {name!r} (known: {', '.join(sorted(FIELDS))})"
        )
    operators = [key for key in node if key != "field"]
    if len(operators) != 1:
        raise ConditionError(
            path,
            f"a condition on {name} needs exactly one operator (one of: "
            f"{', '.join(sorted(OPERATORS))}), got {operators or 'none'}",
        )
    operator = operators[0]
    where = f"{path}.{operator}"
    kind = spec.type
    read = spec.read
    is_list = kind in (FieldType.CODES, FieldType.DIAGNOSES)
    ordered = kind in (FieldType.NUMBER, FieldType.DATE)
    allowed = (
        _LIST_OPERATORS
        if is_list
        else _SCALAR_OPERATORS | (_ORDER_OPERATORS if ordered else frozenset())
    )
    if operator not in allowed:
        if operator not in OPERATORS:
            raise ConditionError(
                where, f"unknown operator (one of: {', '.join(sorted(OPERATORS))})"
            )
        raise ConditionError(
            where, f"not usable with {name} ({kind}); use one of: {', '.join(sorted(allowed))}"
        )
    literal = node[operator]
    per_line = name.startswith("line.")

    if operator == "exists":
        if not isinstance(literal, bool):
            raise ConditionError(where, "expected true or false")
        wanted = literal

        def exists(claim: ClaimSnapshot, line: ServiceLine | None) -> bool:
            value = read(claim, line)
            return (value is not None and value != ()) is wanted

        return exists, per_line

    if is_list:
        if isinstance(literal, list):
            raise ConditionError(where, f"{operator} takes one value, not a list")
        (needle,) = _strings(kind, literal, where)
        negate = operator == "not_contains"

        def contains(claim: ClaimSnapshot, line: ServiceLine | None) -> bool:
            value = read(claim, line)
            present = isinstance(value, tuple) and needle in value
            return present is not negate

        return contains, per_line

    if operator in ("in", "not_in", "starts_with"):
        if operator != "starts_with" and not isinstance(literal, list):
            raise ConditionError(where, "expected a list of values")
        if ordered:
            values_any: tuple[object, ...] = tuple(
                _normalize(kind, item, f"{where}[{i}]")
                for i, item in enumerate(literal if isinstance(literal, list) else [literal])
            )
            if operator == "starts_with":
                raise ConditionError(where, f"not usable with {name} ({kind})")
        else:
            values_any = _strings(kind, literal, where)
        if operator == "starts_with":
            prefixes = tuple(str(item) for item in values_any)

            def starts(claim: ClaimSnapshot, line: ServiceLine | None) -> bool:
                value = read(claim, line)
                return isinstance(value, str) and value.startswith(prefixes)

            return starts, per_line
        members = frozenset(values_any)
        negate = operator == "not_in"

        def membership(claim: ClaimSnapshot, line: ServiceLine | None) -> bool:
            value = read(claim, line)
            if value is None:
                return negate
            return (value in members) is not negate

        return membership, per_line

    if isinstance(literal, list):
        raise ConditionError(where, "expected one value, not a list")
    target = _normalize(kind, literal, where)

    if operator == "eq":
        return (lambda claim, line: read(claim, line) == target), per_line
    if operator == "ne":
        return (lambda claim, line: read(claim, line) != target), per_line

    def compare(claim: ClaimSnapshot, line: ServiceLine | None) -> bool:
        value = read(claim, line)
        if value is None or isinstance(value, tuple | str) or isinstance(target, str):
            return False
        if isinstance(value, date) is not isinstance(target, date):
            return False
        if operator == "gt":
            return value > target  # type: ignore[operator]
        if operator == "gte":
            return value >= target  # type: ignore[operator]
        if operator == "lt":
            return value < target  # type: ignore[operator]
        return value <= target  # type: ignore[operator]

    return compare, per_line


def _all_of(checks: tuple[Condition, ...]) -> Condition:
    if len(checks) == 1:
        return checks[0]

    def every(claim: ClaimSnapshot, line: ServiceLine | None) -> bool:
        # A plain loop: all() over a generator costs a frame per claim line.
        for check in checks:  # noqa: SIM110
            if not check(claim, line):
                return False
        return True

    return every


def _any_of(checks: tuple[Condition, ...]) -> Condition:
    if len(checks) == 1:
        return checks[0]

    def some(claim: ClaimSnapshot, line: ServiceLine | None) -> bool:
        for check in checks:  # noqa: SIM110
            if check(claim, line):
                return True
        return False

    return some


def _compile(node: object, path: str, depth: int) -> tuple[Condition, bool]:
    if depth > MAX_DEPTH:
        raise ConditionError(path, f"conditions nest at most {MAX_DEPTH} levels deep")
    if not isinstance(node, Mapping):
        raise ConditionError(path, f"expected an object, got {type(node).__name__}")
    keys = set(node)
    for group in ("all", "any"):
        if group in keys:
            if keys != {group}:
                extra = ", ".join(sorted(keys - {group}))
                raise ConditionError(path, f"{group!r} stands alone; unexpected key(s): {extra}")
            items = node[group]
            if not isinstance(items, list) or not items:
                raise ConditionError(f"{path}.{group}", "expected a non-empty list of conditions")
            if len(items) > MAX_LIST:
                raise ConditionError(f"{path}.{group}", f"at most {MAX_LIST} conditions")
            parts = [
                _compile(item, f"{path}.{group}[{index}]", depth + 1)
                for index, item in enumerate(items)
            ]
            checks = tuple(part for part, _per_line in parts)
            per_line = any(flag for _part, flag in parts)
            return (_all_of(checks) if group == "all" else _any_of(checks)), per_line
    if "not" in keys:
        if keys != {"not"}:
            extra = ", ".join(sorted(keys - {"not"}))
            raise ConditionError(path, f"'not' stands alone; unexpected key(s): {extra}")
        inner, per_line = _compile(node["not"], f"{path}.not", depth + 1)
        return (lambda claim, line: not inner(claim, line)), per_line
    if "field" in keys:
        return _leaf(node, path)
    raise ConditionError(
        path, f"expected 'all', 'any', 'not' or 'field', got {', '.join(sorted(keys)) or 'none'}"
    )


def compile_condition(
    node: object, *, path: str = "when"
) -> tuple[Callable[[ClaimSnapshot, ServiceLine | None], bool], bool]:
    """Compile a condition; returns ``(predicate(claim, line), per_line)``."""
    return _compile(node, path, 0)


_RULE_KEYS: Final = frozenset(
    {"id", "version", "severity", "title", "message", "citation", "when", "payer", "pack"}
)
_REQUIRED: Final = ("id", "version", "severity", "message", "citation", "when")


def rule_from_data(data: Mapping[str, object]) -> Rule:
    """Build a versioned :class:`~openrcm.core.scrub.engine.Rule` from its data.

    Keys: ``id``, ``version`` (an integer from 1), ``severity`` (``"error"`` or
    ``"warning"``), ``message`` (``{line}``, ``{procedure}``, ``{modifiers}``, ``{payer}``,
    ``{place_of_service}`` may appear), ``citation`` (the payer document), ``when`` (the
    condition); optional ``title``, ``payer`` (the payer id the rule is stored under) and
    ``pack`` (default ``"payer"``). Raises :class:`ConditionError` naming the bad key.
    """
    if not isinstance(data, Mapping):
        raise ConditionError("rule", f"expected an object, got {type(data).__name__}")
    unknown = sorted(set(data) - _RULE_KEYS)
    if unknown:
        raise ConditionError(unknown[0], f"unknown key (allowed: {', '.join(sorted(_RULE_KEYS))})")
    for key in _REQUIRED:
        if key not in data:
            raise ConditionError(key, "required")
    rule_id = data["id"]
    if not isinstance(rule_id, str):
        raise ConditionError("id", "expected a string such as PAYER-ACME-001")
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ConditionError("version", "expected an integer, 1 or more")
    severity_text = data["severity"]
    if severity_text not in ("error", "warning"):
        raise ConditionError("severity", "expected 'error' or 'warning'")
    severity = Severity(str(severity_text))
    texts: dict[str, str] = {}
    for key in ("message", "citation", "title", "pack", "payer"):
        value = data.get(key, "")
        if not isinstance(value, str):
            raise ConditionError(key, "expected a string")
        texts[key] = value.strip()
    if not texts["message"]:
        raise ConditionError("message", "say what is wrong and how to fix it")
    if not texts["citation"]:
        raise ConditionError("citation", "name the payer document (manual, bulletin, contract)")
    when = data["when"]
    predicate, per_line = compile_condition(when)
    # A per-line rule whose top level is "all" often starts with claim-level tests (the payer,
    # the patient's age): evaluate those once per claim, and the line tests per line.
    claim_gate: Callable[[ClaimSnapshot, ServiceLine | None], bool] | None = None
    if per_line and isinstance(when, Mapping) and set(when) == {"all"}:
        items = when["all"]
        assert isinstance(items, list)
        flags = [compile_condition(item)[1] for item in items]
        claim_items = [item for item, flag in zip(items, flags, strict=True) if not flag]
        line_items = [item for item, flag in zip(items, flags, strict=True) if flag]
        if claim_items:
            claim_gate = compile_condition({"all": claim_items})[0]
            predicate = compile_condition({"all": line_items})[0]
    pack = texts["pack"] or "payer"
    holder: list[Rule] = []

    def check(claim: ClaimSnapshot, context: ScrubContext) -> list[Finding]:
        rule = holder[0]
        payer = claim.payer.name or claim.payer.id
        if not per_line:
            if predicate(claim, None):
                return [
                    rule.finding(
                        field="claim",
                        payer=payer,
                        place_of_service=claim.place_of_service,
                    )
                ]
            return []
        if claim_gate is not None and not claim_gate(claim, None):
            return []
        found: list[Finding] = []
        for index, line in enumerate(claim.lines):
            if predicate(claim, line):
                found.append(
                    rule.finding(
                        line=line.number,
                        field=f"lines[{index}]",
                        procedure=line.procedure,
                        modifiers="-".join(line.modifiers) or "none",
                        payer=payer,
                        place_of_service=line.place_of_service or claim.place_of_service,
                    )
                )
        return found

    try:
        rule = Rule(
            id=rule_id,
            version=version,
            severity=severity,
            message=texts["message"],
            citation=texts["citation"],
            pack=pack,
            title=texts["title"],
            check=check,
        )
    except ValueError as error:
        raise ConditionError("id", str(error)) from None
    holder.append(rule)
    return rule


def rules_from_json(text: str) -> list[Rule]:
    """Rules from JSON: one rule object or a list of them. Floats are refused (use strings)."""

    def no_float(value: str) -> object:
        raise ConditionError("json", f"number {value} has a fraction: write it as a string")

    try:
        data = json.loads(text, parse_float=no_float)
    except json.JSONDecodeError as error:
        raise ConditionError("json", f"not valid JSON: {error}") from None
    items: Sequence[object] = data if isinstance(data, list) else [data]
    rules: list[Rule] = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise ConditionError(f"[{index}]", "expected a rule object")
        try:
            rules.append(rule_from_data(item))
        except ConditionError as error:
            raise ConditionError(f"[{index}].{error.path}", str(error).split(": ", 1)[1]) from None
    return rules
