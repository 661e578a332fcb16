"""Dates as Russian readers write them: the fast formatters agree with babel's own."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from shared.clock import human_date, human_datetime, month_name


def test_dates_read_as_in_russian_newspapers():
    moment = datetime(2026, 11, 25, 9, 5, tzinfo=UTC)
    assert human_datetime(moment, "Asia/Almaty") == "25 ноября 2026, 14:05"
    assert human_date(moment.date()) == "25 ноября 2026"
    assert month_name(11) == "Ноябрь"


def test_every_month_and_hour_matches_babel_in_several_zones():
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for zone in ("Asia/Almaty", "Europe/Moscow", "America/New_York", "UTC"):
        for step in range(0, 24 * 400, 7):  # every month, every hour of day, DST changes
            moment = start + timedelta(hours=step)
            expected = format_datetime(
                moment, "d MMMM y, HH:mm", tzinfo=ZoneInfo(zone), locale="ru"
            )
            assert human_datetime(moment, zone) == expected
            day = moment.date()
            assert human_date(day) == format_date(day, "d MMMM y", locale="ru")
