"""Appending page views to the views stream, with a per-address rate limit, in one round trip."""

from collections.abc import Sequence
from functools import lru_cache

from crawlerdetect import CrawlerDetect
from redis.asyncio import Redis

from services.ingest.schemas import ViewIn
from shared.events import DATA_FIELD, ArticleViewed
from shared.store import PREFIX
from shared.topology import VIEWS_STREAM

# KEYS: rate-limit counter, views stream. ARGV: window seconds, limit (0: none), field, events...
# Answers the number of events appended, or minus the seconds until the window ends.
_RECORD = """
local limit = tonumber(ARGV[2])
if limit > 0 then
  local used = redis.call('INCR', KEYS[1])
  if used == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
  if used > limit then
    local ttl = redis.call('TTL', KEYS[1])
    if ttl < 1 then ttl = 1 end
    return -ttl
  end
end
for i = 4, #ARGV do
  redis.call('XADD', KEYS[2], '*', ARGV[3], ARGV[i])
end
return #ARGV - 3
"""

_detector = CrawlerDetect()


@lru_cache(maxsize=20_000)
def is_bot(user_agent: str) -> bool:
    """Whether a User-Agent is a known crawler (crawlerdetect's maintained list)."""
    return bool(user_agent) and _detector.isCrawler(user_agent)


class RateLimitedError(Exception):
    """The address used up its requests for this window."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class ViewLog:
    """Writes views to the views stream, counting each client address's requests."""

    def __init__(self, redis: Redis, limit: int, window: int) -> None:
        self.limit = limit
        self.window = window
        self._record = redis.register_script(_RECORD)

    async def append(self, views: Sequence[ViewIn], client: str, *, bot: bool) -> int:
        """Append the views; raise RateLimitedError when `client` is over its limit."""
        events = [
            ArticleViewed(
                article_id=v.article_id,
                visitor_id=v.visitor_id,
                bot=bot,
                **({"occurred_at": v.ts} if v.ts else {}),
            ).model_dump_json()
            for v in views
        ]
        counter = f"{PREFIX}ratelimit:views:{client}"
        answer = int(
            await self._record(
                keys=[counter, VIEWS_STREAM], args=[self.window, self.limit, DATA_FIELD, *events]
            )
        )
        if answer < 0:
            raise RateLimitedError(-answer)
        return answer
