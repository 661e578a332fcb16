"""The feeds service: consumer groups on the articles and views streams."""

import os
import socket
from typing import Annotated, Any

from faststream import Context, ContextRepo, FastStream
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.parser.message import MessageFormat

from services.feeds.popular import Throttled, popular_publisher
from services.feeds.publisher import FeedPublisher
from services.feeds.views import ViewCounter
from services.feeds.websub import HubNotifier
from shared.events import ArticleEvent, ArticleViewed
from shared.redis_client import connect, ensure_groups
from shared.settings import get_settings
from shared.store import ArticleStore
from shared.topology import ARTICLES_STREAM, FEEDS_GROUP, VIEWS_STREAM
from shared.urls import UrlScheme


class PlainJson(MessageFormat):
    """The streams' entries: the event's JSON itself in `__data__`, without FastStream's
    envelope, so the body is taken as it is instead of being tried as an envelope first."""

    @classmethod
    async def encode(cls, **_: Any) -> bytes:
        """The feeds service publishes nothing."""
        raise NotImplementedError

    @classmethod
    def parse(cls, data: bytes) -> tuple[bytes, dict[str, Any]]:
        """The body and no headers."""
        return data, {}


settings = get_settings()
consumer = settings.consumer or f"{socket.gethostname()}-{os.getpid()}"
broker = RedisBroker(settings.redis_url, message_format=PlainJson)
app = FastStream(broker)


@app.on_startup
async def setup(context: ContextRepo) -> None:
    """Create the consumer groups from the streams' start, and the writers."""
    redis = connect(settings.redis_url)
    await ensure_groups(redis, FEEDS_GROUP)
    store = ArticleStore(redis, UrlScheme(timezone=settings.timezone))
    popular = popular_publisher(redis, store, settings)
    notifier = HubNotifier(settings.websub_hub) if settings.websub_hub else None
    context.set_global("popular", popular)
    context.set_global("notifier", notifier)
    context.set_global("publisher", FeedPublisher(store, settings, notifier, popular.request))
    context.set_global("counter", ViewCounter(redis))


@app.after_startup
async def first_lists(popular: Annotated[Throttled, Context()]) -> None:
    """Publish the most-read lists once at start, from the counts already in Redis."""
    popular.request()


@app.on_shutdown
async def stop_background(
    popular: Annotated[Throttled, Context()], notifier: Annotated[HubNotifier | None, Context()]
) -> None:
    """Stop the throttled writer and pending hub pings."""
    await popular.close()
    if notifier is not None:
        await notifier.close()


@broker.subscriber(
    stream=StreamSub(ARTICLES_STREAM, group=FEEDS_GROUP, consumer=consumer, max_records=10)
)
async def on_article_event(
    event: ArticleEvent, publisher: Annotated[FeedPublisher, Context()]
) -> None:
    """Rewrite the feeds the event touches; acked once they are on disk."""
    await publisher.apply(event)


@broker.subscriber(
    stream=StreamSub(
        VIEWS_STREAM, group=FEEDS_GROUP, consumer=consumer, batch=True, max_records=500
    )
)
async def on_views(
    views: list[ArticleViewed],
    counter: Annotated[ViewCounter, Context()],
    popular: Annotated[Throttled, Context()],
) -> None:
    """Apply a batch of views to the buckets (acked once in Redis); refresh the lists soon."""
    await counter.apply(views)
    popular.request()
