"""Full rebuild: every page of the site from the store, on all cores, with a progress bar.

The whole site is one big plan (every article, every list from its oldest page, every
archive day, every sitemap chunk) cut into parts that worker processes render through the
same code as the incremental path, so both produce the same files. Then the pages and
sitemaps that the rebuild did not write are removed (a store restored from an older backup, a
list that got shorter while render was away): only files a Newsroom writer wrote (they have a
version sidecar) and not rewritten since the rebuild began, never an operator's own files.
The names and header menu the pages show are recorded (services.render.renames), unless they
changed while the rebuild ran. Last, the search index is built from the pages
(services.render.search_index).
"""

import asyncio
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from multiprocessing.context import BaseContext

from jinja2 import Environment
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from services.render.plan import Plan, site_plan
from services.render.renames import record_rebuilt, site_names
from services.render.search_index import index_site
from services.render.site import SiteRenderer
from services.render.sitemaps import SITEMAP_SIZE
from shared.pages.theme import make_environment
from shared.public_writer import PublicWriter
from shared.settings import Settings
from shared.store import ParsedArticles, open_store
from shared.urls import UrlScheme

# Stored bytes of the articles a worker keeps parsed (in memory they take about three times it).
PARSED_BUDGET = 24 * 2**20


@dataclass(frozen=True)
class Totals:
    """What a rebuild did."""

    files_written: int
    files_removed: int


@cache
def parsed_articles() -> ParsedArticles:
    """The articles a worker process has parsed, kept for its later parts (an article is read
    for its page, then for each of its lists and its archive day)."""
    return ParsedArticles(PARSED_BUDGET)


@cache
def environment(settings_json: str) -> Environment:
    """The theme environment of a worker process, compiled templates kept between parts."""
    return make_environment(Settings.model_validate_json(settings_json))


def render_part(settings: Settings, part: Plan, sitemap_size: int) -> tuple[int, int, set[str]]:
    """Render one part in a worker process; (files written, files removed, their site paths)."""

    async def run() -> tuple[int, int, set[str]]:
        store = open_store(settings, parsed=parsed_articles())
        env = environment(settings.model_dump_json())
        renderer = SiteRenderer(store, env, settings, sitemap_size, keep_urls=True)
        try:
            await renderer.render(part)
        finally:
            await store.redis.aclose()
        writer = renderer.writer
        return writer.written, writer.removed, writer.written_urls or set()

    return asyncio.run(run())


def rendered_files(writer: PublicWriter, urls: UrlScheme) -> Iterator[str]:
    """Site paths of the files render writes that are in the writer's folder now: HTML pages
    and sitemaps a writer wrote (theme static files and hidden folders skipped)."""
    root = writer.root
    sitemaps = urls.sitemap.rsplit("/", 1)[0] + "/"
    for folder, subfolders, files in os.walk(root):
        relative = os.path.relpath(folder, root)
        base = "/" if relative == "." else f"/{relative}/"
        subfolders[:] = [d for d in subfolders if not d.startswith(".") and base + d != "/static"]
        for name in files:
            url = base if name == "index.html" else base + name
            ours = name.endswith(".html") or base == sitemaps or url == urls.sitemap_index
            if ours and writer.wrote(url):
                yield url


def workers(parts: list[Plan], jobs: int | None, mp_context: BaseContext | None) -> Executor:
    """Worker processes for the parts, one per core (or `jobs`); a site of at most one part
    of articles is rendered in a thread of this process (starting processes would cost more
    than the work)."""
    if sum(1 for part in parts if part.articles) <= 1:
        return ThreadPoolExecutor(max_workers=1)
    return ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1, mp_context=mp_context)


def rebuild(
    settings: Settings,
    jobs: int | None = None,
    show_progress: bool = True,
    sitemap_size: int = SITEMAP_SIZE,
    on_progress: Callable[[int, int], None] | None = None,
    mp_context: BaseContext | None = None,
) -> Totals:
    """Render the whole site from the store into the public folder.

    `on_progress(parts done, parts)` is called after each part; `mp_context` starts the
    worker processes (a service rebuilding from a thread passes "spawn": no fork of a
    process with threads).
    """

    env = make_environment(settings)

    async def prepare() -> tuple[SiteRenderer, list[Plan], tuple[dict[bytes, bytes], str]]:
        store = open_store(settings)
        try:
            names = await site_names(store, settings.menu_order)  # before any page reads them
            renderer = SiteRenderer(store, env, settings, sitemap_size, keep_urls=True)
            await renderer.install_static()  # at the store revision before the parts read it
            return renderer, await site_plan(store), names
        finally:
            await store.redis.aclose()

    async def record(names: tuple[dict[bytes, bytes], str]) -> None:
        store = open_store(settings)
        try:
            await record_rebuilt(store, settings.menu_order, names)
        finally:
            await store.redis.aclose()

    renderer, parts, names = asyncio.run(prepare())
    writer = renderer.writer
    kept = set(writer.written_urls or ())
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
        workers(parts, jobs, mp_context) as pool,
    ):
        task = progress.add_task("rebuild", total=len(parts))
        futures = [pool.submit(render_part, settings, part, sitemap_size) for part in parts]
        for done, future in enumerate(as_completed(futures), 1):
            w, r, urls = future.result()
            written, removed = written + w, removed + r
            kept |= urls
            progress.advance(task)
            if on_progress is not None:
                on_progress(done, len(parts))
    for url in rendered_files(writer, renderer.store.urls):
        if url not in kept:
            writer.delete(url)  # unless rewritten since the rebuild began (newer revision)
    writer.sync()
    asyncio.run(record(names))
    index_site(settings)
    return Totals(written + writer.written, removed + writer.removed)
