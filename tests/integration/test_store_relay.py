"""The relay against a real Redis: articles placed state-based, whatever the order, and the
outboxes relayed for writes whose own relay never ran."""

import asyncio
import json

import pytest

from services.ingest.relay_loop import run_relay
from shared.article import Article, ArticleIn
from shared.clock import utcnow
from shared.keyspace import PLACED, SLUGS
from shared.listing import HOME, Kind, Listing
from shared.redis_client import connect
from shared.settings import Settings
from shared.store import ArticleStore, SlugTakenError, open_store
from shared.topology import ARTICLES_STREAM, RELAY_GROUP
from tests.support.redis_server import redis_executor, url_of
from tests.support.samples import article_in
from tests.support.timing import eventually

SPORT = Listing(Kind.SECTION, "sport")
CULTURE = Listing(Kind.SECTION, "kultura")


async def events(store: ArticleStore) -> list[dict]:
    entries = await store.redis.xrange(ARTICLES_STREAM)
    return [json.loads(fields[b"__data__"]) for _, fields in entries]


def next_version(store: ArticleStore, current: Article | None, data: ArticleIn) -> Article:
    """The version `data` makes of `current`, built but not stored."""
    slug = current.slug if current else "relayed"
    url = store.urls.article_url(slug, data.published_at)
    return Article.written(current, "a1", data, slug=slug, url=url, now=utcnow())


async def stored_alone(store: ArticleStore, article: Article, current: Article | None) -> None:
    """Write `article`'s shard transaction only, as a writer dying before its relay would."""
    async with store.redis.pipeline(transaction=True) as pipe:
        await pipe.watch(store.layout.article_key(article.id))
        await store.write_shard(pipe, current, article, "test")


async def test_placing_a_version_again_changes_nothing(store):
    article = (await store.save("a1", article_in())).article
    revision = await store.revision()

    assert await store.relay.apply(article) is None
    assert await store.revision() == revision
    assert len(await events(store)) == 1
    assert await store.latest_ids(HOME) == ["a1"]


async def test_versions_placed_out_of_order_leave_the_newest(store):
    v1 = (await store.save("a1", article_in(section="Спорт"))).article
    v2 = next_version(store, v1, article_in(section="Культура"))
    v3 = next_version(store, v2, article_in(section="Спорт", title="Третья версия"))

    published = await store.relay.apply(v3)
    assert await store.relay.apply(v2) is None  # late: skipped

    assert published is not None and published.type == "ArticleUpdated"
    assert published.before == v1.placement()
    assert await store.latest_ids(SPORT) == ["a1"]
    assert await store.latest_ids(CULTURE) == []
    assert [e["version"] for e in await events(store)] == [1, 3]
    placed = json.loads(await store.redis.hget(PLACED, "a1"))
    assert placed["version"] == 3


async def test_unpublishing_announces_what_the_indexes_held(store):
    v1 = (await store.save("a1", article_in(section="Спорт"))).article
    v2 = next_version(store, v1, article_in(section="Культура"))
    await stored_alone(store, v2, v1)  # never placed: the indexes still hold v1

    await store.unpublish("a1")

    last = (await events(store))[-1]
    assert (last["type"], last["version"]) == ("ArticleUnpublished", 3)
    assert last["before"]["section"] == "sport"
    assert await store.latest_ids(SPORT) == []
    assert await store.latest_ids(HOME) == []


async def test_a_write_whose_relay_never_ran_reaches_the_indexes_and_the_stream(store):
    article = next_version(store, None, article_in())
    await stored_alone(store, article, None)
    assert await store.latest_ids(HOME) == []

    stop = asyncio.Event()
    relay = asyncio.create_task(run_relay(store, stop, block_ms=100))
    await eventually(lambda: _announced(store, 1), 10)
    stop.set()
    await relay

    assert await store.latest_ids(HOME) == ["a1"]
    assert await store.redis.hget(SLUGS, "relayed") == b"a1"
    [event] = await events(store)
    assert (event["type"], event["article_id"]) == ("ArticlePublished", "a1")
    outbox = store.layout.outbox(store.layout.shard_of("a1"))
    assert await store.redis.xlen(outbox) == 0  # acknowledged, then trimmed


async def test_entries_left_pending_by_a_dead_relay_are_taken_over(store):
    article = next_version(store, None, article_in())
    await stored_alone(store, article, None)
    outbox = store.layout.outbox(store.layout.shard_of("a1"))
    await store.redis.xgroup_create(outbox, RELAY_GROUP, id="0")
    await store.redis.xreadgroup(RELAY_GROUP, "dead", {outbox: ">"})  # read, never acked

    stop = asyncio.Event()
    relay = asyncio.create_task(run_relay(store, stop, block_ms=100, claim_idle_ms=0))
    await eventually(lambda: _announced(store, 1), 10)
    stop.set()
    await relay

    assert await store.latest_ids(HOME) == ["a1"]
    assert (await store.redis.xpending(outbox, RELAY_GROUP))["pending"] == 0


async def _announced(store: ArticleStore, count: int) -> bool:
    return len(await events(store)) >= count


async def test_a_slug_is_taken_across_shards(store):
    shard = store.layout.shard_of("s0")
    other = next(f"s{n}" for n in range(1, 100) if store.layout.shard_of(f"s{n}") != shard)
    first = (await store.save("s0", article_in())).article

    with pytest.raises(SlugTakenError):
        await store.save(other, article_in(slug=first.slug, title="Другая"))
    automatic = (await store.save(other, article_in())).article

    assert automatic.slug == f"{first.slug}-2"
    assert await store.redis.hget(SLUGS, first.slug) == b"s0"
    assert await store.redis.hget(SLUGS, automatic.slug) == other.encode()


async def test_the_relay_loop_outlives_a_redis_restart(tmp_path):
    server = redis_executor(tmp_path)
    with server:
        store = open_store(Settings(), connect(url_of(server)))
        stop = asyncio.Event()
        relay = asyncio.create_task(run_relay(store, stop, block_ms=100))
        await eventually(lambda: _relaying(store), 10)
        server.stop()
        server.start()  # empty: the relay's groups are gone too

        await stored_alone(store, next_version(store, None, article_in()), None)

        await eventually(lambda: _announced(store, 1), 30)
        stop.set()
        await relay
        assert await store.latest_ids(HOME) == ["a1"]
        await store.redis.aclose()


async def _relaying(store: ArticleStore) -> bool:
    """Whether the relay made its group on every outbox."""
    outboxes = store.layout.outboxes()
    return await store.redis.exists(*outboxes) == len(outboxes)
