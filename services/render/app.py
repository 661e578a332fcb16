"""The render service: a consumer in the render group of the articles stream, writing the site."""

from services.render.site import SiteRenderer
from services.render.theme import make_environment
from shared.delivery import Consumer, consumer_redis
from shared.events import ArticleEvent
from shared.settings import get_settings
from shared.store import ArticleStore
from shared.topology import ARTICLES_STREAM, RENDER_GROUP
from shared.urls import UrlScheme


async def main() -> int:
    """Re-render what each article event touches until SIGTERM; returns the exit code.

    Each event is acked once its pages are on disk (see shared.delivery).
    """
    settings = get_settings()
    redis = consumer_redis(settings)
    renderer = SiteRenderer(
        ArticleStore(redis, UrlScheme(timezone=settings.timezone)),
        make_environment(settings),
        settings,
    )
    renderer.install_static()
    consumer = Consumer.for_service(redis, RENDER_GROUP, settings)
    consumer.subscribe(ARTICLES_STREAM, ArticleEvent, renderer.apply, max_records=10)
    try:
        return await consumer.run()
    finally:
        await redis.aclose()
