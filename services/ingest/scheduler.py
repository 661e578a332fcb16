"""Publishes scheduled articles when their time comes, also after a restart."""

import asyncio
import logging

from shared.store import ArticleStore

log = logging.getLogger(__name__)


async def run_scheduler(store: ArticleStore, interval: float = 0.25) -> None:
    """Every `interval` seconds, publish what is due; survive Redis being away."""
    while True:
        try:
            for article in await store.publish_due():
                log.info("scheduled article published", extra={"article_id": article.id})
        except Exception:
            log.exception("scheduler pass failed; retrying")
        await asyncio.sleep(interval)
