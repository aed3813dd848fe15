"""docs/scrub-rules.md lists every built-in rule with its severity and citation."""

from pathlib import Path

from openrcm.core.scrub.conditions import FIELDS
from openrcm.core.scrub.rules import ALL_RULES

DOC = Path(__file__).resolve().parents[3] / "docs" / "scrub-rules.md"


def test_every_rule_is_in_the_table() -> None:
    rows = {}
    for text in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in text.strip("|").split("|")]
        if text.startswith("| ") and len(cells) == 4 and cells[0] not in ("id", "---"):
            rows[cells[0]] = cells
    for rule_id, rule in ALL_RULES.items():
        assert rule_id in rows, f"{rule_id} missing from {DOC.name}"
        _id, severity, title, citation = rows[rule_id]
        assert severity == rule.severity
        assert title == rule.title
        assert citation == rule.citation.replace("|", "/")
    for name in FIELDS:
        assert f"`{name}`" in DOC.read_text(encoding="utf-8")
