"""How long tests wait: every deadline and timeout is scaled by one factor from the environment.

A slow or loaded machine sets `NEWSROOM_TEST_TIME_FACTOR` (default 1, e.g. 3) and gets that
many times more time everywhere, without editing a test.
"""

import asyncio
import inspect
import os
from collections.abc import Awaitable, Callable

FACTOR_VARIABLE = "NEWSROOM_TEST_TIME_FACTOR"


def time_factor() -> float:
    """The factor from the environment; a positive number, 1 when unset."""
    factor = float(os.environ.get(FACTOR_VARIABLE) or 1)
    if factor <= 0:
        raise ValueError(f"{FACTOR_VARIABLE} must be positive, not {factor}")
    return factor


def scaled(seconds: float) -> float:
    """`seconds` times the time factor: use it for every deadline and timeout in tests."""
    return seconds * time_factor()


async def eventually(check: Callable[[], bool | Awaitable[bool]], seconds: float) -> None:
    """Poll `check` (plain or async) until it holds; fail after `seconds` (scaled)."""
    async with asyncio.timeout(scaled(seconds)):
        while True:
            result = check()
            if await result if inspect.isawaitable(result) else result:
                return
            await asyncio.sleep(0.02)
