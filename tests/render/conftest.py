"""The fixture site, built once per module on its own redis-server: incrementally, event by
event, and again by a full rebuild into a second folder."""

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsroom.demo import DEMO_DIR
from services.render.rebuild import rebuild
from services.render.site import SiteRenderer
from shared.store import ArticleStore
from tests.support.redis_server import redis_executor, url_of
from tests.support.site import (
    SITEMAP_SIZE,
    EventPump,
    RecordingWriter,
    build_site,
    open_store,
    renderer_for,
    site_settings,
)


@dataclass
class FixtureSite:
    """The rendered fixture site and the store behind it."""

    redis_url: str
    root: Path  # written incrementally
    rebuilt: Path  # written by a full rebuild

    def store(self) -> ArticleStore:
        return open_store(self.redis_url)

    def article_url(self, article_id: str) -> str:
        """Where an article of the site is published now."""

        async def get() -> str:
            store = self.store()
            article = await store.get(article_id)
            await store.redis.aclose()
            return article.url

        return asyncio.run(get())

    def page(self, url: str) -> str:
        path = self.root / url.lstrip("/")
        return (path / "index.html" if url.endswith("/") else path).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FixtureSite]:
    workdir = tmp_path_factory.mktemp("site")
    with redis_executor(workdir / "redis") as executor:
        url = url_of(executor)
        fixture = FixtureSite(url, workdir / "incremental", workdir / "rebuilt")

        async def build() -> None:
            store = open_store(url)
            renderer = await renderer_for(store, site_settings(url, fixture.root))
            await build_site(store, EventPump(store, renderer))
            if renderer.renames.task is not None:  # the menu grew: every page re-rendered
                await renderer.renames.task
            await store.redis.aclose()

        asyncio.run(build())
        settings = site_settings(url, fixture.rebuilt)
        shutil.copytree(DEMO_DIR / "static", fixture.rebuilt / "static")
        rebuild(settings, jobs=2, show_progress=False, sitemap_size=SITEMAP_SIZE)
        yield fixture


@pytest.fixture
async def recorded_site(
    redis_url: str, tmp_path: Path
) -> AsyncIterator[tuple[ArticleStore, SiteRenderer, EventPump]]:
    """An empty site on the test's Redis, rendered as events come, its writes recorded."""
    store = open_store(redis_url)
    renderer = await renderer_for(store, site_settings(redis_url, tmp_path / "public"))
    renderer.writer = RecordingWriter(renderer.writer.root)
    yield store, renderer, EventPump(store, renderer)
    await store.redis.aclose()
