"""Errors of the X12 engine: one exception type with a stable code, mapped to TA1 and 999 codes.

Every reader of the engine is total: whatever bytes it is given, it returns a result or raises
:class:`X12Error`. The error names where the defect is (segment number in the file, segment id,
element and component position, loop) and says in plain English what is wrong. Its code maps to
the code an acknowledgment would carry: TA1 (TA105 interchange note code), 999 IK3 (IK304 segment
syntax error code), IK4 (IK403 element syntax error code), IK5 (IK502 transaction set syntax error
code) and AK9 (AK905 functional group syntax error code).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class X12ErrorCode(StrEnum):
    """Stable error codes. The value is what logs, JSON and tests see."""

    # Not X12 at all, or the interchange header is unusable.
    NOT_X12 = "NOT_X12"
    ISA_INVALID = "ISA_INVALID"
    BAD_DELIMITERS = "BAD_DELIMITERS"
    VERSION_UNSUPPORTED = "VERSION_UNSUPPORTED"
    TRUNCATED = "TRUNCATED"
    INVALID_CHARACTER = "INVALID_CHARACTER"
    SEGMENT_TOO_LONG = "SEGMENT_TOO_LONG"
    UNREADABLE = "UNREADABLE"
    # Envelope structure.
    ENVELOPE_INVALID = "ENVELOPE_INVALID"
    GROUP_INVALID = "GROUP_INVALID"
    INTERCHANGE_CONTROL_MISMATCH = "INTERCHANGE_CONTROL_MISMATCH"
    INTERCHANGE_COUNT_MISMATCH = "INTERCHANGE_COUNT_MISMATCH"
    IEA_MISSING = "IEA_MISSING"
    GROUP_CONTROL_MISMATCH = "GROUP_CONTROL_MISMATCH"
    GROUP_COUNT_MISMATCH = "GROUP_COUNT_MISMATCH"
    GE_MISSING = "GE_MISSING"
    TRANSACTION_SET_INVALID = "TRANSACTION_SET_INVALID"
    TRANSACTION_SET_UNSUPPORTED = "TRANSACTION_SET_UNSUPPORTED"
    CONTROL_NUMBER_MISMATCH = "CONTROL_NUMBER_MISMATCH"
    COUNT_MISMATCH = "COUNT_MISMATCH"
    SE_MISSING = "SE_MISSING"
    # Segment level (999 IK3).
    SEGMENT_UNRECOGNIZED = "SEGMENT_UNRECOGNIZED"
    SEGMENT_UNEXPECTED = "SEGMENT_UNEXPECTED"
    SEGMENT_MISSING = "SEGMENT_MISSING"
    SEGMENT_REPEATED = "SEGMENT_REPEATED"
    LOOP_REPEATED = "LOOP_REPEATED"
    SEGMENT_ORDER = "SEGMENT_ORDER"
    # Element level (999 IK4).
    ELEMENT_MISSING = "ELEMENT_MISSING"
    ELEMENT_INVALID = "ELEMENT_INVALID"
    ELEMENT_TOO_LONG = "ELEMENT_TOO_LONG"
    ELEMENT_TOO_SHORT = "ELEMENT_TOO_SHORT"
    ELEMENT_NOT_USED = "ELEMENT_NOT_USED"
    TOO_MANY_ELEMENTS = "TOO_MANY_ELEMENTS"
    TOO_MANY_COMPONENTS = "TOO_MANY_COMPONENTS"
    TOO_MANY_REPETITIONS = "TOO_MANY_REPETITIONS"
    NUMBER_INVALID = "NUMBER_INVALID"
    DATE_INVALID = "DATE_INVALID"
    TIME_INVALID = "TIME_INVALID"
    CODE_INVALID = "CODE_INVALID"
    # Business rules of an implementation guide (e.g. 835 balancing).
    BALANCE = "BALANCE"
    # Writer: the data given cannot be written as valid X12.
    WRITE_INVALID = "WRITE_INVALID"

    @property
    def ta1_code(self) -> str | None:
        """TA105 interchange note code, for errors that reject the interchange."""
        return _TA1.get(self)

    @property
    def ik3_code(self) -> str | None:
        """IK304 segment syntax error code, for errors located in a segment of a set."""
        return _IK3.get(self)

    @property
    def ik4_code(self) -> str | None:
        """IK403 data element syntax error code, for errors located in an element."""
        return _IK4.get(self)

    @property
    def ik5_code(self) -> str | None:
        """IK502 transaction set syntax error code (IK501 is then R)."""
        return _IK5.get(self)

    @property
    def ak9_code(self) -> str | None:
        """AK905 functional group syntax error code, for errors of the GS/GE envelope."""
        return _AK9.get(self)


C = X12ErrorCode

# TA105: 001 control numbers of ISA13 and IEA02 differ; 004 invalid segment terminator;
# 014 invalid date; 015 invalid time; 017 invalid interchange version; 021 invalid number of
# included groups; 022 invalid control structure; 023 improper (premature) end of file;
# 024 invalid interchange content; 026 invalid data element separator.
_TA1: dict[X12ErrorCode, str] = {
    C.NOT_X12: "024",
    C.ISA_INVALID: "024",
    C.BAD_DELIMITERS: "026",
    C.VERSION_UNSUPPORTED: "017",
    C.TRUNCATED: "023",
    C.INVALID_CHARACTER: "024",
    C.SEGMENT_TOO_LONG: "024",
    C.ENVELOPE_INVALID: "022",
    C.GROUP_INVALID: "024",
    C.INTERCHANGE_CONTROL_MISMATCH: "001",
    C.INTERCHANGE_COUNT_MISMATCH: "021",
    C.IEA_MISSING: "023",
}

# IK304: 1 unrecognized segment id; 2 unexpected segment; 3 required segment missing;
# 4 loop occurs over maximum times; 5 segment exceeds maximum use; 7 segment not in proper
# sequence; 8 segment has data element errors.
_ELEMENT_CODES = (
    C.ELEMENT_MISSING,
    C.ELEMENT_INVALID,
    C.ELEMENT_TOO_LONG,
    C.ELEMENT_TOO_SHORT,
    C.ELEMENT_NOT_USED,
    C.TOO_MANY_ELEMENTS,
    C.TOO_MANY_COMPONENTS,
    C.TOO_MANY_REPETITIONS,
    C.NUMBER_INVALID,
    C.DATE_INVALID,
    C.TIME_INVALID,
    C.CODE_INVALID,
    C.INVALID_CHARACTER,
    C.SEGMENT_TOO_LONG,
    C.BALANCE,
)
_IK3: dict[X12ErrorCode, str] = {
    C.SEGMENT_UNRECOGNIZED: "1",
    C.SEGMENT_UNEXPECTED: "2",
    C.SEGMENT_MISSING: "3",
    C.LOOP_REPEATED: "4",
    C.SEGMENT_REPEATED: "5",
    C.SEGMENT_ORDER: "7",
    **dict.fromkeys(_ELEMENT_CODES, "8"),
}

# IK403: 1 required element missing; 3 too many elements; 4 too short; 5 too long; 6 invalid
# character; 7 invalid code value; 8 invalid date; 9 invalid time; 12 too many repetitions;
# 13 too many components; I10 implementation "not used" element present.
_IK4: dict[X12ErrorCode, str] = {
    C.ELEMENT_MISSING: "1",
    C.TOO_MANY_ELEMENTS: "3",
    C.ELEMENT_TOO_SHORT: "4",
    C.ELEMENT_TOO_LONG: "5",
    C.SEGMENT_TOO_LONG: "5",
    C.INVALID_CHARACTER: "6",
    C.NUMBER_INVALID: "6",
    C.ELEMENT_INVALID: "7",
    C.CODE_INVALID: "7",
    C.DATE_INVALID: "8",
    C.TIME_INVALID: "9",
    C.TOO_MANY_REPETITIONS: "12",
    C.TOO_MANY_COMPONENTS: "13",
    C.ELEMENT_NOT_USED: "I10",
}

# IK502: 1 transaction set not supported; 2 trailer missing; 3 control numbers in header and
# trailer do not match; 4 number of included segments does not match; 5 one or more segments
# in error; 6 missing or invalid transaction set identifier; I5 implementation: one or more
# segments in error.
_IK5: dict[X12ErrorCode, str] = {
    C.TRANSACTION_SET_UNSUPPORTED: "1",
    C.SE_MISSING: "2",
    C.TRUNCATED: "2",
    C.CONTROL_NUMBER_MISMATCH: "3",
    C.COUNT_MISMATCH: "4",
    C.TRANSACTION_SET_INVALID: "6",
    C.SEGMENT_UNRECOGNIZED: "5",
    C.SEGMENT_UNEXPECTED: "5",
    C.SEGMENT_MISSING: "5",
    C.LOOP_REPEATED: "5",
    C.SEGMENT_REPEATED: "5",
    C.SEGMENT_ORDER: "5",
    **dict.fromkeys(_ELEMENT_CODES, "5"),
    C.BALANCE: "I5",
}

# AK905: 1 functional group not supported; 2 version not supported; 3 trailer missing;
# 4 control numbers in GS and GE do not agree; 5 number of included sets does not match.
_AK9: dict[X12ErrorCode, str] = {
    C.GROUP_INVALID: "1",
    C.VERSION_UNSUPPORTED: "2",
    C.GE_MISSING: "3",
    C.GROUP_CONTROL_MISMATCH: "4",
    C.GROUP_COUNT_MISMATCH: "5",
}


class X12Error(Exception):
    """A defect in X12 data, located as precisely as the reader could.

    ``segment_number`` counts segments from the start of the file (ISA is 1). ``element`` is the
    X12 element position (CLP04 is 4), ``component`` the position inside a composite (1-based).
    """

    code: X12ErrorCode
    message: str
    segment_number: int | None
    segment_id: str | None
    element: int | None
    component: int | None
    loop: str | None
    file: str | None
    transaction_set: str | None

    def __init__(
        self,
        code: X12ErrorCode,
        message: str,
        *,
        segment_number: int | None = None,
        segment_id: str | None = None,
        element: int | None = None,
        component: int | None = None,
        loop: str | None = None,
        file: str | None = None,
        transaction_set: str | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.segment_number = segment_number
        self.segment_id = segment_id
        self.element = element
        self.component = component
        self.loop = loop
        self.file = file
        self.transaction_set = transaction_set
        super().__init__(self.__str__())

    def location(self) -> str:
        """``segment 12 (CLP), element 4, loop 2100`` (the parts that are known)."""
        parts: list[str] = []
        if self.segment_number is not None:
            seg = f"segment {self.segment_number}"
            if self.segment_id:
                seg += f" ({self.segment_id})"
            parts.append(seg)
        elif self.segment_id:
            parts.append(f"segment {self.segment_id}")
        if self.element is not None:
            el = f"element {self.element}"
            if self.component is not None:
                el += f", component {self.component}"
            parts.append(el)
        if self.loop:
            parts.append(f"loop {self.loop}")
        if self.transaction_set and not parts:
            parts.append(f"transaction set {self.transaction_set}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = self.location()
        text = f"{text}: {self.message}" if text else self.message
        return f"{self.file}: {text}" if self.file else text

    def __repr__(self) -> str:
        return f"X12Error({self.code.value!r}, {self.__str__()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.code, self.message, self.as_kwargs()))

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "segment_number": self.segment_number,
            "segment_id": self.segment_id,
            "element": self.element,
            "component": self.component,
            "loop": self.loop,
            "file": self.file,
            "transaction_set": self.transaction_set,
        }

    def replace(self, **changes: Any) -> X12Error:
        """A copy with some attributes changed (``code`` and ``message`` included)."""
        kwargs = self.as_kwargs()
        code = changes.pop("code", self.code)
        message = changes.pop("message", self.message)
        kwargs.update(changes)
        return X12Error(code, message, **kwargs)

    def with_file(self, name: str | None) -> X12Error:
        """A copy naming the file."""
        return self.replace(file=name)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output and logs."""
        return {
            "code": self.code.value,
            "message": self.message,
            **self.as_kwargs(),
            "ta1_code": self.code.ta1_code,
            "ik3_code": self.code.ik3_code,
            "ik4_code": self.code.ik4_code,
            "ik5_code": self.code.ik5_code,
        }


def _rebuild(code: X12ErrorCode, message: str, kwargs: dict[str, Any]) -> X12Error:
    return X12Error(code, message, **kwargs)
