"""View counting: batches of view events into hourly, daily and all-time buckets in Redis.

A view counts when it is human, of a published article, and its visitor has not read the
same article within the repeat window (a `SET NX EX` key per visitor and article). Counts go
to sorted sets: one per UTC hour (kept 25 hours), one per UTC day (kept 31 days) and one for
all time. One Lua call applies a whole batch, so a batch costs one round trip.

Every key this writes expires, except the all-time totals of published articles: a view
dated in the future counts now (its bucket cannot outlive the others), and an unpublished
article's total is parked in a key that expires with the daily buckets, and put back if
the article comes back before then.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from shared.clock import utcnow
from shared.events import ArticleChanged, ArticlePublished, ArticleUnpublished, ArticleViewed
from shared.keyspace import (
    SEEN_PREFIX,
    VIEWS_ALL,
    parked_views_key,
    views_day_key,
    views_hour_key,
)
from shared.listing import HOME

HOUR_KEEP = timedelta(hours=25)
DAY_KEEP = timedelta(days=31)

# KEYS: prefix of the per-visitor keys, all-time totals, published articles, hour bucket,
# day bucket. ARGV: hour expiry, day expiry (unix s), repeat window (s), and a JSON
# list of article id, visitor id, article id, visitor id... ("" for an unknown visitor, who is
# counted every time). One JSON argument is much cheaper to send than a thousand arguments.
_COUNT = """
local pairs_, counts, order = cjson.decode(ARGV[4]), {}, {}
for i = 1, #pairs_, 2 do
  local article, visitor = pairs_[i], pairs_[i + 1]
  local live = redis.call('ZSCORE', KEYS[3], article)
  if live and (visitor == '' or redis.call('SET', KEYS[1] .. article .. ':' .. visitor, '1',
                                           'NX', 'EX', ARGV[3])) then
    if not counts[article] then counts[article] = 0; order[#order + 1] = article end
    counts[article] = counts[article] + 1
  end
end
local counted = 0
for _, article in ipairs(order) do
  local n = counts[article]
  redis.call('ZINCRBY', KEYS[4], n, article)
  redis.call('ZINCRBY', KEYS[5], n, article)
  redis.call('ZINCRBY', KEYS[2], n, article)
  counted = counted + n
end
if counted > 0 then
  redis.call('EXPIREAT', KEYS[4], ARGV[1])
  redis.call('EXPIREAT', KEYS[5], ARGV[2])
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
    """Applies batches of view events to the buckets."""

    def __init__(self, redis: Redis, repeat_window: int) -> None:
        self.redis = redis
        self.repeat_window = repeat_window
        self.script = redis.register_script(_COUNT)
        self.park = redis.register_script(_PARK)
        self.restore = redis.register_script(_RESTORE)

    async def apply(self, views: Iterable[ArticleViewed]) -> int:
        """Count a batch (bots, repeat readers and unpublished articles left out); returns
        how many counted."""
        now = utcnow()
        by_hour: dict[int, list[str]] = defaultdict(list)  # UTC hours since the epoch
        for view in views:
            if not view.bot:
                hour = int(min(view.occurred_at, now).timestamp() // 3600)
                by_hour[hour] += [view.article_id, view.visitor_id or ""]
        counted = 0
        for hours, pairs in by_hour.items():
            hour = datetime.fromtimestamp(hours * 3600, UTC)
            day = hour.replace(hour=0)
            argv = [
                int((hour + HOUR_KEEP).timestamp()),
                int((day + DAY_KEEP).timestamp()),
                self.repeat_window,
                json.dumps(pairs),
            ]
            keys = [SEEN_PREFIX, VIEWS_ALL, HOME.index]
            keys += [views_hour_key(hour), views_day_key(hour)]
            counted += await self.script(keys=keys, args=argv)
        return counted

    async def follow(self, event: ArticleChanged) -> None:
        """Park an unpublished article's total (expiring), put it back when it returns."""
        keys = [VIEWS_ALL, parked_views_key(event.article_id)]
        if isinstance(event, ArticleUnpublished):
            await self.park(keys=keys, args=[event.article_id, int(DAY_KEEP.total_seconds())])
        elif isinstance(event, ArticlePublished):
            await self.restore(keys=keys, args=[event.article_id])
