"""Cancelling background tasks for sure.

On Python 3.11, `asyncio.wait_for` can swallow a cancellation that arrives just as what it
waits for completes (CPython issue 86296, fixed in 3.12), and redis-py sends every command
through it when a socket timeout is set: a task cancelled while it sends a command may go on
as if never cancelled, and whoever waits for it waits for ever (a consumer that logged
"shut down gracefully" and never exited). So a task is cancelled again until it has ended,
as anyio's cancel scopes do.
"""

import asyncio
from collections.abc import Iterable
from typing import Any

# How long a cancelled task may take to end before it is cancelled again.
AGAIN_AFTER_S = 0.1


async def cancel_and_wait(tasks: Iterable[asyncio.Future[Any]]) -> None:
    """Cancel `tasks` and return once every one has ended (their outcomes are discarded);
    a task that goes on after a cancellation is cancelled again."""
    every = set(tasks)
    pending = {task for task in every if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=AGAIN_AFTER_S)
    await asyncio.gather(*every, return_exceptions=True)
