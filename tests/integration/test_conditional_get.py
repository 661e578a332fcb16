"""Feed readers poll cheaply: an unchanged feed keeps its ETag and the site server answers 304."""

from pathlib import Path

import httpx
from redis.asyncio import Redis

from newsroom.siteserver import create_app
from services.feeds.publisher import FeedPublisher
from shared.article import ArticleIn
from shared.listing import HOME
from shared.settings import Settings
from shared.store import open_store

ARTICLE = ArticleIn(
    title="Новость",
    authors=[{"name": "Айгерим Сапарова"}],
    section="Общество",
    body_html="<p>Текст</p>",
    published_at="2026-11-25T10:00:00+05:00",
)


async def test_the_site_server_answers_conditional_gets_with_304(redis_url, tmp_path):
    public: Path = tmp_path / "public"
    redis = Redis.from_url(redis_url)
    store = open_store(Settings(), redis)
    publisher = FeedPublisher(store, Settings(public_dir=public))
    await store.save("a1", ARTICLE)
    await publisher.write([HOME], await publisher.store.revision())
    app = create_app(public, "http://127.0.0.1:9")
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://site")

    # A reader fetches the feed and gets its validators.
    first = await client.get("/feeds/atom.xml")
    assert first.status_code == 200
    etag, modified = first.headers["etag"], first.headers["last-modified"]

    # The feed is rebuilt with nothing changed: the file is left alone, the reader gets 304.
    assert await publisher.write([HOME], await publisher.store.revision()) == []
    same = await client.get("/feeds/atom.xml", headers={"If-None-Match": etag})
    assert same.status_code == 304
    again = await client.get("/feeds/atom.xml", headers={"If-Modified-Since": modified})
    assert again.status_code == 304

    # The article changes: the feed is rewritten and the old ETag no longer matches.
    await store.save("a1", ARTICLE.model_copy(update={"title": "Новость дня"}))
    assert "/feeds/atom.xml" in await publisher.write([HOME], await publisher.store.revision())
    changed = await client.get("/feeds/atom.xml", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert "Новость дня" in changed.text
    await client.aclose()
    await redis.aclose()
