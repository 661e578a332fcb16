"""Feeds benchmark: view events applied per second, and publish → site feed latency.

Run from the repository root: `.venv/bin/python bench/feeds.py [--views N] [--publishes N]`.

1. The raw XADD rate of this machine's Redis, measured by `redis-benchmark` in the same run
   (as many requests as views).
2. The ranking code alone: `ViewCounter.apply` on batches of 500 parsed view events.
3. The feeds service end to end: a backlog of view events in the stream, consumed by the real
   service (FastStream batch subscriber, parsing, counting, acks) until its group has no lag.
4. Publish latency: PUT an article through ingest, until the site RSS, Atom and JSON feeds on
   disk carry it (all services running, as in production), one publish every `--pause`
   seconds; p50/p95/p99/max. `rates` returns the figures of 1–3 (bench/all.py calls it).
"""

import argparse
import asyncio
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from percentiles import percentile  # noqa: E402
from redis_kinds import client as redis_client  # noqa: E402
from redis_kinds import platform_on, private_redis, start_platform  # noqa: E402

from newsroom.demo import load_demo  # noqa: E402
from services.feeds.views import ViewCounter  # noqa: E402
from shared.clock import utcnow  # noqa: E402
from shared.events import ArticleViewed, encode  # noqa: E402
from shared.keyspace import Layout  # noqa: E402
from shared.redis_client import connect  # noqa: E402
from shared.topology import FEEDS_GROUP  # noqa: E402
from tests.support.flood import load_articles, published_articles  # noqa: E402
from tests.support.platform import Platform, wait_for  # noqa: E402

BATCH = 500
ARTICLES = published_articles("a", 2000)  # only views of published articles count


def make_views(count: int, seed: int = 7) -> list[ArticleViewed]:
    """Views of 2,000 articles (a few very popular) by 50,000 visitors; 5% bots, repeats."""
    rng = random.Random(seed)
    now = utcnow()
    articles = [a.id for a in ARTICLES]
    weights = [1 / (n + 1) for n in range(len(articles))]
    chosen = rng.choices(articles, weights, k=count)
    return [
        ArticleViewed(
            article_id=article,
            visitor_id=f"v{rng.randrange(50_000)}",
            bot=rng.random() < 0.05,
            occurred_at=now - timedelta(seconds=rng.randrange(7200)),
        )
        for article in chosen
    ]


def redis_benchmark_xadd(url: str, requests: int) -> dict[str, float]:
    """XADD requests/s by redis-benchmark: 50 clients, without and with pipelining (16)."""
    rates = {}
    for pipeline in (1, 16):
        out = subprocess.run(
            [
                *("redis-benchmark", "-u", url, "-n", str(requests), "-P", str(pipeline)),
                *("-q", "XADD", "bench:xadd", "*", "__data__", "x" * 200),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        # "XADD bench:xadd * __data__ xxx: 123456.79 requests per second, p50=..."
        rates[f"P{pipeline}"] = float(out.rsplit(":", 1)[-1].split()[0].replace(",", ""))
    return rates


LAYOUT = Layout()  # the default layout, as the platform runs it


async def ranking_code_rate(url: str, views: list[ArticleViewed], cluster: bool) -> float:
    """Views/s through ViewCounter.apply alone, in batches of BATCH."""
    client = connect(url, cluster=cluster)
    counter = ViewCounter(client, LAYOUT, repeat_window=3600)
    start = time.perf_counter()
    for i in range(0, len(views), BATCH):
        await counter.apply(views[i : i + BATCH])
    elapsed = time.perf_counter() - start
    await client.aclose()
    return len(views) / elapsed


def service_rate(platform: Platform, views: list[ArticleViewed], cluster: bool) -> float:
    """Views/s the feeds service consumes from a backlog (XADDed while it was stopped)."""
    platform.kill("feeds-0")
    client = redis_client(platform.redis_url, cluster)
    for i in range(0, len(views), 1000):
        with client.pipeline(transaction=False) as pipe:
            for view in views[i : i + 1000]:
                pipe.xadd(LAYOUT.views_stream(LAYOUT.partition_of(view.article_id)), encode(view))
            pipe.execute()

    def group() -> dict:
        """The feeds group's lag and pending count, summed over the partitions."""
        groups = [
            next(g for g in client.xinfo_groups(stream) if g["name"].decode() == FEEDS_GROUP)
            for stream in LAYOUT.views_streams()
        ]
        return {k: sum(g[k] for g in groups) for k in ("lag", "pending")}

    backlog = group()["lag"]
    platform.start("feeds")
    # The clock starts at the first acknowledged batch, so start-up time is not counted.
    first = wait_for(lambda: (g := group())["lag"] < backlog and g, timeout=60, interval=0.001)
    start = time.perf_counter()
    wait_for(lambda: group()["lag"] == 0 and group()["pending"] == 0, timeout=600, interval=0.005)
    elapsed = time.perf_counter() - start
    client.close()
    return (first["lag"] + first["pending"]) / elapsed


def publish_latencies(
    platform: Platform, count: int, pause: float
) -> tuple[list[float], list[float]]:
    """Seconds to the new title being in all three site feeds on disk: from sending the PUT,
    and from its answer (the article and its event committed)."""
    feeds = [platform.public / "feeds" / name for name in ("rss.xml", "atom.xml", "feed.json")]
    sections = ["Общество", "Экономика", "Спорт", "Культура", "Наука"]
    latencies, after_commit = [], []
    with platform.api() as api:
        for n in range(count):
            title = f"Новость номер {n} для замера"
            article = {
                "title": title,
                "author": "Бенчмарк Бенчмарков",
                "section": sections[n % len(sections)],
                "tags": [f"тема {n % 7}"],
                "published_at": utcnow().isoformat(),
                "summary": "Замер задержки публикации.",
                "body_html": "<p>" + "Текст статьи. " * 200 + "</p>",
            }
            marker = title.encode()
            start = time.perf_counter()
            api.put(f"/api/articles/bench-{n}", json=article).raise_for_status()
            committed = time.perf_counter()
            while not all(marker in f.read_bytes() for f in feeds):
                time.sleep(0.001)
            latencies.append(time.perf_counter() - start)
            after_commit.append(time.perf_counter() - committed)
            time.sleep(pause)
    return latencies, after_commit


def rates(views: list[ArticleViewed], workdir: Path, cluster: bool = False) -> dict[str, float]:
    """The views/s figures: redis-benchmark's XADD (the ceiling, on one Redis only), the
    ranking code alone and the feeds service working a backlog; on one Redis or (`cluster`)
    a Redis Cluster."""
    figures = {}
    with private_redis(workdir / "raw", cluster) as url:
        if not cluster:
            xadd = redis_benchmark_xadd(url, len(views))
            figures["redis-benchmark XADD/s"] = xadd["P1"]
            figures["redis-benchmark XADD/s pipelined x16"] = xadd["P16"]
        load_articles(url, ARTICLES, cluster)
        figures["ranking code views/s"] = asyncio.run(ranking_code_rate(url, views, cluster))
    views_run = workdir / "views"
    with private_redis(views_run, cluster) as url, running(views_run, url, cluster) as platform:
        figures["feeds service views/s"] = service_rate(platform, views, cluster)
    return figures


@contextmanager
def running(workdir: Path, redis_url: str, cluster: bool = False) -> Iterator[Platform]:
    """The whole platform with the demo site published and the views' articles stored."""
    platform = platform_on(redis_url, workdir, cluster)
    start_platform(platform, cluster)
    try:
        load_demo(platform.site_url, platform.token, platform.public)
        wait_for(lambda: (platform.public / "feeds/feed.json").exists(), timeout=60)
        load_articles(platform.redis_url, ARTICLES, cluster)
        yield platform
    finally:
        platform.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--views", type=int, default=200_000)
    parser.add_argument("--publishes", type=int, default=200)
    parser.add_argument(
        "--pause",
        type=float,
        default=0.5,
        help="seconds between publishes (each also rewrites its section, tag and author feeds)",
    )
    parser.add_argument(
        "--without-render",
        action="store_true",
        help="stop the render service before the latency run, to see the feeds service alone",
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-feeds-"))
    for name, rate in rates(make_views(args.views), workdir).items():
        print(f"{name:<38} {rate:>12,.0f}")
    if args.publishes < 2:
        return  # the views figures only
    latency_run = workdir / "latency"  # a platform of its own: a new store, a new site
    with private_redis(latency_run, False) as url, running(latency_run, url) as p:
        if args.without_render:
            p.kill("render-0")
        latencies, after_commit = publish_latencies(p, args.publishes, args.pause)
    for label, seconds in (("PUT sent", latencies), ("PUT answered", after_commit)):
        ms = [x * 1000 for x in seconds]
        print(
            f"publish → site RSS+Atom+JSON on disk, from {label} ({len(ms)} publishes): "
            f"p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
            f"p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms"
        )


if __name__ == "__main__":
    main()
