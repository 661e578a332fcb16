"""Attribute values a sanitized body may keep: each valid HTML for its attribute, or dropped.

The allowlist decides which attributes stay; these checks decide which of their values are
valid HTML (what the Nu Html Checker accepts), so no body makes its page invalid: URLs get
their illegal characters percent-encoded, numbers and keywords are kept only when well-formed.
"""

import re
from collections.abc import Callable
from functools import cache
from urllib.parse import quote, urlsplit, urlunsplit

from babel import Locale

URL_ATTRIBUTES = {"href", "src", "cite"}
# Characters a URL's path, query or fragment may hold as they are (the rest is %-encoded).
_URL_SAFE = "!$&'()*+,;=:@/?~%-._"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST = re.compile(
    r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"
)
_INTEGER = re.compile(r"^-?[0-9]{1,9}$")
_LANGUAGE_TAG = re.compile(r"^([a-z]{2,3})(?:-([A-Z]{2}))?$")
_DATE = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,3})?)?"
_ZONE = r"(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])"
_DATETIME = re.compile(
    rf"^({_DATE}|{_TIME}|{_DATE}[T ]{_TIME}{_ZONE}?|[0-9]{{4}}(-(0[1-9]|1[0-2]))?|{_ZONE})$"
)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def valid_value(tag: str, attribute: str, value: str) -> str | None:
    """The value as the page may carry it, or None when it cannot be made valid."""
    if attribute in URL_ATTRIBUTES:
        return url(value, empty_ok=attribute == "cite")
    check = _CHECKS.get(attribute)
    return value if check is None else check(value.strip())


def url(value: str, empty_ok: bool = False) -> str | None:
    """A URL with illegal characters %-encoded; None without a host where one belongs."""
    value = value.strip()
    if not value:
        return value if empty_ok else None
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return None
    if value.startswith("//") or parts.scheme in {"http", "https"}:
        try:
            host = (parts.hostname or "").encode("idna").decode("ascii")
        except UnicodeError:
            return None
        if not (port_ok and _HOST.match(host)) or "@" in parts.netloc:
            return None
    path, query, fragment = (
        _STRAY_PERCENT.sub("%25", quote(p, safe=_URL_SAFE))
        for p in (parts.path, parts.query, parts.fragment)
    )
    return urlunsplit((parts.scheme, parts.netloc, path, query, fragment))


def _non_negative(value: str) -> str | None:
    return value if _INTEGER.match(value) and not value.startswith("-") else None


def _span(most: int, least: int) -> Callable[[str], str | None]:
    """A column or row span: an integer from `least` to `most`."""
    return lambda v: v if _non_negative(v) and least <= int(v) <= most else None


def _keyword(*allowed: str) -> Callable[[str], str | None]:
    return lambda value: value.lower() if value.lower() in allowed else None


def _date_time(value: str) -> str | None:
    """A valid HTML date, time, datetime, month, year or time-zone offset string."""
    if not _DATETIME.match(value) or value.startswith("0000"):
        return None
    date = re.match(_DATE, value)
    if date:
        year, month, day = (int(n) for n in date[0].split("-"))
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        if day > _DAYS_IN_MONTH[month - 1] or (month == 2 and day == 29 and not leap):
            return None
    return value


@cache
def _known() -> tuple[frozenset[str], frozenset[str]]:
    """Language and region codes babel knows (registered subtags)."""
    names = Locale("en")
    return frozenset(names.languages), frozenset(names.territories)


def _language(value: str) -> str | None:
    """A language tag of a known language and, optionally, a known region."""
    match = _LANGUAGE_TAG.match(value)
    languages, regions = _known()
    if not match or match[1] not in languages or (match[2] and match[2] not in regions):
        return None
    return value


_CHECKS: dict[str, Callable[[str], str | None]] = {
    "width": _non_negative,
    "height": _non_negative,
    "colspan": _span(1000, 1),
    "rowspan": _span(65534, 0),
    "start": lambda v: v if _INTEGER.match(v) else None,
    "reversed": lambda _: "",
    "loading": _keyword("lazy", "eager"),
    "scope": _keyword("row", "col", "rowgroup", "colgroup"),
    "datetime": _date_time,
    "hreflang": _language,
}
