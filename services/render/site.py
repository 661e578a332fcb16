"""Turns one article event into the pages it affects, written to the public folder."""

import logging
import shutil
from pathlib import Path

from jinja2 import Environment

from services.render.theme import DEFAULT_THEME
from shared.article import Article
from shared.events import ArticleChanged
from shared.files import write_versioned
from shared.settings import Settings
from shared.store import HOME, ArticleStore

log = logging.getLogger(__name__)


class SiteRenderer:
    """Writes article pages and list pages from the store's current state."""

    def __init__(self, store: ArticleStore, env: Environment, settings: Settings) -> None:
        self.store = store
        self.env = env
        self.settings = settings
        self.root = settings.public_dir

    def install_static(self, theme_dir: Path = DEFAULT_THEME) -> None:
        """Copy the theme's static files to /static/."""
        shutil.copytree(theme_dir / "static", self.root / "static", dirs_exist_ok=True)

    async def apply(self, event: ArticleChanged) -> None:
        """Bring every page the event touches up to date with the store."""
        revision = await self.store.revision()  # before any read the pages are built from
        article = await self.store.get(event.article_id)
        urls = {p.url for p in (event.before, event.after) if p is not None}
        if article is not None:
            urls.add(article.url)
        for url in urls:
            if article is not None and article.is_live and url == article.url:
                self.write(url, self.article_page(article), revision)
            else:
                self.write(url, None, revision)
        self.write(self.store.urls.home_url(), await self.home_page(), revision)
        log.info(
            "rendered",
            extra={"event_id": event.event_id, "article_id": event.article_id},
        )

    def article_page(self, article: Article) -> str:
        """HTML of an article page."""
        return self.env.get_template("article.html").render(article=article, canonical=article.url)

    async def home_page(self) -> str:
        """HTML of the first home page."""
        articles = await self.store.latest(HOME, 0, self.settings.page_size)
        return self.env.get_template("list.html").render(
            heading="Последние новости", articles=articles, canonical="/"
        )

    def write(self, url: str, html: str | None, revision: int) -> None:
        """Write a page durably at its URL (None removes it), unless newer output is there.

        `revision` is the store's revision read before the page's data (store.revision()).
        """
        write_versioned(self.root, url, html.encode() if html is not None else None, revision)
