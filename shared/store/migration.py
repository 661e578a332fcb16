"""Making a store fit this code: keys of before the cluster keyspace renamed, its layout
checked.

A store written before the keyspace was placed for Redis Cluster (issue 14) has untagged
keys (`newsroom:article:<id>`, `newsroom:idx:…`, the stream `newsroom:articles`, …). On its
one Redis, `migrate` renames each to its new name (a renamed stream keeps its groups), then
records in PLACED what each stored article contributes, so the relay can take it back when
the article changes. Run again, or on a new store, it changes nothing. Old views keys are
left to the views' own migration.
"""

from redis.asyncio import Redis

from shared.article import Article
from shared.keyspace import (
    ARTICLES_STREAM,
    LAYOUT,
    NAMES,
    PATHS,
    PLACED,
    PREFIX,
    RENAMED,
    REVISION,
    SCHEDULE,
    SHOWN_NAMES,
    SLUGS,
    STORE_ID,
    STORE_TAG,
    Layout,
    dead_letters_key,
)
from shared.redis_client import as_text
from shared.store.relay import Relay

_OLD_NAMES = {
    "slugs": SLUGS,
    "paths": PATHS,
    "names": NAMES,
    "schedule": SCHEDULE,
    "render:shown-names": SHOWN_NAMES,
    "render:renamed": RENAMED,
    "articles": ARTICLES_STREAM,
    "dead-letters": dead_letters_key(ARTICLES_STREAM),
    "store-id": STORE_ID,
    "revision": REVISION,
}
"""Old store-wide keys (after the prefix) → their new names, renamed last (the revision, which
every old store with an article has, last of all: while it is there, a migration is due)."""
_OLD_PATTERNS = ("article:*", "versions:*", "idx:*", "ed:*")
_PAGE = 500


class LayoutMismatchError(RuntimeError):
    """The settings spread articles or views over other slots than the store was made with."""


def new_name(old: str, layout: Layout) -> str:
    """The name, in this keyspace, of the old key `old` (one of `migrate`'s)."""
    rest = old.removeprefix(PREFIX)
    kind, _, tail = rest.partition(":")
    if kind == "article":
        return layout.article_key(tail)
    if kind == "versions":
        return layout.history_key(tail)
    if kind in ("idx", "ed"):
        return f"{PREFIX}{{{STORE_TAG}}}:{rest}"
    return _OLD_NAMES[rest]


async def migrate(redis: Redis, relay: Relay) -> int:
    """Rename every old key of the store on `redis` and place its articles: the number of
    keys renamed (0 for a store already migrated or new)."""
    old = [PREFIX + name for name in _OLD_NAMES]
    fixed = [key for key in old if await redis.exists(key)]
    if not fixed:
        return 0
    keys = []
    for pattern in _OLD_PATTERNS:
        keys += [as_text(k) async for k in redis.scan_iter(PREFIX + pattern, count=_PAGE)]
    for key in keys:
        await redis.rename(key, new_name(key, relay.layout))
    await _place_all(redis, relay)
    for key in fixed:
        await redis.rename(key, new_name(key, relay.layout))
    return len(keys) + len(fixed)


async def _place_all(redis: Redis, relay: Relay) -> None:
    """Record in PLACED what every stored article contributes, unless already recorded."""
    pattern = PREFIX + "{a*}:article:*"
    page: list[bytes] = []
    async for key in redis.scan_iter(pattern, count=_PAGE):
        page.append(key)
        if len(page) == _PAGE:
            await _place(redis, relay, page)
            page = []
    await _place(redis, relay, page)


async def _place(redis: Redis, relay: Relay, keys: list[bytes]) -> None:
    if not keys:
        return
    async with redis.pipeline(transaction=False) as pipe:
        for raw in await redis.mget(keys):
            if raw:
                article = Article.from_stored(raw)
                pipe.hsetnx(PLACED, article.id, relay.placed(article).model_dump_json())
        await pipe.execute()


async def check_layout(redis: Redis, layout: Layout) -> None:
    """LayoutMismatchError if the store has another layout than `layout` (a store has none
    until its first write records it)."""
    recorded = {
        "article_shards": ("NEWSROOM_ARTICLE_SHARDS", layout.article_shards),
        "views_partitions": ("NEWSROOM_VIEWS_PARTITIONS", layout.views_partitions),
    }
    for field, (setting, value) in recorded.items():
        raw = await redis.hget(LAYOUT, field)
        stored = int(raw) if raw is not None else value
        if stored != value:
            raise LayoutMismatchError(
                f"{setting}={value} but the store was made with {stored}: "
                f"set {setting}={stored} (a store's layout cannot change)"
            )


async def prepare_store(redis: Redis, relay: Relay) -> None:
    """Make the store on `redis` fit this code: migrate it, then check its layout."""
    await migrate(redis, relay)
    await check_layout(redis, relay.layout)
