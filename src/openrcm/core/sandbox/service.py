"""The sandbox as one object: a clearinghouse and its payers behind two calls.

>>> sandbox = Sandbox(SandboxConfig(seed=7))                      # doctest: +SKIP
>>> response = sandbox.receive_837(data, received_at=moment)      # doctest: +SKIP
>>> files = sandbox.poll(as_of=later)                             # doctest: +SKIP

``receive_837`` answers a submitted 837P (TA1, 999, 277CA); ``poll`` adjudicates what has come
due on the simulated clock (835s) and hands out every file available by ``as_of`` exactly once.
``state`` (pure data, :meth:`SandboxState.to_json`) is what to persist between calls.
"""

from __future__ import annotations

from datetime import datetime

from openrcm.core.sandbox.clearinghouse import SandboxResponse, receive_837
from openrcm.core.sandbox.clock import aware
from openrcm.core.sandbox.config import SandboxConfig
from openrcm.core.sandbox.payer import remittance_files
from openrcm.core.sandbox.state import ControlNumbers, OutboundFile, SandboxState

__all__ = ["Sandbox"]


class Sandbox:
    """A sandbox clearinghouse with its payers, over a persisted :class:`SandboxState`."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        state: SandboxState | None = None,
        controls: ControlNumbers | None = None,
    ) -> None:
        self.config = config if config is not None else SandboxConfig()
        self.state = state if state is not None else SandboxState()
        self.controls = controls

    def receive_837(self, data: bytes, *, received_at: datetime, name: str = "") -> SandboxResponse:
        """Receive a submitted 837P file (see :func:`clearinghouse.receive_837`)."""
        return receive_837(
            data,
            received_at=received_at,
            state=self.state,
            config=self.config,
            controls=self.controls,
            name=name,
        )

    def poll(self, *, as_of: datetime) -> list[OutboundFile]:
        """Every file available by ``as_of`` not handed out before (TA1, 999, 277CA, and the
        835s of the claims whose payment date has come), in order of availability."""
        moment = aware(as_of, "as_of")
        remittance_files(self.state, as_of=moment, config=self.config, controls=self.controls)
        return self.state.take_due(moment)
