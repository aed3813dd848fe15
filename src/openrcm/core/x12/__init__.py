"""X12 5010 engine: a pure-Python, streaming, total reader and writer (no Django).

Base modules (shared by every transaction set): :mod:`.errors`, :mod:`.delimiters`,
:mod:`.segments`, :mod:`.tokenizer`, :mod:`.envelope`, :mod:`.writer`. One module per
transaction set: :mod:`.era` (835), :mod:`.ack999` (999), :mod:`.ta1` (TA1), and others.
See docs/x12-engine-plan.md.
"""

from openrcm.core.x12.delimiters import DEFAULT_DELIMITERS, Delimiters
from openrcm.core.x12.envelope import (
    GroupHeader,
    InterchangeHeader,
    TransactionSetResult,
    iter_transaction_sets,
)
from openrcm.core.x12.errors import X12Error, X12ErrorCode
from openrcm.core.x12.segments import Segment
from openrcm.core.x12.tokenizer import SegmentReader, iter_segments
from openrcm.core.x12.writer import (
    InterchangeWriter,
    OutgoingSet,
    SegmentWriter,
    write_interchange,
)

__all__ = [
    "DEFAULT_DELIMITERS",
    "Delimiters",
    "GroupHeader",
    "InterchangeHeader",
    "InterchangeWriter",
    "OutgoingSet",
    "Segment",
    "SegmentReader",
    "SegmentWriter",
    "TransactionSetResult",
    "X12Error",
    "X12ErrorCode",
    "iter_segments",
    "iter_transaction_sets",
    "write_interchange",
]
