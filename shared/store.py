"""The article store in Redis: articles, their indexes, and the event log written with them.

Every change is one MULTI/EXEC transaction guarded by WATCH: the article, its indexes and
the event that announces it are written together or not at all.
"""

import hashlib
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

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
from shared.slugs import make_slug
from shared.topology import ARTICLES_STREAM
from shared.urls import UrlScheme

PREFIX = "newsroom:"
SLUGS = PREFIX + "slugs"
SCHEDULE = PREFIX + "schedule"
NAMES = PREFIX + "names"
DAYS = PREFIX + "idx:days"
ALL = PREFIX + "idx:all"
HOME = PREFIX + "idx:home"
PATHS = PREFIX + "paths"
REVISION = PREFIX + "revision"

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


def index_key(kind: str, slug: str) -> str:
    """Key of the sorted set listing the live articles of a section, tag or author."""
    return f"{PREFIX}idx:{kind}:{slug}"


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
class SaveResult:
    """Outcome of a write: the stored article and whether it was new or changed."""

    article: Article
    created: bool
    changed: bool


def _digest(data: ArticleIn) -> str:
    return hashlib.sha256(data.model_dump_json().encode()).hexdigest()


def _score(moment: datetime) -> float:
    return moment.timestamp()


class ArticleStore:
    """Reads and writes articles; each write also appends its event to the articles stream."""

    def __init__(self, redis: Redis, urls: UrlScheme | None = None) -> None:
        self.redis = redis
        self.urls = urls or UrlScheme()

    @staticmethod
    def key(article_id: str) -> str:
        """Redis key of one article."""
        return f"{PREFIX}article:{article_id}"

    async def get(self, article_id: str) -> Article | None:
        """The stored article, whatever its status."""
        raw = await self.redis.get(self.key(article_id))
        return Article.model_validate_json(raw) if raw else None

    async def get_many(self, ids: Sequence[str]) -> list[Article]:
        """Articles in the order of `ids`, skipping ids no longer stored."""
        if not ids:
            return []
        raws = await self.redis.mget([self.key(i) for i in ids])
        return [Article.model_validate_json(r) for r in raws if r]

    async def latest_ids(self, index: str, offset: int = 0, limit: int = 20) -> list[str]:
        """Ids of live articles in an index, newest first."""
        ids = await self.redis.zrevrange(index, offset, offset + limit - 1)
        return [i.decode() if isinstance(i, bytes) else i for i in ids]

    async def latest(self, index: str = HOME, offset: int = 0, limit: int = 20) -> list[Article]:
        """Live articles in an index, newest first."""
        return await self.get_many(await self.latest_ids(index, offset, limit))

    async def count(self, index: str = HOME) -> int:
        """How many live articles an index holds."""
        return int(await self.redis.zcard(index))

    async def name(self, kind: str, slug: str) -> str | None:
        """Display name of a section, tag or author page."""
        raw = await self.redis.hget(NAMES, f"{kind}:{slug}")
        return raw.decode() if isinstance(raw, bytes) else raw

    async def revision(self) -> int:
        """The store's revision now; read it before the data a file is built from."""
        return int(await self.redis.get(REVISION) or 0)

    async def resolve(self, path: str) -> tuple[int, str | None]:
        """What the web server should answer for a site path with no file.

        301 and the new URL for an article's old URL, 410 for an unpublished article's URL,
        404 for anything else.
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
        self, article_id: str, data: ArticleIn, *, if_match: int | None = None
    ) -> SaveResult:
        """Create or replace an article; the same content twice is one version."""
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
            current, article = await self._commit(article_id, change)
        except _Unchanged as same:
            return SaveResult(same.article, created=False, changed=False)
        return SaveResult(article, created=current is None, changed=True)

    async def unpublish(self, article_id: str) -> Article:
        """Take an article off the site; it stays in the store."""

        async def change(current: Article | None, _: Pipeline) -> Article:
            if current is None:
                raise ArticleNotFoundError(article_id)
            if current.status is Status.UNPUBLISHED:
                raise _Unchanged(current)
            return current.model_copy(
                update={
                    "status": Status.UNPUBLISHED,
                    "version": current.version + 1,
                    "modified_at": utcnow(),
                }
            )

        try:
            return (await self._commit(article_id, change))[1]
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
                return current.model_copy(
                    update={"status": Status.PUBLISHED, "version": current.version + 1}
                )

            try:
                published.append((await self._commit(article_id, change))[1])
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
    ) -> tuple[Article | None, Article]:
        """Read, change and write one article atomically, retrying when it moved meanwhile."""
        key = self.key(article_id)
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = await pipe.get(key)
                    current = Article.model_validate_json(raw) if raw else None
                    article = await change(current, pipe)
                    pipe.multi()
                    self._write(pipe, current, article)
                    await pipe.execute()
                    return current, article
                except WatchError:
                    continue

    def _write(self, pipe: Pipeline, current: Article | None, article: Article) -> None:
        pipe.set(self.key(article.id), article.model_dump_json())
        pipe.eval(_BUMP_REVISION, 1, REVISION)
        pipe.hset(SLUGS, article.slug, article.id)
        pipe.hset(PATHS, mapping=dict.fromkeys([article.url, *article.redirect_from], article.id))
        pipe.zadd(ALL, {article.id: _score(article.modified_at)})
        if current and current.is_live:
            self._unindex(pipe, current)
        if article.is_live:
            self._index(pipe, article)
        pipe.zrem(SCHEDULE, article.id)
        if article.status is Status.SCHEDULED:
            pipe.zadd(SCHEDULE, {article.id: _score(article.published_at)})
        event = _event_for(current, article)
        if event is not None:
            pipe.xadd(ARTICLES_STREAM, encode(event))

    def _indexes(self, article: Article) -> list[str]:
        return [
            HOME,
            index_key("section", article.section_slug),
            *(index_key("tag", t) for t in article.tag_slugs),
            *(index_key("author", a) for a in article.author_slugs),
        ]

    def _day(self, article: Article) -> str:
        return self.urls.local(article.published_at).date().isoformat()

    def _index(self, pipe: Pipeline, article: Article) -> None:
        score = _score(article.published_at)
        for index in self._indexes(article):
            pipe.zadd(index, {article.id: score})
        pipe.hincrby(DAYS, self._day(article), 1)
        names = {f"section:{article.section_slug}": article.section}
        names |= {f"tag:{make_slug(t)}": t for t in article.tags}
        names |= {f"author:{a.page_slug}": a.name for a in article.authors}
        pipe.hset(NAMES, mapping=names)

    def _unindex(self, pipe: Pipeline, article: Article) -> None:
        for index in self._indexes(article):
            pipe.zrem(index, article.id)
        pipe.hincrby(DAYS, self._day(article), -1)


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
