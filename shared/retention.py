"""Stream retention: drop only the entries every consumer group is done with.

The store stays the source of truth, so a trimmed stream loses nothing a rebuild or a
new group needs; but an entry a group has not yet read, or read and not acked, stays.
"""

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from shared.redis_client import as_text
from shared.topology import Stream


def _key(entry_id: bytes | str) -> tuple[int, int]:
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


async def trim_floor(redis: Redis, stream: Stream) -> str | None:
    """The oldest entry some group may still need; None when a declared group is missing."""
    try:
        groups = await redis.xinfo_groups(stream.name)
    except ResponseError:  # no such stream yet
        return None
    found = {as_text(g["name"]): g for g in groups}
    if any(name not in found for name in stream.groups):
        return None
    needed: list[bytes | str] = []
    for name, info in found.items():
        needed.append(info["last-delivered-id"])
        if info["pending"]:
            needed.append((await redis.xpending(stream.name, name))["min"])
    return as_text(min(needed, key=_key)) if needed else None


async def trim_acknowledged(redis: Redis, stream: Stream) -> int:
    """Delete the entries older than every group's oldest unread or unacked one."""
    floor = await trim_floor(redis, stream)
    if floor is None or _key(floor) == (0, 0):
        return 0
    return int(await redis.xtrim(stream.name, minid=floor, approximate=False))
