"""Calendar arithmetic for reports: months, period lengths, the trailing window of days in A/R."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

__all__ = [
    "add_months",
    "check_period",
    "days_in",
    "last_months",
    "month_end",
    "month_start",
    "trailing_window_start",
]

TRAILING_MONTHS = 3
"""Days in A/R averages net charges over the 3 months ending on the period's last day
(HFMA MAP)."""


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months, clamped to the month's last day
    (31 January + 1 month is 28 or 29 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def days_in(start: date, end: date) -> int:
    """Days from ``start`` to ``end``, both included."""
    return (end - start).days + 1


def check_period(start: date, end: date) -> None:
    """Refuse a period that ends before it starts (naming both dates)."""
    if end < start:
        raise ValueError(f"period ends {end.isoformat()} before it starts {start.isoformat()}")


def trailing_window_start(period_end: date) -> date:
    """The first day of the 3 months that end on ``period_end``: the day after
    ``period_end``, 3 calendar months back (31 March -> 1 January; 15 March -> 16 December)."""
    return add_months(period_end + timedelta(days=1), -TRAILING_MONTHS)


def last_months(month: date, count: int) -> list[tuple[date, date]]:
    """The ``count`` calendar months ending with ``month``'s month, oldest first, as
    ``(first day, last day)`` pairs."""
    if count < 1:
        raise ValueError(f"months must be at least 1, not {count}")
    first = month_start(month)
    return [
        (add_months(first, -back), month_end(add_months(first, -back)))
        for back in range(count - 1, -1, -1)
    ]
