"""Redis connections that survive restarts, and the consumer groups the topology declares."""

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from shared.keyspace import Layout
from shared.topology import topology


def connect(url: str, *, socket_timeout: float | None = None, retries: int = 8) -> Redis:
    """A client that retries with backoff when Redis is away.

    Consumers pass a `socket_timeout` above their blocking read time, so a Redis that
    hangs is noticed, and fewer `retries`, so their own loop decides when to give up.
    """
    return Redis.from_url(
        url,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), retries=retries),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=10,
        socket_connect_timeout=2,
        socket_timeout=socket_timeout,
    )


async def ensure_groups(redis: Redis, group: str, layout: Layout) -> None:
    """Create `group` on each stream it reads, from the start of the stream, if missing."""
    for stream in topology(layout):
        if group not in stream.groups:
            continue
        try:
            await redis.xgroup_create(stream.name, group, id="0", mkstream=True)
        except ResponseError as e:
            if "BUSYGROUP" not in str(e):
                raise


def as_text(value: bytes | str) -> str:
    """A Redis reply value as text."""
    return value.decode() if isinstance(value, bytes) else value
