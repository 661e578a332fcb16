"""Where the consumer runtime leans on FastStream's internals (the only module that does).

- `PlainJson`: the streams' entries are the event's JSON itself in `__data__`
  (shared.events.encode), not a FastStream envelope (`MessageFormat` is not exported);
- `parse_any_entry` / `undecoded`: a subscriber's parser and decoder that let every entry
  through to shared.consuming.delivery, which decodes and dead-letters itself (building a
  message needs `FAKE_CONSUMER`);
- `ConsumerApp`: FastStream's ASGI app, its HTTP routes served apart from its lifecycle, which
  `run` drives as `FastStream.run` does (its `_startup` and `_shutdown`).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from faststream.asgi import AsgiFastStream
from faststream.redis.message import FAKE_CONSUMER, RedisBatchStreamMessage, RedisStreamMessage
from faststream.redis.parser.message import MessageFormat

from shared.events import DATA_FIELD


class PlainJson(MessageFormat):
    """The body of an entry is its `__data__` as it is: no envelope to try first."""

    @classmethod
    async def encode(cls, **_: Any) -> bytes:
        """Consumers publish nothing through FastStream."""
        raise NotImplementedError

    @classmethod
    def parse(cls, data: bytes) -> tuple[bytes, dict[str, Any]]:
        """The body, and no headers."""
        return data, {}


async def parse_any_entry(message: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
    """A message whose body is only read by logs and metrics: delivery decodes the raw
    entries itself (and dead-letters what it cannot read).

    A batch's body is its entries' JSON joined into an array, not decoded and encoded again
    as FastStream's parser would; a single entry goes through FastStream's parser, or becomes
    a bare message when it cannot be read (fields that are not UTF-8 make it raise).
    """
    if message["type"] == "bstream":
        bodies = [entry.get(DATA_FIELD.encode(), b"null") for entry in message["data"]]
        return RedisBatchStreamMessage(
            message, b"[" + b",".join(bodies) + b"]", consumer=FAKE_CONSUMER, group=None
        )
    try:
        return await original(message)
    except (ValueError, TypeError):
        return RedisStreamMessage(message, b"", consumer=FAKE_CONSUMER, group=None)


async def undecoded(message: Any, _original: Callable[[Any], Awaitable[Any]]) -> Any:
    """The body as it is: the handlers take the message, and delivery decodes its entries
    (decoding a batch's body here too would parse every event twice)."""
    return message.body


class ConsumerApp(AsgiFastStream):
    """An `AsgiFastStream` whose HTTP routes answer from the process's start.

    uvicorn serves it without the ASGI lifespan (shared.consuming.http), which would hold the
    port closed until the broker started (after the groups and a site rebuild); `run` runs
    the lifespan, the startup hooks and the broker instead, until `exit`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stopping = asyncio.Event()

    def exit(self) -> None:
        """Stop: the handlers in hand finish, then `run` returns (SIGTERM, a failed guard,
        a subscriber stopped on a terminal error)."""
        self.stopping.set()

    async def run(
        self, log_level: int = logging.INFO, run_extra_options: dict[str, Any] | None = None
    ) -> None:
        """Lifespan, startup hooks and broker until `exit`; a failure raises (ungrouped)."""
        async with self.lifespan_context(**(run_extra_options or {})):
            try:
                async with anyio.create_task_group() as tasks:
                    tasks.start_soon(self._startup, log_level, run_extra_options)
                    await self.stopping.wait()
                    await self._shutdown(log_level)
                    tasks.cancel_scope.cancel()
            except ExceptionGroup as group:
                raise group.exceptions[0] from None
