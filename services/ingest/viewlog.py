"""Appending page views to the views streams, with a per-address rate limit, in two round trips
shared by the requests that arrive together.

Only views that could be real reach a stream: of a published article, and opened within
a short window around now. Anything else is dropped here, one view at a time, so junk
(made-up ids, timestamps years away) never leaves a key behind in Redis.

The keys involved live in different slots of a Redis Cluster (the untagged rate-limit
counter, the home index in `{store}`, each partition's stream in `{v<p>}`), so no command
spans them: one pipeline counts the views against the limit (a script on its one key) and asks
the home index which articles are published (ZMSCORE); a second appends each surviving view
to its partition's stream. Neither pipeline is a transaction: each command stands alone.
"""

import asyncio
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
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


@dataclass
class _Report:
    """One request's views, waiting for the next round trip."""

    counter: str
    reported: int
    events: list[ArticleViewed]
    done: asyncio.Future[Recorded] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class ViewLog:
    """Writes plausible views to their partitions' streams, counting each address's views.

    The requests that arrive while a round trip is under way share the next one (group
    commit): two pipelines for all of them, not two for each. Each request is answered only
    once its views' XADDs came back.
    """

    def __init__(
        self, redis: Redis, layout: Layout, limit: int, window: int, ts_window: int
    ) -> None:
        self.redis = redis
        self.layout = layout
        self.limit = limit
        self.window = window
        self.ts_window = timedelta(seconds=ts_window)
        self._waiting: list[_Report] = []
        self._writer: asyncio.Task[None] | None = None

    async def append(self, views: Sequence[ViewIn], client: str, *, bot: bool) -> Recorded:
        """Append the views; raise RateLimitedError when `client` is over its limit."""
        now = utcnow()
        events = [
            ArticleViewed(
                article_id=v.article_id, visitor_id=v.visitor_id, bot=bot, occurred_at=v.ts or now
            )
            for v in views
            if v.ts is None or abs(v.ts - now) <= self.ts_window
        ]
        report = _Report(rate_limit_key(rate_key(client)), len(views), events)
        self._waiting.append(report)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_waiting())
        return await report.done

    async def _write_waiting(self) -> None:
        """Write the waiting reports, a round at a time, until none is left."""
        while self._waiting:
            reports, self._waiting = self._waiting, []
            try:
                await self._write(reports)
            except Exception as e:  # Redis away or refusing: each request answers the error
                for report in reports:
                    if not report.done.done():
                        report.done.set_exception(e)

    async def _write(self, reports: list[_Report]) -> None:
        """Check the reports (limit, published) in one pipeline, append in a second."""
        answers = iter(await self._ask(reports))
        outcomes: list[tuple[_Report, list[ArticleViewed] | RateLimitedError]] = []
        for report in reports:
            used = int(next(answers)) if self.limit > 0 else 0
            scores = next(answers) if report.events else []
            if used < 0:
                outcomes.append((report, RateLimitedError(-used)))
            else:
                kept = [e for e, s in zip(report.events, scores, strict=True) if s is not None]
                outcomes.append((report, kept))
        if any(isinstance(kept, list) and kept for _, kept in outcomes):
            async with self.redis.pipeline(transaction=False) as pipe:
                for _, kept in outcomes:
                    for event in kept if isinstance(kept, list) else ():
                        partition = self.layout.partition_of(event.article_id)
                        pipe.xadd(
                            self.layout.views_stream(partition),
                            {DATA_FIELD: event.model_dump_json()},
                        )
                await pipe.execute()
        for report, kept in outcomes:
            if report.done.done():  # the client went away; its views are in all the same
                continue
            if isinstance(kept, RateLimitedError):
                report.done.set_exception(kept)
            else:
                report.done.set_result(Recorded(len(kept), report.reported - len(kept)))

    async def _ask(self, reports: list[_Report]) -> list:
        """Per report: its count against the limit (when there is one), then its articles'
        scores in the home index (None: not published) when it has any views left."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for report in reports:
                if self.limit > 0:
                    # EVAL, not EVALSHA: a cluster pipeline refuses EVALSHA; the script is short.
                    pipe.eval(_LIMIT, 1, report.counter, self.window, report.reported, self.limit)
                if report.events:
                    pipe.zmscore(HOME.index, [e.article_id for e in report.events])
            return await pipe.execute()
