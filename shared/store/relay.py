"""The relay: the store-wide structures derived from the stored articles, one at a time.

An article's write touches only its shard (shared.store.writes); what it contributes to the
store-wide structures of the `{store}` slot — listing indexes, editor lists, ALL, the
schedule, the day counted in DAYS, its URL in PATHS, its slug in SLUGS, its names in NAMES —
is placed here, from the article alone. `PLACED` records, per article, the version placed and
its contribution, so that placing a version is state-based: the old contribution (as
recorded) goes, the new one comes, in one script with the event announcing it, computed
from what the indexes held. A version older than (or equal to) the placed one is skipped,
so repeated or out-of-order placements are safe.
"""

import uuid

from pydantic import BaseModel
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from shared.article import Article, Placement, Status
from shared.events import (
    DATA_FIELD,
    ArticleChanged,
    ArticlePublished,
    ArticleUnpublished,
    ArticleUpdated,
)
from shared.keyspace import (
    ALL,
    ARTICLES_STREAM,
    DAYS,
    LAYOUT,
    NAMES,
    PATHS,
    PLACED,
    REVISION,
    SCHEDULE,
    SLUGS,
    STORE_ID,
    Layout,
)
from shared.listing import Kind, Listing, listings_of
from shared.redis_client import as_text
from shared.slugs import make_slug
from shared.store.editor import editor_entries
from shared.store.queries import score
from shared.urls import UrlScheme

_STAMP_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local next = string.format('%.0f', math.max(current + 1, now))
redis.call('SET', KEYS[1], next)
redis.call('SET', KEYS[2], ARGV[1], 'NX')
redis.call('HSETNX', KEYS[3], 'article_shards', ARGV[2])
redis.call('HSETNX', KEYS[3], 'views_partitions', ARGV[3])
"""
"""Every change's stamp (KEYS: REVISION, STORE_ID, LAYOUT; ARGV: a new store id, the article
shards and views partitions): the store id and layout are set if unset, and the store-wide
revision is bumped, never backwards. It jumps to the server clock in microseconds when that
is ahead, so a Redis that comes back empty still counts on from above every revision already
recorded next to the public files."""

_STAMP = _STAMP_LUA + "return next"

_APPLY = (
    """
local placed = redis.call('HGET', KEYS[4], ARGV[4])
if (placed or '') ~= ARGV[5] then return 0 end
for i = 0, (#ARGV - 7) / 3 - 1 do
  local key, op, a, b = KEYS[6 + i], ARGV[8 + 3 * i], ARGV[9 + 3 * i], ARGV[10 + 3 * i]
  if op == 'zadd' then redis.call('ZADD', key, a, b)
  elseif op == 'zrem' then redis.call('ZREM', key, a)
  elseif op == 'hincrby' then redis.call('HINCRBY', key, a, b)
  else redis.call('HSET', key, a, b) end
end
redis.call('HSET', KEYS[4], ARGV[4], ARGV[6])
"""
    + _STAMP_LUA
    + f"""
if ARGV[7] ~= '' then redis.call('XADD', KEYS[5], '*', '{DATA_FIELD}', ARGV[7]) end
return 1
"""
)
"""Place one article (KEYS: the stamp's, PLACED, ARTICLES_STREAM, then one key an op; ARGV:
the stamp's, the id, its placement as the caller read it, the new one, the event, then each
op's name, a and b): 0 when PLACED holds something else than the caller read (read again);
else the ops applied, the placement recorded, the store stamped and the event (none when
empty) appended."""

_STAMP_KEYS = [REVISION, STORE_ID, LAYOUT]

Op = tuple[str, str, str | float, str | float]
"""One change to a store-wide structure: key, operation (zadd, zrem, hincrby, hset), a, b."""


class Placed(BaseModel):
    """What one version of an article contributes to the store-wide structures."""

    version: int
    placement: Placement | None  # where it shows, while live
    members: list[tuple[str, str, float]]  # sorted sets: key, member, score
    day: str | None  # the local day counted in DAYS, while live
    fields: list[tuple[str, str, str]]  # hashes (never taken back): key, field, value


def changes(old: Placed | None, new: Placed) -> list[Op]:
    """The ops turning the structures holding `old`'s contribution into `new`'s."""
    kept = {(key, member) for key, member, _ in new.members}
    ops: list[Op] = [
        (key, "zrem", member, "")
        for key, member, _ in (old.members if old else ())
        if (key, member) not in kept
    ]
    ops += [(key, "zadd", moment, member) for key, member, moment in new.members]
    old_day = old.day if old else None
    if old_day != new.day:
        ops += [(DAYS, "hincrby", old_day, -1)] if old_day else []
        ops += [(DAYS, "hincrby", new.day, 1)] if new.day else []
    ops += [(key, "hset", field, value) for key, field, value in new.fields]
    return ops


def event_for(old: Placed | None, article: Article) -> ArticleChanged | None:
    """The event announcing `article` where the indexes held `old`: None when it was not
    live and still is not."""
    before = old.placement if old else None
    after = article.placement() if article.is_live else None
    fields = {"article_id": article.id, "version": article.version, "before": before}
    if after is not None:
        kind = ArticleUpdated if before is not None else ArticlePublished
        return kind(**fields, after=after)
    return ArticleUnpublished(**fields) if before is not None else None


class Relay:
    """Places articles' contributions in the store-wide structures, announcing each change."""

    def __init__(self, redis: Redis, urls: UrlScheme, layout: Layout) -> None:
        self.redis = redis
        self.urls = urls
        self.layout = layout
        self._apply = redis.register_script(_APPLY)
        self._stamp = redis.register_script(_STAMP)

    def placed(self, article: Article) -> Placed:
        """What `article` contributes to the store-wide structures."""
        members = [(ALL, article.id, score(article.modified_at))]
        members += [(key, member, 0.0) for key, member in editor_entries(article)]
        fields = [(SLUGS, article.slug, article.id)]
        placement, day = None, None
        if article.is_live:  # a path readers never saw stays unknown (an embargo's slug)
            placement = article.placement()
            moment = score(article.published_at)
            members += [(listing.index, article.id, moment) for listing in listings_of(placement)]
            day = self.urls.local(article.published_at).date().isoformat()
            fields.append((PATHS, article.url, article.id))
            names = {Listing(Kind.SECTION, article.section_slug): article.section}
            names |= {Listing(Kind.TAG, make_slug(t)): t for t in article.tags}
            names |= {Listing(Kind.AUTHOR, a.page_slug): a.name for a in article.authors}
            fields += [(NAMES, listing.name_key, name) for listing, name in names.items()]
        if article.status is Status.SCHEDULED:
            members.append((SCHEDULE, article.id, score(article.published_at)))
        return Placed(
            version=article.version, placement=placement, members=members, day=day, fields=fields
        )

    async def apply(self, article: Article) -> ArticleChanged | None:
        """Place `article` unless the placed version is as new: return the event announced
        (None when skipped or when there was nothing to announce)."""
        new = self.placed(article)
        while True:
            raw = await self.redis.hget(PLACED, article.id)
            old = Placed.model_validate_json(raw) if raw else None
            if old is not None and old.version >= article.version:
                return None
            event = event_for(old, article)
            ops = changes(old, new)
            keys = [*_STAMP_KEYS, PLACED, ARTICLES_STREAM] + [op[0] for op in ops]
            args = [
                *self._stamp_args(),
                article.id,
                as_text(raw) if raw else "",
                new.model_dump_json(),
                event.model_dump_json() if event else "",
            ]
            args += [value for op in ops for value in op[1:]]
            if await self._apply(keys=keys, args=args):
                return event

    def queue(self, pipe: Pipeline, article: Article) -> None:
        """Queue the placement of `article` in a store with nothing placed for it (a bulk
        load, announcing nothing; `stamp` once after)."""
        new = self.placed(article)
        for key, op, a, b in changes(None, new):
            if op == "zadd":
                pipe.zadd(key, {str(b): float(a)})
            elif op == "hincrby":
                pipe.hincrby(key, str(a), int(b))
            else:
                pipe.hset(key, str(a), str(b))
        pipe.hset(PLACED, article.id, new.model_dump_json())

    async def stamp(self) -> None:
        """Stamp a change: revision bumped, store id and layout set if unset."""
        await self._stamp(keys=_STAMP_KEYS, args=self._stamp_args())

    def _stamp_args(self) -> list[str | int]:
        """The stamp's ARGV: a new store id (only the first write's counts) and the layout."""
        return [uuid.uuid4().hex, self.layout.article_shards, self.layout.views_partitions]
