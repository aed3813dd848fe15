"""Acknowledgment codes in plain English, for the people who fix rejected claims."""

from __future__ import annotations

from collections.abc import Iterable

from openrcm.core.x12.ack999 import SetResponse
from openrcm.core.x12.hierarchy import Status, StatusCode

CATEGORIES = {
    "A0": "Forwarded to another entity",
    "A1": "Received",
    "A2": "Accepted into adjudication",
    "A3": "Returned as unprocessable",
    "A4": "Not found",
    "A5": "Split",
    "A6": "Rejected for missing information",
    "A7": "Rejected for invalid information",
    "A8": "Rejected for a relational field in error",
}
STATUS_CODES = {
    "19": "the claim was received",
    "20": "the claim was accepted for processing",
    "21": "information is missing or invalid",
    "33": "the subscriber and subscriber id were not found",
    "116": "the claim was submitted to the wrong payer",
    "126": "the address",
    "145": "the entity's specialty/taxonomy code",
    "158": "the date of birth",
    "163": "the policy or group number",
    "164": "the contract or member number",
    "187": "the date(s) of service",
    "188": "the statement from-through dates",
    "254": "the principal diagnosis code",
    "255": "the diagnosis code",
    "454": "the procedure code",
    "562": "the National Provider Identifier (NPI)",
}
ENTITIES = {
    "IL": "subscriber",
    "QC": "patient",
    "85": "billing provider",
    "82": "rendering provider",
    "DN": "referring provider",
    "77": "service facility",
    "DQ": "supervising provider",
    "PR": "payer",
    "41": "submitter",
    "40": "receiver",
}
IK5_CODES = {
    "1": "the transaction set is not supported",
    "2": "the transaction set trailer is missing",
    "3": "the SE control number does not match the ST",
    "4": "the segment count in SE is wrong",
    "5": "one or more segments are in error",
    "6": "the transaction set identifier is missing or invalid",
    "7": "the transaction set control number is missing or invalid",
    "23": "the control number is not unique within the group",
    "I5": "the implementation convention reference is not supported",
    "I6": "the implementation convention is not supported",
}
IK3_CODES = {
    "1": "unrecognized segment",
    "2": "unexpected segment",
    "3": "required segment missing",
    "4": "loop occurs over its maximum",
    "5": "segment exceeds its maximum use",
    "6": "segment not in the defined transaction set",
    "7": "segment out of sequence",
    "8": "segment has data element errors",
    "I4": "a segment the guide marks 'not used' is present",
    "I6": "a segment the guide requires here is missing",
    "I7": "loop occurs under its minimum",
    "I8": "segment below its minimum use",
    "I9": "a 'not used' segment is present",
}
IK4_CODES = {
    "1": "required element missing",
    "2": "conditional required element missing",
    "3": "too many elements",
    "4": "element too short",
    "5": "element too long",
    "6": "invalid character",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
    "I6": "code value not used in this implementation",
    "I9": "implementation-dependent element missing",
    "I10": "a 'not used' element is present",
    "I11": "too few repetitions",
    "I12": "pattern match failure",
}
TA1_NOTES = {
    "000": "no error",
    "001": "the interchange control numbers in ISA and IEA do not match",
    "018": "the interchange control number is invalid",
    "022": "the interchange has invalid control structure",
    "024": "the interchange content is invalid",
}


def status_code_text(code: StatusCode) -> str:
    what = STATUS_CODES.get(code.code, f"status code {code.code}")
    entity = ENTITIES.get(code.entity, "")
    if entity and what.startswith("the "):
        what = f"the {entity}'s {what[4:]}"
    elif entity:
        what = f"{what} ({entity})"
    return what


def stc_reason(statuses: Iterable[Status]) -> str:
    """A 277CA claim status in words: ``Rejected for invalid information: the subscriber's
    contract or member number (A7:164:IL).``"""
    parts: list[str] = []
    for status in statuses:
        codes = status.codes
        head = CATEGORIES.get(codes[0].category, f"Category {codes[0].category}")
        details = "; ".join(status_code_text(c) for c in codes)
        raw = ", ".join(":".join(x for x in (c.category, c.code, c.entity) if x) for c in codes)
        text = f"{head}: {details} ({raw})"
        if status.message:
            text += f". Payer says: {status.message}"
        parts.append(text)
    return ". ".join(parts)[:500]


def set_reason(response: SetResponse) -> str:
    """Why a 999 rejected a transaction set: its IK5 codes and segment/element notes."""
    parts = [IK5_CODES.get(c, f"IK5 code {c}") for c in response.codes]
    for note in response.segment_notes[:5]:
        text = f"segment {note.segment_id} #{note.position}"
        if note.loop:
            text += f" (loop {note.loop})"
        text += f": {IK3_CODES.get(note.code, note.code)}"
        for element in note.elements[:3]:
            text += (
                f"; element {note.segment_id}{element.position:02d} "
                f"{IK4_CODES.get(element.code, element.code)}"
            )
            if element.bad_value:
                text += f" ({element.bad_value!r})"
        parts.append(text)
    body = "; ".join(parts) or "the transaction set was rejected"
    return f"The clearinghouse rejected the file's claims set: {body}"[:500]


def ta1_reason(note_code: str) -> str:
    text = TA1_NOTES.get(note_code, f"TA1 note code {note_code}")
    return f"The clearinghouse rejected the whole file: {text} (TA1 {note_code})"[:500]
