"""Redis connections that survive restarts, and the consumer groups the topology declares."""

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from shared.topology import TOPOLOGY


def connect(url: str) -> Redis:
    """A client that retries with backoff when Redis is away."""
    return Redis.from_url(
        url,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), retries=8),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
        health_check_interval=10,
        socket_connect_timeout=2,
    )


async def ensure_groups(redis: Redis, group: str) -> None:
    """Create `group` on each stream it reads, from the start of the stream, if missing."""
    for stream in TOPOLOGY:
        if group not in stream.groups:
            continue
        try:
            await redis.xgroup_create(stream.name, group, id="0", mkstream=True)
        except ResponseError as e:
            if "BUSYGROUP" not in str(e):
                raise
