"""Keeps the feed files in step with the store."""

import logging

from services.feeds import feed
from services.feeds.feed import FeedInfo
from shared.events import ArticleChanged
from shared.files import write_versioned
from shared.settings import Settings
from shared.store import HOME, ArticleStore

log = logging.getLogger(__name__)


class FeedPublisher:
    """Rewrites the feeds an article event touches (only files whose content changed)."""

    def __init__(self, store: ArticleStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    async def apply(self, event: ArticleChanged) -> None:
        """Rebuild the site feeds from the store."""
        revision = await self.store.revision()  # before any read the feeds are built from
        urls = self.store.urls
        info = FeedInfo(
            title=self.settings.site_name,
            description=f"Последние публикации — {self.settings.site_name}",
            page_url="/",
            rss_url=urls.rss,
            atom_url=urls.atom,
        )
        articles = await self.store.latest(HOME, 0, self.settings.feed_size)
        args = (info, articles, self.settings.base_url, self.settings.language)
        root = self.settings.public_dir
        write_versioned(root, info.rss_url, feed.rss(*args), revision)
        write_versioned(root, info.atom_url, feed.atom(*args), revision)
        log.info(
            "feeds written", extra={"event_id": event.event_id, "article_id": event.article_id}
        )
