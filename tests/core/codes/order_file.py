"""A synthetic CMS ICD-10-CM order file built from the shipped release, for tests.

A test construction, not CMS data: the shipped April 2026 codes with a few synthetic changes,
written in the order file's fixed-width layout (order number 1-5, code 7-13, header flag 15,
short description 17-76, long description from 78).
"""

from __future__ import annotations

from openrcm.core.codes import icd10cm

# The synthetic "FY2027" changes the tests look for.
ADDED = {
    "J4490": (True, "Chronic obstructive pulmonary disease, unspecified severity (synthetic)"),
    "B9790": (True, "Other viral agent as the cause of diseases classified elsewhere (synthetic)"),
    "M36Z": (True, "Connective tissue disorder in other diseases classified elsewhere (synthetic)"),
}
REMOVED = "J449"
NOW_BILLABLE = "R05"


def order_line(number: int, code: str, billable: bool, description: str) -> str:
    """One line of the order file."""
    short = description[:60]
    return f"{number:05d} {code:<7} {1 if billable else 0} {short:<60} {description}"


def synthetic_order_file() -> str:
    """The shipped release with :data:`ADDED`, without :data:`REMOVED`, and with
    :data:`NOW_BILLABLE` billable, as order-file text."""
    release = icd10cm.release()
    rows: dict[str, tuple[bool, str]] = {}
    for code in release.codes():
        rows[code] = (release.kind(code) in icd10cm.BILLABLE_KINDS, release.description(code) or "")
    del rows[REMOVED]
    rows[NOW_BILLABLE] = (True, rows[NOW_BILLABLE][1])
    rows.update(ADDED)
    lines = [
        order_line(number, code, billable, text)
        for number, (code, (billable, text)) in enumerate(sorted(rows.items()), start=1)
    ]
    return "\r\n".join(lines) + "\r\n"
