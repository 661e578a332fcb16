"""The site's search index: Pagefind over the article pages of the public folder.

Only article pages are read (a glob from the URL scheme, and within each page the element
marked `data-pagefind-body`), so the index holds exactly what the public pages show. Each
build goes to a new folder under `.search/` (hidden: never served by its own name), then the
public `/pagefind/` (a relative symlink) is pointed at it with one rename: a reader sees the
old index or the new one, never half of one. The build before stays for readers who loaded
its entry file a moment ago; older ones are removed. One build at a time per public folder
(an flock), whoever asks: the render service, `newsroom rebuild`, a replica.

In the render service, `SearchIndexer` builds in the background: at most
`NEWSROOM_SEARCH_DEBOUNCE_S` after the first change it has not indexed yet, and at once when
an article left the site, without holding up the handler or its acknowledgement.
"""

import asyncio
import contextlib
import fcntl
import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pagefind_bin import get_executable

from services.render.pages import Page, Pages
from shared.events import ArticleChanged
from shared.settings import Settings
from shared.urls import UrlScheme

log = logging.getLogger(__name__)

BUNDLE = "pagefind"  # the index's site path: /pagefind/pagefind.js
BUILDS = ".search"
SEARCH_URL = "/search/"
RETRY_S = 5.0
NO_PAGES = "not able to build an index"  # what Pagefind says when no page matched


@dataclass(frozen=True)
class IndexBuild:
    """What one build did: pages indexed, seconds taken."""

    pages: int
    seconds: float


def article_glob(urls: UrlScheme) -> str:
    """The article pages' files as a Pagefind glob: `/{year}/…/{slug}/` gives
    `[0-9]*/[0-9]*/[0-9]*/*/index.html` (list and archive pages do not match)."""
    pattern = urls.article.strip("/").replace("{slug}", "*")
    return re.sub(r"\{[^}]*\}", "[0-9]*", pattern) + "/index.html"


def build_index(root: Path, urls: UrlScheme, language: str) -> IndexBuild:
    """Index the article pages under `root` and swap the new index in (see the module)."""
    builds = root / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    with (builds / "lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        started = time.monotonic()
        target = builds / f"build-{time.time_ns()}"
        command = [str(get_executable()), "--site", str(root), "--output-path", str(target)]
        command += ["--glob", article_glob(urls), "--force-language", language]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            if NO_PAGES not in done.stdout + done.stderr:
                raise RuntimeError(f"pagefind failed: {done.stderr.strip()[-2000:]}")
            (root / BUNDLE).unlink(missing_ok=True)  # no article is on the site: no index
            return IndexBuild(0, time.monotonic() - started)
        os.sync()  # the index is on disk before the link names it
        link = builds / "link.tmp"
        link.unlink(missing_ok=True)
        link.symlink_to(f"{BUILDS}/{target.name}")
        link.replace(root / BUNDLE)
        _remove_old_builds(builds, keep=target.name)
        pages = re.search(r"Indexed (\d+) page", done.stdout)
        return IndexBuild(int(pages[1]) if pages else 0, time.monotonic() - started)


def _remove_old_builds(builds: Path, keep: str) -> None:
    """Remove the builds older than the one before `keep` (and leftovers of failed ones)."""
    names = sorted(p.name for p in builds.iterdir() if p.name.startswith("build-"))
    for name in names[: max(names.index(keep) - 1, 0)]:
        shutil.rmtree(builds / name, ignore_errors=True)


def index_site(settings: Settings) -> IndexBuild:
    """Build the index of the site in `settings.public_dir` (rebuild, self-healing)."""
    urls = UrlScheme(timezone=settings.timezone)
    return build_index(settings.public_dir, urls, settings.language)


def search_page(pages: Pages) -> Page:
    """The results page, `/search/?q=…`: static, filled in by the theme's search.js."""
    title = "Поиск по сайту"
    context = {"canonical": SEARCH_URL, "page_title": title, "description": title}
    return Page(SEARCH_URL, "search.html", context | {"feeds": pages.feeds()})


def left_the_site(events: Sequence[ArticleChanged]) -> bool:
    """Whether an article of the batch was on the site and is not any more."""
    return any(e.before is not None and e.after is None for e in events)


class SearchIndexer:
    """Rebuilds the index in the background after changes, one build at a time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.wanted = asyncio.Event()
        self.urgent = asyncio.Event()

    def touch(self, urgent: bool = False) -> None:
        """Ask for a build: within the debounce time, or at once when `urgent`."""
        self.wanted.set()
        if urgent:
            self.urgent.set()

    def following(
        self, handler: Callable[[list[ArticleChanged]], Awaitable[None]]
    ) -> Callable[[list[ArticleChanged]], Awaitable[None]]:
        """`handler`, then a build asked for (urgent when an article left the site)."""

        async def handle(events: list[ArticleChanged]) -> None:
            await handler(events)
            self.touch(urgent=left_the_site(events))

        return handle

    async def run(self) -> None:
        """Build whenever asked, forever (a task of the service)."""
        while True:
            await self.wanted.wait()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.urgent.wait(), self.settings.search_debounce_s)
            self.wanted.clear()
            self.urgent.clear()
            try:
                built = await asyncio.to_thread(index_site, self.settings)
            except Exception:
                log.exception("search index build failed; trying again")
                await asyncio.sleep(RETRY_S)
                self.wanted.set()
                continue
            log.info("search index built: %d pages in %.1f s", built.pages, built.seconds)
