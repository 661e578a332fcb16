"""Views of a deployment from before the partitions, moved into them at feeds start.

Before issue 14 every views key was in one place: `newsroom:views` (the stream),
`newsroom:views:all` (all-time totals), `newsroom:views:parked:<id>` (parked totals),
`newsroom:views:h:*` and `newsroom:views:d:*` (buckets) and `newsroom:seen:*` (per-visitor
marks). The totals are moved to their articles' partitions, as nothing else would keep them.
The buckets and marks are left to expire by themselves (31 days at most): the 24-hour, 7- and
30-day rankings restart from the partitions' buckets, and a reader seen just before the
upgrade may count once more. The old stream is deleted: views still unread in it when the
old feeds stopped (seconds of traffic) are lost.

A store without the old stream and totals is done (the stream is deleted last; an old feeds
made it at its first start): the run then ends at once, without a SCAN of the keyspace.
Idempotent and safe to run again or after a crash: each article's total is added in its
partition's slot together with a mark (`views_scratch_key(p, "migrated")`) saying it was, and
only then removed from the old key, so a second run adds nothing twice.
"""

from redis.asyncio import Redis

from services.feeds.views import DAY_KEEP
from shared.keyspace import (
    OLD_PARKED_PATTERN,
    OLD_VIEWS_ALL,
    OLD_VIEWS_STREAM,
    Layout,
    parked_views_key,
    views_all_key,
    views_scratch_key,
)

# KEYS: all-time totals, migration marks. ARGV: mark, article id, total, marks' lifetime (s).
_MOVE_TOTAL = """
if redis.call('SADD', KEYS[2], ARGV[1]) == 1 then
  redis.call('ZINCRBY', KEYS[1], ARGV[3], ARGV[2])
end
redis.call('EXPIRE', KEYS[2], ARGV[4])
"""
# KEYS: parked total, migration marks. ARGV: mark, total, its lifetime (ms), marks' lifetime (s).
_MOVE_PARKED = """
if redis.call('SADD', KEYS[2], ARGV[1]) == 1 then
  redis.call('INCRBYFLOAT', KEYS[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
redis.call('EXPIRE', KEYS[2], ARGV[4])
"""
BATCH = 500


def migrated_key(partition: int) -> str:
    """The set of what was moved into a partition (expiring with the daily buckets)."""
    return views_scratch_key(partition, "migrated")


async def migrate_views(redis: Redis, layout: Layout) -> int:
    """Move the old all-time and parked totals into their partitions, drop the old stream;
    answers how many totals were moved."""
    if not await redis.exists(OLD_VIEWS_STREAM, OLD_VIEWS_ALL):
        return 0  # migrated (the old stream goes last) or never old: no SCAN at every start
    move_total = redis.register_script(_MOVE_TOTAL)
    move_parked = redis.register_script(_MOVE_PARKED)
    keep = int(DAY_KEEP.total_seconds())
    moved = 0
    while totals := await redis.zrange(OLD_VIEWS_ALL, 0, BATCH - 1, withscores=True):
        for member, total in totals:
            article_id = member.decode()
            p = layout.partition_of(article_id)
            keys = [views_all_key(p), migrated_key(p)]
            await move_total(keys=keys, args=[f"all:{article_id}", article_id, total, keep])
            await redis.zrem(OLD_VIEWS_ALL, member)
            moved += 1
    async for key in redis.scan_iter(match=OLD_PARKED_PATTERN, count=BATCH):
        article_id = key.decode().removeprefix(OLD_PARKED_PATTERN[:-1])
        total, left_ms = await redis.get(key), await redis.pttl(key)
        if total is not None:
            p = layout.partition_of(article_id)
            keys = [parked_views_key(p, article_id), migrated_key(p)]
            left_ms = left_ms if left_ms > 0 else keep * 1000
            await move_parked(keys=keys, args=[f"parked:{article_id}", total, left_ms, keep])
            moved += 1
        await redis.delete(key)
    await redis.delete(OLD_VIEWS_STREAM)
    return moved
