"""Background tasks are cancelled for sure, even one that swallows a cancellation (as
asyncio.wait_for may on Python 3.11 when what it waits for completes at that moment)."""

import asyncio

from shared.cancelling import cancel_and_wait
from tests.support.timing import scaled


async def swallows_once(swallowed: list[int]) -> None:
    """Waits; takes its first cancellation for a finished wait and waits again."""
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        swallowed.append(1)
    await asyncio.sleep(3600)


async def test_one_cancellation_is_not_enough_for_a_task_that_swallows_it():
    swallowed: list[int] = []
    task = asyncio.create_task(swallows_once(swallowed))
    await asyncio.sleep(0)
    task.cancel()
    _, pending = await asyncio.wait({task}, timeout=0.3)
    assert pending == {task} and swallowed == [1]
    await cancel_and_wait([task])


async def test_a_task_is_cancelled_again_until_it_has_ended():
    swallowed: list[int] = []
    task = asyncio.create_task(swallows_once(swallowed))
    await asyncio.sleep(0)
    await asyncio.wait_for(cancel_and_wait([task]), scaled(5))
    assert task.cancelled() and swallowed == [1]


async def test_tasks_already_ended_or_failed_are_waited_for_quietly():
    async def fails() -> None:
        raise RuntimeError("boom")

    failed = asyncio.create_task(fails())
    finished = asyncio.create_task(asyncio.sleep(0))
    sleeping = asyncio.create_task(asyncio.sleep(3600))
    await asyncio.sleep(0.01)
    await cancel_and_wait([failed, finished, sleeping])
    assert failed.done() and not failed.cancelled()
    assert finished.done() and not finished.cancelled()
    assert sleeping.cancelled()
