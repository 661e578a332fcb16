"""Transactions in one slot (WATCH, MULTI/EXEC, then WAIT) on one Redis or a Redis Cluster.

redis-py 8.1's async `ClusterPipeline(transaction=True)` does WATCH and MULTI/EXEC in one
slot, but runs every command queued in it through `asyncio.run` in a new thread (about
0.7 ms each, the event loop blocked meanwhile), and fails on commands whose keys it asks the
server for (ZUNIONSTORE, ZINTERSTORE, ZINTER…: "attached to a different loop"). So on a
cluster, `SlotTransactions` runs a slot's transaction with a plain client of the master that
holds the slot (one per master, made on first use), as on one Redis: the same pipeline API,
any command, and the connection still in hand after EXEC for WAIT. When the master moved or
died (a failover), the cluster's map is refreshed and the transaction runs again, after a
pause, on the new master; `work` must therefore be safe to run again (re-read under WATCH).
"""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio import Redis, RedisCluster
from redis.asyncio.client import Pipeline
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import (
    AskError,
    ClusterDownError,
    MovedError,
    TryAgainError,
    WatchError,
)
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from shared.redis_client import AnyRedis
from shared.replication import ReplicaWait, wait_for_replicas

T = TypeVar("T")
MOVED = (RedisConnectionError, RedisTimeoutError, MovedError, AskError, ClusterDownError)
MOVED += (TryAgainError,)
_NODE_OPTIONS = ("socket_timeout", "socket_connect_timeout", "username", "password")


class SlotTransactions:
    """Runs transactions in one slot on the Redis holding it."""

    def __init__(
        self, client: AnyRedis, *, patience_s: float = 30.0, pause_s: float = 0.25
    ) -> None:
        self.client = client
        self.patience_s = patience_s
        self.pause_s = pause_s
        self._masters: dict[str, Redis] = {}

    async def transact(
        self, key: str, work: Callable[[Pipeline], Awaitable[T]], wait: ReplicaWait | None = None
    ) -> tuple[T, list[Any]]:
        """Run `work` with a transaction pipeline on the master of `key`'s slot: it WATCHes,
        reads, queues after `multi()` and leaves the EXEC to this method; what `work`
        returned, and the EXEC's replies. A WatchError runs `work` again; so does a
        failover, on the new master, for up to `patience_s`. With `wait`, the EXEC is
        followed by WAIT (NotReplicatedError when too few replicas have the write in time)."""
        clock = asyncio.get_running_loop().time
        deadline = clock() + self.patience_s
        while True:
            client = await self._client_for(key)
            try:
                async with client.pipeline(transaction=True) as pipe:
                    result = await work(pipe)
                    return result, await wait_for_replicas(pipe, wait or ReplicaWait())
            except WatchError:
                continue
            except MOVED:
                if not isinstance(self.client, RedisCluster) or clock() > deadline:
                    raise
                await asyncio.sleep(self.pause_s)
                await self._refresh()

    async def _client_for(self, key: str) -> AnyRedis:
        if not isinstance(self.client, RedisCluster):
            return self.client
        if self.client._initialize:
            await self.client.initialize()
        node = self.client.get_node_from_key(key)
        if node.name not in self._masters:
            options = {k: node.connection_kwargs.get(k) for k in _NODE_OPTIONS}
            self._masters[node.name] = Redis(
                host=node.host, port=node.port, retry=Retry(NoBackoff(), 0), **options
            )
        return self._masters[node.name]

    async def _refresh(self) -> None:
        """Forget the masters' clients and read the cluster's map again."""
        masters, self._masters = self._masters, {}
        for client in masters.values():
            await client.aclose()
        with contextlib.suppress(*MOVED):  # still electing: the next attempt reads it again
            await self.client.nodes_manager.initialize()

    async def aclose(self) -> None:
        """Close the masters' clients (not the client this was given)."""
        for client in self._masters.values():
            await client.aclose()
        self._masters = {}
