"""Full rebuild: every page of the site from the store, on all cores, with a progress bar.

The whole site is one big plan (every article, every list from its oldest page, every
archive day, every sitemap chunk) cut into parts that worker processes render through the
same code as the incremental path, so both produce the same files.
"""

import asyncio
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from jinja2 import Environment
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from services.render.plan import ListChange, Plan
from services.render.site import SiteRenderer
from services.render.sitemaps import SITEMAP_SIZE
from services.render.theme import make_environment
from shared.redis_client import connect
from shared.settings import Settings
from shared.store import ArticleStore
from shared.urls import UrlScheme

ARTICLES_PER_PART = 1000
EVERYTHING = ListChange("", datetime(1, 1, 1, tzinfo=UTC), shifts=True)


@dataclass(frozen=True)
class Totals:
    """What a rebuild did."""

    files_written: int
    files_removed: int


def store_for(settings: Settings) -> ArticleStore:
    """The store, as the services open it."""
    return ArticleStore(connect(settings.redis_url), UrlScheme(timezone=settings.timezone))


async def site_plan(store: ArticleStore) -> list[Plan]:
    """The whole site as parts of roughly equal work."""
    ids = await store.all_ids()
    parts = [
        Plan(articles=set(ids[i : i + ARTICLES_PER_PART]))
        for i in range(0, len(ids), ARTICLES_PER_PART)
    ]
    keys = [("home", "")] + [tuple(k.split(":", 1)) for k in sorted(await store.names())]
    for start in range(0, len(keys), 20):
        parts.append(Plan(lists={k: [EVERYTHING] for k in keys[start : start + 20]}))
    days = [date.fromisoformat(d) for d in await store.days()]
    for year in sorted({d.year for d in days}):
        parts.append(Plan(days={d for d in days if d.year == year}))
    parts.append(Plan(sitemap_changes=[EVERYTHING]))
    return parts


@cache
def environment(settings_json: str) -> Environment:
    """The theme environment of a worker process, compiled templates kept between parts."""
    return make_environment(Settings.model_validate_json(settings_json))


def render_part(settings: Settings, part: Plan, sitemap_size: int) -> tuple[int, int]:
    """Render one part in a worker process; (files written, files removed)."""

    async def run() -> tuple[int, int]:
        store = store_for(settings)
        env = environment(settings.model_dump_json())
        renderer = SiteRenderer(store, env, settings, sitemap_size)
        try:
            await renderer.render(part)
        finally:
            await store.redis.aclose()
        return renderer.writer.written, renderer.writer.removed

    return asyncio.run(run())


def rebuild(
    settings: Settings,
    jobs: int | None = None,
    show_progress: bool = True,
    sitemap_size: int = SITEMAP_SIZE,
) -> Totals:
    """Render the whole site from the store into the public folder."""

    async def prepare() -> list[Plan]:
        store = store_for(settings)
        try:
            renderer = SiteRenderer(store, make_environment(settings), settings, sitemap_size)
            renderer.install_static()
            return await site_plan(store)
        finally:
            await store.redis.aclose()

    parts = asyncio.run(prepare())
    written = removed = 0
    columns = (
        TextColumn("rendering"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("parts"),
        TimeElapsedColumn(),
    )
    with (
        Progress(*columns, disable=not show_progress) as progress,
        ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool,
    ):
        task = progress.add_task("rebuild", total=len(parts))
        futures = [pool.submit(render_part, settings, part, sitemap_size) for part in parts]
        for future in as_completed(futures):
            w, r = future.result()
            written, removed = written + w, removed + r
            progress.advance(task)
    return Totals(written, removed)
