"""The scrubber's results in the shape the faces print: ``openrcm scrub --json`` and the API.

Each claim is ``{"patient_control_number": ..., "findings": [{"rule": ..., "severity":
"error" | "warning", "message": ..., "line": N | null, "field": ...}]}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from openrcm.core.scrub.engine import Finding, scrub
from openrcm.core.scrub.snapshot import ClaimSnapshot, snapshots_from_837p_file

if TYPE_CHECKING:
    from openrcm.core.scrub.context import ScrubContext
    from openrcm.core.x12.tokenizer import Source

__all__ = ["claim_result", "scrub_837p_file", "scrub_claims"]


def claim_result(claim: ClaimSnapshot, findings: Iterable[Finding]) -> dict[str, object]:
    """One claim's entry in the JSON report."""
    return {
        "patient_control_number": claim.patient_control_number,
        "findings": [finding.as_dict() for finding in findings],
    }


def scrub_claims(claims: Iterable[ClaimSnapshot], context: ScrubContext) -> list[dict[str, object]]:
    """Scrub each claim and return the JSON report entries, in order."""
    return [claim_result(claim, scrub(claim, context)) for claim in claims]


def scrub_837p_file(
    source: Source, context: ScrubContext, *, file: str | None = None
) -> list[dict[str, object]]:
    """Scrub every claim of an 837P file without storing anything (``openrcm scrub FILE``).

    Raises :class:`~openrcm.core.x12.errors.X12Error` when the file cannot be read: the
    command prints it and exits with status 2.
    """
    return scrub_claims(snapshots_from_837p_file(source, file=file), context)
