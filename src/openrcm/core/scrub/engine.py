"""The scrubber's engine: rules, findings, packs, and :func:`scrub`.

A :class:`Rule` is data: an id (``ICD-003``), a version, a severity (an error blocks
submission; a warning asks for an override with a reason), a message template that says how to
fix the problem, and a citation (a CMS manual chapter, the NCCI policy manual, the 837P guide,
the ICD-10-CM guidelines, or a payer document). What finds the problem is a *check*: a function
of the claim snapshot and the context that returns findings. One check may serve several rules
(one pass over the diagnoses finds malformed, unknown and header codes), and a rule built from
data (:mod:`.conditions`) carries its own check.

A :class:`RulePack` groups the rules and checks of one subject (``icd10``, ``ncci``, ...) and
has its own version. :func:`scrub` runs the packs over one claim and returns the findings in
pack order; it never raises for a claim: a check that fails is reported as a finding of the
``ENGINE-001`` rule so the claim is held rather than sent unchecked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from openrcm.core.scrub.context import ScrubContext
    from openrcm.core.scrub.snapshot import ClaimSnapshot

__all__ = [
    "ENGINE_FAILURE",
    "Check",
    "Finding",
    "Rule",
    "RulePack",
    "Severity",
    "has_errors",
    "is_clean",
    "render_message",
    "scrub",
]


class Severity(StrEnum):
    ERROR = "error"
    """Blocks submission until fixed."""
    WARNING = "warning"
    """Submission needs an override with a reason (audited)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule found on a claim: which rule, how bad, how to fix it, and where."""

    rule_id: str
    severity: Severity
    message: str
    line: int | None
    """The service line number (1-based), or None for the claim as a whole."""
    field: str
    """The snapshot field at fault, e.g. ``diagnoses[2]``, ``lines[1].modifiers``."""
    rule_version: int = 1

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of ``openrcm scrub --json``."""
        return {
            "rule": self.rule_id,
            "severity": str(self.severity),
            "message": self.message,
            "line": self.line,
            "field": self.field,
        }


Check = Callable[["ClaimSnapshot", "ScrubContext"], Iterable[Finding]]

_PLACEHOLDER: Final = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_RULE_ID: Final = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+")


def render_message(template: str, params: Mapping[str, object]) -> str:
    """Fill ``{name}`` placeholders from ``params``; unknown names stay as written.

    Deliberately not ``str.format``: templates of data rules come from users, and format
    fields can reach attributes (``{x.__class__}``); this only substitutes plain names.
    """
    if "{" not in template:
        return template

    def substitute(match: re.Match[str]) -> str:
        value = params.get(match.group(1))
        return match.group(0) if value is None else str(value)

    return _PLACEHOLDER.sub(substitute, template)


@dataclass(frozen=True, slots=True)
class Rule:
    """One scrubber rule (see the module docstring)."""

    id: str
    version: int
    severity: Severity
    message: str
    """Template with ``{name}`` placeholders; says what is wrong and how to fix it."""
    citation: str
    pack: str
    title: str = ""
    check: Check | None = field(default=None, compare=False)
    """Its own check, for a rule that is not served by a pack-level check (data rules)."""

    def __post_init__(self) -> None:
        if not _RULE_ID.fullmatch(self.id):
            raise ValueError(f"rule id {self.id!r} must look like ICD-003 (capitals, digits, -)")
        if self.version < 1:
            raise ValueError(f"rule {self.id}: version must be 1 or more")
        if not self.citation.strip():
            raise ValueError(f"rule {self.id}: a citation is required")

    def finding(self, *, line: int | None = None, field: str = "", **params: object) -> Finding:
        """A finding of this rule, its message filled from ``params`` (and ``{line}``)."""
        if line is not None:
            params.setdefault("line", line)
        return Finding(
            self.id,
            self.severity,
            render_message(self.message, params),
            line,
            field,
            self.version,
        )


@dataclass(frozen=True, slots=True)
class RulePack:
    """The rules and checks of one subject, versioned together."""

    name: str
    version: int
    description: str
    rules: tuple[Rule, ...]
    checks: tuple[Check, ...]

    def __post_init__(self) -> None:
        ids = [rule.id for rule in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError(f"pack {self.name}: duplicate rule ids")
        own = tuple(rule.check for rule in self.rules if rule.check is not None)
        if own:
            object.__setattr__(self, "checks", self.checks + own)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


ENGINE_FAILURE: Final = Rule(
    id="ENGINE-001",
    version=1,
    severity=Severity.ERROR,
    message="The {pack} checks failed on this claim ({error}); the claim is held until the "
    "checks run. Report this to the OpenRCM maintainers with the claim's rule output.",
    citation="OpenRCM scrubber: a claim that could not be checked is never sent unchecked",
    pack="engine",
    title="A check failed",
)


def scrub(
    claim: ClaimSnapshot,
    context: ScrubContext,
    packs: Sequence[RulePack] | None = None,
    *,
    payer_rules: bool | None = None,
) -> list[Finding]:
    """Run the rules over ``claim`` and return what they found.

    ``packs`` None runs the context's packs (every built-in pack unless the context names
    others) and then the payer's data rules (``context.payer_rules``). Given packs run alone
    unless ``payer_rules`` is True (a dry run of one pack). Findings come in pack order, then in
    the order each check reports them; rules named in ``context.disabled_rules`` are dropped.
    """
    if packs is None:
        checks = context.default_checks
    else:
        checks = tuple((pack.name, check) for pack in packs for check in pack.checks)
    findings: list[Finding] = []
    for pack_name, check in checks:
        try:
            found = check(claim, context)
        except Exception as error:  # a broken check holds the claim; it must not crash a batch
            findings.append(ENGINE_FAILURE.finding(pack=pack_name, error=type(error).__name__))
            continue
        if found:
            findings.extend(found)
    if payer_rules is None:
        payer_rules = packs is None
    for rule in context.payer_rules_for(claim.payer.id) if payer_rules else ():
        assert rule.check is not None
        try:
            findings.extend(rule.check(claim, context))
        except Exception as error:  # same policy for data rules
            findings.append(ENGINE_FAILURE.finding(pack=rule.pack, error=type(error).__name__))
    disabled = context.disabled_rules
    if disabled and findings:
        findings = [finding for finding in findings if finding.rule_id not in disabled]
    return findings


def has_errors(findings: Iterable[Finding]) -> bool:
    """Whether any finding blocks submission."""
    return any(finding.severity is Severity.ERROR for finding in findings)


def is_clean(findings: Sequence[Finding]) -> bool:
    """Whether a claim passed every edit with nothing to fix or override: the numerator of the
    clean claim rate (HFMA CL-1: clean claims / claims scrubbed). A warning overridden by a
    person is a manual intervention, so only a claim with no finding at all is clean."""
    return not findings
