"""A consumer's connections to Redis: its FastStream broker and its own client.

Neither retries on the client side: on a lost connection FastStream's read loop logs it and
waits 5 s, during which the guard's watchdog (shared.consuming.guard) recreates the groups
of a Redis that came back empty, and gives up after `redis_give_up_s`. (A connection the
server closed while idle, under Redis's `timeout`, fails the command that finds it; a batch
whose XACK failed so stays pending, and counts towards a backlog worked as a rebuild.)
"""

from typing import Any

from faststream.redis import RedisBroker, RedisClusterBroker
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from shared.consuming.faststream_adapter import PlainJson
from shared.redis_client import AnyRedis, open_redis
from shared.settings import Settings

READ_BLOCK_MS = 1000
# Socket timeout of consumer connections: above the blocking read, so a hung Redis is noticed.
SOCKET_TIMEOUT_S = READ_BLOCK_MS / 1000 + 10
GRACEFUL_TIMEOUT_S = 25.0  # below the 30 s compose stop timeout


def consumer_redis(settings: Settings) -> AnyRedis:
    """A client for a consumer's own commands (store, watchdog): it notices a hung server."""
    return open_redis(settings, socket_timeout=SOCKET_TIMEOUT_S, retries=2)


def consumer_broker(settings: Settings, **params: Any) -> RedisBroker:
    """The service's broker: no client-side retries, a graceful stop (the handler in hand
    finishes on SIGTERM), entries read as plain JSON; `params` added or overriding. On a
    cluster a `RedisClusterBroker`: each stream's reads and acks go to its slot's master."""
    defaults: dict[str, Any] = {
        "graceful_timeout": GRACEFUL_TIMEOUT_S,
        "retry": Retry(NoBackoff(), 0),
        "socket_timeout": SOCKET_TIMEOUT_S,
        "socket_connect_timeout": 2,
        "health_check_interval": 10,
        "message_format": PlainJson,
    }
    kind = RedisClusterBroker if settings.redis_cluster else RedisBroker
    return kind(settings.redis_url, **(defaults | params))
