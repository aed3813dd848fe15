"""Template filters of the web UI: money, phone numbers, ages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from openrcm.core.money import Money

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """Integer cents (what the database holds) or a Money -> "$1,234.56"; None -> ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, Money):
        return str(value)
    return str(Money.from_cents(int(value)))


@register.filter
def phone(value: str) -> str:
    """Ten digits -> "(217) 555-0100"; anything else as it is."""
    if value and len(value) == 10 and value.isdigit():
        return f"({value[:3]}) {value[3:6]}-{value[6:]}"
    return value or ""


@register.filter
def age(born: dt.date | None) -> str:
    """Age in whole years today, "" when unknown."""
    if not born:
        return ""
    today = timezone.localdate()
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return str(years)


@register.filter
def joined(values: Any, sep: str = ", ") -> str:
    """A list joined with `sep` (pointers, modifiers)."""
    return sep.join(str(v) for v in values if v not in (None, ""))


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key], or None: `{{ amounts|get_item:index }}`."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
