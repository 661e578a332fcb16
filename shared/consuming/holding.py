"""Entries in work stay with their consumer: a long batch is not taken over while it runs.

A claimer (shared.consuming.delivery) takes over entries idle longer than `claim_idle_ms`.
A batch worked like a rebuild (a backlog) can take longer than that while its consumer is
alive and busy; it would then be handled twice at once, and each claim would count one more
delivery towards the dead letters. While a handler works, `holding` claims its entries for
its own consumer again every third of `claim_idle_ms` (XCLAIM JUSTID: the idle time goes back
to 0, no delivery is counted). It stops after `max_deliveries` × `claim_idle_ms`, so a handler
stuck longer than that is taken over as before; a consumer that dies stops holding at once.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.consuming.options import Options


@contextlib.asynccontextmanager
async def holding(
    redis: Redis, stream: str, group: str, ids: Sequence[str], options: Options
) -> AsyncIterator[None]:
    """Keep the entries `ids` of `stream` claimed by this consumer while the block runs."""
    task = asyncio.create_task(_hold(redis, stream, group, ids, options))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _hold(
    redis: Redis, stream: str, group: str, ids: Sequence[str], options: Options
) -> None:
    every = options.claim_idle_ms / 3000
    for _ in range(3 * options.max_deliveries):
        await asyncio.sleep(every)
        with contextlib.suppress(RedisError, OSError):  # Redis away: the guard deals with it
            await redis.xclaim(
                stream,
                group,
                options.consumer,
                min_idle_time=0,
                message_ids=list(ids),
                justid=True,
            )
