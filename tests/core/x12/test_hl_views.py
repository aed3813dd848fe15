"""``x12 parse --json/--summary`` and ``x12 show`` over the HL-structured sets."""

from __future__ import annotations

import json

import pytest

from openrcm.core.x12.cli_views import find_view, parse_to_json, show, summary
from openrcm.core.x12.errors import X12Error

from .hl_strategies import sample_files

KINDS = ("270", "271", "276", "277", "277ca")


VIEW_KEYS = {
    "270": ("270", "005010X279A1"),
    "271": ("271", "005010X279"),
    "276": ("276", "005010X212"),
    "277": ("277", "005010X212"),
    "277ca": ("277", "005010X214"),
}


@pytest.mark.parametrize("kind", KINDS)
def test_views_are_registered_with_loops(kind: str) -> None:
    view = find_view(*VIEW_KEYS[kind])
    assert view is not None and view.loops is not None and view.summary is not None
    assert kind.upper() in view.name or kind in view.name


@pytest.mark.parametrize("kind", ("270", "271", "276", "277"))
def test_parse_summary_and_show_of_samples(kind: str) -> None:
    for path in sample_files(kind):
        data = parse_to_json(str(path))
        assert data["transaction_set"] == kind and len(data["sets"]) == 1
        json.dumps(data)  # plain data
        s = summary(str(path))
        assert s["per_set"][0]["transaction_set"] == kind
        text = show(str(path))
        assert "[2000A Information Source Level]" in text
        assert "(element)" not in text


def test_277_summary_counts_statuses() -> None:
    path = next(p for p in sample_files("277") if p.name.startswith("stupidedi"))
    s = summary(str(path))
    assert s["claims"] == 3 and s["lines"] == 1
    assert s["per_set"][0]["claims_by_category"] == {"F0": 1, "F2": 1, "P3": 1}
    assert s["total_paid"] == "7599"


def test_271_show_names_benefits_and_codes() -> None:
    path = next(p for p in sample_files("271") if p.name.startswith("x12--"))
    text = show(str(path))
    assert "EB [2110C Subscriber Eligibility or Benefit Information]" in text
    assert "(active coverage)" in text and "(in network)" in text
    assert "NM1 [2120C Subscriber Benefit Related Entity Name]" in text


def test_277ca_defect_is_an_error_and_show_still_works() -> None:
    for path in sample_files("277ca"):
        with pytest.raises(X12Error) as info:
            summary(str(path))
        assert info.value.segment_number == 19
        text = show(str(path))
        assert "STC [2200D Claim Status Tracking Number]" in text
        assert "(acknowledgment: accepted into adjudication)" in text or "A7" in text
