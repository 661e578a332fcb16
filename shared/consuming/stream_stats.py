"""How far behind each consumer group is: stream lengths, lag and pending counts."""

from dataclasses import dataclass

from redis.asyncio import Redis

from shared.keyspace import dead_letters_key
from shared.metrics import CONSUMER_LAG, CONSUMER_PENDING, STREAM_LENGTH
from shared.redis_client import as_text


@dataclass(frozen=True)
class GroupStats:
    """One consumer group on one stream. `lag` is None when Redis cannot tell (trimmed)."""

    stream: str
    group: str
    lag: int | None
    pending: int
    consumers: int

    @property
    def unfinished(self) -> int:
        """Entries the group has not acknowledged: not read yet (0 when Redis cannot tell)
        or pending."""
        return (self.lag or 0) + self.pending


@dataclass(frozen=True)
class StreamStats:
    """One stream: its length and the groups reading it."""

    stream: str
    length: int
    groups: list[GroupStats]


async def stream_stats(redis: Redis, streams: list[str]) -> list[StreamStats]:
    """Length, and each group's lag and pending count, of `streams`."""
    result = []
    for name in streams:
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
    """Set the lag, pending and length gauges of `streams` and their dead letters."""
    dead_letters = sorted({dead_letters_key(name) for name in streams})
    for stats in await stream_stats(redis, [*streams, *dead_letters]):
        STREAM_LENGTH.labels(stats.stream).set(stats.length)
        for group in stats.groups:
            if group.lag is not None:
                CONSUMER_LAG.labels(group.stream, group.group).set(group.lag)
            CONSUMER_PENDING.labels(group.stream, group.group).set(group.pending)
