"""Checks every feed must pass: feedparser without bozo, Atom against RFC 4287's RELAX NG,
RSS against the RSS 2.0 specification's required elements and RFC 822 dates, JSON Feed
against a JSON Schema of version 1.1."""

import json
import re
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path

import feedparser
import jsonschema
from lxml import etree

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
ATOM = "{http://www.w3.org/2005/Atom}"
# RFC 822 section 5.1 date-time, with the four-digit year RSS 2.0 recommends.
RFC822 = re.compile(
    r"^(?:(?P<dow>Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{1,2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2}(?:\d{2})? "
    r"\d{2}:\d{2}(?::\d{2})? (?:UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|[A-IK-Z]|[+-]\d{4})$"
)


@cache
def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


@cache
def json_feed_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text())
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def parse_cleanly(document: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(document)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def assert_rfc822(value: str | None) -> None:
    match = RFC822.match(value or "")
    assert match, f"not an RFC 822 date: {value!r}"
    moment = parsedate_to_datetime(value)
    if match["dow"]:
        assert moment.strftime("%a") == match["dow"], f"wrong day of week: {value!r}"


def assert_valid_atom(document: bytes) -> feedparser.FeedParserDict:
    root = etree.fromstring(document)
    schema = atom_schema()
    assert schema.validate(root), schema.error_log
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    return parse_cleanly(document)


def assert_valid_rss(document: bytes) -> feedparser.FeedParserDict:
    root = etree.fromstring(document)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channels = root.findall("channel")
    assert len(channels) == 1
    channel = channels[0]
    for required in ("title", "link", "description"):
        assert (channel.findtext(required) or "").strip(), f"channel lacks <{required}>"
    assert channel.find(f"{ATOM}link[@rel='self']") is not None
    for name in ("pubDate", "lastBuildDate"):
        if channel.find(name) is not None:
            assert_rfc822(channel.findtext(name))
    for item in channel.findall("item"):
        assert item.findtext("title") or item.findtext("description"), "item lacks title"
        if item.find("pubDate") is not None:
            assert_rfc822(item.findtext("pubDate"))
        for enclosure in item.findall("enclosure"):
            assert enclosure.get("url") and enclosure.get("type")
            assert (enclosure.get("length") or "").isdigit(), "enclosure length not a number"
        guid = item.find("guid")
        if guid is not None and guid.get("isPermaLink", "true") == "true":
            assert guid.text.startswith(("http://", "https://"))
    return parse_cleanly(document)


def assert_valid_json_feed(document: bytes) -> dict:
    data = json.loads(document)
    errors = [e.message for e in json_feed_validator().iter_errors(data)]
    assert not errors, errors
    return data
