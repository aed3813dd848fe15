from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openrcm.core.dates import age_in_days, local_date


class TestAgeInDays:
    def test_same_day_is_zero(self) -> None:
        assert age_in_days(date(2025, 3, 1), date(2025, 3, 1)) == 0

    def test_counts_calendar_days(self) -> None:
        assert age_in_days(date(2025, 1, 1), date(2025, 1, 31)) == 30
        assert age_in_days(date(2024, 2, 28), date(2024, 3, 1)) == 2  # leap year
        assert age_in_days(date(2024, 12, 31), date(2025, 1, 1)) == 1

    def test_future_start_is_refused(self) -> None:
        with pytest.raises(ValueError, match="before start"):
            age_in_days(date(2025, 3, 2), date(2025, 3, 1))

    def test_datetimes_are_refused(self) -> None:
        with pytest.raises(TypeError):
            age_in_days(datetime(2025, 1, 1, tzinfo=UTC), date(2025, 1, 2))
        with pytest.raises(TypeError):
            age_in_days(date(2025, 1, 1), datetime(2025, 1, 2, tzinfo=UTC))

    @given(st.dates(), st.integers(min_value=0, max_value=3650))
    def test_inverse_of_adding_days(self, start: date, days: int) -> None:
        try:
            later = start + timedelta(days=days)
        except OverflowError:
            return
        assert age_in_days(start, later) == days


class TestLocalDate:
    def test_evening_in_chicago_is_the_next_day_in_utc(self) -> None:
        moment = datetime(2025, 3, 2, 3, 30, tzinfo=UTC)  # 21:30 on March 1 in Chicago
        assert local_date(moment, "America/Chicago") == date(2025, 3, 1)
        assert local_date(moment, "UTC") == date(2025, 3, 2)

    def test_dst_boundary(self) -> None:
        # 2025-11-02 06:30 UTC is 01:30 EDT... then clocks fall back; still Nov 2 locally.
        assert local_date(datetime(2025, 11, 2, 6, 30, tzinfo=UTC), "America/New_York") == date(
            2025, 11, 2
        )
        assert local_date(datetime(2025, 11, 2, 3, 59, tzinfo=UTC), "America/New_York") == date(
            2025, 11, 1
        )

    def test_honolulu_and_fixed_offsets(self) -> None:
        moment = datetime(2025, 6, 1, 8, 0, tzinfo=timezone(timedelta(hours=-4)))  # 12:00 UTC
        assert local_date(moment, "Pacific/Honolulu") == date(2025, 6, 1)  # 02:00 HST
        assert local_date(moment, ZoneInfo("Asia/Tokyo")) == date(2025, 6, 1)  # 21:00 JST

    def test_naive_is_refused(self) -> None:
        with pytest.raises(ValueError, match="naive"):
            local_date(datetime(2025, 1, 1, 12, 0), "America/Chicago")

    @pytest.mark.parametrize("tz", ["Mars/Olympus_Mons", "", "../etc/passwd"])
    def test_unknown_zone(self, tz: str) -> None:
        with pytest.raises(ValueError, match="unknown time zone"):
            local_date(datetime(2025, 1, 1, tzinfo=UTC), tz)

    def test_date_is_refused(self) -> None:
        with pytest.raises(TypeError):
            local_date(date(2025, 1, 1), "UTC")  # type: ignore[arg-type]

    @given(st.datetimes(timezones=st.just(UTC)))
    def test_utc_date_is_the_date(self, moment: datetime) -> None:
        assert local_date(moment, "UTC") == moment.date()
