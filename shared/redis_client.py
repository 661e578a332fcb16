"""Redis connections that survive restarts, on one Redis or a Redis Cluster, and the consumer
groups the topology declares.

`open_redis(settings)` (async) and `open_sync_redis(settings)` are the one way to reach the
platform's Redis: a `RedisCluster` when NEWSROOM_REDIS_CLUSTER is set (REDIS_URL names any
node), else a plain client, both retrying with backoff. On a cluster a command touches one
slot: `mget` and `scan_keys` below read keys wherever they live.
"""

from typing import Any

import redis
from redis.asyncio import Redis, RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry as SyncRetry

from shared.keyspace import Layout
from shared.settings import Settings
from shared.topology import topology

AnyRedis = Redis | RedisCluster
"""An async client of one Redis or of a Redis Cluster."""

_BACKOFF = {"cap": 2.0, "base": 0.05}


def _options(socket_timeout: float | None) -> dict[str, Any]:
    return {
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
        "health_check_interval": 10,
        "socket_connect_timeout": 2,
        "socket_timeout": socket_timeout,
    }


def connect(
    url: str, *, cluster: bool = False, socket_timeout: float | None = None, retries: int = 8
) -> AnyRedis:
    """A client that retries with backoff when Redis is away (a cluster client when `cluster`:
    `url` names any node, and a failover is retried the same way).

    Consumers pass a `socket_timeout` above their blocking read time, so a Redis that
    hangs is noticed, and fewer `retries`, so their own loop decides when to give up.
    """
    retry = Retry(ExponentialBackoff(**_BACKOFF), retries=retries)
    kind = RedisCluster if cluster else Redis
    return kind.from_url(url, retry=retry, **_options(socket_timeout))


def open_redis(
    settings: Settings, *, socket_timeout: float | None = None, retries: int = 8
) -> AnyRedis:
    """The async client of the platform's Redis as `settings` describe it."""
    return connect(
        settings.redis_url,
        cluster=settings.redis_cluster,
        socket_timeout=socket_timeout,
        retries=retries,
    )


def open_sync_redis(settings: Settings) -> redis.Redis | redis.RedisCluster:
    """The blocking client of the platform's Redis, for command-line code."""
    retry = SyncRetry(ExponentialBackoff(**_BACKOFF), retries=8)
    kind = redis.RedisCluster if settings.redis_cluster else redis.Redis
    return kind.from_url(settings.redis_url, retry=retry, **_options(None))


async def mget(client: AnyRedis, keys: list[str]) -> list[Any]:
    """The values of `keys`, in order (None for a missing one): one MGET on one Redis, one per
    slot on a cluster (not atomic there: each slot is read at its own moment)."""
    if not keys:
        return []
    if isinstance(client, RedisCluster):
        return await client.mget_nonatomic(keys)
    return await client.mget(keys)


async def scan_keys(client: AnyRedis, pattern: str) -> list[str]:
    """Every key matching `pattern`, sorted (on a cluster, scanned on every master)."""
    return sorted({as_text(key) async for key in client.scan_iter(match=pattern)})


async def ensure_groups(client: AnyRedis, group: str, layout: Layout) -> None:
    """Create `group` on each stream it reads, from the start of the stream, if missing."""
    for stream in topology(layout):
        if group not in stream.groups:
            continue
        try:
            await client.xgroup_create(stream.name, group, id="0", mkstream=True)
        except ResponseError as e:
            if "BUSYGROUP" not in str(e):
                raise


def as_text(value: bytes | str) -> str:
    """A Redis reply value as text."""
    return value.decode() if isinstance(value, bytes) else value
