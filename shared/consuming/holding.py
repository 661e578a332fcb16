"""Entries in work stay with their consumer: a long batch is not taken over while it runs.

A claimer (shared.consuming.delivery) takes over entries idle longer than `claim_idle_ms`.
A batch worked like a rebuild (a backlog) can take longer than that while its consumer is
alive and busy; it would then be handled twice at once, and each claim would count one more
delivery towards the dead letters. While a handler works, `holding` claims its entries for
its own consumer again every third of `claim_idle_ms` (XCLAIM JUSTID: the idle time goes back
to 0, no delivery is counted), those it still owns only: an entry another consumer took over
meanwhile (this one stalled) stays with it. It stops after `max_deliveries` × `claim_idle_ms`,
so a handler stuck longer than that is taken over as before; a consumer that dies stops
holding at once.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence

from redis.asyncio import Redis
from redis.exceptions import RedisError

from shared.cancelling import cancel_and_wait
from shared.consuming.options import Options

# KEYS: the stream. ARGV: group, consumer, then the entry ids. Claims again (idle 0, JUSTID)
# the entries still pending with this consumer; answers how many.
_HOLD = """
local mine = {}
for i = 3, #ARGV do
  if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2]) == 1 then
    mine[#mine + 1] = ARGV[i]
  end
end
for first = 1, #mine, 1000 do
  local ids = {}
  for i = first, math.min(first + 999, #mine) do ids[#ids + 1] = mine[i] end
  ids[#ids + 1] = 'JUSTID'
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(ids))
end
return #mine
"""


@contextlib.asynccontextmanager
async def holding(
    redis: Redis, stream: str, group: str, ids: Sequence[str], options: Options
) -> AsyncIterator[None]:
    """Keep the entries `ids` of `stream` claimed by this consumer while the block runs."""
    task = asyncio.create_task(_hold(redis, stream, group, ids, options))
    try:
        yield
    finally:
        await cancel_and_wait([task])


async def _hold(
    redis: Redis, stream: str, group: str, ids: Sequence[str], options: Options
) -> None:
    hold = redis.register_script(_HOLD)
    every = options.claim_idle_ms / 3000
    for _ in range(3 * options.max_deliveries):
        await asyncio.sleep(every)
        with contextlib.suppress(RedisError, OSError):  # Redis away: the guard deals with it
            await hold(keys=[stream], args=[group, options.consumer, *ids])
