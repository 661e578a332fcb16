"""The feeds service: a consumer in the feeds group of the articles stream and of every views
partition's stream."""

from collections.abc import Sequence

from services.feeds.popular import popular_publisher
from services.feeds.publisher import FeedPublisher
from services.feeds.rebuild import rebuild_feeds
from services.feeds.views import ViewCounter
from services.feeds.views_migration import migrate_views
from services.feeds.websub import HubNotifier
from shared.consuming.service import ConsumerService, Site
from shared.events import ArticleEvent, ArticleViewed
from shared.settings import Settings
from shared.site_keeper import Progress
from shared.topology import ARTICLES_STREAM, FEEDS_GROUP
from shared.urls import UrlScheme

VIEWS_BATCH = 500
# Each feed a batch touches is written once (a backlog as large as a good part of the site is
# worked as a full rebuild, shared.site_keeper). A batch's work grows with the lists it
# touches (at most every list of the site) more than with its events; its entries stay
# claimed while it runs (shared.consuming.holding).
ARTICLES_BATCH = 5000


def rebuild_all_feeds(settings: Settings, progress: Progress) -> object:
    """`newsroom rebuild --no-pages`, from a thread of the service: the feeds of every list."""
    return rebuild_feeds(settings, show_progress=False, on_progress=progress)


def create_app(settings: Settings) -> ConsumerService:
    """The service rewriting feeds on article events and the most-read lists on views."""
    site = Site(UrlScheme.rss, rebuild_all_feeds)
    service = ConsumerService("feeds", FEEDS_GROUP, settings, site=site)
    popular = popular_publisher(service.redis, service.store, settings)
    notifier = HubNotifier(settings.websub_hub) if settings.websub_hub else None
    publisher = FeedPublisher(service.store, settings, notifier, popular.request)
    counter = ViewCounter(service.redis, settings.layout, settings.views_repeat_window_s)

    async def follow_views(events: Sequence[ArticleEvent]) -> None:
        """Move each article's view total as it leaves or returns, in order."""
        for event in events:
            await counter.follow(event)

    async def rebuilt(events: Sequence[ArticleEvent]) -> None:
        """A batch a full rebuild covered: view totals moved, the most-read lists refreshed."""
        await follow_views(events)
        popular.request()

    @service.subscriber(ARTICLES_STREAM, batch=True, max_records=ARTICLES_BATCH, covered=rebuilt)
    async def on_articles(events: Sequence[ArticleEvent]) -> None:
        """Move view totals, then rewrite the feeds the batch touches, each once."""
        await follow_views(events)
        await publisher.apply(events)

    async def on_views(views: Sequence[ArticleViewed]) -> None:
        """Apply a batch of views to the buckets (acked once in Redis); refresh lists soon."""
        await counter.apply(views)
        popular.request()

    for stream in settings.layout.views_streams():  # every replica reads every partition
        service.subscriber(stream, batch=True, max_records=VIEWS_BATCH)(on_views)

    @service.app.on_startup
    async def old_views() -> None:
        """Move the totals of a deployment from before the views partitions into them."""
        await migrate_views(service.redis, settings.layout)

    @service.app.after_startup
    async def first_lists() -> None:
        """Publish the most-read lists once at start, from the counts already in Redis."""
        popular.request()

    @service.app.after_shutdown
    async def stop_background() -> None:
        """Once the handlers are done (the broker stopped): stop the throttled writer and
        pending hub pings, which a last batch may still have asked for."""
        await popular.close()
        if notifier is not None:
            await notifier.close()

    return service
