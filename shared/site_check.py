"""Checking a service's files against the store: the facts the verdict is drawn from.

shared.site_manifest.verdict decides from a manifest and these facts; shared.site_keeper (at
a service's start) and `newsroom rebuild` act on the answer.
"""

from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from shared.redis_client import as_text
from shared.settings import Settings
from shared.site_manifest import (
    Action,
    Manifest,
    StoreFacts,
    entry_key,
    has_site,
    read_manifest,
    verdict,
)
from shared.store import ArticleStore
from shared.topology import ARTICLES_STREAM, FEEDS_GROUP, RENDER_GROUP

# Pending entries looked at when checking for acknowledged ones (more means a rebuild).
PENDING_LIMIT = 1000
# The consumer group whose acknowledgements each service's files reflect.
GROUPS = {"render": RENDER_GROUP, "feeds": FEEDS_GROUP}


async def stream_info(redis: Redis) -> dict[str, Any]:
    """XINFO STREAM of the articles stream; empty before the stream exists."""
    try:
        return dict(await redis.xinfo_stream(ARTICLES_STREAM))
    except ResponseError:
        return {}


async def acknowledged_after(redis: Redis, group: str, after: str) -> bool:
    """Whether `group` acknowledged entries of the articles stream after entry `after`: read
    and no longer pending, or trimmed (trimming takes acknowledged entries only)."""
    deleted = as_text((await stream_info(redis)).get("max-deleted-entry-id") or "0-0")
    if entry_key(deleted) > entry_key(after):
        return True
    if not await redis.exists(ARTICLES_STREAM):
        return False
    groups = {as_text(g["name"]): g for g in await redis.xinfo_groups(ARTICLES_STREAM)}
    if group not in groups:
        return False
    last = as_text(groups[group]["last-delivered-id"])
    if entry_key(last) <= entry_key(after):
        return False
    pending = await redis.xpending_range(
        ARTICLES_STREAM, group, min=f"({after}", max=last, count=PENDING_LIMIT
    )
    read = await redis.xrange(ARTICLES_STREAM, min=f"({after}", max=last, count=len(pending) + 1)
    return len(read) > len(pending)


async def store_facts(store: ArticleStore, group: str, manifest: Manifest | None) -> StoreFacts:
    """The store's id, revision, article count and newest articles-stream entry, and whether
    `group` acknowledged entries the manifest does not reflect."""
    redis = store.redis
    last_entry = as_text((await stream_info(redis)).get("last-generated-id") or "0-0")
    revision = await store.revision()  # after the stream position: reflects at least it
    identity = await store.identity()
    unapplied = (
        manifest is not None
        and manifest.store == identity
        and await acknowledged_after(redis, group, manifest.stream)
    )
    return StoreFacts(identity, revision, await store.stored_count(), last_entry, unapplied)


async def check(
    store: ArticleStore, settings: Settings, service: str, landmark: str
) -> tuple[Action, str, StoreFacts]:
    """What `service` should do with its files (shared.site_manifest.verdict), why, and the
    store facts it was decided on."""
    manifest = read_manifest(settings.public_dir, service)
    facts = await store_facts(store, GROUPS[service], manifest)
    action, reason = verdict(manifest, facts, has_site(settings.public_dir, landmark))
    return action, reason, facts
