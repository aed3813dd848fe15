from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openrcm.core.identifiers import npi_is_valid
from openrcm.core.money import Money
from openrcm.core.scrub import (
    ClaimIndex,
    ClaimSnapshot,
    Finding,
    Rule,
    RulePack,
    ScrubContext,
    Severity,
    has_errors,
    is_clean,
    scrub,
)
from openrcm.core.scrub.engine import render_message
from openrcm.core.scrub.rules import ALL_PACKS, ALL_RULES, pack, rule
from openrcm.core.scrub.snapshot import ServiceLine, age_on

from .corpus import BASE, CLEAN, TODAY, context


def test_rule_needs_an_id_a_version_and_a_citation() -> None:
    with pytest.raises(ValueError, match="rule id"):
        Rule("icd 3", 1, Severity.ERROR, "m", "c", "p")
    with pytest.raises(ValueError, match="version"):
        Rule("ICD-003", 0, Severity.ERROR, "m", "c", "p")
    with pytest.raises(ValueError, match="citation"):
        Rule("ICD-003", 1, Severity.ERROR, "m", " ", "p")
    with pytest.raises(ValueError, match="duplicate rule ids"):
        same = Rule("ICD-003", 1, Severity.ERROR, "m", "c", "p")
        RulePack("p", 1, "d", (same, same), ())


def test_render_message_substitutes_plain_names_only() -> None:
    assert render_message("Line {line}: {code}", {"line": 2, "code": "E11"}) == "Line 2: E11"
    assert render_message("{missing} stays", {}) == "{missing} stays"
    # Format specs, attribute and index access are not substitutions: they stay as written.
    hostile = "{code.__class__} {code!r} {code[0]} {0}"
    assert render_message(hostile, {"code": "E11"}) == hostile


def test_every_builtin_rule_is_documented_data() -> None:
    assert len(ALL_RULES) >= 40
    for pack_ in ALL_PACKS:
        assert pack_.checks, pack_.name
        for rule_ in pack_.rules:
            assert rule_.pack == pack_.name
            assert rule_.title and rule_.message and rule_.citation
            assert rule_.severity in (Severity.ERROR, Severity.WARNING)
    assert rule("ICD-003").severity is Severity.ERROR
    assert pack("ncci").rule("NCCI-006").id == "NCCI-006"
    with pytest.raises(KeyError):
        pack("nope")


def test_finding_json_shape() -> None:
    finding = rule("PTR-002").finding(line=3, field="lines[2].pointers", pointer=5, count=2)
    assert finding.as_dict() == {
        "rule": "PTR-002",
        "severity": "error",
        "message": "Line 3 points at diagnosis 5 but the claim has 2 diagnoses: point at one "
        "that exists.",
        "line": 3,
        "field": "lines[2].pointers",
    }
    assert has_errors([finding]) and not has_errors([])
    assert is_clean([]) and not is_clean([finding])


def test_packs_can_be_chosen_and_rules_disabled() -> None:
    claim = dataclasses.replace(BASE, diagnoses=("E11", "I10"), place_of_service="21")
    ctx = context()
    assert {f.rule_id for f in scrub(claim, ctx)} == {"ICD-003", "POS-002"}
    assert {f.rule_id for f in scrub(claim, ctx, packs=[pack("icd10")])} == {"ICD-003"}
    quiet = dataclasses.replace(ctx, disabled_rules=frozenset({"POS-002"}))
    assert {f.rule_id for f in scrub(claim, quiet)} == {"ICD-003"}
    only_codes = dataclasses.replace(ctx, packs=(pack("procedures"),))
    assert {f.rule_id for f in scrub(claim, only_codes)} == {"POS-002"}
    # A dry run of one pack leaves the payer's data rules out unless asked.
    mri = dataclasses.replace(
        CLEAN["advanced imaging with the payer's authorization"], prior_authorization=""
    )
    assert scrub(mri, ctx, packs=[pack("icd10")]) == []
    with_payer = scrub(mri, ctx, packs=[pack("icd10")], payer_rules=True)
    assert [f.rule_id for f in with_payer] == ["PAYER-ACME-001"]


def test_a_failing_check_holds_the_claim_instead_of_crashing() -> None:
    def broken(claim: ClaimSnapshot, context: ScrubContext) -> list[Finding]:
        raise ZeroDivisionError

    bad = RulePack("broken", 1, "a check with a bug", (), (broken,))
    findings = scrub(BASE, context(), packs=[bad])
    assert [f.rule_id for f in findings] == ["ENGINE-001"]
    assert "ZeroDivisionError" in findings[0].message and findings[0].severity is Severity.ERROR


def test_duplicate_index_from_claims_skips_voids_and_the_claim_itself() -> None:
    void = dataclasses.replace(BASE, patient_control_number="VOID1", claim_id="", frequency="8")
    index = ClaimIndex.from_claims([BASE, void])
    assert len(index) == 1
    ctx = dataclasses.replace(context(), history=index)
    assert scrub(BASE, ctx) == []  # the claim does not duplicate itself
    again = dataclasses.replace(BASE, patient_control_number="BASE0002", claim_id="")
    assert [f.rule_id for f in scrub(again, ctx)] == ["DUP-001"]


def test_timely_filing_default_by_filing_indicator() -> None:
    ctx = dataclasses.replace(context(), today=date(2027, 5, 25))
    medicare = dataclasses.replace(
        CLEAN["cardiology: visit and ECG"],
        coverage=None,
    )
    # Medicare: 365 days from 2026-06-01 is 2027-06-01: 7 days left, a warning.
    assert [f.rule_id for f in scrub(medicare, ctx)] == ["TF-002"]


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(1990, 6, 15), date(2026, 6, 14), 35),
        (date(1990, 6, 15), date(2026, 6, 15), 36),
    ],
)
def test_age_on(birth: date, on: date, age: int) -> None:
    assert age_on(birth, on) == age


# -- properties -------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10_000_00)


@settings(max_examples=150, deadline=None)
@given(st.lists(cents, min_size=1, max_size=8), st.integers(min_value=-500, max_value=500))
def test_total_mismatch_found_exactly_when_the_total_differs(
    charges: list[int], delta: int
) -> None:
    lines = tuple(
        ServiceLine(
            number=n,
            procedure="97110",
            charge=Money.from_cents(amount + 1),
            modifiers=("GP",),
            service_date=date(2026, 5, 1 + n),
        )
        for n, amount in enumerate(charges, start=1)
    )
    total = sum((line.charge for line in lines), Money.zero()) + Money.from_cents(delta)
    claim = dataclasses.replace(BASE, lines=lines, total_charge=total, diagnoses=("M54.50",))
    fired = {f.rule_id for f in scrub(claim, context())}
    assert ("X12-003" in fired) is (delta != 0)


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_any_single_digit_typo_in_an_npi_is_caught(position: int, shift: int) -> None:
    npi = BASE.billing.npi
    digits = list(npi)
    digits[position] = str((int(digits[position]) + shift) % 10)
    typo = "".join(digits)
    assert not npi_is_valid(typo)
    claim = dataclasses.replace(BASE, billing=dataclasses.replace(BASE.billing, npi=typo))
    assert [f.rule_id for f in scrub(claim, context())] == ["NPI-001"]


codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", max_size=9)
optional_dates = st.none() | st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 1, 1))


@st.composite
def arbitrary_lines(draw: st.DrawFn) -> tuple[ServiceLine, ...]:
    count = draw(st.integers(min_value=0, max_value=6))
    return tuple(
        ServiceLine(
            number=n,
            procedure=draw(codes),
            charge=Money.from_cents(draw(st.integers(min_value=-10_000, max_value=10**7))),
            units=Decimal(draw(st.integers(min_value=-2, max_value=400))) / 4,
            modifiers=tuple(draw(st.lists(codes, max_size=6))),
            pointers=tuple(draw(st.lists(st.integers(min_value=-1, max_value=14), max_size=6))),
            service_date=draw(optional_dates),
            service_date_end=draw(optional_dates),
            place_of_service=draw(st.sampled_from(["", "11", "21", "23", "30", "99", "x"])),
            ndc=draw(st.sampled_from(["", "00409379601", "12", "abcdefghijk"])),
            rendering_npi=draw(st.sampled_from(["", "1234567893", "1234567890", "12"])),
        )
        for n in range(1, count + 1)
    )


@settings(max_examples=200, deadline=None)
@given(
    lines=arbitrary_lines(),
    diagnoses=st.lists(codes, max_size=14),
    birth=optional_dates,
    sex=st.sampled_from(["M", "F", "U", "", "X"]),
    frequency=st.sampled_from(["1", "7", "8", "", "2"]),
    responsibility=st.sampled_from(["P", "S", "T"]),
)
def test_scrub_is_total_on_any_claim(
    lines: tuple[ServiceLine, ...],
    diagnoses: list[str],
    birth: date | None,
    sex: str,
    frequency: str,
    responsibility: str,
) -> None:
    claim = dataclasses.replace(
        BASE,
        lines=lines,
        diagnoses=tuple(diagnoses),
        patient=dataclasses.replace(BASE.patient, birth_date=birth, sex=sex),
        frequency=frequency,
        payer=dataclasses.replace(BASE.payer, responsibility=responsibility),
    )
    findings = scrub(claim, context())
    assert all(f.rule_id != "ENGINE-001" for f in findings), findings
    for finding in findings:
        assert finding.severity in (Severity.ERROR, Severity.WARNING)
        assert finding.line is None or any(line.number == finding.line for line in lines)


def test_clean_claims_stay_clean_on_any_day_within_the_window() -> None:
    ctx = context()
    for days in (0, 5, 14):
        later = dataclasses.replace(ctx, today=TODAY.replace(day=TODAY.day + days))
        for name, claim in CLEAN.items():
            assert not has_errors(scrub(claim, later)), name
