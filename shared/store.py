"""The article store in Redis: articles, their indexes, and the event log written with them.

Every change is one MULTI/EXEC transaction guarded by WATCH: the article, its indexes and
the event that announces it are written together or not at all.
"""

import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

from shared.article import Article, ArticleIn, Status
from shared.clock import utcnow
from shared.events import (
    ArticleChanged,
    ArticlePublished,
    ArticleUnpublished,
    ArticleUpdated,
    encode,
)
from shared.keyspace import (
    ALL,
    ARTICLES_STREAM,
    DAYS,
    EDITOR_ALL,
    NAMES,
    PATHS,
    REVISION,
    SCHEDULE,
    SLUGS,
    STORE_ID,
    article_key,
    editor_key,
    history_key,
    scratch_key,
)
from shared.listing import HOME, Kind, Listing, listings_of
from shared.redis_client import as_text
from shared.settings import DEFAULT_VERSIONS_KEPT
from shared.slugs import make_slug
from shared.urls import UrlScheme
from shared.versions import SYSTEM, ArticleVersion, version_of

CURSOR_PATTERN = r"^[0-9]{20}\|[A-Za-z0-9_-]{1,64}$"

# The store-wide revision: bumped in every write transaction, never backwards. It jumps to
# the server clock in microseconds when that is ahead, so a Redis that comes back empty
# still counts on from above every revision already recorded next to the public files.
_BUMP_REVISION = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local next = string.format('%.0f', math.max(current + 1, now))
redis.call('SET', KEYS[1], next)
return next
"""

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


def _editor_member(article: Article) -> str:
    """Sort key of an article in the editor lists: creation moment, then id (never changes)."""
    return f"{article.created_at.astimezone(UTC):%Y%m%d%H%M%S%f}|{article.id}"


class ArticleNotFoundError(LookupError):
    """No article has that id."""


class VersionConflictError(Exception):
    """The caller's expected version is not the stored one."""

    def __init__(self, current: int | None) -> None:
        super().__init__(f"current version is {current}")
        self.current = current


class SlugTakenError(Exception):
    """The requested slug belongs to another article."""


@dataclass(frozen=True)
class EditorPage:
    """One page of the editor list, and the position to continue after (None at the end)."""

    articles: list[Article]
    next_after: str | None


@dataclass(frozen=True)
class SaveResult:
    """Outcome of a write: the stored article and whether it was new or changed."""

    article: Article
    created: bool
    changed: bool


def _digest(data: ArticleIn) -> str:
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def _score(moment: datetime) -> float:
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


class ArticleStore:
    """Reads and writes articles; each write also appends its event to the articles stream."""

    def __init__(
        self,
        redis: Redis,
        urls: UrlScheme | None = None,
        parsed: ParsedArticles | None = None,
        versions_kept: int = DEFAULT_VERSIONS_KEPT,
    ) -> None:
        self.redis = redis
        self.urls = urls or UrlScheme()
        self.versions_kept = versions_kept
        self._older_than = redis.register_script(_OLDER_THAN)
        # Articles already parsed, by their stored bytes, when the caller keeps them (a rebuild
        # worker reads each article for its page and again for each list and archive).
        self._parsed = parsed

    async def get(self, article_id: str) -> Article | None:
        """The stored article, whatever its status."""
        raw = await self.redis.get(article_key(article_id))
        return Article.from_stored(raw) if raw else None

    async def get_many(self, ids: Sequence[str]) -> list[Article]:
        """Articles in the order of `ids`, skipping ids no longer stored."""
        if not ids:
            return []
        raws = await self.redis.mget([article_key(i) for i in ids])
        parse = self._parsed.parse if self._parsed else Article.from_stored
        return [parse(r) for r in raws if r]

    async def fields_many(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """Articles as plain JSON objects (cheap reads of many: sitemaps), skipping missing."""
        if not ids:
            return []
        raws = await self.redis.mget([article_key(i) for i in ids])
        return [json.loads(r) for r in raws if r]

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

    async def ids_between(
        self, listing: Listing, start: datetime, end: datetime, limit: int | None = None
    ) -> list[str]:
        """Ids published in [start, end), newest first (archive days; ZREVRANGEBYSCORE)."""
        page = {"start": 0, "num": limit} if limit else {}
        bounds = f"({_score(end)}", _score(start)
        return _decoded(await self.redis.zrevrangebyscore(listing.index, *bounds, **page))

    async def counts_between(
        self, listing: Listing, ranges: Sequence[tuple[datetime, datetime]]
    ) -> list[int]:
        """How many articles each [start, end) range holds (archive months and years)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for start, end in ranges:
                pipe.zcount(listing.index, _score(start), f"({_score(end)}")
            return [int(n) for n in await pipe.execute()]

    async def older_than(
        self, queries: Sequence[tuple[Listing, datetime]], limit: int
    ) -> list[list[tuple[str, float]]]:
        """Per (listing, moment), the newest `limit` (id, score) strictly older than moment."""
        rows: list[list[bytes]] = []
        for start in range(0, len(queries), _OLDER_THAN_CHUNK):
            chunk = queries[start : start + _OLDER_THAN_CHUNK]
            bounds = [f"({_score(moment)}" for _, moment in chunk]
            keys = [listing.index for listing, _ in chunk]
            rows += await self._older_than(keys=keys, args=[limit, *bounds])
        return [
            [(as_text(i), float(s)) for i, s in zip(row[::2], row[1::2], strict=True)]
            for row in rows
        ]

    async def newer_than(
        self, listings: Sequence[Listing], moment: datetime, limit: int
    ) -> set[str]:
        """Ids of the oldest `limit` articles strictly newer than `moment`, in any listing."""
        async with self.redis.pipeline(transaction=False) as pipe:
            for listing in listings:
                pipe.zrangebyscore(listing.index, f"({_score(moment)}", "+inf", start=0, num=limit)
            return {as_text(i) for row in await pipe.execute() for i in row}

    async def rank(self, listing: Listing, article_id: str) -> int | None:
        """Position of an article in a listing, oldest first (None when not in it)."""
        return await self.redis.zrank(listing.index, article_id)

    async def older_count(self, listing: Listing, moment: datetime) -> int:
        """How many articles of a listing are strictly older than `moment` (its position)."""
        return int(await self.redis.zcount(listing.index, "-inf", f"({_score(moment)}"))

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

    async def list_for_editors(
        self,
        *,
        section: str | None = None,
        tag: str | None = None,
        limit: int = 20,
        after: str | None = None,
    ) -> EditorPage:
        """Articles of every status, newest created first, in a stable order.

        `after` is the `next_after` of the previous page (see CURSOR_PATTERN).
        """
        keys = [editor_key("section", make_slug(section))] if section else []
        keys += [editor_key("tag", make_slug(tag))] if tag else []
        found: list[tuple[str, Article]] = []
        async for member, article in self._editor_scan(keys or [EDITOR_ALL], after, limit + 1):
            found.append((member, article))
            if len(found) > limit:
                break
        more = len(found) > limit
        page = found[:limit]
        return EditorPage([a for _, a in page], page[-1][0] if more else None)

    async def _editor_scan(
        self, keys: list[str], after: str | None, batch: int
    ) -> AsyncIterator[tuple[str, Article]]:
        """Members and articles of every editor list in `keys` after `after`, newest first."""
        while True:
            members = await self._editor_members(keys, after, batch)
            if not members:
                return
            articles = await self.redis.mget([article_key(m.split("|", 1)[1]) for m in members])
            for member, data in zip(members, articles, strict=True):
                if data:
                    yield member, Article.from_stored(data)
            if len(members) < batch:
                return
            after = members[-1]

    async def _editor_members(self, keys: list[str], after: str | None, batch: int) -> list[str]:
        """Up to `batch` members after `after` of the intersection of the editor lists `keys`.

        Two lists (section and tag) are intersected inside Redis into a temporary key, in one
        transaction: the work is bounded by the smaller list, never by walking the larger.
        """
        top = f"({after}" if after else "+"
        if len(keys) == 1:
            raw = await self.redis.zrevrangebylex(keys[0], top, "-", start=0, num=batch)
        else:
            scratch = scratch_key(uuid.uuid4().hex)
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.zinterstore(scratch, keys)
                pipe.zrevrangebylex(scratch, top, "-", start=0, num=batch)
                pipe.delete(scratch)
                _, raw, _ = await pipe.execute()
        return [m.decode() if isinstance(m, bytes) else m for m in raw]

    async def versions(self, article_id: str) -> list[ArticleVersion]:
        """The article's kept versions, newest first (empty for an article never written since)."""
        raws = await self.redis.lrange(history_key(article_id), 0, -1)
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

    async def save(
        self,
        article_id: str,
        data: ArticleIn,
        *,
        if_match: int | None = None,
        by: str = SYSTEM,
    ) -> SaveResult:
        """Create or replace an article; the same content twice is one version.

        `by` names the writer in the article's history (a token's name).
        """
        digest = _digest(data)

        async def change(current: Article | None, pipe: Pipeline) -> Article:
            if if_match is not None and (current is None or current.version != if_match):
                raise VersionConflictError(current.version if current else None)
            if current and current.digest == digest and current.status is not Status.UNPUBLISHED:
                raise _Unchanged(current)
            now = utcnow()
            slug = await self._choose_slug(pipe, article_id, data, current)
            url = self.urls.article_url(slug, data.published_at)
            moved = [u for u in (current.redirect_from if current else []) if u != url]
            if current and current.url != url and current.url not in moved:
                moved.append(current.url)
            return Article(
                **data.model_dump(exclude={"slug"}),
                id=article_id,
                version=current.version + 1 if current else 1,
                guid=current.guid if current else f"urn:uuid:{uuid.uuid4()}",
                slug=slug,
                url=url,
                status=Status.SCHEDULED if data.published_at > now else Status.PUBLISHED,
                created_at=current.created_at if current else now,
                modified_at=now,
                redirect_from=moved,
                digest=digest,
            )

        try:
            current, article = await self._commit(article_id, change, by)
        except _Unchanged as same:
            return SaveResult(same.article, created=False, changed=False)
        return SaveResult(article, created=current is None, changed=True)

    async def unpublish(self, article_id: str, *, by: str = SYSTEM) -> Article:
        """Take an article off the site; it stays in the store (`by`: as in `save`)."""

        async def change(current: Article | None, _: Pipeline) -> Article:
            if current is None:
                raise ArticleNotFoundError(article_id)
            if current.status is Status.UNPUBLISHED:
                raise _Unchanged(current)
            return _next_version(current, Status.UNPUBLISHED)

        try:
            return (await self._commit(article_id, change, by))[1]
        except _Unchanged as same:
            return same.article

    async def publish_due(self, now: datetime | None = None) -> list[Article]:
        """Publish every scheduled article whose time has come."""
        moment = now or utcnow()
        due = await self.redis.zrangebyscore(SCHEDULE, "-inf", _score(moment))
        published = []
        for raw_id in due:
            article_id = raw_id.decode() if isinstance(raw_id, bytes) else raw_id

            async def change(current: Article | None, _: Pipeline) -> Article:
                if current is None or current.status is not Status.SCHEDULED:
                    raise _Unchanged(current)
                if current.published_at > moment:
                    raise _Unchanged(current)
                return _next_version(current, Status.PUBLISHED)

            try:
                published.append((await self._commit(article_id, change, "scheduler"))[1])
            except _Unchanged as stale:
                if stale.article is None or stale.article.status is not Status.SCHEDULED:
                    await self.redis.zrem(SCHEDULE, article_id)
        return published

    @staticmethod
    async def _choose_slug(
        pipe: Pipeline, article_id: str, data: ArticleIn, current: Article | None
    ) -> str:
        """The requested slug, else the current one, else a free one made from the title."""
        if current and data.slug in (None, current.slug):
            return current.slug
        await pipe.watch(SLUGS)

        async def taken(slug: str) -> bool:
            owner = await pipe.hget(SLUGS, slug)
            return owner is not None and owner.decode() != article_id

        if data.slug:
            if await taken(data.slug):
                raise SlugTakenError(data.slug)
            return data.slug
        base = make_slug(data.title)
        slug, n = base, 1
        while await taken(slug):
            n += 1
            slug = f"{base}-{n}"
        return slug

    async def _commit(
        self,
        article_id: str,
        change: Callable[[Article | None, Pipeline], Awaitable[Article]],
        by: str,
    ) -> tuple[Article | None, Article]:
        """Read, change and write one article atomically, retrying when it moved meanwhile.

        The write's version goes into the article's history, which keeps the newest
        `versions_kept`.
        """
        key = article_key(article_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    current = Article.from_stored(raw) if raw else None
                    article = await change(current, pipe)
                    pipe.multi()
                    self._write(pipe, current, article)
                    history = history_key(article_id)
                    pipe.lpush(history, version_of(current, article, by).model_dump_json())
                    pipe.ltrim(history, 0, self.versions_kept - 1)
                    await pipe.execute()
                    return current, article
                except WatchError:
                    continue

    async def load(self, articles: Sequence[Article]) -> None:
        """Write built articles and their indexes in one pipeline, announcing no events.

        For bulk imports and benchmarks into an empty store; a full rebuild renders them.
        """
        async with self.redis.pipeline(transaction=False) as pipe:
            for article in articles:
                self._write(pipe, None, article, announce=False)
            await pipe.execute()

    def _write(
        self, pipe: Pipeline, current: Article | None, article: Article, announce: bool = True
    ) -> None:
        pipe.set(article_key(article.id), article.model_dump_json())
        pipe.set(STORE_ID, uuid.uuid4().hex, nx=True)
        pipe.eval(_BUMP_REVISION, 1, REVISION)
        pipe.hset(SLUGS, article.slug, article.id)
        if article.is_live:  # a path readers never saw stays unknown (an embargo's slug)
            pipe.hset(PATHS, article.url, article.id)
        pipe.zadd(ALL, {article.id: _score(article.modified_at)})
        self._editor_index(pipe, current, article)
        if current and current.is_live:
            self._unindex(pipe, current)
        if article.is_live:
            self._index(pipe, article)
        pipe.zrem(SCHEDULE, article.id)
        if article.status is Status.SCHEDULED:
            pipe.zadd(SCHEDULE, {article.id: _score(article.published_at)})
        event = _event_for(current, article) if announce else None
        if event is not None:
            pipe.xadd(ARTICLES_STREAM, encode(event))

    @staticmethod
    def _editor_index(pipe: Pipeline, current: Article | None, article: Article) -> None:
        def keys(a: Article) -> set[str]:
            return {
                EDITOR_ALL,
                editor_key("section", a.section_slug),
                *(editor_key("tag", t) for t in a.tag_slugs),
            }

        member = _editor_member(article)
        for key in keys(current) - keys(article) if current else ():
            pipe.zrem(key, member)
        for key in keys(article):
            pipe.zadd(key, {member: 0})

    @staticmethod
    def _indexes(article: Article) -> list[str]:
        return [listing.index for listing in listings_of(article.placement())]

    def _day(self, article: Article) -> str:
        return self.urls.local(article.published_at).date().isoformat()

    def _index(self, pipe: Pipeline, article: Article) -> None:
        score = _score(article.published_at)
        for index in self._indexes(article):
            pipe.zadd(index, {article.id: score})
        pipe.hincrby(DAYS, self._day(article), 1)
        names = {Listing(Kind.SECTION, article.section_slug): article.section}
        names |= {Listing(Kind.TAG, make_slug(t)): t for t in article.tags}
        names |= {Listing(Kind.AUTHOR, a.page_slug): a.name for a in article.authors}
        pipe.hset(NAMES, mapping={listing.name_key: name for listing, name in names.items()})

    def _unindex(self, pipe: Pipeline, article: Article) -> None:
        for index in self._indexes(article):
            pipe.zrem(index, article.id)
        pipe.hincrby(DAYS, self._day(article), -1)


def _next_version(article: Article, status: Status) -> Article:
    """The article's next version, in `status`."""
    return article.model_copy(
        update={"status": status, "version": article.version + 1, "modified_at": utcnow()}
    )


class _Unchanged(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, article: Article | None) -> None:
        self.article = article


def _event_for(current: Article | None, article: Article) -> ArticleChanged | None:
    was_live = bool(current and current.is_live)
    before = current.placement() if current and was_live else None
    after = article.placement() if article.is_live else None
    fields = {
        "article_id": article.id,
        "version": article.version,
        "before": before,
        "after": after,
    }
    if article.is_live:
        return ArticleUpdated(**fields) if was_live else ArticlePublished(**fields)
    if was_live:
        return ArticleUnpublished(**fields)
    return None
