"""The FastStream app of a consumer service, and what keeps it honest about Redis.

    guard = ConsumerGuard(consumer_redis(settings), RENDER_GROUP, options)
    app = guard.app_for(broker)      # FastStream(broker, lifespan=guard.lifespan) + a hook
    sys.exit(await guard.run())      # 0 after SIGTERM, 1 when it could not go on

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
  (shared.retention).

With a `SiteKeeper` (shared.site_keeper), the app's first startup hook settles the public
folder (rebuilt, or refused) before the subscribers read, the keeper checks again when Redis
comes back, and publishes its state every few seconds.

A FastStream subscriber that meets NOGROUP anyway (the groups vanished under a live
connection) stops for good and ends the app; a shutdown hook notices a subscriber that
stopped by itself and makes that exit code 1 too, and the restarted service recreates
the groups at start. Its own shutdown hooks or lifespan work can be added with
`app.on_startup` / `app.on_shutdown` / `app.after_shutdown`.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from faststream import FastStream
from faststream.redis import RedisBroker
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from shared.delivery import Options
from shared.redis_client import ensure_groups
from shared.retention import forget_idle_consumers, trim_acknowledged
from shared.site_keeper import REPORT_EVERY_S, SiteKeeper
from shared.topology import TOPOLOGY, streams_read_by

log = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, asyncio.TimeoutError)
WATCH_EVERY_S = 0.5


class RedisGoneError(Exception):
    """Redis stayed away longer than `redis_give_up_s`."""


class ConsumerGuard:
    """Groups at start, a Redis watchdog, trimming and the exit code of one consumer app."""

    def __init__(
        self, redis: Redis, group: str, options: Options, keeper: SiteKeeper | None = None
    ) -> None:
        self.redis = redis
        self.group = group
        self.options = options
        self.keeper = keeper
        self.exit_code = 0
        self._app: FastStream | None = None
        self._down_since: float | None = None

    def app_for(self, broker: RedisBroker) -> FastStream:
        """The service's FastStream app around `broker`, with this guard's lifespan."""
        first = [self.keeper.settle] if self.keeper else []
        self._app = FastStream(
            broker, lifespan=self.lifespan, on_startup=first, on_shutdown=[self._check]
        )
        return self._app

    async def run(self) -> int:
        """Run the app until SIGTERM (0) or until it cannot go on (1)."""
        assert self._app is not None, "call app_for(broker) first"
        try:
            await self._app.run()
        except RedisGoneError:
            return 1
        return self.exit_code

    def stop(self) -> None:
        """Finish the events in hand, then return 0 from `run` (what SIGTERM does)."""
        if self._app is not None:
            self._app.exit()

    @contextlib.asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Groups before the broker starts; watchdog and trimming while it runs."""
        try:
            while not await self._groups_ensured():  # noqa: ASYNC110 (polling Redis itself)
                await asyncio.sleep(WATCH_EVERY_S)
            await self._offer_own_pending()
            tasks = [
                asyncio.create_task(self._every(WATCH_EVERY_S, self._watch)),
                asyncio.create_task(self._every(self.options.trim_interval_s, self._trim)),
            ]
            if self.keeper is not None:
                tasks.append(asyncio.create_task(self._every(REPORT_EVERY_S, self._report)))
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                if self.keeper is not None:
                    await self.keeper.close()
        finally:
            await self.redis.aclose()

    async def _groups_ensured(self) -> bool:
        """Create missing groups (id 0, MKSTREAM); False while Redis is away.

        Raises RedisGoneError when it has been away longer than `redis_give_up_s`.
        """
        try:
            await ensure_groups(self.redis, self.group)
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
        for stream in streams_read_by(self.group):
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
            for stream in TOPOLOGY:
                if self.group in stream.groups:
                    await trim_acknowledged(self.redis, stream)
                    gone = await forget_idle_consumers(self.redis, stream.name, self.group)
                    if gone:
                        log.info("gone consumers deleted: %s", ", ".join(gone))

    async def _report(self) -> None:
        assert self.keeper is not None
        with contextlib.suppress(*REDIS_DOWN):
            await self.keeper.report()

    async def _every(self, seconds: float, step: Callable[[], Awaitable[None]]) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await step()
            except Exception:  # a surprise must not end the watchdog or the trimming
                log.exception("%s failed; trying again in %.1f s", step.__name__, seconds)

    def _check(self) -> None:
        """On shutdown: a subscriber that stopped by itself (NOGROUP) means exit code 1."""
        broker = self._app.broker if self._app else None
        if broker is not None and broker.running and any(not s.running for s in broker.subscribers):
            log.critical("a subscriber stopped on a terminal error; exiting with 1")
            self._fail()

    def _fail(self) -> None:
        self.exit_code = 1
        self.stop()
