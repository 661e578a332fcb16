"""How far behind each consumer group is: stream lengths, lag and pending counts."""

from dataclasses import dataclass

from redis.asyncio import Redis

from shared.consuming.dead_letters import dead_letter_keys
from shared.metrics import CONSUMER_LAG, CONSUMER_PENDING, STREAM_LENGTH
from shared.redis_client import as_text
from shared.topology import TOPOLOGY


@dataclass(frozen=True)
class GroupStats:
    """One consumer group on one stream. `lag` is None when Redis cannot tell (trimmed)."""

    stream: str
    group: str
    lag: int | None
    pending: int
    consumers: int


@dataclass(frozen=True)
class StreamStats:
    """One stream: its length and the groups reading it."""

    stream: str
    length: int
    groups: list[GroupStats]


async def stream_stats(redis: Redis, streams: list[str] | None = None) -> list[StreamStats]:
    """Length, and each declared group's lag and pending count, of every topology stream."""
    names = streams if streams is not None else [s.name for s in TOPOLOGY]
    result = []
    for name in names:
        length = int(await redis.xlen(name))
        groups = []
        if length or await redis.exists(name):
            for info in await redis.xinfo_groups(name):
                lag = info.get("lag")
                groups.append(
                    GroupStats(
                        stream=name,
                        group=as_text(info["name"]),
                        lag=None if lag is None else int(lag),
                        pending=int(info["pending"]),
                        consumers=int(info["consumers"]),
                    )
                )
        result.append(StreamStats(name, length, groups))
    return result


async def export_stats(redis: Redis, streams: list[str]) -> None:
    """Set the lag, pending and length gauges of `streams` from Redis."""
    for stats in await stream_stats(redis, [*streams, *dead_letter_keys()]):
        STREAM_LENGTH.labels(stats.stream).set(stats.length)
        for group in stats.groups:
            if group.lag is not None:
                CONSUMER_LAG.labels(group.stream, group.group).set(group.lag)
            CONSUMER_PENDING.labels(group.stream, group.group).set(group.pending)
