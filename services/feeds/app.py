"""The feeds service: a consumer in the feeds group of the articles and views streams."""

from services.feeds.publisher import FeedPublisher
from services.feeds.views import ViewCounter
from shared.delivery import Consumer, consumer_redis
from shared.events import ArticleEvent, ArticleViewed
from shared.settings import get_settings
from shared.store import ArticleStore
from shared.topology import ARTICLES_STREAM, FEEDS_GROUP, VIEWS_STREAM
from shared.urls import UrlScheme


async def main() -> int:
    """Rewrite feeds on article events and counts on views until SIGTERM; the exit code."""
    settings = get_settings()
    redis = consumer_redis(settings)
    store = ArticleStore(redis, UrlScheme(timezone=settings.timezone))
    publisher = FeedPublisher(store, settings)
    counter = ViewCounter(redis, settings)
    consumer = Consumer.for_service(redis, FEEDS_GROUP, settings)
    consumer.subscribe(ARTICLES_STREAM, ArticleEvent, publisher.apply, max_records=10)
    consumer.subscribe(VIEWS_STREAM, ArticleViewed, counter.apply, batch=True, max_records=500)
    try:
        return await consumer.run()
    finally:
        await redis.aclose()
