"""A consumer service whose periodic step swallows its cancellation, so that its stop never
ends by itself (tests/reliability/test_stop_deadline.py runs it as a process)."""

import asyncio
import logging

from shared.consuming.service import ConsumerService, serve
from shared.settings import Settings
from shared.topology import RENDER_GROUP

log = logging.getLogger(__name__)


def create(settings: Settings) -> ConsumerService:
    """A render-group consumer with one stubborn step and no handler."""
    service = ConsumerService("stubborn", RENDER_GROUP, settings)

    async def stubborn_step() -> None:
        log.warning("stubborn step started")
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                log.warning("stubborn step cancelled; going on")

    service.every(0.1, stubborn_step)
    return service


if __name__ == "__main__":
    serve(create, default_port=0)
