"""Writing the article store: every change one transaction in its article's shard.

A change is one MULTI/EXEC transaction guarded by WATCH, on the keys of the article's shard
only: the article, its history and the shard's outbox entry naming the version are written
together or not at all. The relay (shared.store.relay) then places the version in the
store-wide structures and announces it on the articles stream, inline before the write
returns, and again from the outbox (services.ingest.relay_loop) should the writer die in
between. A slug is reserved in SLUGS before the article is written, so that two shards never
take one slug. The version rules (what a write makes of the stored article) are the
article's own (shared.article); here they are applied and stored.
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from redis.asyncio.client import Pipeline

from shared.article import Article, ArticleIn, Status
from shared.clock import utcnow
from shared.keyspace import SCHEDULE, SLUGS
from shared.replication import ReplicaWait
from shared.slot_transactions import SlotTransactions
from shared.slugs import make_slug, numbered
from shared.store.queries import StoreQueries, score
from shared.store.relay import Relay
from shared.versions import SYSTEM, version_of

# Reserve slug ARGV[1] for article ARGV[2]: 2 when newly reserved, 1 when already its own,
# 0 when another article holds it.
_RESERVE = """
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if not owner then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) return 2 end
if owner == ARGV[2] then return 1 end
return 0
"""
# Give back slug ARGV[1] if article ARGV[2] holds it.
_RELEASE = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
"""


Change = Callable[[Article | None], Awaitable[Article]]
"""What a write makes of the stored article (None: none stored)."""
Written = tuple[Article | None, Article]
"""The article as it was (None: new) and as written."""


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
    """The store's writes; each is also placed and announced by the relay."""

    versions_kept: int
    relay: Relay
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
        reserved: list[str] = []  # slugs this call reserved, given back unless kept

        async def change(current: Article | None) -> Article:
            if if_match is not None and (current is None or current.version != if_match):
                raise VersionConflictError(current.version if current else None)
            if current and current.unchanged_by(data):
                raise _Unchanged(current)
            slug = await self._choose_slug(article_id, data, current, reserved)
            url = self.urls.article_url(slug, data.published_at)
            return Article.written(current, article_id, data, slug=slug, url=url, now=utcnow())

        kept = None
        try:
            current, article = await self._write(article_id, change, by)
            kept = article.slug
        except _Unchanged as same:
            return SaveResult(same.article, created=False, changed=False)
        finally:
            for slug in reserved:
                if slug != kept:
                    await self.redis.eval(_RELEASE, 1, SLUGS, slug, article_id)
        await self.relay.apply(article)
        return SaveResult(article, created=current is None, changed=True)

    async def unpublish(self, article_id: str, *, by: str = SYSTEM) -> Article:
        """Take an article off the site; it stays in the store (`by`: as in `save`)."""

        async def change(current: Article | None) -> Article:
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

            async def change(current: Article | None) -> Article:
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

    async def _choose_slug(
        self, article_id: str, data: ArticleIn, current: Article | None, reserved: list[str]
    ) -> str:
        """The requested slug, else the current one, else a free one made from the title;
        reserved for the article in SLUGS (those newly reserved added to `reserved`)."""
        if current and data.slug in (None, current.slug):
            return current.slug

        async def reserve(slug: str) -> bool:
            outcome = await self.redis.eval(_RESERVE, 1, SLUGS, slug, article_id)
            if outcome == 2:
                reserved.append(slug)
            return bool(outcome)

        if data.slug:
            if not await reserve(data.slug):
                raise SlugTakenError(data.slug)
            return data.slug
        base = make_slug(data.title)
        slug, n = base, 1
        while not await reserve(slug):
            n += 1
            slug = numbered(base, n)
        return slug

    async def _commit(self, article_id: str, change: Change, by: str) -> Written:
        """`_write`, then place the article (the relay): its event is announced before this
        returns."""
        current, article = await self._write(article_id, change, by)
        await self.relay.apply(article)
        return current, article

    async def _write(self, article_id: str, change: Change, by: str) -> Written:
        """Read, change and write one article in its shard, retrying when it moved meanwhile.

        On a cluster it returns once `replica_wait` replicas have the write (NotReplicatedError
        otherwise), and so does a change found to be no change: the stored version is written
        again as it is and waited for, as a repeated request after a NotReplicatedError is
        acknowledged only once replicated too.
        """
        key = self.layout.article_key(article_id)

        async def attempt(pipe: Pipeline) -> tuple[Article | None, Article | None]:
            await pipe.watch(key)
            raw = await pipe.get(key)
            current = Article.from_stored(raw) if raw else None
            try:
                article = await change(current)
            except _Unchanged:
                if not (self.replica_wait.replicas and raw):
                    raise
                pipe.multi()
                pipe.set(key, raw)  # the stored version again, to wait for its replicas
                return current, None
            self._queue_shard(pipe, current, article, by)
            return current, article

        (current, article), _ = await self.slots.transact(key, attempt, self.replica_wait)
        if article is None:
            raise _Unchanged(current)
        return current, article

    async def write_shard(
        self, pipe: Pipeline, current: Article | None, article: Article, by: str
    ) -> None:
        """Write `article` (changed from `current`) in its shard in one transaction on `pipe`
        (watching the article's key): see `_queue_shard`."""
        self._queue_shard(pipe, current, article, by)
        await pipe.execute()

    def _queue_shard(
        self, pipe: Pipeline, current: Article | None, article: Article, by: str
    ) -> None:
        """Queue the shard's writes of `article`: the article, its history (which keeps the
        newest `versions_kept`) and the outbox entry naming the version."""
        history = self.layout.history_key(article.id)
        pipe.multi()
        pipe.set(self.layout.article_key(article.id), article.model_dump_json())
        pipe.lpush(history, version_of(current, article, by).model_dump_json())
        pipe.ltrim(history, 0, self.versions_kept - 1)
        outbox = self.layout.outbox(self.layout.shard_of(article.id))
        pipe.xadd(outbox, {"article_id": article.id, "version": str(article.version)})

    async def load(self, articles: Sequence[Article]) -> None:
        """Write built articles and their placements in one pipeline, then stamp the store;
        announce no events.

        For bulk imports and benchmarks into an empty store; a full rebuild renders them.
        """
        async with self.redis.pipeline(transaction=False) as pipe:
            for article in articles:
                pipe.set(self.layout.article_key(article.id), article.model_dump_json())
                self.relay.queue(pipe, article)
            await pipe.execute()
        await self.relay.stamp()


class _Unchanged(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, article: Article | None) -> None:
        self.article = article
