"""Publishes scheduled articles when their time comes, also after a restart."""

import asyncio
import contextlib
import logging

from shared.store import ArticleStore

log = logging.getLogger(__name__)


async def run_scheduler(store: ArticleStore, stop: asyncio.Event, interval: float = 0.25) -> None:
    """Every `interval` seconds, publish what is due, until `stop` is set.

    Survives Redis being away. Stopping waits for the pass under way instead of cancelling
    it in the middle of a Redis command.
    """
    while not stop.is_set():
        try:
            for article in await store.publish_due():
                log.info("scheduled article published", extra={"article_id": article.id})
        except Exception:
            log.exception("scheduler pass failed; retrying")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)
