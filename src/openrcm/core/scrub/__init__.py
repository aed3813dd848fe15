"""The claim scrubber: open, versioned, cited rules that catch what payers deny.

* :mod:`.engine`: :class:`~.engine.Rule`, :class:`~.engine.Finding`, :class:`~.engine.RulePack`
  and :func:`~.engine.scrub`.
* :mod:`.snapshot`: the claim as pure data (:class:`~.snapshot.ClaimSnapshot`), also built from
  an 837P claim (:func:`~.snapshot.snapshot_from_837p`).
* :mod:`.context`: what the rules look things up in (:class:`~.context.ScrubContext`): today's
  date, code sets, NCCI tables, the practice's other claims.
* :mod:`.rules`: the built-in packs, one module each.
* :mod:`.conditions`: payer rules as data, in a small safe condition language.
"""

from openrcm.core.scrub.context import ClaimIndex, ScrubContext, ServiceRecord
from openrcm.core.scrub.engine import (
    Finding,
    Rule,
    RulePack,
    Severity,
    has_errors,
    is_clean,
    scrub,
)
from openrcm.core.scrub.snapshot import ClaimSnapshot

__all__ = [
    "ClaimIndex",
    "ClaimSnapshot",
    "Finding",
    "Rule",
    "RulePack",
    "ScrubContext",
    "ServiceRecord",
    "Severity",
    "has_errors",
    "is_clean",
    "scrub",
]
