"""The feeds service: consumer groups on the articles and views streams."""

import os
import socket
from typing import Annotated

from faststream import Context, ContextRepo, FastStream
from faststream.redis import RedisBroker, StreamSub

from services.feeds.publisher import FeedPublisher
from services.feeds.views import ViewCounter
from shared.events import ArticleEvent, ArticleViewed
from shared.redis_client import connect, ensure_groups
from shared.settings import get_settings
from shared.store import ArticleStore
from shared.topology import ARTICLES_STREAM, FEEDS_GROUP, VIEWS_STREAM
from shared.urls import UrlScheme

settings = get_settings()
consumer = settings.consumer or f"{socket.gethostname()}-{os.getpid()}"
broker = RedisBroker(settings.redis_url)
app = FastStream(broker)


@app.on_startup
async def setup(context: ContextRepo) -> None:
    """Create the consumer groups from the streams' start, and the writers."""
    redis = connect(settings.redis_url)
    await ensure_groups(redis, FEEDS_GROUP)
    store = ArticleStore(redis, UrlScheme(timezone=settings.timezone))
    context.set_global("publisher", FeedPublisher(store, settings))
    context.set_global("counter", ViewCounter(redis, settings))


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
async def on_views(views: list[ArticleViewed], counter: Annotated[ViewCounter, Context()]) -> None:
    """Apply a batch of views to the counts."""
    await counter.apply(views)
