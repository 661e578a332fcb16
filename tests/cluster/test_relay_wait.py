"""The relay loop on a Redis Cluster acknowledges an outbox entry only once its placement is
replicated: with the `{store}` master's replica gone it leaves the entry pending; once a
replica is back, it acknowledges it (issue 14: acknowledged means replicated)."""

import asyncio

import pytest

from services.ingest.relay_loop import relay_entries, run_relay
from shared.keyspace import PLACED, RELAY_MARKS
from shared.redis_client import open_redis
from shared.settings import Settings
from shared.store import open_store
from shared.store.migration import prepare_store
from shared.topology import RELAY_GROUP
from tests.support.cluster import RedisClusterProcesses
from tests.support.samples import article_in
from tests.support.timing import eventually

pytestmark = [pytest.mark.slow, pytest.mark.cluster]


async def test_the_relay_loop_acks_only_replicated_placements(
    redis_cluster: RedisClusterProcesses, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("REDIS_URL", redis_cluster.url)
    monkeypatch.setenv("NEWSROOM_REDIS_CLUSTER", "true")
    monkeypatch.setenv("NEWSROOM_REDIS_WAIT_TIMEOUT_MS", "3000")
    settings = Settings()
    redis = open_redis(settings)
    store = open_store(settings, redis)
    await prepare_store(store.redis, store.relay)
    outbox = store.layout.outbox(store.layout.shard_of("a1"))
    await redis.xgroup_create(outbox, RELAY_GROUP, id="0", mkstream=True)
    await store.save("a1", article_in())
    read = await redis.xreadgroup(RELAY_GROUP, "gone", {outbox: ">"})
    entries = [entry for _, got in read for entry in got]
    assert len(entries) == 1

    # The `{store}` master without a replica: the placement is not acknowledged as
    # replicated, so the entry stays pending (the mark itself is on the master).
    store_master = redis.get_node_from_key(PLACED).port
    replicas = redis_cluster.replicas_of(store_master)
    assert replicas
    for port in replicas:
        redis_cluster.kill(port)
    assert not await relay_entries(store, outbox, entries)
    assert (await redis.xpending(outbox, RELAY_GROUP))["pending"] == 1
    assert await redis.hget(RELAY_MARKS, outbox) == entries[0][0]

    # A replica back: the loop takes the pending entry over and acknowledges it.
    redis_cluster.restart(replicas[0])
    stop = asyncio.Event()
    loop = asyncio.create_task(run_relay(store, stop, block_ms=100, claim_idle_ms=100))
    try:

        async def acknowledged() -> bool:
            return (await redis.xpending(outbox, RELAY_GROUP))["pending"] == 0

        await eventually(acknowledged, 20)
    finally:
        stop.set()
        await loop
    await store.slots.aclose()
    await redis.aclose()
