"""Stream retention: drop only the entries every consumer group is done with, and the
consumers of a group that are gone.

The store stays the source of truth, so a trimmed stream loses nothing a rebuild or a
new group needs; but an entry a group has not yet read, or read and not acked, stays.
Consumers are named per process (host and pid), so every restart leaves one behind in the
group; one idle for an hour with nothing pending is deleted (a live one polls every few
seconds, and would simply be created again by its next read).
"""

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from shared.redis_client import as_text
from shared.topology import Stream

IDLE_CONSUMER_MS = 3_600_000
# Delete a consumer only if it has nothing pending, checked in the same atomic step: its
# pending entries would otherwise be dropped from the group with it.
_FORGET = """
if #redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2]) == 0 then
  return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
end
return -1
"""


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


async def forget_idle_consumers(
    redis: Redis, stream: str, group: str, idle_ms: int = IDLE_CONSUMER_MS
) -> list[str]:
    """Delete the consumers of `group` idle over `idle_ms` with nothing pending; their names."""
    try:
        consumers = await redis.xinfo_consumers(stream, group)
    except ResponseError:  # no such stream or group (yet)
        return []
    forgotten = []
    for consumer in consumers:
        name = as_text(consumer["name"])
        idle = consumer["pending"] == 0 and consumer["idle"] > idle_ms
        if idle and await redis.eval(_FORGET, 1, stream, group, name) != -1:
            forgotten.append(name)
    return forgotten
