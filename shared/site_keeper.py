"""Self-healing: a consumer service brings its part of the public folder in step with the store.

    keeper = SiteKeeper("render", store, settings, consumer, landmark="/", rebuild=...)
    guard = ConsumerGuard(redis, RENDER_GROUP, options, keeper)   # settles before reading
    subscribe_reliably(..., keeper.recording(renderer.apply), ...)

At start (before the subscribers read anything), whenever Redis comes back and when the
store is not the one the manifest names any more, the keeper compares the service's manifest
with the store (shared.site_manifest.verdict):

- up to date: the subscribers go on; what the folder lacks is in the group's backlog;
- rebuild (no manifest, another store's, or stale): one replica takes a lock in Redis
  (renewed while it works, expiring if it dies) and runs the service's full rebuild
  (`newsroom rebuild`'s code, on all cores), then writes the manifest; the other replicas
  wait and check again. Events wait in the group: served after the rebuild, nothing lost;
- refuse (an empty or younger store): nothing is written or deleted, the handlers wait, the
  reason is logged (critical), shown by `newsroom stats` and answered by `/ready` (503),
  and checked again every second, so a restored Redis or `newsroom rebuild --force` lets
  the service go on.

Every handled batch raises the manifest's revision to the one read before it, and its stream
position to the batch's newest entry, before the batch is acked (`recording`).

A backlog as large as a good part of the site (an archive import, a long outage) is worked like
a rebuild: when the group has NEWSROOM_BACKLOG_REBUILD events or more to read or to
acknowledge, and at least a quarter of the stored articles, the replica holding the lock runs
the full rebuild (each page and feed written once, on all cores) instead of re-rendering the
same list pages batch after batch. The manifest then names the newest entry the rebuild
covered (read before it began, so the store it read already held every change up to it), and
the batches up to it are acked without work, but for what a rebuild does not do (`covered`,
e.g. feeds moving view totals).

Each replica publishes its state to `newsroom:site:<service>:<consumer>` (expiring JSON).
"""

import asyncio
import contextlib
import dataclasses
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from shared.cancelling import cancel_and_wait
from shared.consuming.delivery import HANDLED_ENTRIES
from shared.consuming.stream_stats import stream_stats
from shared.keyspace import heal_lock_key, site_status_key
from shared.settings import Settings
from shared.site_check import GROUPS, check, store_facts
from shared.site_manifest import (
    Action,
    Manifest,
    StoreFacts,
    entry_key,
    read_manifest,
    rebuilt,
    record,
)
from shared.store import ArticleStore
from shared.topology import ARTICLES_STREAM

log = logging.getLogger(__name__)

LOCK_TTL_S = 30.0
RECHECK_S = 1.0
FAILED_S = 30.0
REPORT_EVERY_S = 10.0
# How often a replica looks at its group's backlog, and which share of the stored articles
# a backlog must reach (beside NEWSROOM_BACKLOG_REBUILD) to be worked as a rebuild.
BACKLOG_CHECK_S = 5.0
BACKLOG_SHARE = 0.25
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, asyncio.TimeoutError)

Progress = Callable[[int, int], None]
Rebuild = Callable[[Settings, Progress], object]
T = TypeVar("T")


class SiteKeeper:
    """Checks, heals or guards one service's files; its state is what `/ready` answers."""

    def __init__(
        self,
        service: str,
        store: ArticleStore,
        settings: Settings,
        consumer: str,
        *,
        landmark: str,
        rebuild: Rebuild,
    ) -> None:
        self.service = service
        self.store = store
        self.settings = settings
        self.consumer = consumer
        self.landmark = landmark
        self.rebuild = rebuild
        self.ready = asyncio.Event()
        self.state = "checking"
        self.detail = ""
        self._task: asyncio.Task[None] | None = None
        self._backlog_checked = -BACKLOG_CHECK_S
        self._reports: set[asyncio.Task[None]] = set()

    @property
    def problem(self) -> str | None:
        """Why the service is not serving events now, None when it is."""
        return None if self.ready.is_set() else f"{self.state}: {self.detail}".rstrip(": ")

    async def settle(self) -> None:
        """Check, heal or wait until the service's files may be served from the store."""
        while True:
            try:
                if await self._attempt():
                    self._set("ok", "in step with the store")
                    self.ready.set()
                    return
            except REDIS_DOWN as error:
                self._set("waiting", f"redis unreachable ({type(error).__name__})")
            except Exception as error:  # a failed rebuild (full disk...): tried again later
                log.exception("site check or rebuild failed; trying again in %.0f s", FAILED_S)
                self._set("waiting", f"rebuild failed ({type(error).__name__}: {error})")
                await asyncio.sleep(FAILED_S)
            await asyncio.sleep(RECHECK_S)

    def recheck(self) -> None:
        """Redis came back: hold the handlers and settle again (once at a time)."""
        if self._task is None or self._task.done():
            self.ready.clear()
            self._set("checking", "redis came back")
            self._task = asyncio.create_task(self.settle())

    async def notice_store(self) -> None:
        """Check again when the store is not the one the manifest names any more (Redis
        emptied or replaced under a running service; a quick restart goes unseen otherwise)."""
        if not self.ready.is_set():
            return
        manifest = read_manifest(self.settings.public_dir, self.service)
        named = manifest.store if manifest is not None else None
        if named is not None and await self.store.identity() != named:
            self.recheck()

    async def close(self) -> None:
        """Stop a check in progress (shutdown)."""
        if self._task is not None:
            await cancel_and_wait([self._task])

    def recording(
        self,
        handler: Callable[[T], Awaitable[Any]],
        covered: Callable[[T], Awaitable[Any]] | None = None,
    ) -> Callable[[T], Awaitable[None]]:
        """`handler` run once the files may be served, raising the manifest's revision after;
        a batch a full rebuild covered gets `covered` instead (nothing when None)."""

        async def handle(events: T) -> None:
            await self.ready.wait()
            entries = HANDLED_ENTRIES.get()
            revision, identity = await self.store.stamp()  # before the data the handler reads
            covered_now = self._covers(identity, entries)
            if not covered_now and await self._catch_up():
                revision, identity = await self.store.stamp()
                covered_now = self._covers(identity, entries)
            if covered_now:
                if covered is not None:
                    await covered(events)
                return
            await handler(events)
            newest = max(entries, key=entry_key, default="0-0")
            manifest = Manifest(identity, revision, stream=newest)
            # Not fsynced (a cost per event): a crash may leave an older manifest, which only
            # makes the next start rebuild.
            record(self.settings.public_dir, self.service, manifest, sync=False)

        return handle

    def _covers(self, identity: str | None, entries: tuple[str, ...]) -> bool:
        """Whether the last full rebuild of this store covered every entry of a batch."""
        manifest = read_manifest(self.settings.public_dir, self.service)
        if not entries or manifest is None or manifest.store != identity:
            return False
        covered = entry_key(manifest.covered)
        return all(entry_key(entry) <= covered for entry in entries)

    async def _catch_up(self) -> bool:
        """Work a backlog as large as a good part of the site as one full rebuild (see the
        module's docstring), checked every BACKLOG_CHECK_S at most; True if it rebuilt."""
        threshold = self.settings.backlog_rebuild
        now = time.monotonic()
        if not threshold or now - self._backlog_checked < BACKLOG_CHECK_S:
            return False
        self._backlog_checked = now
        group = GROUPS[self.service]
        (stats,) = await stream_stats(self.store.redis, [ARTICLES_STREAM])
        backlog = sum(g.unfinished for g in stats.groups if g.group == group)  # this batch too
        if backlog < max(threshold, await self.store.stored_count() * BACKLOG_SHARE):
            return False
        lock = self._lock()
        if not await lock.acquire(blocking=False):
            return False  # another replica is rebuilding: this batch is worked as usual
        self.ready.clear()  # the other handlers wait for the rebuild
        try:
            facts = await store_facts(self.store, group, None)
            await self._rebuild(f"a backlog of {backlog} article events", facts, lock)
            return True
        except REDIS_DOWN:
            raise
        except Exception:  # a failed rebuild (full disk...): the backlog is worked as usual
            log.exception("backlog rebuild failed; working the backlog batch by batch")
            self._backlog_checked = now + FAILED_S
            return False
        finally:
            with contextlib.suppress(Exception):
                await lock.release()
            if self._task is None or self._task.done():  # not settling again (Redis lost)
                self._set("ok", "in step with the store")
                self.ready.set()

    def _lock(self) -> Any:
        """The lock in Redis one replica of the service holds while it rebuilds."""
        return self.store.redis.lock(
            heal_lock_key(self.service), timeout=LOCK_TTL_S, thread_local=False
        )

    def gated(self, handler: Callable[[T], Awaitable[None]]) -> Callable[[T], Awaitable[None]]:
        """`handler` run once the files may be served (work that writes no site files)."""

        async def handle(events: T) -> None:
            await self.ready.wait()
            await handler(events)

        return handle

    async def report(self) -> None:
        """Publish this replica's state for `newsroom stats` (expires if the replica dies)."""
        status = {"service": self.service, "consumer": self.consumer, "state": self.state}
        status["detail"] = self.detail
        await self.store.redis.set(
            site_status_key(self.service, self.consumer),
            json.dumps(status, ensure_ascii=False),
            ex=int(REPORT_EVERY_S * 3),
        )

    async def _attempt(self) -> bool:
        """One check (and rebuild, if this replica gets the lock); True when up to date."""
        action, reason, facts = await check(self.store, self.settings, self.service, self.landmark)
        if action is Action.REBUILD:
            lock = self._lock()
            if not await lock.acquire(blocking=False):
                self._set("waiting", "another replica is rebuilding")
                return False
            try:  # checked again under the lock: another replica may have just finished
                action, reason, facts = await check(
                    self.store, self.settings, self.service, self.landmark
                )
                if action is Action.REBUILD:
                    await self._rebuild(reason, facts, lock)
                    return True
            finally:
                with contextlib.suppress(Exception):
                    await lock.release()
        if action is Action.REFUSE:
            self._refuse(reason)
        elif action is Action.OK:
            self._clear_refusal()
        return action is Action.OK

    def _refuse(self, reason: str) -> None:
        """Say so loudly, and make the refusal stick in the manifest (see site_manifest)."""
        self._set("refused", f"{reason}; nothing deleted, `newsroom rebuild --force` rebuilds")
        root = self.settings.public_dir
        manifest = read_manifest(root, self.service) or Manifest(None, 0)
        if manifest.refused is None:
            refused = Manifest(manifest.store, manifest.revision, reason)
            record(root, self.service, refused, force=True)

    def _clear_refusal(self) -> None:
        """The store the manifest names is back: the refusal is over."""
        root = self.settings.public_dir
        manifest = read_manifest(root, self.service)
        if manifest is not None and manifest.refused is not None:
            record(root, self.service, dataclasses.replace(manifest, refused=None), force=True)

    async def _rebuild(self, reason: str, facts: StoreFacts, lock: Any) -> None:
        """The full rebuild in a thread, the lock renewed and progress shown meanwhile."""
        self._set("rebuilding", reason)
        started = time.monotonic()
        loop = asyncio.get_running_loop()

        def progress(done: int, total: int) -> None:
            detail = f"{reason}: {done}/{total}"
            loop.call_soon_threadsafe(self._set, "rebuilding", detail, logging.INFO)

        work = asyncio.create_task(asyncio.to_thread(self.rebuild, self.settings, progress))
        while not work.done():
            await asyncio.wait({work}, timeout=LOCK_TTL_S / 3)
            if not work.done():
                await lock.reacquire()
                await self.report()
        totals = work.result()
        record(self.settings.public_dir, self.service, rebuilt(facts), force=True)
        log.warning("%s rebuilt in %.1f s: %s", self.service, time.monotonic() - started, totals)

    def _set(self, state: str, detail: str, level: int = logging.WARNING) -> None:
        """Change state: logged (critical when refused) and published at once."""
        if (state, detail) == (self.state, self.detail):
            return
        self.state, self.detail = state, detail
        log.log(
            logging.CRITICAL if state == "refused" else level,
            "site %s: %s",
            state,
            detail,
            extra={"path": self.service},
        )
        with contextlib.suppress(RuntimeError):  # no loop: nothing to publish from
            task = asyncio.get_running_loop().create_task(self._report_quietly())
            self._reports.add(task)
            task.add_done_callback(self._reports.discard)

    async def _report_quietly(self) -> None:
        with contextlib.suppress(Exception):
            await self.report()
