"""The most-read files are refreshed soon after views arrive, but not on every batch."""

import asyncio
import itertools
import time

from services.feeds.popular import Throttled
from tests.support.timing import eventually, scaled


async def test_requests_are_folded_into_at_most_one_run_per_interval():
    runs: list[float] = []

    async def publish() -> None:
        runs.append(time.monotonic())

    throttled = Throttled(publish, interval=0.2)

    # Batches arrive every 10 ms for half a second.
    start = time.monotonic()
    for _ in range(50):
        throttled.request()
        await asyncio.sleep(0.01)
    last_request = time.monotonic()

    # The last batch is never left unpublished...
    await eventually(lambda: runs[-1] >= last_request - 0.2, 1)
    # ...the first was published at once, then at most once per interval.
    elapsed = last_request - start
    assert runs[0] - start < scaled(0.1)
    assert 2 <= len(runs) <= elapsed / 0.2 + 2
    assert all(b - a >= 0.19 for a, b in itertools.pairwise(runs))
    await throttled.close()


async def test_a_failed_run_is_retried():
    attempts = 0

    async def publish() -> None:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise ConnectionError("redis went away")

    throttled = Throttled(publish, interval=0.05)
    throttled.request()
    await eventually(lambda: attempts >= 2, 1)
    await asyncio.sleep(0.1)  # two more intervals: no third attempt follows a success
    assert attempts == 2
    await throttled.close()
