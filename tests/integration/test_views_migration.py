"""The views of a deployment from before the partitions: totals and parked totals moved into
their partitions once, even when a run is repeated or was cut short."""

from redis.asyncio import Redis

from services.feeds.views_migration import migrate_views
from shared.keyspace import Layout, parked_views_key, views_all_key

LAYOUT = Layout(views_partitions=4)


def total_key(article_id: str) -> str:
    return views_all_key(LAYOUT.partition_of(article_id))


def parked_key(article_id: str) -> str:
    return parked_views_key(LAYOUT.partition_of(article_id), article_id)


async def old_deployment(redis: Redis) -> None:
    """Keys as the feeds service wrote them before issue 14."""
    ids = [f"a{n}" for n in range(12)]
    await redis.zadd("newsroom:views:all", {i: n + 1 for n, i in enumerate(ids)})
    await redis.set("newsroom:views:parked:gone", "7", ex=3600)
    await redis.xadd("newsroom:views", {"__data__": "{}"})
    await redis.zadd("newsroom:views:h:2026120306", {"a1": 2})
    await redis.set("newsroom:seen:a1:v1", "1", ex=3600)


async def test_old_totals_move_into_their_partitions_once(redis_url):
    redis = Redis.from_url(redis_url)
    await old_deployment(redis)
    await redis.zadd(total_key("a5"), {"a5": 10})  # counted since the new feeds started

    assert await migrate_views(redis, LAYOUT) == 13
    # At every start after it: nothing left to move, found without a SCAN of the keyspace.
    await redis.config_resetstat()
    assert await migrate_views(redis, LAYOUT) == 0
    assert "cmdstat_scan" not in await redis.info("commandstats")

    for n in range(12):
        expected = n + 1 + (10 if n == 5 else 0)
        assert await redis.zscore(total_key(f"a{n}"), f"a{n}") == expected
    assert await redis.get(parked_key("gone")) == b"7"
    assert 3500 < await redis.ttl(parked_key("gone")) <= 3600
    gone = ["newsroom:views:all", "newsroom:views:parked:gone", "newsroom:views"]
    assert await redis.exists(*gone) == 0
    # Buckets and marks are left to expire by themselves.
    assert await redis.exists("newsroom:views:h:2026120306", "newsroom:seen:a1:v1") == 2
    await redis.aclose()


async def test_a_run_cut_short_adds_nothing_twice(redis_url):
    redis = Redis.from_url(redis_url)
    await old_deployment(redis)
    await migrate_views(redis, LAYOUT)
    # As if the first run had stopped after adding, before removing the old keys.
    await redis.zadd("newsroom:views:all", {"a2": 3, "late": 4})
    await redis.set("newsroom:views:parked:gone", "7", ex=3600)

    await migrate_views(redis, LAYOUT)

    assert await redis.zscore(total_key("a2"), "a2") == 3
    assert await redis.zscore(total_key("late"), "late") == 4
    assert await redis.get(parked_key("gone")) == b"7"
    assert await redis.exists("newsroom:views:all", "newsroom:views:parked:gone") == 0
    await redis.aclose()
