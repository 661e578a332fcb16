"""The feeds service: a FastStream app in the feeds group of the articles and views streams."""

from faststream import FastStream

from services.feeds.publisher import FeedPublisher
from services.feeds.views import ViewCounter
from shared.consumer_app import ConsumerGuard
from shared.delivery import Options, consumer_broker, consumer_redis, subscribe_reliably
from shared.events import ArticleEvent, ArticleViewed
from shared.settings import Settings, get_settings
from shared.store import ArticleStore
from shared.topology import ARTICLES_STREAM, FEEDS_GROUP, VIEWS_STREAM
from shared.urls import UrlScheme


def create_app(settings: Settings) -> tuple[FastStream, ConsumerGuard]:
    """The app rewriting feeds on article events and counts on views."""
    options = Options.from_settings(settings)
    redis = consumer_redis(settings)
    publisher = FeedPublisher(ArticleStore(redis, UrlScheme(timezone=settings.timezone)), settings)
    counter = ViewCounter(redis, settings)
    broker = consumer_broker(settings)
    subscribe_reliably(
        broker, ARTICLES_STREAM, FEEDS_GROUP, publisher.apply, ArticleEvent, options=options
    )
    subscribe_reliably(
        broker,
        VIEWS_STREAM,
        FEEDS_GROUP,
        counter.apply,
        ArticleViewed,
        batch=True,
        max_records=500,
        options=options,
    )
    guard = ConsumerGuard(redis, FEEDS_GROUP, options)
    return guard.app_for(broker), guard


async def main() -> int:
    """Consume until SIGTERM; the exit code (1 when Redis could not be recovered)."""
    _, guard = create_app(get_settings())
    return await guard.run()
