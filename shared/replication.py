"""Acknowledged means replicated: on a Redis Cluster, an article write is answered only once
`NEWSROOM_REDIS_WAIT_REPLICAS` replicas of its master have it.

Redis's WAIT counts the replicas that acknowledged the writes of the connection it is sent
on, so it goes on the very connection that ran the write's MULTI/EXEC: the one a redis-py
`ClusterPipeline(transaction=True)` holds between its EXEC and its reset. redis-py has no
public way to send a command there (a plain `WAIT` from the cluster client goes to a default
node, and `execute()` resets the pipeline), so `wait_for_replicas` drives the pipeline's
transaction strategy itself; the cluster tests check it against real replicas. On one Redis
there are no replicas to wait for.
"""

from dataclasses import dataclass
from typing import Any

from redis.asyncio.cluster import ClusterPipeline

from shared.settings import Settings

RETRY_AFTER_S = 1


class NotReplicatedError(Exception):
    """The write is on its master but fewer replicas than wanted acknowledged it in time
    (ingest answers 503 with Retry-After; the idempotent PUT can be repeated)."""

    def __init__(self, reached: int, wanted: int) -> None:
        super().__init__(f"the write reached {reached} of {wanted} replica(s) in time")
        self.reached = reached
        self.wanted = wanted


@dataclass(frozen=True)
class ReplicaWait:
    """How many replicas a write must reach, and for how long to wait (0 replicas: off)."""

    replicas: int = 0
    timeout_ms: int = 1000

    @classmethod
    def from_settings(cls, settings: Settings) -> "ReplicaWait":
        """The wait the settings ask for: only on a cluster."""
        replicas = settings.redis_wait_replicas if settings.redis_cluster else 0
        return cls(replicas, settings.redis_wait_timeout_ms)

    def check(self, reached: int) -> None:
        """NotReplicatedError when WAIT answered fewer replicas than wanted."""
        if reached < self.replicas:
            raise NotReplicatedError(reached, self.replicas)


async def wait_for_replicas(pipe: Any, wait: ReplicaWait) -> list[Any]:
    """Execute `pipe`'s transaction, as `pipe.execute()` does (its replies), then WAIT on the
    connection that ran it until `wait.replicas` replicas have it: NotReplicatedError when
    they do not in `wait.timeout_ms` (the write stays on its master).

    `ClusterPipeline.execute` releases the connection before returning, so this runs its
    transaction strategy and resets the pipeline itself, with the WAIT between the two.
    """
    if wait.replicas <= 0 or not isinstance(pipe, ClusterPipeline):
        return await pipe.execute()
    strategy = pipe._execution_strategy
    try:
        replies = await strategy.execute(True, True)
        node, connection = strategy._transaction_node, strategy._transaction_connection
        await connection.send_command("WAIT", wait.replicas, wait.timeout_ms)
        reached = int(await node.parse_response(connection, "WAIT"))
    finally:
        await pipe.reset()
    wait.check(reached)
    return replies
