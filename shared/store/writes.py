"""Writing the article store: every change one transaction with its indexes and its event.

Every change is one MULTI/EXEC transaction guarded by WATCH: the article, its history, its
listings' indexes, the editor lists and the event that announces it are written together or
not at all. The version rules (what a write makes of the stored article) are the article's
own (shared.article); here they are applied and stored.
"""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio.client import Pipeline

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
    NAMES,
    PATHS,
    REVISION,
    SCHEDULE,
    SLUGS,
    STORE_ID,
)
from shared.listing import Kind, Listing, listings_of
from shared.replication import ReplicaWait
from shared.slot_transactions import SlotTransactions
from shared.slugs import make_slug
from shared.store.editor import index_for_editors
from shared.store.queries import StoreQueries, score
from shared.versions import SYSTEM, version_of

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


class StoreWrites(StoreQueries):
    """The store's writes; each also appends its event to the articles stream."""

    versions_kept: int
    replica_wait: ReplicaWait
    slots: SlotTransactions

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

        async def change(current: Article | None, pipe: Pipeline) -> Article:
            if if_match is not None and (current is None or current.version != if_match):
                raise VersionConflictError(current.version if current else None)
            if current and current.unchanged_by(data):
                raise _Unchanged(current)
            slug = await self._choose_slug(pipe, article_id, data, current)
            url = self.urls.article_url(slug, data.published_at)
            return Article.written(current, article_id, data, slug=slug, url=url, now=utcnow())

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
            return current.with_status(Status.UNPUBLISHED, utcnow())

        try:
            return (await self._commit(article_id, change, by))[1]
        except _Unchanged as same:
            return same.article

    async def publish_due(self, now: datetime | None = None) -> list[Article]:
        """Publish every scheduled article whose time has come."""
        moment = now or utcnow()
        due = await self.redis.zrangebyscore(SCHEDULE, "-inf", score(moment))
        published = []
        for raw_id in due:
            article_id = raw_id.decode() if isinstance(raw_id, bytes) else raw_id

            async def change(current: Article | None, _: Pipeline) -> Article:
                if current is None or current.status is not Status.SCHEDULED:
                    raise _Unchanged(current)
                if current.published_at > moment:
                    raise _Unchanged(current)
                return current.with_status(Status.PUBLISHED, utcnow())

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
        `versions_kept`. On a cluster it returns once `replica_wait` replicas have the write
        (NotReplicatedError otherwise), and so does a change found to be no change: the
        stored version is written again as it is and waited for, as a repeated request after
        a NotReplicatedError is acknowledged only once replicated too.
        """
        key = self.layout.article_key(article_id)

        async def attempt(pipe: Pipeline) -> tuple[Article | None, Article | None]:
            await pipe.watch(key)
            raw = await pipe.get(key)
            current = Article.from_stored(raw) if raw else None
            try:
                article = await change(current, pipe)
            except _Unchanged:
                if not (self.replica_wait.replicas and raw):
                    raise
                pipe.multi()
                pipe.set(key, raw)  # the stored version again, to wait for its replicas
                return current, None
            pipe.multi()
            self._write(pipe, current, article)
            history = self.layout.history_key(article_id)
            pipe.lpush(history, version_of(current, article, by).model_dump_json())
            pipe.ltrim(history, 0, self.versions_kept - 1)
            return current, article

        (current, article), _ = await self.slots.transact(key, attempt, self.replica_wait)
        if article is None:
            raise _Unchanged(current)
        return current, article

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
        pipe.set(self.layout.article_key(article.id), article.model_dump_json())
        pipe.set(STORE_ID, uuid.uuid4().hex, nx=True)
        pipe.eval(_BUMP_REVISION, 1, REVISION)
        pipe.hset(SLUGS, article.slug, article.id)
        if article.is_live:  # a path readers never saw stays unknown (an embargo's slug)
            pipe.hset(PATHS, article.url, article.id)
        pipe.zadd(ALL, {article.id: score(article.modified_at)})
        index_for_editors(pipe, current, article)
        if current and current.is_live:
            self._unindex(pipe, current)
        if article.is_live:
            self._index(pipe, article)
        pipe.zrem(SCHEDULE, article.id)
        if article.status is Status.SCHEDULED:
            pipe.zadd(SCHEDULE, {article.id: score(article.published_at)})
        event = _event_for(current, article) if announce else None
        if event is not None:
            pipe.xadd(ARTICLES_STREAM, encode(event))

    @staticmethod
    def _indexes(article: Article) -> list[str]:
        return [listing.index for listing in listings_of(article.placement())]

    def _day(self, article: Article) -> str:
        return self.urls.local(article.published_at).date().isoformat()

    def _index(self, pipe: Pipeline, article: Article) -> None:
        moment = score(article.published_at)
        for index in self._indexes(article):
            pipe.zadd(index, {article.id: moment})
        pipe.hincrby(DAYS, self._day(article), 1)
        names = {Listing(Kind.SECTION, article.section_slug): article.section}
        names |= {Listing(Kind.TAG, make_slug(t)): t for t in article.tags}
        names |= {Listing(Kind.AUTHOR, a.page_slug): a.name for a in article.authors}
        pipe.hset(NAMES, mapping={listing.name_key: name for listing, name in names.items()})

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
