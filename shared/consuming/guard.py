"""What keeps a consumer app honest about Redis: its groups, a watchdog, trimming, its exit code.

Its lifespan, before the broker starts, creates the service's groups from id 0 with
MKSTREAM (a group FastStream creates starts at `$` and would skip what is already in the
stream), makes the entries this consumer left pending in its last run claimable at once
(so a restarted replica takes its own work back without waiting `claim_idle_ms`), then
runs two tasks beside the subscribers:

- a watchdog that every half second does the same (so it doubles as a ping): a Redis that
  came back empty has its groups back while FastStream's readers still wait out the 5 s
  they pause after a lost connection; after `redis_give_up_s` without Redis it ends the
  app with exit code 1, for the supervisor (compose, `newsroom run`) to restart it;
- stream trimming every `trim_interval_s`, with the group's long-gone consumers deleted
  (shared.consuming.retention).

With a `SiteKeeper` (shared.site_keeper), the app's first startup hook settles the public
folder (rebuilt, or refused) before the subscribers read, the keeper checks again when Redis
comes back, and publishes its state every few seconds.

A FastStream subscriber that meets NOGROUP anyway (the groups vanished under a live
connection) stops for good and ends the app; a shutdown hook notices a subscriber that
stopped by itself and makes that exit code 1 too, and the restarted service recreates
the groups at start.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from faststream.redis import RedisBroker
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from shared.cancelling import cancel_and_wait
from shared.consuming.options import Options
from shared.consuming.retention import forget_idle_consumers, trim_acknowledged
from shared.keyspace import Layout
from shared.redis_client import ensure_groups
from shared.site_keeper import REPORT_EVERY_S, SiteKeeper
from shared.topology import streams_read_by, topology

log = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, asyncio.TimeoutError)
WATCH_EVERY_S = 0.5

Step = Callable[[], Awaitable[None]]


class RedisGoneError(Exception):
    """Redis stayed away longer than `redis_give_up_s`."""


class ConsumerGuard:
    """Groups at start, a Redis watchdog, trimming and the exit code of one consumer app.

    `stop` ends the app (set by shared.consuming.service to the app's `exit`).
    """

    def __init__(
        self,
        redis: Redis,
        group: str,
        layout: Layout,
        options: Options,
        broker: RedisBroker,
        keeper: SiteKeeper | None = None,
    ) -> None:
        self.redis = redis
        self.group = group
        self.layout = layout
        self.options = options
        self.broker = broker
        self.keeper = keeper
        self.exit_code = 0
        self.stop: Callable[[], None] = lambda: None
        self._down_since: float | None = None
        self._periodic: list[tuple[float, Step]] = []

    def every(self, seconds: float, step: Step) -> None:
        """Run `step` every `seconds` while the app runs and the keeper lets the service
        write (a failure is logged, not fatal)."""

        async def gated() -> None:
            if self.keeper is not None:
                await self.keeper.ready.wait()
            await step()

        gated.__name__ = step.__name__
        self._periodic.append((seconds, gated))

    @contextlib.asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Groups before the broker starts; watchdog, trimming and `every` steps while it runs."""
        try:
            while not await self._groups_ensured():  # noqa: ASYNC110 (polling Redis itself)
                await asyncio.sleep(WATCH_EVERY_S)
            await self._offer_own_pending()
            periodic = [(WATCH_EVERY_S, self._watch), (self.options.trim_interval_s, self._trim)]
            if self.keeper is not None:
                periodic.append((REPORT_EVERY_S, self._report))
            tasks = [
                asyncio.create_task(self._every(seconds, step))
                for seconds, step in [*periodic, *self._periodic]
            ]
            try:
                yield
            finally:
                await cancel_and_wait(tasks)
                if self.keeper is not None:
                    await self.keeper.close()
        finally:
            await self.redis.aclose()

    async def _groups_ensured(self) -> bool:
        """Create missing groups (id 0, MKSTREAM); False while Redis is away.

        Raises RedisGoneError when it has been away longer than `redis_give_up_s`.
        """
        try:
            await ensure_groups(self.redis, self.group, self.layout)
        except REDIS_DOWN as error:
            now = time.monotonic()
            if self._down_since is None:
                self._down_since = now
                log.warning("redis unreachable (%s); waiting", type(error).__name__)
            elif now - self._down_since > self.options.redis_give_up_s:
                log.critical("redis unreachable for %.0f s; giving up", now - self._down_since)
                raise RedisGoneError from error
            return False
        if self._down_since is not None:
            log.warning("redis is back; consumer groups checked")
            self._down_since = None
            if self.keeper is not None:
                self.keeper.recheck()
        return True

    async def _offer_own_pending(self) -> None:
        """Make what this consumer left pending in its last run claimable at once.

        XCLAIM to itself with IDLE = claim_idle_ms and JUSTID (which counts no delivery):
        its claimers' XAUTOCLAIM takes those entries now rather than claim_idle_ms later.
        """
        for stream in streams_read_by(self.group, self.layout):
            pending = await self.redis.xpending_range(
                stream, self.group, "-", "+", 10_000, consumername=self.options.consumer
            )
            if pending:
                await self.redis.xclaim(
                    stream,
                    self.group,
                    self.options.consumer,
                    min_idle_time=0,
                    message_ids=[p["message_id"] for p in pending],
                    idle=self.options.claim_idle_ms,
                    justid=True,
                )

    async def _watch(self) -> None:
        try:
            if await self._groups_ensured() and self.keeper is not None:
                await self.keeper.notice_store()
        except RedisGoneError:
            self._fail()

    async def _trim(self) -> None:
        with contextlib.suppress(*REDIS_DOWN):
            for stream in topology(self.layout):
                if self.group in stream.groups:
                    await trim_acknowledged(self.redis, stream)
                    gone = await forget_idle_consumers(self.redis, stream.name, self.group)
                    if gone:
                        log.info("gone consumers deleted: %s", ", ".join(gone))

    async def _report(self) -> None:
        assert self.keeper is not None
        with contextlib.suppress(*REDIS_DOWN):
            await self.keeper.report()

    async def _every(self, seconds: float, step: Step) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await step()
            except Exception:  # a surprise must not end the watchdog or the trimming
                log.exception("%s failed; trying again in %.1f s", step.__name__, seconds)

    def check(self) -> None:
        """On shutdown: a subscriber that stopped by itself (NOGROUP) means exit code 1."""
        broker = self.broker
        if broker.running and any(not s.running for s in broker.subscribers):
            log.critical("a subscriber stopped on a terminal error; exiting with 1")
            self._fail()

    def _fail(self) -> None:
        self.exit_code = 1
        self.stop()
