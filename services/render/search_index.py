"""The site's search index: Pagefind over the article pages of the public folder, by month.

Only article pages are read (a glob from the URL scheme, and within each page the element
marked `data-pagefind-body`), so the index holds exactly what the public pages show.

Pagefind builds an index in memory, about 0.3 MB per article page (bench/search.py): one
index of 100,000 articles would not fit this machine, and would take minutes to build after
each publish. So each month of articles has an index of its own (a shard, `2026-11`), built
when a page of that month changes; the results page merges them (`/pagefind/shards.json`
lists them, newest first).

Each build goes to a folder of its own, `/pagefind/<shard>/build-<ns>/` (ns: when it
started), and `/pagefind/shards.json` names each shard's current build by that path. The swap
is one rename of shards.json: a reader who loaded it asks the build it named for every file,
and that build stays through the next swap of its shard (older ones are removed). A failed or
empty build is never listed; a shard listed no more is removed at the next build. One build
at a time per public folder (an flock), whoever asks: the render service, `newsroom rebuild`,
a replica.
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

BUNDLE = "pagefind"  # the shards' site path: /pagefind/2026-11/build-<ns>/pagefind.js
LOCK = ".search.lock"  # in the public folder, hidden: never served
SHARDS = "shards.json"
NO_PAGES = "not able to build an index"  # what Pagefind says when no page matched
NICENESS = 10
# Pagefind dies with the thread that started it, SIGKILL included (util-linux's setpriv): no
# index build outlives a killed render replica and goes on writing into the folder.
WITH_PARENT = ["setpriv", "--pdeathsig", "KILL", "--"] if shutil.which("setpriv") else []
SHARD = re.compile(r"^(\d{4})-(\d{2})$")
BUILD = re.compile(r"^build-(\d+)$")


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
    return set(listed_builds(root))


def listed_builds(root: Path) -> dict[str, str]:
    """Each shard's current build as shards.json names it: {"2026-11": "build-<ns>"}."""
    try:
        listed = json.loads((root / BUNDLE / SHARDS).read_bytes())["shards"]
    except FileNotFoundError:
        return {}
    return {
        s["month"]: s["path"].rstrip("/").rsplit("/", 1)[1] for s in listed if isinstance(s, dict)
    }  # (entries of the old layout, bare month names, are left out: rebuilt as stale)


def stale_shards(root: Path, urls: UrlScheme) -> set[str]:
    """Shards with a page newer than their build's start, or with no pages left (a stop
    between a change and its build)."""
    builds = listed_builds(root)
    stale = set()
    for shard in all_shards(root):
        name = BUILD.match(builds.get(shard, ""))
        started = int(name[1]) / 1e9 if name else 0.0
        pages = root.glob(article_glob(urls, shard))
        if name is None or max((p.stat().st_mtime for p in pages), default=-1) > started:
            stale.add(shard)
    return stale


def build_index(
    root: Path, urls: UrlScheme, language: str, shards: Iterable[str] | None = None
) -> IndexBuild:
    """Build the given shards (all when None) and swap them in (see the module)."""
    started = time.monotonic()
    (root / BUNDLE).mkdir(parents=True, exist_ok=True)
    with (root / LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        chosen = sorted(all_shards(root) if shards is None else set(shards))
        before = listed_builds(root)
        builds: dict[str, str | None] = {}
        try:
            pages = sum(_build_shard(root, urls, language, shard, builds) for shard in chosen)
        finally:  # what was built is listed, even if a later shard failed
            if builds:
                _write_list(root, {s: b for s, b in (before | builds).items() if b})
            _prune(root, builds, before)
    return IndexBuild(len(chosen), pages, time.monotonic() - started)


def _build_shard(
    root: Path, urls: UrlScheme, language: str, shard: str, builds: dict[str, str | None]
) -> int:
    """Build one shard into a new folder, noted in `builds` (None: no page left); the pages
    indexed."""
    target = root / BUNDLE / shard / f"build-{time.time_ns()}"
    # At low priority: rendering pages (and acknowledging events) goes first.
    command = [*WITH_PARENT, "nice", "-n", str(NICENESS), str(get_executable())]
    command += ["--site", str(root)]
    command += ["--output-path", str(target)]
    command += ["--glob", article_glob(urls, shard), "--force-language", language]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        if NO_PAGES not in done.stdout + done.stderr:
            raise RuntimeError(f"pagefind failed on {shard}: {done.stderr.strip()[-2000:]}")
        builds[shard] = None
        return 0
    builds[shard] = target.name
    indexed = re.search(r"Indexed (\d+) page", done.stdout)
    return int(indexed[1]) if indexed else 0


def _write_list(root: Path, builds: dict[str, str]) -> None:
    """Write /pagefind/shards.json (newest month first) in one rename, once the builds it
    names are on disk."""
    os.sync()  # the builds are on disk before the list names them
    shards = [
        {"month": shard, "path": f"/{BUNDLE}/{shard}/{builds[shard]}/"}
        for shard in sorted(builds, reverse=True)
    ]
    bundle = root / BUNDLE
    temporary = bundle / f".{SHARDS}.tmp"
    with temporary.open("wb") as file:
        file.write(json.dumps({"shards": shards}).encode())
        file.flush()
        os.fsync(file.fileno())
    temporary.replace(bundle / SHARDS)
    folder = os.open(bundle, os.O_DIRECTORY)
    try:
        os.fsync(folder)  # the rename itself is durable
    finally:
        os.close(folder)


def _prune(root: Path, built: Iterable[str], before: dict[str, str]) -> None:
    """Of each shard built, keep the build listed now and the one listed before (a reader may
    still be loading it); remove the shards listed no more, and links of the old layout."""
    now = listed_builds(root)
    for folder in (root / BUNDLE).iterdir():
        if folder.is_symlink():
            folder.unlink()
        elif (
            folder.is_dir()
            and SHARD.match(folder.name)
            and (folder.name in built or folder.name not in now)
        ):
            keep = {now.get(folder.name), before.get(folder.name)}
            for build in folder.iterdir():
                if build.name not in keep:
                    shutil.rmtree(build, ignore_errors=True)
            if not any(folder.iterdir()):
                folder.rmdir()


def index_site(settings: Settings, shards: Iterable[str] | None = None) -> IndexBuild:
    """Build the index of the site in `settings.public_dir` (all shards when None)."""
    urls = UrlScheme.for_site(settings)
    return build_index(settings.public_dir, urls, settings.language, shards)
