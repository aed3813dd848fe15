"""Template filters of the submission pages: days since a date, an X12 line's indentation."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()

MAX_DEPTH = 10


@register.filter
def days_since(day: dt.date | None) -> str:
    """Whole days from ``day`` to today ("" when unknown): a claim's age from its date of
    service, which timely filing counts from."""
    if not day:
        return ""
    return str((timezone.localdate() - day).days)


@register.filter
def depth_class(depth: int) -> str:
    """The CSS class that indents an X12 line ``depth`` levels (inline styles are refused by
    the content security policy)."""
    return f"x12-d{min(max(int(depth), 0), MAX_DEPTH)}"
