"""The test cluster itself: losing the master holding the most keys, a replica takes over,
and the killed node, restarted, rejoins as a replica."""

import pytest
import redis

from tests.support.cluster import RedisClusterProcesses

pytestmark = [pytest.mark.slow, pytest.mark.cluster]


def test_the_biggest_master_fails_over_and_rejoins(redis_cluster: RedisClusterProcesses) -> None:
    client = redis.RedisCluster.from_url(redis_cluster.url)
    for n in range(300):
        client.set(f"key:{{{n % 7}}}:{n}", n)
    client.close()
    assert len(redis_cluster.masters()) == 3

    biggest = redis_cluster.biggest_master()
    replicas = redis_cluster.replicas_of(biggest)
    assert replicas
    redis_cluster.kill(biggest)
    promoted = redis_cluster.wait_promotion(replicas)

    client = redis.RedisCluster.from_url(redis_cluster.url)
    assert [int(client.get(f"key:{{{n % 7}}}:{n}")) for n in range(300)] == list(range(300))
    client.close()

    redis_cluster.restart(biggest)
    assert redis_cluster.role(biggest) == "slave"
    assert redis_cluster.replicas_of(promoted) == [biggest]
    assert len(redis_cluster.masters()) == 3
