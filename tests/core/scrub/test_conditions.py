from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrcm.core.money import Money
from openrcm.core.scrub import scrub
from openrcm.core.scrub.conditions import (
    FIELDS,
    ConditionError,
    compile_condition,
    rule_from_data,
    rules_from_json,
)
from openrcm.core.scrub.engine import Severity

from .corpus import BASE, CLEAN, context, line

RULE: dict[str, Any] = {
    "id": "PAYER-ACME-025",
    "version": 3,
    "severity": "warning",
    "title": "Acme wants 25 on an office visit billed with a procedure",
    "message": "Line {line}: {payer} pays {procedure} with a procedure only with modifier 25.",
    "citation": "Acme Health provider manual 2026, section 4.2 (synthetic)",
    "when": {
        "all": [
            {"field": "payer.id", "eq": "00435"},
            {"field": "claim.line_count", "gte": 2},
            {"field": "line.procedure", "in": ["99213", "99214"]},
            {"field": "line.modifiers", "not_contains": "25"},
        ]
    },
}


def two_lines(*modifiers: str) -> Any:
    return dataclasses.replace(
        BASE,
        lines=(
            line(1, "99213", "150.00", modifiers=modifiers),
            line(2, "96372", "35.00"),
        ),
        total_charge=BASE.total_charge + Money(Decimal("35.00")),
    )


def test_rule_from_data_fires_per_line() -> None:
    rule = rule_from_data(RULE)
    assert (rule.id, rule.version, rule.severity, rule.pack) == (
        "PAYER-ACME-025",
        3,
        Severity.WARNING,
        "payer",
    )
    assert rule.check is not None
    ctx = context(payer_rules={"00435": (rule,)})
    findings = [f for f in scrub(two_lines(), ctx) if f.rule_id == rule.id]
    assert [(f.line, f.message) for f in findings] == [
        (1, "Line 1: Acme Health pays 99213 with a procedure only with modifier 25.")
    ]
    assert not [f for f in scrub(two_lines("25"), ctx) if f.rule_id == rule.id]
    assert not [f for f in scrub(BASE, ctx) if f.rule_id == rule.id]  # one line only
    other_payer = dataclasses.replace(two_lines(), payer=CLEAN["psychiatry: psychotherapy"].payer)
    assert not [f for f in scrub(other_payer, ctx) if f.rule_id == rule.id]


def test_claim_level_rule() -> None:
    rule = rule_from_data(
        {
            "id": "PAYER-ACME-002",
            "version": 1,
            "severity": "error",
            "message": "{payer} needs a referring provider on every claim.",
            "citation": "Acme HMO bulletin 2026-03 (synthetic)",
            "when": {"field": "claim.referring_npi", "exists": False},
        }
    )
    assert rule.check is not None
    [finding] = rule.check(BASE, context())
    assert (
        finding.line is None
        and finding.message == "Acme Health needs a referring provider on every claim."
    )


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "patient.age", "gte": 58}, True),  # born 1968-03-14, seen 2026-06-01
        ({"field": "patient.age", "gt": "58"}, False),
        ({"field": "patient.sex", "ne": "m"}, True),
        ({"field": "claim.total_charge", "lte": "150.00"}, True),
        ({"field": "claim.total_charge", "lt": 150}, False),
        ({"field": "claim.diagnoses", "contains": "e11.9"}, True),
        ({"field": "claim.principal_diagnosis", "starts_with": ["E11", "E10"]}, True),
        ({"field": "claim.principal_diagnosis", "in": ["I10"]}, False),
        ({"field": "claim.place_of_service", "not_in": ["21", "23"]}, True),
        ({"field": "claim.prior_authorization", "exists": True}, False),
        ({"field": "payer.filing_indicator", "eq": "ci"}, True),
        ({"not": {"field": "payer.id", "eq": "00435"}}, False),
        ({"any": [{"field": "payer.id", "eq": "X"}, {"field": "patient.sex", "eq": "F"}]}, True),
    ],
)
def test_claim_conditions(condition: dict[str, Any], expected: bool) -> None:
    predicate, per_line = compile_condition(condition)
    assert not per_line
    assert predicate(BASE, None) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "line.procedure", "eq": "99213"}, True),
        ({"field": "line.units", "gt": "1"}, False),
        ({"field": "line.charge", "gte": "150"}, True),
        ({"field": "line.place_of_service", "eq": "11"}, True),
        ({"field": "line.diagnoses", "contains": "I10"}, True),
        ({"field": "line.ndc", "exists": False}, True),
        ({"field": "line.service_date", "gte": "2026-06-01"}, True),
        ({"field": "line.service_date", "lt": "2026-06-01"}, False),
        ({"field": "line.modifiers", "exists": True}, False),
    ],
)
def test_line_conditions(condition: dict[str, Any], expected: bool) -> None:
    predicate, per_line = compile_condition(condition)
    assert per_line
    assert predicate(BASE, BASE.lines[0]) is expected
    assert predicate(BASE, None) is (condition.get("exists") is False)  # no line: no value


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"colour": "red"}, "colour", "unknown key"),
        ({"id": None}, "id", "expected a string"),
        ({"id": "payer rule 1"}, "id", "rule id"),
        ({"version": 0}, "version", "integer, 1 or more"),
        ({"version": True}, "version", "integer"),
        ({"severity": "fatal"}, "severity", "'error' or 'warning'"),
        ({"message": ""}, "message", "how to fix"),
        ({"citation": ""}, "citation", "payer document"),
        ({"when": []}, "when", "expected an object"),
        ({"when": {"field": "payer.colour", "eq": "x"}}, "when.field", "unknown field"),
        ({"when": {"field": "payer.id", "equals": "x"}}, "when.equals", "unknown operator"),
        ({"when": {"field": "payer.id"}}, "when", "exactly one operator"),
        ({"when": {"field": "payer.id", "eq": "a", "ne": "b"}}, "when", "exactly one operator"),
        ({"when": {"field": "payer.id", "gt": "a"}}, "when.gt", "not usable with payer.id"),
        ({"when": {"field": "line.modifiers", "eq": "25"}}, "when.eq", "not usable"),
        ({"when": {"field": "line.modifiers", "contains": ["25"]}}, "when.contains", "one value"),
        ({"when": {"field": "payer.id", "in": "00435"}}, "when.in", "list of values"),
        ({"when": {"field": "payer.id", "in": []}}, "when.in", "at least one value"),
        ({"when": {"field": "payer.id", "in": ["ok", 7]}}, "when.in[1]", "non-empty string"),
        ({"when": {"field": "patient.age", "gt": 1.5}}, "when.gt", "number"),
        ({"when": {"field": "patient.age", "gt": "old"}}, "when.gt", "number"),
        ({"when": {"field": "line.service_date", "gt": "June"}}, "when.gt", "YYYY-MM-DD"),
        ({"when": {"field": "line.ndc", "exists": "yes"}}, "when.exists", "true or false"),
        ({"when": {"all": []}}, "when.all", "non-empty list"),
        ({"when": {"all": [{"field": "payer.id", "eq": "1"}], "x": 1}}, "when", "stands alone"),
        (
            {"when": {"all": [{"field": "payer.id", "eq": "1"}, {"nope": 1}]}},
            "when.all[1]",
            "expected",
        ),
        ({"when": {"not": {"field": "payer.id", "gt": "1"}}}, "when.not.gt", "not usable"),
        (
            {"when": {"any": [{"field": "payer.id", "eq": "1"}, {"field": 3, "eq": "1"}]}},
            "when.any[1].field",
            "claim field",
        ),
    ],
)
def test_validation_errors_name_the_bad_key(
    change: dict[str, Any], path: str, message: str
) -> None:
    data = {**RULE, **change}
    with pytest.raises(ConditionError) as error:
        rule_from_data(data)
    assert error.value.path == path
    assert message in str(error.value)


def test_required_keys() -> None:
    data = dict(RULE)
    del data["citation"]
    with pytest.raises(ConditionError, match="citation: required"):
        rule_from_data(data)


def test_nesting_is_bounded() -> None:
    node: dict[str, Any] = {"field": "payer.id", "eq": "1"}
    for _ in range(20):
        node = {"not": node}
    with pytest.raises(ConditionError, match="nest at most"):
        compile_condition(node)


def test_rules_from_json() -> None:
    rules = rules_from_json(json.dumps([RULE, {**RULE, "id": "PAYER-ACME-026"}]))
    assert [rule.id for rule in rules] == ["PAYER-ACME-025", "PAYER-ACME-026"]
    with pytest.raises(ConditionError, match=r"^\[1\]\.severity"):
        rules_from_json(json.dumps([RULE, {**RULE, "severity": "x"}]))
    with pytest.raises(ConditionError, match="not valid JSON"):
        rules_from_json("{")
    with pytest.raises(ConditionError, match="fraction"):
        rules_from_json('{"when": {"field": "line.units", "gt": 1.5}}')


def test_field_catalogue_is_documented() -> None:
    for name, spec in FIELDS.items():
        assert name.split(".")[0] in ("payer", "claim", "billing", "patient", "line")
        assert spec.description


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.dictionaries(
            st.sampled_from(["field", "eq", "in", "gt", "exists", "x"]),
            st.text(max_size=5) | st.integers() | st.booleans(),
            max_size=3,
        ),
        lambda children: st.dictionaries(
            st.sampled_from(["all", "any", "not", "field"]),
            st.lists(children, max_size=3) | children,
            max_size=2,
        ),
        max_leaves=8,
    )
)
def test_any_structure_compiles_or_raises_condition_error(node: dict[str, Any]) -> None:
    try:
        predicate, _per_line = compile_condition(node)
    except ConditionError:
        return
    assert isinstance(predicate(BASE, BASE.lines[0]), bool)
    assert isinstance(predicate(BASE, None), bool)


def test_data_rules_never_fire_on_the_clean_corpus_by_accident() -> None:
    ctx = context()
    for name, claim in CLEAN.items():
        assert not [f for f in scrub(claim, ctx) if f.rule_id.startswith("PAYER-")], name
    assert date(2026, 6, 1) == BASE.first_date
