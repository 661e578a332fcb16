"""The render service: a FastStream app in the render group of the articles stream."""

from faststream import FastStream

from services.render.site import SiteRenderer
from services.render.theme import make_environment
from shared.consumer_app import ConsumerGuard
from shared.delivery import Options, consumer_broker, consumer_redis, subscribe_reliably
from shared.events import ArticleEvent
from shared.settings import Settings, get_settings
from shared.store import ArticleStore
from shared.topology import ARTICLES_STREAM, RENDER_GROUP
from shared.urls import UrlScheme


def create_app(settings: Settings) -> tuple[FastStream, ConsumerGuard]:
    """The app re-rendering what each article event touches; each event is acked once its
    pages are on disk (see shared.delivery)."""
    options = Options.from_settings(settings)
    redis = consumer_redis(settings)
    renderer = SiteRenderer(
        ArticleStore(redis, UrlScheme(timezone=settings.timezone)),
        make_environment(settings),
        settings,
    )
    renderer.install_static()
    broker = consumer_broker(settings)
    subscribe_reliably(
        broker, ARTICLES_STREAM, RENDER_GROUP, renderer.apply, ArticleEvent, options=options
    )
    guard = ConsumerGuard(redis, RENDER_GROUP, options)
    return guard.app_for(broker), guard


async def main() -> int:
    """Render until SIGTERM; the exit code (1 when Redis could not be recovered)."""
    _, guard = create_app(get_settings())
    return await guard.run()
