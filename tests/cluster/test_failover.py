"""The test cluster itself: losing the master holding the most keys, a replica takes over,
and the killed node, restarted, rejoins as a replica; slot transactions follow the failover
and are acknowledged as replicated only when they are."""

import pytest
import redis
from redis.asyncio import RedisCluster
from redis.asyncio.client import Pipeline

from shared.replication import NotReplicatedError, ReplicaWait
from shared.slot_transactions import SlotTransactions
from tests.support.cluster import RedisClusterProcesses

pytestmark = [pytest.mark.slow, pytest.mark.cluster]
KEYS = [f"key:{{{n % 7}}}:{n}" for n in range(300)]


def on_node(client: redis.RedisCluster, port: int) -> str:
    """A key whose slot the node on `port` serves."""
    return next(key for key in KEYS if client.get_node_from_key(key).port == port)


async def test_the_biggest_master_fails_over_and_rejoins(redis_cluster: RedisClusterProcesses):
    client = redis.RedisCluster.from_url(redis_cluster.url)
    for n, key in enumerate(KEYS):
        client.set(key, n)
    assert len(redis_cluster.masters()) == 3
    biggest = redis_cluster.biggest_master()
    key = on_node(client, biggest)
    client.close()
    replicas = redis_cluster.replicas_of(biggest)
    assert replicas

    async def increment(pipe: Pipeline) -> None:
        await pipe.watch(key)
        value = int(await pipe.get(key))
        pipe.multi()
        pipe.set(key, value + 1)

    cluster = RedisCluster.from_url(redis_cluster.url)
    slots = SlotTransactions(cluster)
    await slots.transact(key, increment, ReplicaWait(1, 1000))
    redis_cluster.kill(biggest)

    # A transaction on the lost master's slot waits for the promotion and runs there; the
    # promoted replica has no replica of its own, so waiting for one fails until the killed
    # node is back.
    await slots.transact(key, increment)
    promoted = redis_cluster.wait_promotion(replicas)
    with pytest.raises(NotReplicatedError):
        await slots.transact(key, increment, ReplicaWait(1, 200))

    client = redis.RedisCluster.from_url(redis_cluster.url)
    values = [int(client.get(k)) for k in KEYS]
    assert values == [n + 3 if k == key else n for n, k in enumerate(KEYS)]
    client.close()

    redis_cluster.restart(biggest)
    assert redis_cluster.role(biggest) == "slave"
    assert redis_cluster.replicas_of(promoted) == [biggest]
    assert len(redis_cluster.masters()) == 3
    await slots.transact(key, increment, ReplicaWait(1, 1000))
    await slots.aclose()
    await cluster.aclose()
