"""The render service: a consumer in the render group of the articles stream.

Events arrive in batches (up to BATCH_SIZE entries per read: one publish is a batch of one):
each page a batch touches is rendered once, and the batch is acked once its pages are on disk
(shared.consuming). A backlog as large as a good part of the site is worked as one full
rebuild, and the batches it covered are acked without work (shared.site_keeper).
"""

import multiprocessing

from services.render.rebuild import rebuild
from services.render.search_indexer import SearchIndexer
from services.render.site import SiteRenderer
from shared.consuming.service import ConsumerService, Site
from shared.events import ArticleEvent
from shared.pages.theme import make_environment
from shared.settings import Settings
from shared.site_keeper import Progress
from shared.topology import ARTICLES_STREAM, RENDER_GROUP

# A batch's work grows with the pages it touches (at most the whole site) more than with its
# events; its entries stay claimed while it runs (shared.consuming.holding).
BATCH_SIZE = 5000
NEWS_REFRESH_SECONDS = 600


def rebuild_pages(settings: Settings, progress: Progress) -> object:
    """`newsroom rebuild --no-feeds`, from a thread of the service: every page, all cores."""
    spawn = multiprocessing.get_context("spawn")
    return rebuild(settings, show_progress=False, on_progress=progress, mp_context=spawn)


def create_app(settings: Settings) -> ConsumerService:
    """The service re-rendering what each batch of article events touches, and the search
    index of the months it changed."""
    service = ConsumerService("render", RENDER_GROUP, settings, site=Site("/", rebuild_pages))
    renderer = SiteRenderer(service.store, make_environment(settings), settings)
    indexer = SearchIndexer(settings)

    @service.subscriber(ARTICLES_STREAM, batch=True, max_records=BATCH_SIZE)
    async def render(events: list[ArticleEvent]) -> None:
        await renderer.apply(events)
        indexer.follow(events)

    @service.app.on_startup
    async def start() -> None:
        await renderer.install_static()
        renderer.renames.start()  # lists left marked for renaming when render last stopped
        indexer.start()

    @service.app.after_shutdown
    async def stop() -> None:
        """Once the handlers are done (the broker stopped): stop the index builds."""
        await indexer.stop()

    # Articles age out of the Google News sitemap's 48 hours: it is rewritten now and then.
    service.every(NEWS_REFRESH_SECONDS, renderer.refresh_news)
    return service
