"""The site's search index: Pagefind over the article pages of the public folder, by month.

Only article pages are read (a glob from the URL scheme, and within each page the element
marked `data-pagefind-body`), so the index holds exactly what the public pages show.

Pagefind builds an index in memory, about 0.3 MB per article page (bench/search.py): one
index of 100,000 articles would not fit this machine, and would take minutes to build after
each publish. So each month of articles has an index of its own (a shard, `2026-11`), built
when a page of that month changes; the results page merges them (`/pagefind/shards.json`
lists them, newest first).

Each build goes to a new folder under `.search/<shard>/` (hidden: never served by its own
name), then `/pagefind/<shard>` (a relative symlink) is pointed at it with one rename: a
reader sees the old index or the new one, never half of one. The build before stays for
readers who loaded its entry file a moment ago; older ones are removed. One build at a time
per public folder (an flock), whoever asks: the render service, `newsroom rebuild`, a replica.
"""

import fcntl
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pagefind_bin import get_executable

from shared.events import ArticleChanged
from shared.settings import Settings
from shared.urls import UrlScheme

BUNDLE = "pagefind"  # the shards' site path: /pagefind/2026-11/pagefind.js
BUILDS = ".search"
SHARDS = "shards.json"
NO_PAGES = "not able to build an index"  # what Pagefind says when no page matched
NICENESS = 10
SHARD = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class IndexBuild:
    """What a build did: shards built, pages indexed, seconds taken."""

    shards: int
    pages: int
    seconds: float


def shard_of(urls: UrlScheme, event: ArticleChanged) -> set[str]:
    """The shards an event changes: the months of the article's place before and after."""
    placed = (p for p in (event.before, event.after) if p is not None)
    return {f"{urls.local(p.published_at):%Y-%m}" for p in placed}


def article_glob(urls: UrlScheme, shard: str) -> str:
    """The article pages of a month as a Pagefind glob: `/{year}/{month:02d}/{day:02d}/{slug}/`
    gives `2026/11/[0-9]*/*/index.html` (list and archive pages do not match)."""
    match = SHARD.match(shard)
    if match is None:
        raise ValueError(f"not a shard: {shard!r}")
    year, month = match.groups()
    pattern = urls.article.strip("/").replace("{slug}", "*").replace("{year}", year)
    pattern = pattern.replace("{month:02d}", month)
    return re.sub(r"\{[^}]*\}", "[0-9]*", pattern) + "/index.html"


def all_shards(root: Path) -> set[str]:
    """The months that have a folder of pages, and the shards built before (which may have
    lost their last article)."""
    months = {f"{p.parent.name}-{p.name}" for p in root.glob("[0-9]*/[0-9]*") if p.is_dir()}
    return {s for s in months if SHARD.match(s)} | built_shards(root)


def built_shards(root: Path) -> set[str]:
    """The shards the public index has now."""
    bundle = root / BUNDLE
    return {p.name for p in bundle.iterdir() if SHARD.match(p.name)} if bundle.is_dir() else set()


def stale_shards(root: Path, urls: UrlScheme) -> set[str]:
    """Shards older than a page of their month, or with no pages left (a stop between a
    change and its build)."""
    stale = set()
    for shard in all_shards(root):
        link = root / BUNDLE / shard
        built = link.lstat().st_mtime if link.is_symlink() else 0.0
        pages = root.glob(article_glob(urls, shard))
        if not link.is_symlink() or max((p.stat().st_mtime for p in pages), default=-1) > built:
            stale.add(shard)
    return stale


def build_index(
    root: Path, urls: UrlScheme, language: str, shards: Iterable[str] | None = None
) -> IndexBuild:
    """Build the given shards (all when None) and swap them in (see the module)."""
    started = time.monotonic()
    (root / BUILDS).mkdir(parents=True, exist_ok=True)
    with (root / BUILDS / "lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        chosen = sorted(all_shards(root) if shards is None else set(shards))
        pages = sum(_build_shard(root, urls, language, shard) for shard in chosen)
        _write_list(root)
    return IndexBuild(len(chosen), pages, time.monotonic() - started)


def _build_shard(root: Path, urls: UrlScheme, language: str, shard: str) -> int:
    """Build one shard and link it in (or unlink it: no page left); the pages indexed."""
    builds = root / BUILDS / shard
    builds.mkdir(parents=True, exist_ok=True)
    target = builds / f"build-{time.time_ns()}"
    # At low priority: rendering pages (and acknowledging events) goes first.
    command = ["nice", "-n", str(NICENESS), str(get_executable()), "--site", str(root)]
    command += ["--output-path", str(target)]
    command += ["--glob", article_glob(urls, shard), "--force-language", language]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    link = root / BUNDLE / shard
    if done.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        if NO_PAGES not in done.stdout + done.stderr:
            raise RuntimeError(f"pagefind failed on {shard}: {done.stderr.strip()[-2000:]}")
        link.unlink(missing_ok=True)
        shutil.rmtree(builds, ignore_errors=True)
        return 0
    os.sync()  # the index is on disk before the link names it
    link.parent.mkdir(exist_ok=True)
    temporary = root / BUILDS / f"link-{shard}.tmp"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(f"../{BUILDS}/{shard}/{target.name}")
    temporary.replace(link)
    names = sorted(p.name for p in builds.iterdir() if p.name.startswith("build-"))
    for name in names[: max(names.index(target.name) - 1, 0)]:
        shutil.rmtree(builds / name, ignore_errors=True)
    indexed = re.search(r"Indexed (\d+) page", done.stdout)
    return int(indexed[1]) if indexed else 0


def _write_list(root: Path) -> None:
    """Write /pagefind/shards.json: the shards the results page merges, newest first."""
    bundle = root / BUNDLE
    if not bundle.is_dir():
        return
    data = json.dumps({"shards": sorted(built_shards(root), reverse=True)}).encode()
    temporary = root / BUILDS / f"{SHARDS}.tmp"
    temporary.write_bytes(data)
    temporary.replace(bundle / SHARDS)


def index_site(settings: Settings, shards: Iterable[str] | None = None) -> IndexBuild:
    """Build the index of the site in `settings.public_dir` (all shards when None)."""
    urls = UrlScheme.for_site(settings)
    return build_index(settings.public_dir, urls, settings.language, shards)
