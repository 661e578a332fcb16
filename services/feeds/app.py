"""The feeds service: a FastStream app in the feeds group of the articles and views streams."""

from collections.abc import Sequence

from faststream import FastStream

from services.feeds.popular import popular_publisher
from services.feeds.publisher import FeedPublisher
from services.feeds.rebuild import rebuild_feeds
from services.feeds.views import ViewCounter
from services.feeds.websub import HubNotifier
from shared.consumer_app import ConsumerGuard
from shared.delivery import Options, consumer_broker, consumer_redis, subscribe_reliably
from shared.events import ArticleChanged, ArticleEvent, ArticleViewed
from shared.settings import Settings
from shared.site_keeper import Progress, SiteKeeper
from shared.store import open_store
from shared.topology import ARTICLES_STREAM, FEEDS_GROUP, VIEWS_STREAM

VIEWS_BATCH = 500


def rebuild_all_feeds(settings: Settings, progress: Progress) -> object:
    """`newsroom rebuild --no-pages`, from a thread of the service: the feeds of every list."""
    return rebuild_feeds(settings, show_progress=False, on_progress=progress)


def create_app(settings: Settings) -> tuple[FastStream, ConsumerGuard]:
    """The app rewriting feeds on article events and the most-read lists on views."""
    options = Options.from_settings(settings)
    redis = consumer_redis(settings)
    store = open_store(settings, redis)
    popular = popular_publisher(redis, store, settings)
    notifier = HubNotifier(settings.websub_hub) if settings.websub_hub else None
    publisher = FeedPublisher(store, settings, notifier, popular.request)
    counter = ViewCounter(redis, settings.views_repeat_window_s)
    keeper = SiteKeeper(
        "feeds",
        store,
        settings,
        options.consumer,
        landmark=store.urls.rss,
        rebuild=rebuild_all_feeds,
    )

    async def on_article(event: ArticleChanged) -> None:
        """Move the article's view total as it leaves or returns; rewrite its feeds."""
        await counter.follow(event)
        await publisher.apply(event)

    async def on_views(views: Sequence[ArticleViewed]) -> None:
        """Apply a batch of views to the buckets (acked once in Redis); refresh lists soon."""
        await counter.apply(views)
        popular.request()

    broker = consumer_broker(settings)
    subscribe_reliably(
        broker,
        ARTICLES_STREAM,
        FEEDS_GROUP,
        keeper.recording(on_article),
        ArticleEvent,
        options=options,
    )
    subscribe_reliably(
        broker,
        VIEWS_STREAM,
        FEEDS_GROUP,
        keeper.gated(on_views),
        ArticleViewed,
        batch=True,
        max_records=VIEWS_BATCH,
        options=options,
    )
    guard = ConsumerGuard(redis, FEEDS_GROUP, options, keeper)
    app = guard.app_for(broker)

    @app.after_startup
    async def first_lists() -> None:
        """Publish the most-read lists once at start, from the counts already in Redis."""
        popular.request()

    @app.on_shutdown
    async def stop_background() -> None:
        """Stop the throttled writer and pending hub pings."""
        await popular.close()
        if notifier is not None:
            await notifier.close()

    return app, guard
