"""At-least-once delivery through FastStream `RedisBroker` subscribers, for render and feeds.

`subscribe_reliably(broker, stream, group, handler, event_type, batch=…, max_records=…,
options=…)` (called by shared.consuming.service) declares two subscribers in the group, both
with `ack_policy=AckPolicy.MANUAL`, whose handlers take the raw `RedisStreamMessage` (or the
batch one) and do the acknowledging themselves:

- a reader, `StreamSub(stream, group, consumer, max_records=N)`: XREADGROUP `>`, new entries
  only, at most N at a time (without `max_records` one read would take the whole backlog);
- a claimer, the same with `min_idle_time=claim_idle_ms`: XAUTOCLAIM, one entry at a time,
  of entries idle that long, whoever holds them. It takes over the work of a crashed replica,
  entries whose handler raised (FastStream redelivers nothing by itself) and, after a
  restart, this consumer's own old pending entries (a FastStream reader cannot re-read them:
  with `last_id="0"` it would read the history again and again and never anything new).

Each entry is validated here with the event's pydantic TypeAdapter rather than by FastStream
(whose validation errors happen before any code of ours), and a subscriber parser lets
through the entries FastStream's own parser chokes on (fields that are not UTF-8): one that
is not an event goes to the dead letters at once. Events go to the domain handler (a list of
up to N with `batch`); the entries are acked (XACK) only after it returned, so only once
the output is on disk, and are kept claimed while it works (shared.consuming.holding).
If it raises, a batch is retried in halves, down to single events, to find the poisonous
ones (a few handler calls per poisonous event, however large the batch); a failed event
stays pending for a claimer, and goes to the dead letters once it has been delivered
`max_deliveries` times (XPENDING's count, which every XAUTOCLAIM raises), as does one
delivered more often than that without an answer (its handler keeps killing its consumer).
The handler then marks the FastStream message nacked (something stays pending) or rejected
(something was dead-lettered), so FastStream's metrics middleware counts what happened.
Dead letters keep the format of the contract (shared.consuming.dead_letters).
"""

import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from faststream.middlewares import AckPolicy
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import Redis, RedisMessage
from pydantic import TypeAdapter
from redis.asyncio import Redis as RedisClient

from shared.consuming.connections import READ_BLOCK_MS
from shared.consuming.dead_letters import give_up
from shared.consuming.faststream_adapter import parse_any_entry, undecoded
from shared.consuming.holding import holding
from shared.consuming.options import Options
from shared.events import DATA_FIELD
from shared.metrics import EVENTS_FAILED, EVENTS_HANDLED
from shared.redis_client import as_text

log = logging.getLogger(__name__)

Handler = Callable[[Any], Awaitable[None]]
# Ids of the stream entries the handler running now was given (shared.site_keeper
# records the newest one a service applied).
HANDLED_ENTRIES: ContextVar[tuple[str, ...]] = ContextVar("handled_entries", default=())


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


def subscribe_reliably(
    broker: RedisBroker,
    stream: str,
    group: str,
    handler: Handler,
    event_type: Any,
    *,
    batch: bool = False,
    max_records: int = 10,
    options: Options,
) -> "Delivery":
    """Declare a reader and a claimer of `stream` in `group` handing events to `handler`.

    `handler` gets one event decoded as `event_type` (with `batch`, a list of up to
    `max_records`). It must be idempotent: an event can come again after a crash, so it
    should rebuild output from the store, writing with shared.public_writer.
    """
    delivery = Delivery(stream, group, TypeAdapter(event_type), handler, batch, options)
    common: dict[str, Any] = {
        "group": group,
        "consumer": options.consumer,
        "batch": batch,
        "max_records": max_records,
    }
    reader = broker.subscriber(
        stream=StreamSub(stream, polling_interval=READ_BLOCK_MS, **common),
        ack_policy=AckPolicy.MANUAL,
        parser=parse_any_entry,
        decoder=undecoded,
        title=f"{group}:{stream}:read",
    )
    claimer = broker.subscriber(
        stream=StreamSub(
            stream,
            polling_interval=options.claim_every_ms,
            min_idle_time=options.claim_idle_ms,
            **common,
        ),
        ack_policy=AckPolicy.MANUAL,
        parser=parse_any_entry,
        decoder=undecoded,
        title=f"{group}:{stream}:claim",
    )

    @reader
    async def read(message: RedisMessage, redis: Redis) -> None:
        await _settle(message, await delivery.process(redis, delivery.entries(message)))

    @claimer
    async def claim(message: RedisMessage, redis: Redis) -> None:
        entries = await delivery.counted(redis, delivery.entries(message))
        await _settle(message, await delivery.process(redis, entries))

    return delivery


@dataclass(frozen=True)
class Delivery:
    """What happens to the entries of one stream a group reads: decode, handle, ack."""

    stream: str
    group: str
    adapter: TypeAdapter[Any]
    handle: Handler
    batch: bool
    options: Options

    def entries(self, message: Any) -> list[Entry]:
        """The entries a FastStream message (single or batch) carries, as first delivered."""
        raw = message.raw_message
        data = raw["data"] if isinstance(raw["data"], list) else [raw["data"]]
        ids = [as_text(i) for i in raw["message_ids"]]
        return [Entry(i, f or {}, 1) for i, f in zip(ids, data, strict=True)]

    async def counted(self, redis: RedisClient, entries: list[Entry]) -> list[Entry]:
        """Entries with their delivery counts from XPENDING (claiming raised them)."""
        if not entries:
            return entries
        pending = await redis.xpending_range(
            self.stream,
            self.group,
            min=entries[0].id,
            max=entries[-1].id,
            count=max(100, 2 * len(entries)),
            consumername=self.options.consumer,
        )
        counts = {as_text(p["message_id"]): int(p["times_delivered"]) for p in pending}
        return [Entry(e.id, e.fields, counts.get(e.id, 1)) for e in entries]

    async def process(self, redis: RedisClient, entries: list[Entry]) -> "Outcome":
        """Dead-letter the malformed and the abandoned, hand the rest over, ack the handled.

        Returns the worst that happened to an entry.
        """
        gone = [e.id for e in entries if not e.fields]
        if gone:  # trimmed or deleted while pending
            await redis.xack(self.stream, self.group, *gone)
        outcome = Outcome.ACKED
        decoded: list[tuple[Entry, Any]] = []
        for entry in (e for e in entries if e.fields):
            if entry.deliveries > self.options.max_deliveries:  # its handler never returned
                outcome = await self.dead_letter(redis, entry, "abandoned: no delivery finished")
                continue
            try:
                event = self.adapter.validate_json(entry.fields[DATA_FIELD.encode()])
            except (KeyError, ValueError) as error:
                EVENTS_FAILED.labels(self.group, "malformed").inc()
                outcome = await self.dead_letter(redis, entry, f"malformed event: {error}")
            else:
                decoded.append((entry, event))
        groups = [decoded] if self.batch and decoded else [[pair] for pair in decoded]
        return max([outcome, *[await self._handle(redis, pairs) for pairs in groups]])

    async def _handle(self, redis: RedisClient, pairs: list[tuple[Entry, Any]]) -> "Outcome":
        events = [event for _, event in pairs]
        HANDLED_ENTRIES.set(tuple(entry.id for entry, _ in pairs))
        try:
            async with holding(redis, self.stream, self.group, HANDLED_ENTRIES.get(), self.options):
                await self.handle(events if self.batch else events[0])
        except Exception as error:
            if len(pairs) > 1:  # find the poisonous ones: each half again, down to one event
                half = len(pairs) // 2
                return max(
                    [await self._handle(redis, part) for part in (pairs[:half], pairs[half:])]
                )
            entry, event = pairs[0]
            EVENTS_FAILED.labels(self.group, event.type).inc()
            log.exception(
                "handler failed (delivery %d of %d)",
                entry.deliveries,
                self.options.max_deliveries,
                extra=_context(event, self.stream),
            )
            if entry.deliveries >= self.options.max_deliveries:
                return await self.dead_letter(redis, entry, f"{type(error).__name__}: {error}")
            return Outcome.PENDING  # for a claimer
        await redis.xack(self.stream, self.group, *[e.id for e, _ in pairs])
        for event_type, count in Counter(event.type for event in events).items():
            EVENTS_HANDLED.labels(self.group, event_type).inc(count)
        return Outcome.ACKED

    async def dead_letter(self, redis: RedisClient, entry: Entry, error: str) -> "Outcome":
        """Move an entry to the dead-letter stream and ack it, in one transaction."""
        await give_up(
            redis,
            self.stream,
            self.group,
            entry.id,
            payload=entry.payload(),
            deliveries=entry.deliveries,
            error=error,
        )
        log.error("dead-lettered %s: %s", entry.id, error, extra={"path": self.stream})
        return Outcome.DEAD_LETTERED


class Outcome(IntEnum):
    """What became of a message's entries, worst last."""

    ACKED = 0
    DEAD_LETTERED = 1
    PENDING = 2


async def _settle(message: Any, outcome: Outcome) -> None:
    """Tell FastStream (and its metrics middleware) how it went: the XACKs are done."""
    if outcome is Outcome.PENDING:
        await message.nack()
    elif outcome is Outcome.DEAD_LETTERED:
        await message.reject()


def _context(event: Any, stream: str) -> dict[str, str]:
    return {
        "event_id": getattr(event, "event_id", ""),
        "article_id": getattr(event, "article_id", ""),
        "event_type": getattr(event, "type", ""),
        "path": stream,
    }
