"""The "most read" lists and view counts the site's pages read: /data/popular.json and views.json.

Each views partition sums its own buckets inside Redis, in its slot (a scratch set, deleted
and expiring); partitions hold disjoint article ids, so the site's ranking is their rankings
put together and sorted. The rankings are kept to each listing's live articles by asking its
index in the store (ZMSCORE), so unpublished articles drop out at once and an article counts
in the section it is in now. Ties are ordered as Redis orders them (greater id first).
"""

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from redis.asyncio import Redis

from shared.cancelling import cancel_and_wait
from shared.clock import utcnow
from shared.keyspace import views_all_key, views_day_key, views_hour_key, views_scratch_key
from shared.listing import HOME, Kind, Listing
from shared.public_writer import PublicWriter, generation_version
from shared.settings import Settings
from shared.store import ArticleStore

TOP = 10
PERIODS = ("24h", "7d", "30d", "all")

log = logging.getLogger(__name__)

Ranking = list[tuple[str, int]]


SCRATCH_TTL_S = 60


def period_keys(partition: int, now: datetime) -> dict[str, list[str]]:
    """A partition's bucket keys summed for each period: 24 hours, 7 and 30 days (today
    included), all."""
    return {
        "24h": [views_hour_key(partition, now - timedelta(hours=i)) for i in range(24)],
        "7d": [views_day_key(partition, now - timedelta(days=i)) for i in range(7)],
        "30d": [views_day_key(partition, now - timedelta(days=i)) for i in range(30)],
        "all": [views_all_key(partition)],
    }


def ordered(ranking: Ranking) -> Ranking:
    """Most viewed first, ties by greater id first (ZREVRANGE's order)."""
    return sorted(ranking, key=lambda item: (item[1], item[0]), reverse=True)


class Popular:
    """Computes the rankings and writes the two JSON files."""

    def __init__(
        self, redis: Redis, store: ArticleStore, settings: Settings, clock: Callable[[], datetime]
    ) -> None:
        self.redis = redis
        self.store = store
        self.settings = settings
        self.clock = clock

    async def sections(self) -> list[str]:
        """Slugs of every section the site has had."""
        listings = await self.store.names()
        return sorted(listing.slug for listing in listings if listing.kind is Kind.SECTION)

    async def rankings(
        self, now: datetime
    ) -> tuple[dict[str, Ranking], dict[str, dict[str, Ranking]], Ranking]:
        """Top ids per period for the site and each section, and every live article's count."""
        sections = await self.sections()
        totals: dict[str, Ranking] = {period: [] for period in PERIODS}
        for partition in self.settings.layout.partitions():
            for period, ranking in (await self._partition(partition, now)).items():
                totals[period] += ranking
        lists = [HOME, *(Listing(Kind.SECTION, s) for s in sections)]
        viewed = sorted({i for ranking in totals.values() for i, _ in ranking})
        live = await self._live(lists, viewed)
        site: dict[str, Ranking] = {}
        by_section: dict[str, dict[str, Ranking]] = {s: {} for s in sections}
        for period, ranking in totals.items():
            ranking = ordered(ranking)
            for listing in lists:
                top = [item for item in ranking if item[0] in live[listing.name_key]][:TOP]
                if listing.is_home:
                    site[period] = top
                else:
                    by_section[listing.slug][period] = top
        counts = [item for item in totals["all"] if item[0] in live[HOME.name_key]]
        sections_seen = {s: r for s, r in by_section.items() if any(r.values())}
        return site, sections_seen, sorted(counts, key=lambda item: (item[1], item[0]))

    async def _partition(self, partition: int, now: datetime) -> dict[str, Ranking]:
        """Every article of a partition with its views in each period, summed in its slot."""
        run = uuid.uuid4().hex
        scratch = {p: views_scratch_key(partition, "popular", run, p) for p in PERIODS[:3]}
        async with self.redis.pipeline(transaction=False) as pipe:
            for period, keys in period_keys(partition, now).items():
                if period in scratch:
                    pipe.zunionstore(scratch[period], keys)
                    pipe.expire(scratch[period], SCRATCH_TTL_S)
                pipe.zrange(scratch.get(period, keys[0]), 0, -1, withscores=True)
            pipe.delete(*scratch.values())
            results = await pipe.execute()
        ranges = [r for r in results if isinstance(r, list)]
        return {
            period: [(member.decode(), int(score)) for member, score in raw]
            for period, raw in zip(PERIODS, ranges, strict=True)
        }

    async def _live(self, lists: list[Listing], ids: list[str]) -> dict[str, set[str]]:
        """Name key of each listing → those of `ids` live in it (ZMSCORE on its index)."""
        if not ids:
            return {listing.name_key: set() for listing in lists}
        async with self.redis.pipeline(transaction=False) as pipe:
            for listing in lists:
                pipe.zmscore(listing.index, ids)
            results = await pipe.execute()
        return {
            listing.name_key: {i for i, score in zip(ids, scores, strict=True) if score is not None}
            for listing, scores in zip(lists, results, strict=True)
        }

    async def publish(self) -> None:
        """Write views.json and popular.json from the current counts."""
        now = self.clock()
        site, sections, counts = await self.rankings(now)
        rankings = [*site.values(), *(r for periods in sections.values() for r in periods.values())]
        ids = {article_id for ranking in rankings for article_id, _ in ranking}
        articles = {a.id: a for a in await self.store.get_many(sorted(ids)) if a.is_live}

        def items(ranking: Ranking) -> list[dict[str, object]]:
            return [
                {"id": i, "title": articles[i].title, "url": articles[i].url, "views": n}
                for i, n in ranking
                if i in articles
            ]

        popular = {
            "generated_at": now.isoformat(),
            "periods": {p: items(r) for p, r in site.items()},
            "sections": {s: {p: items(r) for p, r in rs.items()} for s, rs in sections.items()},
        }
        # Versioned by the moment they were counted at: a slower run never replaces a newer one.
        writer = PublicWriter(self.settings.public_dir, generation_version(now))
        writer.write(self.store.urls.views_data, _json(dict(counts)))
        writer.write(self.store.urls.popular_data, _json(popular))
        writer.sync()


def _json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


class Throttled:
    """Runs `publish` soon after a request, at most once per `interval` seconds.

    Requests made while a run is waiting or working are folded into the next run, so a busy
    views stream refreshes the files every `interval` seconds, never on every batch.
    """

    def __init__(self, publish: Callable[[], Awaitable[None]], interval: float) -> None:
        self.publish = publish
        self.interval = interval
        self.dirty = False
        self.last = -float("inf")
        self.task: asyncio.Task[None] | None = None

    def request(self) -> None:
        """Ask for a run; returns at once."""
        self.dirty = True
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while self.dirty:
            wait = self.last + self.interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.dirty = False
            self.last = time.monotonic()
            try:
                await self.publish()
            except Exception:
                log.exception("publishing the most-read lists failed; retrying")
                self.dirty = True

    async def close(self) -> None:
        """Cancel a pending run."""
        if self.task is not None:
            await cancel_and_wait([self.task])


def popular_publisher(
    redis: Redis, store: ArticleStore, settings: Settings, clock: Callable[[], datetime] = utcnow
) -> Throttled:
    """The throttled writer of the most-read files."""
    return Throttled(Popular(redis, store, settings, clock).publish, settings.popular_interval)
