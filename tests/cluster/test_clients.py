"""The platform's Redis clients opened from settings on a Redis Cluster: the store's client,
transactions in one slot, replies waited for, reads across slots, and the consumer broker
(read, claim, ack and dead-letter per stream)."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import pytest
from redis.asyncio import RedisCluster
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

from shared.consuming.dead_letters import list_letters, replay
from shared.consuming.options import Options
from shared.consuming.service import ConsumerService
from shared.events import ArticleEvent, ArticleUpdated, encode
from shared.keyspace import ARTICLES_STREAM, SITE_STATUS_PATTERN, editor_key, site_status_key
from shared.redis_client import AnyRedis, ensure_groups, mget, open_redis, scan_keys
from shared.replication import NotReplicatedError, ReplicaWait
from shared.settings import Settings
from shared.slot_transactions import SlotTransactions
from shared.store import open_store
from shared.topology import RENDER_GROUP
from tests.support.cluster import RedisClusterProcesses
from tests.support.timing import eventually

pytestmark = [pytest.mark.slow, pytest.mark.cluster]

FAST = Options(max_deliveries=2, claim_idle_ms=300, redis_give_up_s=5.0, trim_interval_s=60)


@pytest.fixture
def settings(redis_cluster: RedisClusterProcesses, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("REDIS_URL", redis_cluster.url)
    monkeypatch.setenv("NEWSROOM_REDIS_CLUSTER", "true")
    return Settings()


@pytest.fixture
async def redis(settings: Settings) -> AsyncIterator[AnyRedis]:
    client = open_redis(settings)
    yield client
    await client.aclose()


async def test_store_reads_articles_of_every_shard(settings: Settings, redis: AnyRedis):
    store = open_store(settings, redis)
    assert isinstance(store.redis, RedisCluster)
    ids = [f"article-{n}" for n in range(40)]
    assert len({store.layout.shard_of(i) for i in ids}) == settings.article_shards
    for article_id in ids:
        await redis.set(store.layout.article_key(article_id), article_id)

    # One read of articles in every shard, on every master; in order, None for the missing.
    assert await store.stored_many([*ids, "missing"]) == [i.encode() for i in ids] + [None]

    # The editor list of a section and a tag: intersected in the store's slot, in one
    # transaction on its master (a command whose keys the server finds).
    section, tag = editor_key("section", "s"), editor_key("tag", "t")
    await redis.zadd(section, {"1|a": 0, "2|b": 0, "3|c": 0})
    await redis.zadd(tag, {"2|b": 0, "3|c": 0, "4|d": 0})
    assert await store._editor_members([section, tag], None, 10) == ["3|c", "2|b"]

    # Keys used alone are found by a scan of every master.
    states = [site_status_key("render", f"r{n}") for n in range(10)]
    for key in states:
        await redis.set(key, "{}")
    assert await scan_keys(redis, SITE_STATUS_PATTERN) == sorted(states)
    assert await mget(redis, states) == [b"{}"] * 10


async def test_a_watched_transaction_in_one_slot(settings: Settings, redis: AnyRedis):
    key, history = settings.layout.article_key("x"), settings.layout.history_key("x")
    await redis.set(key, "1")
    async with redis.pipeline(transaction=True) as pipe:
        await pipe.watch(key)
        assert await pipe.get(key) == b"1"
        pipe.multi()
        pipe.set(key, "2")
        pipe.lpush(history, "2")
        assert await pipe.execute() == [True, 1]

    # A change to the watched key between the read and EXEC aborts the transaction.
    async with redis.pipeline(transaction=True) as pipe:
        await pipe.watch(key)
        await redis.set(key, "3")
        pipe.multi()
        pipe.set(key, "4")
        with pytest.raises(WatchError):
            await pipe.execute()
    assert await redis.get(key) == b"3"


async def test_a_slot_transaction_waits_for_its_replica(settings: Settings, redis: AnyRedis):
    slots = SlotTransactions(redis)
    key = settings.layout.article_key("replicated")
    union = key + ":union"

    def write(value: str) -> Callable[[Pipeline], Awaitable[bytes | None]]:
        async def work(pipe: Pipeline) -> bytes | None:
            await pipe.watch(key)
            before = await pipe.get(key)
            pipe.multi()
            pipe.set(key, value)
            pipe.zunionstore(union, [key + ":a", key + ":b"])  # keys the server must find
            return before

        return work

    replied = await slots.transact(key, write("v1"), ReplicaWait.from_settings(settings))
    assert replied == (None, [True, 0])

    # Each master has one replica: waiting for two times out, the write stays on its master.
    with pytest.raises(NotReplicatedError):
        await slots.transact(key, write("v2"), ReplicaWait(2, 200))
    assert await redis.get(key) == b"v2"
    await slots.aclose()


async def test_the_consumer_broker_reads_claims_acks_and_dead_letters(
    settings: Settings, redis: AnyRedis
):
    seen: list[str] = []

    async def handle(event: ArticleEvent) -> None:
        seen.append(event.article_id)
        if event.article_id == "cursed":
            raise RuntimeError("cannot render cursed")

    await ensure_groups(redis, RENDER_GROUP, settings.layout)
    for article_id in ("a", "cursed", "b"):
        await redis.xadd(ARTICLES_STREAM, encode(ArticleUpdated(article_id=article_id, version=2)))
    service = ConsumerService(
        "render", RENDER_GROUP, settings, options=replace(FAST, consumer="c1")
    )
    service.subscriber(ARTICLES_STREAM)(handle)
    task = asyncio.create_task(service.run())

    # Read and acked, the failing one claimed again and dead-lettered in its stream's slot.
    async def dead_lettered() -> bool:
        return len(await list_letters(redis, settings.layout)) == 1

    await eventually(dead_lettered, 20)
    assert await service.broker.ping(timeout=2)  # what the consumer's /ready asks
    assert sorted(seen) == ["a", "b", "cursed", "cursed"]
    assert (await redis.xpending(ARTICLES_STREAM, RENDER_GROUP))["pending"] == 0
    (letter,) = await list_letters(redis, settings.layout)
    assert letter.ref.startswith("store/") and letter.fields["stream"] == ARTICLES_STREAM

    # A replay puts it back on its stream (one transaction in the slot): it is read again.
    await replay(redis, settings.layout, letter.ref)
    await eventually(lambda: seen.count("cursed") == 3, 10)
    service.app.exit()
    assert await task == 0
