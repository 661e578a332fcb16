"""Feed documents: parseable, ids are guids, and no build-time noise in the bytes."""

from datetime import UTC, datetime

import feedparser

from services.feeds import feed
from services.feeds.feed import FeedInfo
from shared.article import Article

INFO = FeedInfo("Newsroom", "Последние публикации", "/", "/feeds/rss.xml", "/feeds/atom.xml")


def make_article(**changes) -> Article:
    fields = {
        "id": "a1",
        "version": 1,
        "guid": "urn:uuid:1",
        "slug": "s",
        "url": "/2026/11/25/s/",
        "status": "published",
        "created_at": datetime(2026, 11, 25, tzinfo=UTC),
        "modified_at": datetime(2026, 11, 25, tzinfo=UTC),
        "title": "«Жас бүркіт» – <b>гордость</b> 🇰🇿",
        "summary": "Лид",
        "body_html": "<p>Тело</p>",
        "authors": [{"name": "Александра Власова"}],
        "section": "Общество",
        "tags": ["полиция"],
        "published_at": "2026-11-25T14:05:00+05:00",
    }
    return Article.model_validate(fields | changes)


def test_rss_and_atom_parse_cleanly_with_guid_ids():
    articles = [make_article()]
    for document in (
        feed.rss(INFO, articles, "https://x.kz", "ru"),
        feed.atom(INFO, articles, "https://x.kz", "ru"),
    ):
        parsed = feedparser.parse(document)
        assert not parsed.bozo, parsed.get("bozo_exception")
        entry = parsed.entries[0]
        assert entry.id == "urn:uuid:1"
        assert entry.title == "«Жас бүркіт» – <b>гордость</b> 🇰🇿"
        assert entry.link == "https://x.kz/2026/11/25/s/"
        assert "<p>Тело</p>" in entry.content[0].value


def test_same_articles_give_the_same_bytes():
    articles = [make_article()]
    assert feed.rss(INFO, articles, "https://x.kz", "ru") == feed.rss(
        INFO, articles, "https://x.kz", "ru"
    )
