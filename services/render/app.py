"""The render service: a FastStream app in the render group of the articles stream.

Events arrive in batches (up to BATCH_SIZE entries per read): each page a batch touches is
rendered once, and the batch is acked once its pages are on disk (see shared.delivery).
"""

import asyncio
import contextlib
import logging
import multiprocessing

from faststream import FastStream

from services.render.rebuild import rebuild
from services.render.site import SiteRenderer
from shared.consumer_app import ConsumerGuard
from shared.delivery import Options, consumer_broker, consumer_redis, subscribe_reliably
from shared.events import ArticleEvent
from shared.pages.theme import make_environment
from shared.settings import Settings
from shared.site_keeper import Progress, SiteKeeper
from shared.store import ArticleStore
from shared.topology import ARTICLES_STREAM, RENDER_GROUP
from shared.urls import UrlScheme

# A batch must be rendered well within NEWSROOM_CLAIM_IDLE_MS, or another replica claims it.
BATCH_SIZE = 100
NEWS_REFRESH_SECONDS = 600

log = logging.getLogger(__name__)


async def refresh_news(renderer: SiteRenderer) -> None:
    """Rewrite the Google News sitemap now and then: articles age out of its 48 hours."""
    while True:
        await asyncio.sleep(NEWS_REFRESH_SECONDS)
        try:
            await renderer.refresh_news()
        except Exception:
            log.exception("news sitemap refresh failed")


def rebuild_pages(settings: Settings, progress: Progress) -> object:
    """`newsroom rebuild --no-feeds`, from a thread of the service: every page, all cores."""
    spawn = multiprocessing.get_context("spawn")
    return rebuild(settings, show_progress=False, on_progress=progress, mp_context=spawn)


def create_app(settings: Settings) -> tuple[FastStream, ConsumerGuard]:
    """The app re-rendering what each batch of article events touches."""
    options = Options.from_settings(settings)
    redis = consumer_redis(settings)
    store = ArticleStore(redis, UrlScheme(timezone=settings.timezone))
    renderer = SiteRenderer(store, make_environment(settings), settings)
    keeper = SiteKeeper(
        "render", store, settings, options.consumer, landmark="/", rebuild=rebuild_pages
    )
    broker = consumer_broker(settings)
    subscribe_reliably(
        broker,
        ARTICLES_STREAM,
        RENDER_GROUP,
        keeper.recording(renderer.apply),
        ArticleEvent,
        batch=True,
        max_records=BATCH_SIZE,
        options=options,
    )
    guard = ConsumerGuard(redis, RENDER_GROUP, options, keeper)
    app = guard.app_for(broker)
    tasks: list[asyncio.Task[None]] = []

    @app.on_startup
    async def start() -> None:
        await renderer.install_static()
        renderer.renames.start()  # lists left marked for renaming when render last stopped
        tasks.append(asyncio.create_task(refresh_news(renderer)))

    @app.on_shutdown
    async def stop() -> None:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return app, guard
