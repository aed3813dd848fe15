"""The latest daily submission time, for any moment, time of day and US time zone (DST days
included): never in the future, less than a local day ago, at the practice's wall-clock time."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openrcm.schedules.due import latest_submission
from openrcm.tenancy.models import Practice

ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix"]
ZONES += ["America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu"]
moments = st.datetimes(
    min_value=dt.datetime(2026, 1, 1),
    max_value=dt.datetime(2027, 12, 31),
    timezones=st.just(dt.UTC),
)
times = st.builds(dt.time, st.integers(0, 23), st.integers(0, 59))


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(now=moments, at=times, zone=st.sampled_from(ZONES))
def test_latest_submission(now: dt.datetime, at: dt.time, zone: str) -> None:
    practice = Practice(time_zone=zone, submit_at=at)
    latest = latest_submission(practice, now)
    assert latest <= now
    assert now - latest < dt.timedelta(hours=25)  # a fall-back day is 25 hours long
    wall = latest.astimezone(zoneinfo.ZoneInfo(zone))
    # Its wall clock is the practice's time, unless that time does not exist on a spring-forward
    # day (02:30 then means 03:30 daylight time, an hour on).
    assert wall.time() == at or (wall - dt.timedelta(hours=1)).time() == at
    # A minute later the latest time is the same one, or the one just reached.
    later = latest_submission(practice, now + dt.timedelta(minutes=1))
    assert later == latest or latest < later <= now + dt.timedelta(minutes=1)


def test_spring_forward_and_fall_back_in_chicago() -> None:
    chicago = zoneinfo.ZoneInfo("America/Chicago")
    practice = Practice(time_zone="America/Chicago", submit_at=dt.time(2, 30))
    # 2026-03-08: 02:00 CST jumps to 03:00 CDT; 02:30 does not exist and runs at 03:30 CDT.
    latest = latest_submission(practice, dt.datetime(2026, 3, 8, 12, tzinfo=chicago))
    assert latest.astimezone(dt.UTC) == dt.datetime(2026, 3, 8, 8, 30, tzinfo=dt.UTC)
    # 2026-11-01: 01:30 happens twice; 17:00 is plain CST again.
    practice.submit_at = dt.time(17, 0)
    latest = latest_submission(practice, dt.datetime(2026, 11, 1, 18, tzinfo=chicago))
    assert latest.astimezone(dt.UTC) == dt.datetime(2026, 11, 1, 23, 0, tzinfo=dt.UTC)
