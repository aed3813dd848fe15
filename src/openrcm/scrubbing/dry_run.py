"""Dry runs: replay the rules over past claims and tally what each would have caught, storing
nothing. A billing team runs one before switching a pack or a payer rule on.

Each claim is scrubbed as of the day it was built (its `created_at` in the practice's time
zone): timely filing and future dates count from then, as they would have.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import timezone

from openrcm.claims.models import Claim
from openrcm.core.claims.status import ClaimStatus
from openrcm.core.scrub.context import ScrubContext
from openrcm.core.scrub.engine import RulePack, scrub
from openrcm.core.scrub.rules import ALL_RULES
from openrcm.scrubbing.services import scrub_context_for
from openrcm.scrubbing.snapshots import claim_snapshots
from openrcm.tenancy.models import Practice

PAYER_PACK = "payer"


@dataclass(slots=True)
class RuleTally:
    rule_id: str
    severity: str
    title: str
    findings: int = 0
    claims: set[tuple[int, int]] = field(default_factory=set)
    examples: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule_id,
            "severity": self.severity,
            "title": self.title,
            "claims": len(self.claims),
            "findings": self.findings,
            "examples": self.examples,
        }


@dataclass(slots=True)
class DryRunReport:
    claims: int = 0
    practices: int = 0
    since: dt.date | None = None
    packs: list[str] = field(default_factory=list)
    tallies: dict[str, RuleTally] = field(default_factory=dict)

    def ordered(self) -> list[RuleTally]:
        """Rules by how many claims they would have caught, most first."""
        return sorted(self.tallies.values(), key=lambda t: (-len(t.claims), t.rule_id))

    def as_dict(self) -> dict[str, object]:
        return {
            "claims": self.claims,
            "practices": self.practices,
            "since": self.since.isoformat() if self.since else None,
            "packs": self.packs,
            "rules": [tally.as_dict() for tally in self.ordered()],
        }


def _day(at: dt.datetime, practice: Practice) -> dt.date:
    return timezone.localtime(at, zoneinfo.ZoneInfo(practice.time_zone)).date()


def rules_dry_run(
    *,
    practices: Sequence[Practice],
    since: dt.date | None = None,
    packs: Sequence[RulePack] | None = None,
    payer_rules: bool = True,
    examples: int = 3,
) -> DryRunReport:
    """Replay `packs` (None: every built-in pack) and, when `payer_rules`, the payers' rules
    over the practices' claims with a date of service from `since` on (voids left out)."""
    report = DryRunReport(
        since=since,
        packs=[pack.name for pack in packs] if packs is not None else ["all"],
    )
    if payer_rules:
        report.packs.append(PAYER_PACK)
    chosen = tuple(packs) if packs is not None else None
    for practice in practices:
        report.practices += 1
        base = scrub_context_for(practice=practice)
        contexts: dict[dt.date, ScrubContext] = {}
        claims = Claim.objects.exclude(status=ClaimStatus.VOID.value)
        if since is not None:
            claims = claims.filter(encounter__date_of_service__gte=since)
        for row in claim_snapshots(practice=practice, claims=claims):
            day = _day(row.created_at, practice)
            context = contexts.get(day)
            if context is None:
                context = contexts[day] = dataclasses.replace(base, today=day)
            report.claims += 1
            findings = scrub(row.snapshot, context, chosen, payer_rules=payer_rules)
            claim = row.claim
            for finding in findings:
                tally = report.tallies.get(finding.rule_id)
                if tally is None:
                    known = ALL_RULES.get(finding.rule_id)
                    tally = report.tallies[finding.rule_id] = RuleTally(
                        finding.rule_id, str(finding.severity), known.title if known else ""
                    )
                tally.findings += 1
                key = (practice.pk, claim.pk)
                if key not in tally.claims:
                    tally.claims.add(key)
                    if len(tally.examples) < examples:
                        tally.examples.append(
                            {
                                "practice": practice.slug,
                                "patient_control_number": claim.patient_control_number,
                                "message": finding.message,
                            }
                        )
    return report
