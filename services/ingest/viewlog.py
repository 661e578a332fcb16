"""Appending page views to the views stream, with a per-address rate limit, in one round trip.

Only views that could be real reach the stream: of a published article, and opened within
a short window around now. Anything else is dropped here, one view at a time, so junk
(made-up ids, timestamps years away) never leaves a key behind in Redis.
"""

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from crawlerdetect import CrawlerDetect
from redis.asyncio import Redis

from services.ingest.schemas import ViewIn
from shared.clock import utcnow
from shared.events import DATA_FIELD, ArticleViewed
from shared.keyspace import VIEWS_STREAM, rate_limit_key
from shared.listing import HOME

# KEYS: rate-limit counter, views stream, published articles. ARGV: window seconds, limit
# (0: none), views reported, field, then article id, event, article id, event...
# Answers the number of events appended, or minus the seconds until the window ends.
_RECORD = """
local limit = tonumber(ARGV[2])
if limit > 0 then
  local used = redis.call('INCRBY', KEYS[1], ARGV[3])
  redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
  if used > limit then
    local ttl = redis.call('TTL', KEYS[1])
    if ttl < 1 then ttl = 1 end
    return -ttl
  end
end
local stored = 0
for i = 5, #ARGV, 2 do
  if redis.call('ZSCORE', KEYS[3], ARGV[i]) then
    redis.call('XADD', KEYS[2], '*', ARGV[4], ARGV[i + 1])
    stored = stored + 1
  end
end
return stored
"""

_detector = CrawlerDetect()


@lru_cache(maxsize=20_000)
def is_bot(user_agent: str) -> bool:
    """Whether a User-Agent is a known crawler (crawlerdetect's maintained list)."""
    return bool(user_agent) and _detector.isCrawler(user_agent)


def rate_key(client: str) -> str:
    """The address a client's views are counted under: IPv6 clients by their /64."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


class RateLimitedError(Exception):
    """The address used up its views for this window."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Recorded:
    """What became of a request's views."""

    stored: int
    dropped: int


class ViewLog:
    """Writes plausible views to the views stream, counting each client address's views."""

    def __init__(self, redis: Redis, limit: int, window: int, ts_window: int) -> None:
        self.limit = limit
        self.window = window
        self.ts_window = timedelta(seconds=ts_window)
        self._record = redis.register_script(_RECORD)

    async def append(self, views: Sequence[ViewIn], client: str, *, bot: bool) -> Recorded:
        """Append the views; raise RateLimitedError when `client` is over its limit."""
        now = utcnow()
        args: list[str] = []
        for v in views:
            if v.ts is not None and abs(v.ts - now) > self.ts_window:
                continue
            event = ArticleViewed(
                article_id=v.article_id,
                visitor_id=v.visitor_id,
                bot=bot,
                **({"occurred_at": v.ts} if v.ts else {}),
            )
            args += [v.article_id, event.model_dump_json()]
        answer = int(
            await self._record(
                keys=[rate_limit_key(rate_key(client)), VIEWS_STREAM, HOME.index],
                args=[self.window, self.limit, len(views), DATA_FIELD, *args],
            )
        )
        if answer < 0:
            raise RateLimitedError(-answer)
        return Recorded(stored=answer, dropped=len(views) - answer)
