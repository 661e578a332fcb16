"""Running a consumer service in the test's own event loop."""

import asyncio

from shared.consuming.service import ConsumerService
from tests.support.timing import eventually


async def running(service: ConsumerService, seconds: float) -> asyncio.Task[int]:
    """The service's run, once its subscribers read (or it has already ended)."""
    task = asyncio.create_task(service.run())
    await eventually(lambda: service.broker.running or task.done(), seconds)
    return task
