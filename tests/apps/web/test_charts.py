"""The dashboard's SVG renderer: well-formed XML, accessible (title, desc, a text label with the
value of every bar, a pattern per series), every bar a link, everything escaped, no inline
style (the CSP refuses it)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrcm.web.charts import Bar, Series, bar_chart, sparkline

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own markup, under test


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def links(root: ET.Element) -> list[str]:
    return [a.get("href", "") for a in root.iter(f"{SVG}a")]


def test_grouped_bars_have_labels_values_links_and_patterns() -> None:
    markup = bar_chart(
        title="A/R aging",
        desc="Insurance and patient balances by bucket",
        categories=["0-30", "31-60"],
        series=[
            Series("Insurance", [Bar(120.5, "$120.50", "/d?b=0-30&s=i"), Bar(0, "$0.00", "/d?2")]),
            Series("Patient", [Bar(30, "$30.00", "/d?3"), Bar(-5, "-$5.00", "/d?4")]),
        ],
    )
    root = parse(markup)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "A/R aging"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "Insurance and patient balances by bucket"  # type: ignore[union-attr]
    labels = texts(root)
    for expected in (
        "$120.50",
        "$0.00",
        "$30.00",
        "-$5.00",
        "0-30",
        "31-60",
        "Insurance",
        "Patient",
    ):
        assert expected in labels
    assert links(root) == ["/d?b=0-30&s=i", "/d?3", "/d?2", "/d?4"]  # by category, then series
    # each series its own pattern: two series, two distinct fills on the bars
    fills = {
        r.get("fill") for r in root.iter(f"{SVG}rect") if "chart-bar" in (r.get("class") or "")
    }
    assert len(fills) == 2 and all(f and f.startswith("url(#") for f in fills)
    assert len(list(root.iter(f"{SVG}pattern"))) == 2
    # every bar says what it is in its tooltip
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "31-60, Patient: -$5.00" in titles
    assert "style=" not in markup


def test_stacked_and_horizontal_bars() -> None:
    stacked = parse(
        bar_chart(
            title="t",
            desc="d",
            categories=["Oct"],
            series=[Series("A", [Bar(3, "3", "/a")]), Series("B", [Bar(4, "4", "/b")])],
            stacked=True,
        )
    )
    assert "7" in texts(stacked)  # the column's total
    horizontal = parse(
        bar_chart(
            title="Denials by payer",
            desc="d",
            categories=["Medicare Part B of a very long name indeed", "Aetna"],
            series=[Series("Denied", [Bar(2, "2", "/p1"), Bar(1, "1", "/p2")])],
            horizontal=True,
        )
    )
    assert links(horizontal) == ["/p1", "/p2"]
    assert "Aetna" in texts(horizontal) and "2" in texts(horizontal)


def test_everything_is_escaped() -> None:
    root = parse(
        bar_chart(
            title="<script>&",
            desc='"quoted"',
            categories=["<b>cat</b>"],
            series=[Series("A & B", [Bar(1, "<1>", '/x?a=1&b="2"')])],
        )
    )
    assert root.find(f"{SVG}title").text == "<script>&"  # type: ignore[union-attr]
    assert "<b>cat</b>" in texts(root)
    assert links(root) == ['/x?a=1&b="2"']


def test_refuses_mismatched_series() -> None:
    with pytest.raises(ValueError, match="has 1 bars for 2 categories"):
        bar_chart(title="t", desc="d", categories=["a", "b"], series=[Series("s", [Bar(1, "1")])])
    with pytest.raises(ValueError, match="at least one series"):
        bar_chart(title="t", desc="d", categories=[], series=[])


def test_sparkline_gaps_and_points() -> None:
    markup = sparkline(
        title="Denial rate, last 12 months",
        values=[0.1, None, 0.3, 0.2],
        labels=["Jan", "Feb", "Mar", "Apr"],
        texts=["10%", "-", "30%", "20%"],
    )
    root = parse(markup)
    assert root.find(f"{SVG}title").text == "Denial rate, last 12 months"  # type: ignore[union-attr]
    assert len(list(root.iter(f"{SVG}circle"))) == 3
    [path] = root.iter(f"{SVG}path")
    assert path.get("d", "").count("M") == 2  # the gap lifts the pen
    assert "Apr: 20%" in [t.text for t in root.iter(f"{SVG}title")]
    with pytest.raises(ValueError):
        sparkline(title="t", values=[1.0], labels=[])


# Labels come from the database as printable text (XML 1.0 forbids control characters).
_LABEL = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), min_size=1, max_size=12)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(_LABEL, st.integers(-(10**9), 10**9)), min_size=1, max_size=14),
    st.booleans(),
    st.booleans(),
)
def test_any_values_make_well_formed_svg(
    rows: list[tuple[str, int]], stacked: bool, horizontal: bool
) -> None:
    root = parse(
        bar_chart(
            title="t",
            desc="d",
            categories=[name for name, _ in rows],
            series=[Series("s", [Bar(v, str(v), f"/x/{i}") for i, (_, v) in enumerate(rows)])],
            stacked=stacked,
            horizontal=horizontal,
        )
    )
    assert len(links(root)) == len(rows)
