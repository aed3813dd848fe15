"""A simulated clock for the sandbox: time only moves when the caller moves it.

Nothing in :mod:`openrcm.core.sandbox` reads the wall clock. Every entry point takes the current
simulated moment from its caller (``received_at``, ``as_of``), as an aware ``datetime``; a
:class:`SimulatedClock` is a small convenience for callers (the demo, tests) that step through
days. Dates derived from a moment are taken in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

__all__ = ["SimulatedClock", "at", "aware", "next_business_day", "utc_date"]


def aware(moment: datetime, what: str = "moment") -> datetime:
    """``moment`` in UTC; a naive datetime is refused (the sandbox never guesses a zone)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be an aware datetime (with a time zone), got {moment!r}")
    return moment.astimezone(UTC)


def utc_date(moment: datetime) -> date:
    """The UTC calendar date of an aware ``moment``."""
    return aware(moment).date()


def next_business_day(day: date) -> date:
    """``day`` itself on Monday to Friday, else the following Monday (payers pay on weekdays)."""
    wd = day.weekday()
    if wd >= 5:
        return day + timedelta(days=7 - wd)
    return day


def at(day: date, clock_time: time) -> datetime:
    """``day`` at ``clock_time`` UTC."""
    return datetime.combine(day, clock_time, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SimulatedClock:
    """An immutable simulated moment; ``advance`` returns a later clock."""

    now: datetime

    def __post_init__(self) -> None:
        object.__setattr__(self, "now", aware(self.now, "SimulatedClock.now"))

    @classmethod
    def starting(cls, day: date, clock_time: time = time(9, 0)) -> SimulatedClock:
        return cls(at(day, clock_time))

    @property
    def today(self) -> date:
        return self.now.date()

    def advance(self, *, days: int = 0, hours: int = 0, minutes: int = 0) -> SimulatedClock:
        step = timedelta(days=days, hours=hours, minutes=minutes)
        if step < timedelta(0):
            raise ValueError("a simulated clock never goes back")
        return SimulatedClock(self.now + step)

    def next_day(self, clock_time: time | None = None) -> SimulatedClock:
        """The next calendar day at ``clock_time`` (default: the same time of day)."""
        t = clock_time or self.now.timetz().replace(tzinfo=None)
        return SimulatedClock(at(self.today + timedelta(days=1), t))
