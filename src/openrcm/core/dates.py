"""Dates in the billing domain: a date of service is a ``date``; an event is an aware
``datetime``; a practice's day is decided in the practice's own time zone."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["age_in_days", "local_date"]


def _plain_date(value: object, *, what: str) -> date:
    # datetime is a subclass of date; a datetime here would silently compare instants.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{what} must be a date, not {type(value).__name__}: {value!r}")
    return value


def age_in_days(start: date, as_of: date) -> int:
    """Return how many days old something that started on ``start`` is on ``as_of``.

    The same day is age 0; this is the number aging buckets (0-30, 31-60, ...) use.

    Raises:
        TypeError: either argument is a ``datetime`` (convert with :func:`local_date` first).
        ValueError: ``as_of`` is before ``start`` (a date of service in the future).
    """
    start = _plain_date(start, what="start")
    as_of = _plain_date(as_of, what="as_of")
    if as_of < start:
        raise ValueError(f"as_of {as_of.isoformat()} is before start {start.isoformat()}")
    return (as_of - start).days


def local_date(moment: datetime, tz: str | tzinfo) -> date:
    """Return the calendar date of the aware ``moment`` in the time zone ``tz``.

    ``tz`` is an IANA name such as ``"America/Chicago"`` (or a ``tzinfo``).

    Raises:
        ValueError: ``moment`` is naive, or ``tz`` is not a known time zone.
    """
    if not isinstance(moment, datetime):
        raise TypeError(f"moment must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime {moment.isoformat()} is naive; pass an aware datetime")
    if isinstance(tz, str):
        try:
            zone: tzinfo = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {tz!r}") from None
    else:
        zone = tz
    return moment.astimezone(zone).date()
