"""The render service: a Redis consumer group on the articles stream, writing the site.

Events arrive in batches (up to BATCH_SIZE entries per read): each page a batch touches is
rendered once, and the batch is acked after its pages are on disk.
"""

import asyncio
import logging
import os
import socket
from typing import Annotated, Any

from faststream import Context, ContextRepo, FastStream
from faststream.redis import RedisBroker, StreamSub
from pydantic import ValidationError

from services.render.site import SiteRenderer
from services.render.theme import make_environment
from shared.events import ArticleChanged, article_event_adapter
from shared.redis_client import connect, ensure_groups
from shared.settings import get_settings
from shared.store import ArticleStore
from shared.topology import ARTICLES_STREAM, RENDER_GROUP
from shared.urls import UrlScheme

BATCH_SIZE = 200
NEWS_REFRESH_SECONDS = 600

log = logging.getLogger(__name__)
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
    context.set_global("news_refresh", asyncio.create_task(refresh_news(renderer)))


async def refresh_news(renderer: SiteRenderer) -> None:
    """Rewrite the Google News sitemap now and then: articles age out of its 48 hours."""
    while True:
        await asyncio.sleep(NEWS_REFRESH_SECONDS)
        try:
            await renderer.refresh_news()
        except Exception:
            log.exception("news sitemap refresh failed")


@app.on_shutdown
async def stop_refresh(context: ContextRepo) -> None:
    """Stop the news sitemap refresh."""
    task = context.get("news_refresh")
    if task is not None:
        task.cancel()


def valid_events(bodies: list[Any]) -> list[ArticleChanged]:
    """The well-formed events of a batch; malformed ones are logged and skipped."""
    events = []
    for body in bodies:
        try:
            events.append(article_event_adapter.validate_python(body))
        except ValidationError as error:
            log.error("malformed article event skipped", extra={"error": str(error)[:500]})
    return events


@broker.subscriber(
    stream=StreamSub(
        ARTICLES_STREAM,
        group=RENDER_GROUP,
        consumer=consumer,
        batch=True,
        max_records=BATCH_SIZE,
    )
)
async def on_article_events(
    bodies: list[Any], renderer: Annotated[SiteRenderer, Context()]
) -> None:
    """Re-render what a batch of events touches; acked once the pages are on disk."""
    events = valid_events(bodies)
    if events:
        await renderer.apply(events)
