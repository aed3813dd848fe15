"""The built-in rule packs, one module each, in the order :func:`~openrcm.core.scrub.scrub`
runs them."""

from __future__ import annotations

from typing import Final

from openrcm.core.scrub.engine import Rule, RulePack
from openrcm.core.scrub.rules import (
    coverage,
    demographics,
    duplicates,
    icd10,
    identifiers,
    ncci,
    procedures,
    timely_filing,
    x12_required,
)

__all__ = ["ALL_PACKS", "ALL_RULES", "pack", "rule"]

ALL_PACKS: Final[tuple[RulePack, ...]] = (
    x12_required.PACK,
    identifiers.PACK,
    icd10.PACK,
    demographics.PACK,
    procedures.PACK,
    ncci.PACK,
    duplicates.PACK,
    timely_filing.PACK,
    coverage.PACK,
)

ALL_RULES: Final[dict[str, Rule]] = {rule.id: rule for pack in ALL_PACKS for rule in pack.rules}


def pack(name: str) -> RulePack:
    """The built-in pack called ``name`` (KeyError if none)."""
    for candidate in ALL_PACKS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def rule(rule_id: str) -> Rule:
    """The built-in rule with this id (KeyError if none)."""
    return ALL_RULES[rule_id]
