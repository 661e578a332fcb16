"""A graceful stop with a deadline.

SIGTERM or SIGINT asks the app to stop: the handlers in hand finish, the lifespan ends and
the process exits with the guard's code. A stop still running `deadline_s` later is a bug
(a task that swallowed its cancellation, a hook that waits for ever), but it must not leave
a half-stopped replica behind that holds its port and reads nothing: the process logs where
each of its tasks waits and exits with 1. Nothing is lost by it: an event not acknowledged
is delivered again.
"""

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

log = logging.getLogger(__name__)


def stop_on_signals(stop: Callable[[], None], deadline_s: float) -> None:
    """On SIGTERM or SIGINT call `stop`; end the process with 1 if it still runs
    `deadline_s` later."""
    loop = asyncio.get_running_loop()
    deadline: list[asyncio.TimerHandle] = []

    def stopping() -> None:
        stop()
        if not deadline:
            deadline.append(loop.call_later(deadline_s, overdue, deadline_s))

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping)


def overdue(deadline_s: float) -> None:
    """Log where every unfinished task of the running loop waits, and exit with 1 at once."""
    waits = [
        f"{task.get_name()}: {' > '.join(_frames(task.get_coro()))}"
        for task in asyncio.all_tasks()
        if not task.done()
    ]
    log.critical(
        "still running %.0f s after the stop; exiting with 1. Waiting: %s",
        deadline_s,
        "; ".join(waits),
    )
    logging.shutdown()
    os._exit(1)


def _frames(awaitable: Any) -> Iterator[str]:
    """`function (file:line)` of each coroutine in the chain `awaitable` waits through."""
    while awaitable is not None:
        frame: FrameType | None = getattr(awaitable, "cr_frame", None) or getattr(
            awaitable, "gi_frame", None
        )
        if frame is not None:
            code = frame.f_code
            yield f"{code.co_name} ({Path(code.co_filename).name}:{frame.f_lineno})"
        awaitable = getattr(awaitable, "cr_await", None) or getattr(awaitable, "gi_yieldfrom", None)
