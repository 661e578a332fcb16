"""The render service: a Redis consumer group on the articles stream, writing the site."""

import os
import socket
from typing import Annotated

from faststream import Context, ContextRepo, FastStream
from faststream.redis import RedisBroker, StreamSub

from services.render.site import SiteRenderer
from services.render.theme import make_environment
from shared.events import ArticleEvent
from shared.redis_client import connect, ensure_groups
from shared.settings import get_settings
from shared.store import ArticleStore
from shared.topology import ARTICLES_STREAM, RENDER_GROUP
from shared.urls import UrlScheme

settings = get_settings()
consumer = settings.consumer or f"{socket.gethostname()}-{os.getpid()}"
broker = RedisBroker(settings.redis_url)
app = FastStream(broker)


@app.on_startup
async def setup(context: ContextRepo) -> None:
    """Create the consumer group from the stream's start, and the renderer."""
    redis = connect(settings.redis_url)
    await ensure_groups(redis, RENDER_GROUP)
    renderer = SiteRenderer(
        ArticleStore(redis, UrlScheme(timezone=settings.timezone)),
        make_environment(settings),
        settings,
    )
    renderer.install_static()
    context.set_global("renderer", renderer)


@broker.subscriber(
    stream=StreamSub(ARTICLES_STREAM, group=RENDER_GROUP, consumer=consumer, max_records=10)
)
async def on_article_event(
    event: ArticleEvent, renderer: Annotated[SiteRenderer, Context()]
) -> None:
    """Re-render what the event touches; the event is acked once the pages are on disk."""
    await renderer.apply(event)
