"""Turns a plan (from a batch of events, or the whole store) into files in the public folder.

Pages are written in the order readers notice them: the events' own articles, the first pages
of their lists, then the numbered list pages, the read-also of newer neighbours, the archives
and the sitemaps. Background work (a renamed list, a new menu: services.render.renames) gives
way between two pages while a batch is in hand: events do not wait behind a whole site.
"""

import asyncio
import logging

from jinja2 import Environment

from services.render.output import Output, put
from services.render.plan import Plan, plan_events, site_plan
from services.render.renames import Renames
from services.render.sitemaps import SITEMAP_SIZE, Document, Sitemaps
from shared.article import Article
from shared.events import ArticleChanged
from shared.media_images import MediaRejectedError
from shared.pages.site_pages import Pages
from shared.pages.theme_folder import theme_dir
from shared.public_writer import PublicWriter
from shared.settings import Settings
from shared.store import ArticleStore

log = logging.getLogger(__name__)


class SiteRenderer:
    """Writes the pages of a plan from the store's current state."""

    def __init__(
        self,
        store: ArticleStore,
        env: Environment,
        settings: Settings,
        sitemap_size: int = SITEMAP_SIZE,
        keep_urls: bool = False,
    ) -> None:
        self.store = store
        self.env = env
        self.settings = settings
        self.root = settings.public_dir
        self.pages = Pages(store, settings)
        self.sitemaps = Sitemaps(store, self.pages, settings, sitemap_size)
        self.writer = PublicWriter(self.root, keep_urls=keep_urls)
        self.renames = Renames(store, self.pages, env, PublicWriter(self.root), self.render_site)

    def put(self, item: Output, writer: PublicWriter | None = None) -> None:
        """Generate one output and hand it to this renderer's writer (or to `writer`)."""
        put(writer or self.writer, self.env, item)

    async def install_static(self) -> None:
        """Write the theme's static files to /static/, then the fixed pages."""
        self.writer.version = await self.store.revision()
        static = theme_dir(self.settings) / "static"
        for path in sorted(p for p in static.rglob("*") if p.is_file()):
            self.writer.write(f"/static/{path.relative_to(static).as_posix()}", path.read_bytes())
        await self.put_fixed_pages(self.writer)
        urls = self.store.urls
        robots = (
            f"User-agent: *\nAllow: /\n\nSitemap: {self.settings.base_url}{urls.sitemap_index}\n"
        )
        self.put(Document(urls.robots, robots.encode()))
        self.writer.sync()

    async def apply(self, events: list[ArticleChanged]) -> None:
        """Bring every page a batch of events touches up to date with the store."""
        plan = await plan_events(events, self.store, self.store.urls)
        await self.render(plan)
        await self.renames.note(plan.lists)
        log.info(
            "rendered",
            extra={"events": len(events), "article_ids": sorted({e.article_id for e in events})},
        )

    async def put_fixed_pages(self, writer: PublicWriter) -> None:
        """Write the 404 and 410 pages and the search page."""
        await self.pages.load_menu()
        self.put(self.pages.error(self.store.urls.not_found, 404), writer)
        self.put(self.pages.error(self.store.urls.gone, 410), writer)
        self.put(self.pages.search(), writer)

    async def pause(self, writer: PublicWriter) -> None:
        """Between two pages written through this renderer's own writer (a batch's), let
        the loop run: a backlog's batch renders for long, its entries must stay held and its
        probes answer. Background work, through another writer, does not pause between
        pages: interleaved page by page with batches it could leave a day archive removed
        (tests/render/test_site_pages.py, byte for byte)."""
        if writer is self.writer:
            await asyncio.sleep(0)

    async def render_site(self, writer: PublicWriter) -> None:
        """Write every page again (not the sitemaps) through `writer`, part by part as a
        rebuild does, in the background: what the header menu shows changed."""
        for part in await site_plan(self.store):
            if not part.sitemap_changes:
                await self.render(part, writer)
        writer.version = await self.store.revision()
        await self.put_fixed_pages(writer)
        writer.sync()

    async def render(self, plan: Plan, writer: PublicWriter | None = None) -> None:
        """Write (or remove) every page of the plan, each once (through this renderer's
        writer unless another is given)."""
        writer = writer or self.writer
        # Read before what pages show; set again before each write, as another task may have
        # raised this writer's version meanwhile (older data must not go out at a newer one).
        version = await self.store.revision()
        await self.pages.load_menu()

        async def put(item: Output) -> None:
            writer.version = version
            self.put(item, writer)
            await self.pause(writer)

        live: set[str] = set()
        own = await self.store.get_many(sorted(plan.articles))
        await self.put_articles([a for a in own if a.is_live], writer, version)
        for article in own:
            if article.is_live:
                live.add(article.url)
            plan.urls |= {article.url, *article.redirect_from}
        writer.version = version
        for url in sorted(plan.urls - live):
            writer.delete(url)
        lists = sorted(plan.lists.items())  # home first, then sections, tags, authors
        heads = await self.pages.list_heads([key for key, _ in lists])
        for page in await self.pages.first_pages(heads):
            await put(page)
        for key, changes in lists:
            for item in await self.pages.lists(key, changes, True, heads[key]):
                await put(item)
        related = await self.store.get_many(sorted(plan.related))
        await self.put_articles([a for a in related if a.is_live], writer, version)
        for day in sorted(plan.days):
            for item in await self.pages.archive_day(day, plan.day_changes.get(day)):
                await put(item)
        for year, month in sorted({(d.year, d.month) for d in plan.days}):
            await put(await self.pages.archive_month(year, month))
        for year in sorted({d.year for d in plan.days}):
            await put(await self.pages.archive_year(year))
        if plan.sitemap_changes:
            for doc in await self.sitemaps.documents(plan.sitemap_changes):
                await put(doc)
        writer.sync()

    async def refresh_news(self) -> None:
        """Rewrite the news sitemap (its 48-hour window moves without events)."""
        self.writer.version = await self.store.revision()
        self.put(await self.sitemaps.news())
        self.writer.sync()

    async def put_articles(
        self,
        articles: list[Article],
        writer: PublicWriter,
        version: int,
    ) -> None:
        """Write live article pages, their read-also fetched for all at once, at `version`
        (the store revision read before the articles)."""
        related = await self.pages.related(articles)
        for article in articles:
            writer.version = version
            self.place_media(article, writer)
            self.put(self.pages.article(article, related[article.id]), writer)
            await self.pause(writer)

    def place_media(self, article: Article, writer: PublicWriter) -> None:
        """Put the variants of the article's uploaded lead image on the site (synced with the
        batch); a lost upload is logged, and its page written all the same."""
        image = article.lead_image
        info = self.pages.media.info(image.media_id) if image and image.media_id else None
        if info is None:
            if image and image.media_id:
                log.error("lead image missing", extra={"article_id": article.id})
            return
        try:
            placed = self.pages.media.place(info, self.root)
        except (OSError, MediaRejectedError):
            log.exception("lead image not placed", extra={"article_id": article.id})
            return
        writer.unsynced.update(placed)
        writer.folders.update(path.parent for path in placed)
