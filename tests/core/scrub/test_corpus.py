"""Acceptance: every clean claim passes with no finding; every defect is found, alone."""

from __future__ import annotations

import pytest

from openrcm.core.scrub import ScrubContext, scrub
from openrcm.core.scrub.rules import ALL_RULES

from .corpus import CLEAN, DEFECTS, Defect, context


@pytest.fixture(scope="module")
def corpus_context() -> ScrubContext:
    return context()


def test_corpus_size() -> None:
    assert len(CLEAN) >= 30
    assert len(DEFECTS) >= 60
    assert len({defect.name for defect in DEFECTS}) == len(DEFECTS)


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_clean_claim_has_no_finding(name: str, corpus_context: ScrubContext) -> None:
    findings = scrub(CLEAN[name], corpus_context)
    assert findings == [], [f"{f.rule_id}: {f.message}" for f in findings]


@pytest.mark.parametrize("defect", DEFECTS, ids=lambda defect: f"{defect.rule} {defect.name}")
def test_defect_is_found(defect: Defect, corpus_context: ScrubContext) -> None:
    ctx = defect.context() if defect.context is not None else corpus_context
    findings = scrub(defect.claim, ctx)
    fired = {finding.rule_id for finding in findings}
    assert defect.rule in fired, [f"{f.rule_id}: {f.message}" for f in findings]
    assert fired <= {defect.rule} | defect.also, [f"{f.rule_id}: {f.message}" for f in findings]
    for finding in findings:
        assert finding.message and "{" not in finding.message, finding.message


def test_the_corpus_covers_every_builtin_rule() -> None:
    covered = {defect.rule for defect in DEFECTS}
    assert set(ALL_RULES) - covered == set()
