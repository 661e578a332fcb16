"""View counting: batches of view events into hourly, daily and all-time buckets in Redis.

A view counts when it is human and its visitor has not read the same article in the last
hour (a `SET NX EX` key per visitor and article). Counts go to sorted sets: one per UTC hour
(kept 25 hours), one per UTC day (kept 31 days) and one for all time. One Lua call applies
a whole batch, so a batch costs one round trip.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from shared.events import ArticleViewed
from shared.store import PREFIX

ALL_TIME = PREFIX + "views:all"
REPEAT_WINDOW = timedelta(hours=1)
HOUR_KEEP = timedelta(hours=25)
DAY_KEEP = timedelta(days=31)

# ARGV: hour key, day key, hour expiry, day expiry (unix s), repeat window (s), and a JSON
# list of article id, visitor id, article id, visitor id... ("" for an unknown visitor, who is
# counted every time). One JSON argument is much cheaper to send than a thousand arguments.
_COUNT = """
local pairs_, counts, order = cjson.decode(ARGV[6]), {}, {}
for i = 1, #pairs_, 2 do
  local article, visitor = pairs_[i], pairs_[i + 1]
  if visitor == '' or redis.call('SET', KEYS[1] .. article .. ':' .. visitor, '1',
                                 'NX', 'EX', ARGV[5]) then
    if not counts[article] then counts[article] = 0; order[#order + 1] = article end
    counts[article] = counts[article] + 1
  end
end
local counted = 0
for _, article in ipairs(order) do
  local n = counts[article]
  redis.call('ZINCRBY', ARGV[1], n, article)
  redis.call('ZINCRBY', ARGV[2], n, article)
  redis.call('ZINCRBY', KEYS[2], n, article)
  counted = counted + n
end
if counted > 0 then
  redis.call('EXPIREAT', ARGV[1], ARGV[3])
  redis.call('EXPIREAT', ARGV[2], ARGV[4])
end
return counted
"""


def hour_key(moment: datetime) -> str:
    """Key of the hourly bucket holding `moment`."""
    return f"{PREFIX}views:h:{moment.astimezone(UTC):%Y%m%d%H}"


def day_key(moment: datetime) -> str:
    """Key of the daily bucket holding `moment`."""
    return f"{PREFIX}views:d:{moment.astimezone(UTC):%Y%m%d}"


class ViewCounter:
    """Applies batches of view events to the buckets."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.script = redis.register_script(_COUNT)

    async def apply(self, views: Iterable[ArticleViewed]) -> int:
        """Count a batch (bots and repeat readers left out); returns how many counted."""
        by_hour: dict[int, list[str]] = defaultdict(list)  # UTC hours since the epoch
        for view in views:
            if not view.bot:
                hour = int(view.occurred_at.timestamp() // 3600)
                by_hour[hour] += [view.article_id, view.visitor_id or ""]
        counted = 0
        for hours, pairs in by_hour.items():
            hour = datetime.fromtimestamp(hours * 3600, UTC)
            day = hour.replace(hour=0)
            argv = [
                hour_key(hour),
                day_key(hour),
                int((hour + HOUR_KEEP).timestamp()),
                int((day + DAY_KEEP).timestamp()),
                int(REPEAT_WINDOW.total_seconds()),
                json.dumps(pairs),
            ]
            counted += await self.script(keys=[f"{PREFIX}seen:", ALL_TIME], args=argv)
        return counted
