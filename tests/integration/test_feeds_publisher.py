"""The feeds publisher against a real Redis: exact entries and ids through an article's life."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import uvicorn
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from newsroom.ports import free_port
from services.feeds.publisher import FeedPublisher
from services.feeds.websub import HubNotifier
from shared.article import ArticleIn
from shared.events import DATA_FIELD, ArticleChanged, article_event_adapter
from shared.settings import Settings
from shared.store import open_store
from shared.topology import ARTICLES_STREAM
from tests.support.feed_checks import assert_valid_atom, assert_valid_json_feed, assert_valid_rss
from tests.support.samples import ARTICLE as SAMPLE
from tests.support.timing import eventually

SITE = "https://news.example.kz"
ARTICLE = SAMPLE | {"body_html": '<p>Текст <a href="/section/obshchestvo/">раздела</a></p>'}
FEEDS = {
    "site": "/feeds/",
    "section": "/section/obshchestvo/",
    "tag": "/tag/zhas-burkit/",
    "author": "/author/aleksandra-vlasova/",
}


class Newsroom:
    """A store, a publisher writing to a temp folder, and the events the store emits."""

    def __init__(self, redis: Redis, public: Path, hub: str = "") -> None:
        self.redis = redis
        self.public = public
        self.store = open_store(Settings(), redis)
        settings = Settings(public_dir=public, site_url=SITE, websub_hub=hub)
        self.notifier = HubNotifier(hub, first_delay=0.05) if hub else None
        self.publisher = FeedPublisher(self.store, settings, self.notifier)
        self.last_id = "0-0"

    async def events(self) -> list[ArticleChanged]:
        """Events appended to the articles stream since the last call."""
        entries = await self.redis.xrange(ARTICLES_STREAM, f"({self.last_id}", "+")
        if entries:
            self.last_id = entries[-1][0].decode()
        return [article_event_adapter.validate_json(f[DATA_FIELD.encode()]) for _, f in entries]

    async def apply_events(self) -> list[str]:
        """Let the publisher consume every new event; the feed files that changed."""
        changed = []
        for event in await self.events():
            changed += await self.publisher.apply([event])
        return changed

    async def put(self, article_id: str, **changes) -> str:
        result = await self.store.save(article_id, ArticleIn.model_validate(ARTICLE | changes))
        return result.article.guid

    def entries(self, feed: str) -> list[tuple[str, str, str]]:
        """(id, title, link) of each entry of a list's RSS and Atom feeds, checked equal."""
        folder = self.public / FEEDS[feed].strip("/")
        rss = assert_valid_rss((folder / "rss.xml").read_bytes())
        atom = assert_valid_atom((folder / "atom.xml").read_bytes())
        from_rss = [(e.id, e.title, e.link) for e in rss.entries]
        assert from_rss == [(e.id, e.title, e.link) for e in atom.entries]
        return from_rss


@pytest.fixture
async def newsroom(redis_url: str, tmp_path: Path) -> AsyncIterator[Newsroom]:
    redis = Redis.from_url(redis_url)
    yield Newsroom(redis, tmp_path / "public")
    await redis.aclose()


async def test_rename_slug_change_update_unpublish_and_republish_keep_one_entry(newsroom):
    # An editor publishes an article: every list it is on gets one entry, id = guid.
    guid = await newsroom.put("a1")
    changed = await newsroom.apply_events()
    assert "/feeds/feed.json" in changed and "/tag/zhas-burkit/atom.xml" in changed
    url = f"{SITE}/2026/11/25/chem-ya-mogu-vam-pomoch/"
    for feed in FEEDS:
        assert newsroom.entries(feed) == [(guid, "Чем я могу Вам помочь?", url)]
    json_feed = assert_valid_json_feed((newsroom.public / "feeds/feed.json").read_bytes())
    assert [i["id"] for i in json_feed["items"]] == [guid]

    # It is renamed: same id, same URL, new title, still one entry.
    await newsroom.put("a1", title="Служба рядом")
    await newsroom.apply_events()
    for feed in FEEDS:
        assert newsroom.entries(feed) == [(guid, "Служба рядом", url)]

    # Its slug changes: same id, new link.
    await newsroom.put("a1", title="Служба рядом", slug="sluzhba-ryadom")
    await newsroom.apply_events()
    moved = f"{SITE}/2026/11/25/sluzhba-ryadom/"
    for feed in FEEDS:
        assert newsroom.entries(feed) == [(guid, "Служба рядом", moved)]

    # An update moves the updated date, not the entry count.
    before = assert_valid_atom((newsroom.public / "feeds/atom.xml").read_bytes()).entries[0]
    await newsroom.put(
        "a1",
        title="Служба рядом",
        slug="sluzhba-ryadom",
        updated_at="2026-11-25T12:30:00+05:00",
    )
    await newsroom.apply_events()
    after = assert_valid_atom((newsroom.public / "feeds/atom.xml").read_bytes()).entries
    assert [e.id for e in after] == [guid]
    assert after[0].updated_parsed[:5] == (2026, 11, 25, 7, 30)
    assert after[0].updated != before.updated
    assert after[0].published == before.published

    # Unpublished, it leaves every feed (the feeds stay valid, with no entries).
    await newsroom.store.unpublish("a1")
    await newsroom.apply_events()
    for feed in FEEDS:
        assert newsroom.entries(feed) == []
    json_feed = assert_valid_json_feed((newsroom.public / "feeds/feed.json").read_bytes())
    assert json_feed["items"] == []

    # Republished, it comes back under the same id.
    await newsroom.put("a1", title="Служба рядом", slug="sluzhba-ryadom")
    await newsroom.apply_events()
    for feed in FEEDS:
        assert newsroom.entries(feed) == [(guid, "Служба рядом", moved)]


async def test_moving_section_and_tags_updates_the_lists_before_and_after(newsroom):
    guid = await newsroom.put("a1")
    other = await newsroom.put(
        "a2",
        title="Другая",
        section="Спорт",
        tags=["футбол"],
        published_at="2026-11-25T09:00:00+05:00",
    )
    await newsroom.apply_events()

    # The article moves from Общество to Спорт and drops its tags.
    await newsroom.put("a1", section="Спорт", tags=[])
    changed = await newsroom.apply_events()

    assert newsroom.entries("section") == []
    assert newsroom.entries("tag") == []
    sport = newsroom.public / "section/sport"
    rss = assert_valid_rss((sport / "rss.xml").read_bytes())
    assert [e.id for e in rss.entries] == [guid, other]
    # Only the feeds the move touched were rewritten: not the other article's tag.
    assert "/tag/futbol/rss.xml" not in changed
    assert "/section/sport/rss.xml" in changed and "/section/obshchestvo/rss.xml" in changed


async def test_a_scheduled_article_appears_only_when_due(newsroom):
    now = datetime.now(UTC)
    live = await newsroom.put("a1")
    due = (now + timedelta(hours=1)).isoformat()
    scheduled = await newsroom.put("a2", title="Завтрашняя новость", published_at=due)
    await newsroom.apply_events()
    assert [e[0] for e in newsroom.entries("site")] == [live]

    # An unrelated edit rewrites the feeds: the scheduled article is still absent.
    await newsroom.put("a1", title="Правка")
    await newsroom.apply_events()
    assert [e[0] for e in newsroom.entries("site")] == [live]

    # Its time comes: it is published and is now the newest entry.
    await newsroom.store.publish_due(now + timedelta(hours=1, seconds=1))
    await newsroom.apply_events()
    assert [e[0] for e in newsroom.entries("site")] == [scheduled, live]


async def test_unchanged_feeds_are_not_rewritten(newsroom):
    await newsroom.put("a1")
    await newsroom.apply_events()
    stamps = {p: p.stat().st_mtime_ns for p in newsroom.public.rglob("*.xml")}

    # The same event delivered again changes nothing on disk.
    event = (await newsroom.redis.xrange(ARTICLES_STREAM))[-1][1][DATA_FIELD.encode()]
    assert await newsroom.publisher.apply([article_event_adapter.validate_json(event)]) == []
    assert {p: p.stat().st_mtime_ns for p in newsroom.public.rglob("*.xml")} == stamps


class Hub:
    """A small WebSub hub: records publish pings; refuses the first `failures` of them."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.pings: list[dict[str, str]] = []
        self.refused = 0

    async def endpoint(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        if self.refused < self.failures:
            self.refused += 1
            return Response(status_code=503)
        self.pings.append(form)
        return Response(status_code=204)


@contextlib.asynccontextmanager
async def hub_running(failures: int) -> AsyncIterator[tuple[Hub, str]]:
    """A hub refusing its first `failures` pings, on a free local port; it and its URL."""
    hub = Hub(failures)
    port = free_port()
    app = Starlette(routes=[Route("/", hub.endpoint, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started, 5)
        yield hub, f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        await serving


async def test_changed_feeds_are_pinged_to_the_hub_with_retries(redis_url, tmp_path):
    # A hub that fails its first two requests listens on a free local port.
    redis = Redis.from_url(redis_url)
    try:
        async with hub_running(failures=2) as (hub, hub_url):
            newsroom = Newsroom(redis, tmp_path / "public", hub=hub_url)

            # Publishing returns without waiting for the hub.
            await newsroom.put("a1")
            changed = await newsroom.apply_events()
            assert hub.pings == []

            # Every changed feed is pinged once, after the hub's failures were retried.
            await eventually(lambda: len(hub.pings) == len(changed), 4)
            assert hub.refused == 2
            assert sorted(p["hub.url"] for p in hub.pings) == sorted(SITE + p for p in changed)
            assert {p["hub.mode"] for p in hub.pings} == {"publish"}

            # The feeds themselves name the hub.
            rss = (newsroom.public / "feeds/rss.xml").read_text()
            assert f'<atom:link href="{hub_url}" rel="hub"/>' in rss
            await newsroom.notifier.close()
    finally:
        await redis.aclose()


async def test_a_batch_pings_each_feed_it_changed_once(redis_url, tmp_path):
    redis = Redis.from_url(redis_url)
    try:
        async with hub_running(failures=0) as (hub, hub_url):
            newsroom = Newsroom(redis, tmp_path / "public", hub=hub_url)

            # Three articles on the same lists, and an edit of the first, come as one batch.
            for n in range(3):
                await newsroom.put(f"a{n}", title=f"Новость {n}")
            await newsroom.put("a0", title="Новость 0, исправленная")
            events = await newsroom.events()
            changed = await newsroom.publisher.apply(events)

            # Each feed of the lists is written once and its hub ping sent once.
            assert len(events) == 4
            assert sorted(changed) == sorted(set(changed))
            assert {"/feeds/rss.xml", "/tag/zhas-burkit/atom.xml"} <= set(changed)
            await eventually(lambda: len(hub.pings) == len(changed), 4)
            assert sorted(p["hub.url"] for p in hub.pings) == sorted(SITE + p for p in changed)
            titles = sorted(e[1] for e in newsroom.entries("site"))
            assert titles == ["Новость 0, исправленная", "Новость 1", "Новость 2"]
            await newsroom.notifier.close()
    finally:
        await redis.aclose()
