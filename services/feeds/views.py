"""View counting: batches of view events into hourly, daily and all-time buckets in Redis.

A view counts when it is human, of a published article, and its visitor has not read the
same article within the repeat window (a `SET NX EX` key per visitor and article). Counts go
to sorted sets: one per UTC hour (kept 25 hours), one per UTC day (kept 31 days) and one for
all time, each per views partition (`Layout.partition_of` the article id), so a partition's
keys share one slot of a Redis Cluster. Which articles are published is asked of the home
index first (one ZMSCORE, in the `{store}` slot); then one Lua call per partition and hour
applies the batch, touching only that partition's keys.

Every key this writes expires, except the all-time totals of published articles: a view
dated in the future counts now (its bucket cannot outlive the others), and an unpublished
article's total is parked in a key that expires with the daily buckets, and put back if
the article comes back before then. (An article unpublished between the ZMSCORE and the
script keeps the views of that batch in its total, counted as if it were read a moment before.)
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from shared.clock import utcnow
from shared.events import ArticleChanged, ArticlePublished, ArticleUnpublished, ArticleViewed
from shared.keyspace import (
    Layout,
    parked_views_key,
    seen_prefix,
    views_all_key,
    views_day_key,
    views_hour_key,
)
from shared.listing import HOME

HOUR_KEEP = timedelta(hours=25)
DAY_KEEP = timedelta(days=31)

# KEYS: prefix of the per-visitor keys, all-time totals, hour bucket, day bucket, of one
# partition (its articles checked published). ARGV: hour expiry, day expiry (unix s), repeat
# window (s), and a JSON list of article id, visitor id, article id, visitor id... ("" for an
# unknown visitor, who is counted every time). One JSON argument is much cheaper to send than
# a thousand arguments.
_COUNT = """
local pairs_, counts, order = cjson.decode(ARGV[4]), {}, {}
for i = 1, #pairs_, 2 do
  local article, visitor = pairs_[i], pairs_[i + 1]
  if visitor == '' or redis.call('SET', KEYS[1] .. article .. ':' .. visitor, '1',
                                 'NX', 'EX', ARGV[3]) then
    if not counts[article] then counts[article] = 0; order[#order + 1] = article end
    counts[article] = counts[article] + 1
  end
end
local counted = 0
for _, article in ipairs(order) do
  local n = counts[article]
  redis.call('ZINCRBY', KEYS[3], n, article)
  redis.call('ZINCRBY', KEYS[4], n, article)
  redis.call('ZINCRBY', KEYS[2], n, article)
  counted = counted + n
end
if counted > 0 then
  redis.call('EXPIREAT', KEYS[3], ARGV[1])
  redis.call('EXPIREAT', KEYS[4], ARGV[2])
end
return counted
"""

# KEYS: all-time totals, the article's parked total. ARGV: article id, seconds to keep.
_PARK = """
local total = redis.call('ZSCORE', KEYS[1], ARGV[1])
if total then
  redis.call('INCRBYFLOAT', KEYS[2], total)
  redis.call('EXPIRE', KEYS[2], ARGV[2])
  redis.call('ZREM', KEYS[1], ARGV[1])
end
"""
_RESTORE = """
local total = redis.call('GET', KEYS[2])
if total then
  redis.call('ZINCRBY', KEYS[1], total, ARGV[1])
  redis.call('DEL', KEYS[2])
end
"""


class ViewCounter:
    """Applies batches of view events to the buckets of their articles' partitions."""

    def __init__(self, redis: Redis, layout: Layout, repeat_window: int) -> None:
        self.redis = redis
        self.layout = layout
        self.repeat_window = repeat_window
        self.script = redis.register_script(_COUNT)
        self.park = redis.register_script(_PARK)
        self.restore = redis.register_script(_RESTORE)

    async def apply(self, views: Iterable[ArticleViewed]) -> int:
        """Count a batch (bots, repeat readers and unpublished articles left out); returns
        how many counted."""
        human = [view for view in views if not view.bot]
        live = await self._published({view.article_id for view in human})
        now = utcnow()
        # (UTC hours since the epoch, partition) → article id, visitor id, ...: applied hour by
        # hour, so a reader seen twice in a batch counts in the hour of their first view.
        batches: dict[tuple[int, int], list[str]] = defaultdict(list)
        for view in human:
            if view.article_id in live:
                hour = int(min(view.occurred_at, now).timestamp() // 3600)
                batch = batches[(hour, self.layout.partition_of(view.article_id))]
                batch += [view.article_id, view.visitor_id or ""]
        counted = 0
        for (hours, partition), pairs in sorted(batches.items()):
            hour = datetime.fromtimestamp(hours * 3600, UTC)
            day = hour.replace(hour=0)
            argv = [
                int((hour + HOUR_KEEP).timestamp()),
                int((day + DAY_KEEP).timestamp()),
                self.repeat_window,
                json.dumps(pairs),
            ]
            keys = [seen_prefix(partition), views_all_key(partition)]
            keys += [views_hour_key(partition, hour), views_day_key(partition, hour)]
            counted += await self.script(keys=keys, args=argv)
        return counted

    async def _published(self, ids: set[str]) -> set[str]:
        """Those of `ids` the home index holds."""
        if not ids:
            return set()
        ordered = sorted(ids)
        scores = await self.redis.zmscore(HOME.index, ordered)
        return {i for i, score in zip(ordered, scores, strict=True) if score is not None}

    async def follow(self, event: ArticleChanged) -> None:
        """Park an unpublished article's total (expiring), put it back when it returns."""
        partition = self.layout.partition_of(event.article_id)
        keys = [views_all_key(partition), parked_views_key(partition, event.article_id)]
        if isinstance(event, ArticleUnpublished):
            await self.park(keys=keys, args=[event.article_id, int(DAY_KEEP.total_seconds())])
        elif isinstance(event, ArticlePublished):
            await self.restore(keys=keys, args=[event.article_id])
