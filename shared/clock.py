"""Time and locale helpers: UTC now, and dates the way Russian readers write them."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, get_month_names


def utcnow() -> datetime:
    """The current moment, in UTC."""
    return datetime.now(UTC)


def human_datetime(moment: datetime, timezone: str, locale: str = "ru") -> str:
    """'25 ноября 2026, 14:05' in the site's time zone."""
    return format_datetime(moment, "d MMMM y, HH:mm", tzinfo=ZoneInfo(timezone), locale=locale)


def month_name(month: int, locale: str = "ru") -> str:
    """The month's name as a heading writes it ('Ноябрь')."""
    return get_month_names("wide", context="stand-alone", locale=locale)[month].capitalize()


def human_date(day: date, locale: str = "ru") -> str:
    """'25 ноября 2026'."""
    return format_date(day, "d MMMM y", locale=locale)
