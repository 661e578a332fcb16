"""Reading the article store: articles, the listings' indexes, names, history, revision."""

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from shared.article import Article, Status
from shared.keyspace import (
    ALL,
    DAYS,
    NAMES,
    PATHS,
    REVISION,
    STORE_ID,
    Layout,
)
from shared.listing import HOME, Listing
from shared.redis_client import as_text, mget
from shared.urls import UrlScheme
from shared.versions import ArticleVersion

# Per key, the newest ARGV[1] (id, score) pairs scored strictly below ARGV[i + 1]: many range
# queries in one command (read-also of a batch of articles), without a command each to pack.
_OLDER_THAN = """
local out = {}
for i, key in ipairs(KEYS) do
  out[i] = redis.call(
    'ZREVRANGEBYSCORE', key, ARGV[i + 1], '-inf', 'WITHSCORES', 'LIMIT', 0, ARGV[1])
end
return out
"""
# Queries per script call: bounds how long one call keeps Redis busy.
_OLDER_THAN_CHUNK = 500


def score(moment: datetime) -> float:
    """A moment as a sorted-set score."""
    return moment.timestamp()


def _decoded(values: Sequence[bytes | str]) -> list[str]:
    return [as_text(v) for v in values]


class ParsedArticles:
    """Articles parsed from their stored bytes, kept within a budget of those bytes."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._kept: dict[bytes, Article] = {}
        self._size = 0

    def parse(self, raw: bytes) -> Article:
        """The article stored as `raw`, parsed once while it stays within the budget."""
        article = self._kept.get(raw)
        if article is None:
            article = Article.from_stored(raw)
            if self._size + len(raw) > self.budget:
                self._kept.clear()
                self._size = 0
            self._kept[raw] = article
            self._size += len(raw)
        return article


class StoreQueries:
    """The store's reads; none of them changes anything."""

    def __init__(
        self, redis: Redis, urls: UrlScheme, parsed: ParsedArticles | None, layout: Layout
    ) -> None:
        self.redis = redis
        self.urls = urls
        self.layout = layout
        self._older_than = redis.register_script(_OLDER_THAN)
        # Articles already parsed, by their stored bytes, when the caller keeps them (a rebuild
        # worker reads each article for its page and again for each list and archive).
        self._parsed = parsed

    async def get(self, article_id: str) -> Article | None:
        """The stored article, whatever its status."""
        raw = await self.redis.get(self.layout.article_key(article_id))
        return Article.from_stored(raw) if raw else None

    async def stored_many(self, ids: Sequence[str]) -> list[bytes | None]:
        """The stored JSON of articles in the order of `ids` (None for an id not stored); the
        shards are read one after another on a cluster."""
        return await mget(self.redis, [self.layout.article_key(i) for i in ids])

    async def get_many(self, ids: Sequence[str]) -> list[Article]:
        """Articles in the order of `ids`, skipping ids no longer stored."""
        raws = await self.stored_many(ids)
        parse = self._parsed.parse if self._parsed else Article.from_stored
        return [parse(r) for r in raws if r]

    async def fields_many(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Articles as plain JSON objects (cheap reads of many: sitemaps), skipping missing."""
        return [json.loads(r) for r in await self.stored_many(ids) if r]

    async def latest_ids(self, listing: Listing, offset: int = 0, limit: int = 20) -> list[str]:
        """Ids of a listing's live articles, newest first."""
        return _decoded(await self.redis.zrevrange(listing.index, offset, offset + limit - 1))

    async def latest_ids_of(self, listings: Sequence[Listing], limit: int) -> list[list[str]]:
        """Ids of the newest `limit` live articles of each listing, in one round trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for listing in listings:
                pipe.zrevrange(listing.index, 0, limit - 1)
            return [_decoded(row) for row in await pipe.execute()]

    async def latest(
        self, listing: Listing = HOME, offset: int = 0, limit: int = 20
    ) -> list[Article]:
        """A listing's live articles, newest first."""
        return await self.get_many(await self.latest_ids(listing, offset, limit))

    async def oldest_ids(self, listing: Listing, offset: int, limit: int) -> list[str]:
        """Ids of a listing's live articles, oldest first, from position `offset`."""
        return _decoded(await self.redis.zrange(listing.index, offset, offset + limit - 1))

    async def oldest_ids_of(self, spans: Sequence[tuple[Listing, int, int]]) -> list[list[str]]:
        """`oldest_ids` of each (listing, offset, limit), in one round trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for listing, offset, limit in spans:
                pipe.zrange(listing.index, offset, offset + limit - 1)
            return [
                _decoded(row) if limit else []
                for row, (_, _, limit) in zip(await pipe.execute(), spans, strict=True)
            ]

    async def ids_between(
        self, listing: Listing, start: datetime, end: datetime, limit: int | None = None
    ) -> list[str]:
        """Ids published in [start, end), newest first (archive days; ZREVRANGEBYSCORE)."""
        page = {"start": 0, "num": limit} if limit else {}
        bounds = f"({score(end)}", score(start)
        return _decoded(await self.redis.zrevrangebyscore(listing.index, *bounds, **page))

    async def counts_between(
        self, listing: Listing, ranges: Sequence[tuple[datetime, datetime]]
    ) -> list[int]:
        """How many articles each [start, end) range holds (archive months and years)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for start, end in ranges:
                pipe.zcount(listing.index, score(start), f"({score(end)}")
            return [int(n) for n in await pipe.execute()]

    async def older_than(
        self, queries: Sequence[tuple[Listing, datetime]], limit: int
    ) -> list[list[tuple[str, float]]]:
        """Per (listing, moment), the newest `limit` (id, score) strictly older than moment."""
        rows: list[list[bytes]] = []
        for start in range(0, len(queries), _OLDER_THAN_CHUNK):
            chunk = queries[start : start + _OLDER_THAN_CHUNK]
            bounds = [f"({score(moment)}" for _, moment in chunk]
            keys = [listing.index for listing, _ in chunk]
            rows += await self._older_than(keys=keys, args=[limit, *bounds])
        return [
            [(as_text(i), float(s)) for i, s in zip(row[::2], row[1::2], strict=True)]
            for row in rows
        ]

    async def newer_than(self, queries: Sequence[tuple[Listing, datetime]], limit: int) -> set[str]:
        """Ids of the oldest `limit` articles strictly newer than moment, for any (listing,
        moment), in one round trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for listing, moment in queries:
                pipe.zrangebyscore(listing.index, f"({score(moment)}", "+inf", start=0, num=limit)
            return {as_text(i) for row in await pipe.execute() for i in row}

    async def ranks(self, listing: Listing, article_ids: Sequence[str]) -> list[int | None]:
        """Positions of articles in a listing, oldest first (None when not in it), in one
        round trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for article_id in article_ids:
                pipe.zrank(listing.index, article_id)
            return await pipe.execute()

    async def older_count(self, listing: Listing, moment: datetime) -> int:
        """How many articles of a listing are strictly older than `moment` (its position)."""
        return int(await self.redis.zcount(listing.index, "-inf", f"({score(moment)}"))

    async def all_ids(self, listing: Listing = HOME) -> list[str]:
        """Every id in a listing, oldest first (for a full rebuild)."""
        return _decoded(await self.redis.zrange(listing.index, 0, -1))

    async def days(self) -> list[str]:
        """Local days (ISO dates) with live articles (for a full rebuild)."""
        counts = await self.redis.hgetall(DAYS)
        return sorted(as_text(d) for d, n in counts.items() if int(n) > 0)

    async def names(self) -> dict[Listing, str]:
        """Every section, tag and author listing the store has known → its display name."""
        raw = await self.redis.hgetall(NAMES)
        return {Listing.parse(as_text(k)): as_text(v) for k, v in raw.items()}

    async def count(self, listing: Listing = HOME) -> int:
        """How many live articles a listing holds."""
        return int(await self.redis.zcard(listing.index))

    async def counts(self, listings: Sequence[Listing]) -> list[int]:
        """How many live articles each listing holds, in one round trip."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for listing in listings:
                pipe.zcard(listing.index)
            return [int(n) for n in await pipe.execute()]

    async def stored_count(self) -> int:
        """How many articles the store holds, whatever their status."""
        return int(await self.redis.zcard(ALL))

    async def name(self, listing: Listing) -> str | None:
        """Display name of a section, tag or author listing."""
        raw = await self.redis.hget(NAMES, listing.name_key)
        return None if raw is None else as_text(raw)

    async def names_of(self, listings: Sequence[Listing]) -> list[str | None]:
        """Display names of listings, in one round trip."""
        if not listings:
            return []
        raws = await self.redis.hmget(NAMES, [listing.name_key for listing in listings])
        return [None if raw is None else as_text(raw) for raw in raws]

    async def versions(self, article_id: str) -> list[ArticleVersion]:
        """The article's kept versions, newest first (empty for an article never written since)."""
        raws = await self.redis.lrange(self.layout.history_key(article_id), 0, -1)
        return [ArticleVersion.model_validate_json(raw) for raw in raws]

    async def revision(self) -> int:
        """The store's revision now; read it before the data a file is built from."""
        return int(await self.redis.get(REVISION) or 0)

    async def identity(self) -> str | None:
        """The store's id (None until its first write)."""
        raw = await self.redis.get(STORE_ID)
        return None if raw is None else as_text(raw)

    async def stamp(self) -> tuple[int, str | None]:
        """The store's revision and id, in one round trip."""
        revision, identity = await self.redis.mget([REVISION, STORE_ID])
        return int(revision or 0), None if identity is None else as_text(identity)

    async def resolve(self, path: str) -> tuple[int, str | None]:
        """What the web server should answer for a site path with no file.

        301 and the new URL for an article's old URL, 410 for an unpublished article's URL,
        404 for anything else. Only URLs an article was live at are known (see `_write`): a
        scheduled article's, also one unpublished before its time, answers as an unknown path.
        """
        owner = await self.redis.hget(PATHS, path)
        article = await self.get(owner.decode()) if owner else None
        if article is None:
            return 404, None
        if article.status is Status.UNPUBLISHED:
            return 410, None
        if article.is_live and path != article.url:
            return 301, article.url
        return 404, None
