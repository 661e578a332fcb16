"""Acknowledged means replicated: on a Redis Cluster, an article write is answered only once
`NEWSROOM_REDIS_WAIT_REPLICAS` replicas of its master have it.

Redis's WAIT counts the replicas that acknowledged the writes of the connection it is sent
on, so it goes on the very connection that ran the write's MULTI/EXEC. A slot's
transactions run on a plain client of the slot's master (shared.slot_transactions), whose
pipeline releases its connection when `execute()` returns, and a `WAIT` from the cluster
client goes to a default node: so `wait_for_replicas` runs the pipeline's transaction on its
connection itself (redis-py's `_execute_transaction`), then WAIT there; the cluster tests
check it against real replicas. On one Redis there are no replicas to wait for.
"""

from dataclasses import dataclass
from typing import Any

from redis.asyncio.client import Pipeline

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


async def wait_for_replicas(pipe: Pipeline, wait: ReplicaWait) -> list[Any]:
    """EXEC `pipe`'s transaction, as `pipe.execute()` does (its replies), then, when `wait`
    asks for replicas, WAIT on the connection that ran it: NotReplicatedError when fewer
    than `wait.replicas` have it after `wait.timeout_ms` (the write stays on its master).

    `Pipeline.execute` releases the connection before returning, so this runs the
    pipeline's transaction on the connection itself and resets the pipeline after the WAIT.
    """
    if wait.replicas <= 0:
        return await pipe.execute()
    connection = pipe.connection or await pipe.connection_pool.get_connection()
    pipe.connection = connection  # reset() releases it
    try:
        replies = await pipe._execute_transaction(connection, pipe.command_stack, True)
        await connection.send_command("WAIT", wait.replicas, wait.timeout_ms)
        reached = int(await connection.read_response())
    finally:
        await pipe.reset()
    wait.check(reached)
    return replies
