"""The sandbox clearinghouse and payers: a real component that answers submitted 837Ps with
TA1, 999, 277CA and, on a simulated clock, 835 remittances; deterministic for a seed.

Modules: :mod:`.clock` (simulated time), :mod:`.config` (seed, rates, payer profiles),
:mod:`.clearinghouse` (``receive_837``), :mod:`.payer` (``adjudicate``, ``write_remittances``),
:mod:`.state` (what the sandbox remembers, as JSON), :mod:`.service` (:class:`Sandbox`, both
behind two calls). See docs/sandbox.md.
"""

from openrcm.core.sandbox.clearinghouse import (
    ClaimResult,
    Rejection,
    SandboxResponse,
    claim_rejections,
    receive_837,
)
from openrcm.core.sandbox.clock import SimulatedClock
from openrcm.core.sandbox.config import (
    DEFAULT_DENIALS,
    Benefits,
    DenialReason,
    PayerKind,
    PayerProfile,
    SandboxConfig,
)
from openrcm.core.sandbox.payer import (
    Remittance835,
    adjudicate,
    remittance_files,
    write_remittances,
)
from openrcm.core.sandbox.service import Sandbox
from openrcm.core.sandbox.state import (
    ControlNumbers,
    OutboundFile,
    PayerClaim,
    SandboxState,
    StateControls,
)

__all__ = [
    "DEFAULT_DENIALS",
    "Benefits",
    "ClaimResult",
    "ControlNumbers",
    "DenialReason",
    "OutboundFile",
    "PayerClaim",
    "PayerKind",
    "PayerProfile",
    "Rejection",
    "Remittance835",
    "Sandbox",
    "SandboxConfig",
    "SandboxResponse",
    "SandboxState",
    "SimulatedClock",
    "StateControls",
    "adjudicate",
    "claim_rejections",
    "receive_837",
    "remittance_files",
    "write_remittances",
]
