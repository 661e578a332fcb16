"""Appending page views to the views streams, with a per-address rate limit, in two round trips.

Only views that could be real reach a stream: of a published article, and opened within
a short window around now. Anything else is dropped here, one view at a time, so junk
(made-up ids, timestamps years away) never leaves a key behind in Redis.

The keys involved live in different slots of a Redis Cluster (the untagged rate-limit
counter, the home index in `{store}`, each partition's stream in `{v<p>}`), so no command
spans them: one pipeline counts the views against the limit (a script on its one key) and asks
the home index which articles are published (ZMSCORE); a second appends each surviving view
to its partition's stream. Neither pipeline is a transaction: each command stands alone.
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
from shared.keyspace import Layout, rate_limit_key
from shared.listing import HOME

# KEYS: rate-limit counter. ARGV: window seconds, views reported, limit.
# Answers the views counted in the window, or minus the seconds until it ends when over `limit`.
_LIMIT = """
local used = redis.call('INCRBY', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[1], 'NX')
if used > tonumber(ARGV[3]) then
  local ttl = redis.call('TTL', KEYS[1])
  if ttl < 1 then ttl = 1 end
  return -ttl
end
return used
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
    """Writes plausible views to their partitions' streams, counting each address's views."""

    def __init__(
        self, redis: Redis, layout: Layout, limit: int, window: int, ts_window: int
    ) -> None:
        self.redis = redis
        self.layout = layout
        self.limit = limit
        self.window = window
        self.ts_window = timedelta(seconds=ts_window)

    async def append(self, views: Sequence[ViewIn], client: str, *, bot: bool) -> Recorded:
        """Append the views; raise RateLimitedError when `client` is over its limit."""
        now = utcnow()
        events = [
            ArticleViewed(
                article_id=v.article_id,
                visitor_id=v.visitor_id,
                bot=bot,
                **({"occurred_at": v.ts} if v.ts else {}),
            )
            for v in views
            if v.ts is None or abs(v.ts - now) <= self.ts_window
        ]
        published = await self._check(rate_limit_key(rate_key(client)), len(views), events)
        kept = [e for e, score in zip(events, published, strict=True) if score is not None]
        if kept:
            async with self.redis.pipeline(transaction=False) as pipe:
                for event in kept:
                    stream = self.layout.views_stream(self.layout.partition_of(event.article_id))
                    pipe.xadd(stream, {DATA_FIELD: event.model_dump_json()})
                await pipe.execute()
        return Recorded(stored=len(kept), dropped=len(views) - len(kept))

    async def _check(
        self, counter: str, reported: int, events: list[ArticleViewed]
    ) -> list[float | None]:
        """Count `reported` views against the limit and answer, per event, its article's
        score in the home index (None: not published), in one round trip."""
        answers = await self._ask(counter, reported, events)
        if self.limit > 0 and (used := int(answers.pop(0))) < 0:
            raise RateLimitedError(-used)
        return answers[0] if events else []

    async def _ask(self, counter: str, reported: int, events: list[ArticleViewed]) -> list:
        async with self.redis.pipeline(transaction=False) as pipe:
            if self.limit > 0:
                # EVAL, not EVALSHA: a cluster pipeline refuses EVALSHA, and the script is short.
                pipe.eval(_LIMIT, 1, counter, self.window, reported, self.limit)
            if events:
                pipe.zmscore(HOME.index, [e.article_id for e in events])
            return await pipe.execute()
