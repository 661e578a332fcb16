"""Render benchmark: publish latency with the whole platform running, and a full rebuild.

    .venv/bin/python bench/render.py                       # 1,000 and 100,000; rebuild 20,000
    .venv/bin/python bench/render.py --sizes 1000 --samples 50 --rebuild 2000 --peers

For each store size the store is bulk-loaded directly (ArticleStore.load, no events), then the
whole platform runs as processes on a private redis-server (ingest, render, feeds and the site
server, as `./scripts/run` starts them). Each sample PUTs one new article straight to ingest and
waits until the article page, the first home page, the article's section page and the site's
RSS, Atom and JSON feeds show it; the latency of a file is the time it was written (mtime)
minus the moment the PUT's 201 response arrived. Then a store of `--rebuild` articles is
rebuilt as `newsroom rebuild` does it (pages by `services.render.rebuild` on all cores, then
every feed by `services.feeds.rebuild`), timed, with the files it wrote counted by kind; with
`--peers`, Pelican and Hugo build the same articles (bench/peers.py).
"""

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus import AUTHORS, BODY, SECTIONS, TAGS, bulk_load  # noqa: E402
from percentiles import percentile  # noqa: E402
from procs import PeakRss, cpu_seconds  # noqa: E402
from redis_kinds import client, platform_on, private_redis  # noqa: E402

from services.feeds.rebuild import rebuild_feeds  # noqa: E402
from services.render.rebuild import rebuild  # noqa: E402
from shared.files import REVISIONS_DIR  # noqa: E402
from shared.keyspace import ARTICLES_STREAM  # noqa: E402
from shared.settings import Settings  # noqa: E402
from shared.slugs import make_slug  # noqa: E402
from shared.topology import FEEDS_GROUP, RENDER_GROUP  # noqa: E402
from tests.support.platform import SERVICES, Platform, wait_for  # noqa: E402
from tests.support.redis_server import redis_executor, url_of  # noqa: E402

FEED_FILES = ("rss.xml", "atom.xml", "feed.json")


def visible(path: Path, needle: str | None) -> float | None:
    """mtime of `path` once it exists (and holds `needle`), else None."""
    try:
        if needle is not None and needle not in path.read_text(encoding="utf-8"):
            return None
        return path.stat().st_mtime
    except FileNotFoundError:
        return None


def all_visible(files: dict[str, tuple[Path, str | None]]) -> dict[str, float] | None:
    """Write times of all the files once every one shows the article."""
    found = {kind: visible(*f) for kind, f in files.items()}
    return found if all(v is not None for v in found.values()) else None  # type: ignore[return-value]


def latencies(
    size: int, samples: int, workdir: Path, cluster: bool = False
) -> dict[str, list[float]]:
    """Milliseconds from accepted PUT to each page and the site feeds showing the article, on
    one Redis or (`cluster`) a Redis Cluster."""
    with private_redis(workdir, cluster) as url:
        asyncio.run(bulk_load(url, size, cluster))
        platform = platform_on(url, workdir, cluster)
        try:
            start_ready(platform, cluster)
            api = httpx.Client(
                base_url=f"http://127.0.0.1:{platform.ingest_port}",
                headers={"Authorization": f"Bearer {platform.token}"},
                timeout=30,
            )
            wait_for(lambda: api.get("/api/ready").status_code == 200, 60)
            return measure(api, platform.public, samples, lambda: idle(url, cluster))
        finally:
            platform.stop()


def start_ready(platform: Platform, cluster: bool = False) -> None:
    """Start the whole platform and wait until render and feeds are ready: at their start
    they rebuild a site the store has outgrown (the bulk-loaded articles; minutes at 100,000),
    events waiting, and only then read their streams."""
    for name in (*SERVICES, "site"):
        platform.start(name)
    for key in ("render-0", "feeds-0"):
        url = f"{platform.metrics_url(key)}/ready"
        wait_for(lambda url=url: httpx.get(url).status_code == 200, timeout=3600, interval=0.2)
    wait_for(lambda: httpx.get(f"{platform.site_url}/api/ready").status_code == 200, 30)
    if not cluster:  # a cluster's readers block on several nodes
        wait_for(lambda: platform.blocked_readers() >= 3, 30)


def idle(redis_url: str, cluster: bool = False) -> bool:
    """Whether render and feeds have acked everything in the articles stream."""
    with client(redis_url, cluster) as redis_client:
        groups = {g["name"].decode(): g for g in redis_client.xinfo_groups(ARTICLES_STREAM)}
    return all(
        groups[name]["pending"] == 0 and groups[name]["lag"] == 0
        for name in (RENDER_GROUP, FEEDS_GROUP)
    )


def measure(
    api: httpx.Client, public: Path, samples: int, settled: Callable[[], bool]
) -> dict[str, list[float]]:
    """PUT `samples` articles one after another, timing when each file shows them; each PUT
    waits until render and feeds have finished (acked) the previous one (`settled`)."""
    results: dict[str, list[float]] = {"article": [], "home": [], "section": [], "feeds": []}
    warmup = 5
    for n in range(samples + warmup):
        section = SECTIONS[n % len(SECTIONS)]
        body = {
            "title": f"Срочная новость {n} из бенчмарка",
            "author": AUTHORS[n % len(AUTHORS)],
            "section": section,
            "tags": [TAGS[n % len(TAGS)]],
            "published_at": datetime.now(UTC).isoformat(),
            "summary": "Бенчмарк.",
            "body_html": BODY,
        }
        response = api.put(f"/api/articles/bench-{uuid.uuid4().hex[:12]}", json=body)
        accepted = time.time()
        response.raise_for_status()
        page_url = response.json()["url"]
        files = {
            "article": (public / page_url.strip("/") / "index.html", None),
            "home": (public / "index.html", page_url),
            "section": (public / "section" / make_slug(section) / "index.html", page_url),
        }
        for name in FEED_FILES:
            files[name] = (public / "feeds" / name, page_url)
        seen = wait_for(lambda files=files: all_visible(files), timeout=30, interval=0.001)
        seen["feeds"] = max(seen.pop(name) for name in FEED_FILES)
        if n >= warmup:
            for kind, mtime in seen.items():
                results[kind].append((mtime - accepted) * 1000)
        wait_for(settled, timeout=30, interval=0.005)
    return results


def publish_figures(
    size: int, samples: int, workdir: Path, cluster: bool = False
) -> dict[str, float]:
    """p50 and p99 in ms of each kind of file, e.g. {"article p50": 9.1, ...}."""
    figures = {}
    for kind, values in latencies(size, samples, workdir, cluster).items():
        figures[f"{kind} p50"] = percentile(values, 50)
        figures[f"{kind} p99"] = percentile(values, 99)
    return figures


def rebuild_figures(count: int, workdir: Path, show_progress: bool = True) -> dict[str, float]:
    """A full rebuild of `count` articles: seconds (all, pages, feeds), CPU seconds, files
    written, and the peak RSS of any of its processes (this one or a worker)."""
    with redis_executor(workdir / "redis-rebuild") as executor:
        url = url_of(executor)
        asyncio.run(bulk_load(url, count))
        settings = Settings(REDIS_URL=url, public_dir=workdir / "rebuilt")
        redis_process = psutil.Process(executor.process.pid)
        redis_cpu = sum(redis_process.cpu_times()[:2])
        started, cpu = time.perf_counter(), cpu_seconds()
        with PeakRss() as peak:
            totals = rebuild(settings, show_progress=show_progress)
            pages_done = time.perf_counter()
            feeds = rebuild_feeds(settings, show_progress=show_progress)
        finished = time.perf_counter()
        return {
            "seconds": finished - started,
            "pages seconds": pages_done - started,
            "feeds seconds": finished - pages_done,
            "cpu seconds": cpu_seconds() - cpu,
            "redis cpu seconds": sum(redis_process.cpu_times()[:2]) - redis_cpu,
            "page files": totals.files_written,
            "feed files": feeds.files_changed,
            "peak rss mb": peak.mb,
        }


def files_by_kind(public: Path) -> Counter[str]:
    """How many files of each kind a public folder holds."""
    kinds: Counter[str] = Counter()
    for path in public.rglob("*"):
        parts = path.relative_to(public).parts
        if path.is_file() and REVISIONS_DIR not in parts:
            kinds[kind_of(parts)] += 1
    return kinds


def kind_of(parts: tuple[str, ...]) -> str:
    """What kind of page a file under the public folder is."""
    if parts[-1] in FEED_FILES:
        return "feeds"
    if parts[0] in {"section", "tag", "author"}:
        return f"{parts[0]} list page"
    if parts[0] == "page" or parts == ("index.html",):
        return "home list page"
    if parts[0] in {"static", "sitemaps"}:
        return parts[0]
    if parts[0].isdigit() and parts[3:4] == ("page",):
        return "archive day"  # a numbered page of a day
    if parts[0].isdigit():
        return {2: "archive year", 3: "archive month", 4: "archive day", 5: "article"}[len(parts)]
    return "other (404, 410, robots, sitemap index)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1_000, 100_000])
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--rebuild", type=int, default=20_000)
    parser.add_argument("--peers", action="store_true", help="also build with Pelican and Hugo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        for size in args.sizes:
            print(f"store of {size:,} articles, {args.samples} PUTs, whole platform running:")
            for name, ms in publish_figures(size, args.samples, Path(tmp) / f"{size}").items():
                print(f"  {name:<12} {ms:7.1f} ms")
        if args.rebuild:
            figures = rebuild_figures(args.rebuild, Path(tmp))
            print(f"full rebuild of {args.rebuild:,} articles:")
            for name, value in figures.items():
                print(f"  {name:<20} {value:10,.1f}")
            for kind, n in sorted(files_by_kind(Path(tmp) / "rebuilt").items()):
                print(f"    {kind:<22} {n:>8,}")
            if args.peers:
                from peers import peer_rebuilds

                for name, seconds in peer_rebuilds(args.rebuild, Path(tmp), True).items():
                    print(f"  {name:<20} {seconds}")


if __name__ == "__main__":
    main()
