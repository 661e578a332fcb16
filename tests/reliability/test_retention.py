"""Stream retention against a real Redis: only what every group is done with goes."""

import asyncio

from redis.asyncio import Redis

from shared.consuming.retention import forget_idle_consumers, trim_acknowledged
from shared.events import ArticleUpdated, encode
from shared.keyspace import Layout
from shared.redis_client import ensure_groups
from shared.topology import ARTICLES_STREAM, FEEDS_GROUP, RENDER_GROUP, topology

ARTICLES = next(s for s in topology(Layout()) if s.name == ARTICLES_STREAM)


async def add(redis: Redis, count: int) -> list[bytes]:
    return [
        await redis.xadd(ARTICLES_STREAM, encode(ArticleUpdated(article_id=f"a{n}", version=1)))
        for n in range(count)
    ]


async def read(redis: Redis, group: str, count: int, *, ack: bool) -> None:
    reply = await redis.xreadgroup(group, f"{group}-1", {ARTICLES_STREAM: ">"}, count=count)
    if ack:
        await redis.xack(ARTICLES_STREAM, group, *[i for i, _ in reply[0][1]])


async def test_the_stream_is_trimmed_only_below_what_every_group_acknowledged(redis_url):
    redis = Redis.from_url(redis_url)

    # Only render's group exists yet: nothing is trimmed, feeds has not even started.
    await ensure_groups(redis, RENDER_GROUP, Layout())
    ids = await add(redis, 10)
    await read(redis, RENDER_GROUP, 10, ack=True)
    assert await trim_acknowledged(redis, ARTICLES) == 0

    # Feeds reads 6 and acks them: the entries before its last read one go...
    await ensure_groups(redis, FEEDS_GROUP, Layout())
    await read(redis, FEEDS_GROUP, 6, ack=True)
    assert await trim_acknowledged(redis, ARTICLES) == 5
    assert [i for i, _ in await redis.xrange(ARTICLES_STREAM)] == ids[5:]

    # ...and an entry a group read but did not ack stays, as do those nobody read.
    await read(redis, FEEDS_GROUP, 2, ack=False)
    more = await add(redis, 2)
    assert await trim_acknowledged(redis, ARTICLES) == 1
    assert [i for i, _ in await redis.xrange(ARTICLES_STREAM)] == [*ids[6:], *more]
    await redis.aclose()


async def test_consumers_gone_with_nothing_pending_are_deleted_and_no_others(redis_url):
    redis = Redis.from_url(redis_url)
    await ensure_groups(redis, RENDER_GROUP, Layout())
    await add(redis, 3)

    # A replica read and acked one entry, then died; another died holding one unacked.
    done = await redis.xreadgroup(RENDER_GROUP, "gone-done", {ARTICLES_STREAM: ">"}, count=1)
    await redis.xack(ARTICLES_STREAM, RENDER_GROUP, done[0][1][0][0])
    await redis.xreadgroup(RENDER_GROUP, "gone-holding", {ARTICLES_STREAM: ">"}, count=1)
    await asyncio.sleep(0.2)
    # A live replica has just handled an entry: nothing pending, but not idle.
    live = await redis.xreadgroup(RENDER_GROUP, "live", {ARTICLES_STREAM: ">"}, count=1)
    await redis.xack(ARTICLES_STREAM, RENDER_GROUP, live[0][1][0][0])

    forgotten = await forget_idle_consumers(redis, ARTICLES_STREAM, RENDER_GROUP, idle_ms=100)

    # Only the idle one with nothing pending goes; the unacked entry keeps its consumer.
    assert forgotten == ["gone-done"]
    consumers = {
        c["name"].decode(): c for c in await redis.xinfo_consumers(ARTICLES_STREAM, RENDER_GROUP)
    }
    assert set(consumers) == {"gone-holding", "live"}
    assert consumers["gone-holding"]["pending"] == 1
    assert consumers["live"]["pending"] == 0
    await redis.aclose()
