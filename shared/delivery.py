"""At-least-once delivery from Redis consumer groups, shared by the render and feeds services.

A `Consumer` reads its group's streams, hands each decoded event to a handler, and acks
it only once the handler returned (so only after the output is on disk). Around that:

- its own pending entries are read again first, after a start or a Redis outage;
- a claimer takes over entries idle longer than `claim_idle_ms` (XAUTOCLAIM), so the work
  of a crashed replica is done by a live one;
- an entry that is not an event (not JSON, wrong schema) goes to the dead letters at once,
  one whose handler failed `max_deliveries` times (XPENDING's delivery count) after that,
  and so does one delivered more often than that without an answer (it kills its consumer);
- a Redis that went away is waited for with backoff, a group that vanished (a Redis that
  came back empty) is created again, and after `redis_give_up_s` without Redis the
  consumer stops with exit code 1 so that its supervisor restarts it;
- SIGTERM finishes the event in hand, acks it and returns.

Why a small loop of our own rather than FastStream 0.7.8 subscribers, with Redis 7.0: a
FastStream subscriber that meets NOGROUP stops for good and ends the app with a clean exit;
one with `min_idle_time` only claims and gets no new events; a handler that raises leaves
its event pending with nothing to redeliver it; schema errors happen inside FastStream
before any code of ours could dead-letter them; delivery counts need XPENDING anyway; and
it never gives up on a Redis that stays away. Covering each of these meant patching its
internals, while the loop below is the few Redis commands the guarantees are made of.
"""

import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from shared.clock import utcnow
from shared.events import DATA_FIELD
from shared.redis_client import as_text, connect, ensure_groups
from shared.retention import trim_acknowledged
from shared.settings import Settings
from shared.topology import DEAD_LETTERS_STREAM, TOPOLOGY

log = logging.getLogger(__name__)

REDIS_DOWN = (RedisConnectionError, RedisTimeoutError, ConnectionError, asyncio.TimeoutError)
BLOCK_MS = 1000
MAX_BACKOFF_S = 2.0

Handler = Callable[[Any], Awaitable[None]]


@dataclass(frozen=True)
class Options:
    """How a consumer retries, claims and gives up (see Settings for each knob)."""

    max_deliveries: int = 5
    claim_idle_ms: int = 15_000
    redis_give_up_s: float = 60.0
    trim_interval_s: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "Options":
        """The options the environment sets."""
        return cls(
            max_deliveries=settings.max_deliveries,
            claim_idle_ms=settings.claim_idle_ms,
            redis_give_up_s=settings.redis_give_up_s,
            trim_interval_s=settings.trim_interval_s,
        )

    @property
    def claim_every_s(self) -> float:
        """Pause between claim passes: a third of the idle time, at most 5 s."""
        return max(0.05, min(5.0, self.claim_idle_ms / 3000))


@dataclass(frozen=True)
class Route:
    """One stream a consumer reads, how its entries decode, and what handles them."""

    stream: str
    adapter: TypeAdapter[Any]
    handle: Handler
    batch: bool
    max_records: int


@dataclass(frozen=True)
class Entry:
    """A stream entry as read, with how often it has been delivered so far."""

    id: str
    fields: dict[bytes, bytes]
    deliveries: int

    def payload(self) -> str:
        """The entry's fields as a JSON object of strings (bytes that are not UTF-8 escaped)."""
        text = {
            k.decode(errors="backslashreplace"): v.decode(errors="backslashreplace")
            for k, v in self.fields.items()
        }
        return json.dumps(text, ensure_ascii=False)


def consumer_name(settings: Settings) -> str:
    """This replica's name in its groups: NEWSROOM_CONSUMER, else host-pid."""
    return settings.consumer or f"{socket.gethostname()}-{os.getpid()}"


def consumer_redis(settings: Settings) -> Redis:
    """A Redis client for a consumer: it notices a hung server, and fails fast to our loop."""
    return connect(settings.redis_url, socket_timeout=BLOCK_MS / 1000 + 10, retries=2)


class Consumer:
    """One replica in a consumer group: reads, claims, dead-letters, trims, shuts down."""

    def __init__(self, redis: Redis, group: str, name: str, options: Options) -> None:
        self.redis = redis
        self.group = group
        self.name = name
        self.options = options
        self.routes: list[Route] = []
        self.stopping = asyncio.Event()
        self.exit_code = 0
        self.ready = False
        self._down_since: float | None = None

    @classmethod
    def for_service(cls, redis: Redis, group: str, settings: Settings) -> "Consumer":
        """A consumer configured from the environment."""
        return cls(redis, group, consumer_name(settings), Options.from_settings(settings))

    def subscribe(
        self,
        stream: str,
        event_type: Any,
        handle: Handler,
        *,
        batch: bool = False,
        max_records: int = 10,
    ) -> None:
        """Deliver `stream`'s events (decoded as `event_type`) to `handle`.

        With `batch`, `handle` gets a list of up to `max_records` events at a time. It must
        be idempotent: an event can come again after a crash, so it should rebuild output
        from the store, writing with shared.files.write_versioned.
        """
        self.routes.append(Route(stream, TypeAdapter(event_type), handle, batch, max_records))

    def stop(self) -> None:
        """Finish the event in hand, then return from `run`."""
        self.stopping.set()

    async def run(self) -> int:
        """Consume until stopped; 0 after SIGTERM, 1 when Redis stayed away too long."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop)
        await self._keep(self._ensure_groups, once=True)
        loops = [self._keep(self._trim_step, pause=self.options.trim_interval_s)]
        for route in self.routes:
            loops += [self._keep(*self._reader(route)), self._keep(*self._claimer(route))]
        self.ready = not self.stopping.is_set()
        try:
            await asyncio.gather(*loops)
        finally:
            self.ready = False
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        return self.exit_code

    async def _ensure_groups(self) -> float:
        await ensure_groups(self.redis, self.group)
        return 0.0

    def _reader(self, route: Route) -> tuple[Callable[[], Awaitable[float]], Callable[[], None]]:
        """A step reading new entries, after this consumer's own pending ones (id 0)."""
        cursor = "0"

        async def step() -> float:
            nonlocal cursor
            history = cursor != ">"
            reply = await self.redis.xreadgroup(
                self.group,
                self.name,
                {route.stream: cursor},
                count=route.max_records,
                block=None if history else BLOCK_MS,
            )
            read = reply[0][1] if reply else []
            if history:
                if not read:
                    cursor = ">"
                    return 0.0
                cursor = as_text(read[-1][0])
                await self._process(route, await self._counted(route, read))
            else:
                await self._process(route, [Entry(as_text(i), f, 1) for i, f in read])
            return 0.0

        def reread_own() -> None:
            nonlocal cursor
            cursor = "0"

        return step, reread_own

    def _claimer(self, route: Route) -> tuple[Callable[[], Awaitable[float]], Callable[[], None]]:
        """A step claiming entries other consumers left idle (XAUTOCLAIM, Redis ≥ 6.2)."""
        cursor = "0-0"

        async def step() -> float:
            nonlocal cursor
            reply = await self.redis.xautoclaim(
                route.stream,
                self.group,
                self.name,
                min_idle_time=self.options.claim_idle_ms,
                start_id=cursor,
                count=route.max_records,
            )
            cursor = as_text(reply[0])
            if reply[1]:
                await self._process(route, await self._counted(route, reply[1]))
            return self.options.claim_every_s if cursor == "0-0" else 0.0

        def restart() -> None:
            nonlocal cursor
            cursor = "0-0"

        return step, restart

    async def _trim_step(self) -> float:
        for stream in TOPOLOGY:
            if self.group in stream.groups:
                await trim_acknowledged(self.redis, stream)
        return self.options.trim_interval_s

    async def _counted(self, route: Route, read: Sequence[Any]) -> list[Entry]:
        """Entries with their delivery counts from XPENDING."""
        ids = [as_text(i) for i, _ in read]
        pending = await self.redis.xpending_range(
            route.stream,
            self.group,
            min=ids[0],
            max=ids[-1],
            count=max(100, 2 * len(ids)),
            consumername=self.name,
        )
        counts = {as_text(p["message_id"]): int(p["times_delivered"]) for p in pending}
        return [Entry(i, f, counts.get(i, 1)) for i, (_, f) in zip(ids, read, strict=True)]

    async def _process(self, route: Route, entries: list[Entry]) -> None:
        """Decode, dead-letter the malformed, hand the rest over, ack what was handled."""
        gone = [e.id for e in entries if not e.fields]
        if gone:  # trimmed or deleted while pending
            await self.redis.xack(route.stream, self.group, *gone)
        decoded: list[tuple[Entry, Any]] = []
        for entry in (e for e in entries if e.fields):
            if entry.deliveries > self.options.max_deliveries:  # its handler never returned
                await self._dead_letter(route, [entry], "abandoned: no delivery finished")
                continue
            try:
                decoded.append(
                    (entry, route.adapter.validate_json(entry.fields[DATA_FIELD.encode()]))
                )
            except (KeyError, ValueError) as error:
                await self._dead_letter(route, [entry], f"malformed event: {error}")
        if route.batch and decoded:
            await self._handle(route, decoded)
            return
        for pair in decoded:
            if self.stopping.is_set():
                return  # the rest stay pending: read again on restart, or claimed
            await self._handle(route, [pair])

    async def _handle(self, route: Route, pairs: list[tuple[Entry, Any]]) -> None:
        events = [event for _, event in pairs]
        try:
            await route.handle(events if route.batch else events[0])
        except REDIS_DOWN:
            raise  # not the event's fault: read again once Redis is back
        except Exception as error:
            if len(pairs) > 1:  # find the poisonous one: one at a time
                for pair in pairs:
                    await self._handle(route, [pair])
                return
            entry, event = pairs[0]
            log.exception(
                "handler failed (delivery %d of %d)",
                entry.deliveries,
                self.options.max_deliveries,
                extra=_context(event, route.stream),
            )
            if entry.deliveries >= self.options.max_deliveries:
                await self._dead_letter(route, [entry], f"{type(error).__name__}: {error}")
            return
        await self.redis.xack(route.stream, self.group, *[e.id for e, _ in pairs])

    async def _dead_letter(self, route: Route, entries: list[Entry], error: str) -> None:
        """Move entries to the dead-letter stream and ack them, in one transaction."""
        async with self.redis.pipeline(transaction=True) as pipe:
            for entry in entries:
                pipe.xadd(
                    DEAD_LETTERS_STREAM,
                    {
                        "stream": route.stream,
                        "group": self.group,
                        "entry_id": entry.id,
                        "error": error[:2000],
                        "deliveries": str(entry.deliveries),
                        "failed_at": utcnow().isoformat(),
                        "payload": entry.payload(),
                    },
                )
            pipe.xack(route.stream, self.group, *[e.id for e in entries])
            await pipe.execute()
        for entry in entries:
            log.error("dead-lettered %s: %s", entry.id, error, extra={"path": route.stream})

    async def _keep(
        self,
        step: Callable[[], Awaitable[float]],
        after_outage: Callable[[], None] | None = None,
        *,
        pause: float = 0.0,
        once: bool = False,
    ) -> None:
        """Run `step` until stopped (or, with `once`, until it succeeds), riding out Redis."""
        backoff = 0.1
        if pause:
            await self._sleep(pause)
        while not self.stopping.is_set():
            try:
                wait = await step()
            except REDIS_DOWN as error:
                self._redis_away(error)
                if after_outage:
                    after_outage()
                wait, backoff = backoff, min(backoff * 2, MAX_BACKOFF_S)
            except ResponseError as error:
                # NOGROUP: the group is gone; UNBLOCKED: the stream went while we waited.
                if not any(tag in str(error) for tag in ("NOGROUP", "UNBLOCKED")):
                    raise
                log.warning("consumer group %s is gone; creating it again", self.group)
                with contextlib.suppress(*REDIS_DOWN):
                    await ensure_groups(self.redis, self.group)
                if after_outage:
                    after_outage()
                wait = 0.0
            else:
                self._down_since = None
                backoff = 0.1
                if once:
                    return
            await self._sleep(wait)

    def _redis_away(self, error: BaseException) -> None:
        now = time.monotonic()
        if self._down_since is None:
            self._down_since = now
            log.warning("redis unreachable (%s); retrying", type(error).__name__)
        elif now - self._down_since > self.options.redis_give_up_s:
            log.critical("redis unreachable for %.0f s; giving up", now - self._down_since)
            self.exit_code = 1
            self.stop()

    async def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), seconds)


def _context(event: Any, stream: str) -> dict[str, str]:
    return {
        "event_id": getattr(event, "event_id", ""),
        "article_id": getattr(event, "article_id", ""),
        "event_type": getattr(event, "type", ""),
        "path": stream,
    }
