"""Places every article change written to the shards' outboxes, also after a crash.

A write places its version itself, inline (shared.store.writes); this loop is for the write
whose process died between its shard transaction and the relay. It reads each outbox in the
consumer group `relay` (one blocking read a stream: outboxes of different slots cannot be
read in one call), places the article as stored NOW (the relay skips a version already
placed), acknowledges once the placements are replicated (on a cluster: a write on the
`{store}` master, then WAIT there; too few replicas leave the entries pending, taken over
later, so a failover of `{store}` cannot lose a placement already acknowledged), and trims
what every consumer acknowledged, so outboxes stay short.
Entries left pending by a consumer gone quiet are taken over; Redis going away is waited out.
"""

import asyncio
import contextlib
import logging
import uuid

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import ResponseError

from shared.article import Article
from shared.keyspace import PLACED, RELAY_MARKS
from shared.redis_client import as_text
from shared.replication import NotReplicatedError
from shared.store import ArticleStore
from shared.store.migration import LayoutMismatchError, prepare_store
from shared.store.relay import Placed
from shared.topology import RELAY_GROUP, outbox_streams

log = logging.getLogger(__name__)

BATCH = 100
"""Entries read (or taken over) at a time."""

Entry = tuple[bytes, dict[bytes, bytes]]


async def run_relay(
    store: ArticleStore,
    stop: asyncio.Event,
    *,
    block_ms: int = 1000,
    claim_idle_ms: int = 30_000,
) -> None:
    """Relay every outbox until `stop` is set: each read blocks up to `block_ms`; entries
    pending on a consumer idle for `claim_idle_ms` are taken over."""
    if not await _prepared(store, stop):
        return
    consumer = f"relay-{uuid.uuid4().hex[:12]}"
    follow = [
        _follow(store, stream.name, consumer, stop, block_ms, claim_idle_ms)
        for stream in outbox_streams(store.layout)
    ]
    await asyncio.gather(*follow)


async def _prepared(store: ArticleStore, stop: asyncio.Event) -> bool:
    """Migrate the store and check its layout (again: Redis may have been away when ingest
    started), waiting for Redis; False when stopped first or the layout is not the store's."""
    while not stop.is_set():
        try:
            await prepare_store(store.redis, store.relay)
        except LayoutMismatchError:
            log.critical("store layout differs from the settings; relay not started", exc_info=True)
            return False
        except Exception:
            log.exception("store preparation failed; retrying")
            await _pause(stop)
        else:
            return True
    return False


async def _pause(stop: asyncio.Event) -> None:
    """Wait a second, or less if stopped meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), 1.0)


async def _follow(
    store: ArticleStore,
    outbox: str,
    consumer: str,
    stop: asyncio.Event,
    block_ms: int,
    claim_idle_ms: int,
) -> None:
    """Relay one outbox until `stop` is set, starting over after any failure."""
    redis = store.redis
    while not stop.is_set():
        try:
            await _ensure_group(redis, outbox)
            while not stop.is_set():
                claimed = await redis.xautoclaim(
                    outbox, RELAY_GROUP, consumer, claim_idle_ms, "0-0", count=BATCH
                )
                read = await redis.xreadgroup(
                    RELAY_GROUP, consumer, {outbox: ">"}, count=BATCH, block=block_ms
                )
                entries = claimed[1] + [e for _, got in read for e in got]
                if entries:
                    await relay_entries(store, outbox, entries)
                    await _trim(redis, outbox)
        except Exception:
            log.exception("relay of %s failed; starting over", outbox)
            await _pause(stop)


async def _ensure_group(redis: Redis, outbox: str) -> None:
    """Create the relay's group on `outbox`, from its start, if missing (a new or emptied
    Redis)."""
    try:
        await redis.xgroup_create(outbox, RELAY_GROUP, id="0", mkstream=True)
    except ResponseError as e:
        if "BUSYGROUP" not in str(e):
            raise


async def relay_entries(store: ArticleStore, outbox: str, entries: list[Entry]) -> bool:
    """Place the stored version of each entry's article, then acknowledge the entries (one
    trimmed while pending has no fields) once the placements are replicated: False when
    they are not (yet), the entries left pending."""
    ids = list(dict.fromkeys(as_text(fields[b"article_id"]) for _, fields in entries if fields))
    articles = [Article.from_stored(raw) for raw in await store.stored_many(ids) if raw]
    # Almost every write was placed inline already: one read of the batch's placements
    # finds the few that were not (their writer died first), instead of one read each.
    placed = await store.redis.hmget(PLACED, [a.id for a in articles]) if articles else []
    versions: dict[str, int] = {}
    for article, raw in zip(articles, placed, strict=True):
        if raw is None or Placed.model_validate_json(raw).version < article.version:
            await store.relay.apply(article)
        versions[article.id] = article.version
    if not await _replicated(store, outbox, entries[-1][0], versions):
        return False
    await store.redis.xack(outbox, RELAY_GROUP, *(entry_id for entry_id, _ in entries))
    return True


async def _replicated(
    store: ArticleStore, outbox: str, last: bytes, versions: dict[str, int]
) -> bool:
    """Whether the `{store}` master's replicas have the placement of every version in
    `versions` (always, when no replicas are waited for: one Redis, or the wait off).

    WAIT counts the last write of the connection it is sent on, and the replication stream
    is ordered: so one write there (the outbox's mark), with a read of the placements in the
    same transaction, makes WAIT cover every earlier placement on that master, inline ones
    included; a placement lost to a failover since is seen missing in what was read."""
    wait = store.replica_wait
    if wait.replicas <= 0:
        return True
    ids = list(versions)

    async def mark(pipe: Pipeline) -> None:
        if ids:
            pipe.hmget(PLACED, ids)
        pipe.hset(RELAY_MARKS, outbox, as_text(last))

    try:
        _, replies = await store.slots.transact(RELAY_MARKS, mark, wait)
    except NotReplicatedError as e:
        log.warning("placements from %s not replicated (%s); left pending", outbox, e)
        return False
    placed = replies[0] if ids else []
    missing = [
        i
        for i, raw in zip(ids, placed, strict=True)
        if not raw or Placed.model_validate_json(raw).version < versions[i]
    ]
    if missing:
        log.warning("placements of %s lost before replication; left pending", missing)
    return not missing


def _entry_id(text: bytes | str) -> tuple[int, int]:
    millis, _, seq = as_text(text).partition("-")
    return int(millis), int(seq or 0)


async def _trim(redis: Redis, outbox: str) -> None:
    """Delete the entries every consumer acknowledged: up to the last one delivered (read
    first: what is delivered later is newer), short of the oldest still pending."""
    groups = {as_text(g["name"]): g for g in await redis.xinfo_groups(outbox)}
    millis, seq = _entry_id(groups[RELAY_GROUP]["last-delivered-id"])
    floor = (millis, seq + 1)
    pending = await redis.xpending(outbox, RELAY_GROUP)
    if pending["pending"]:
        floor = min(floor, _entry_id(pending["min"]))
    await redis.xtrim(outbox, minid=f"{floor[0]}-{floor[1]}", approximate=False)
