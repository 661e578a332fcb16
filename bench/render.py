"""Render benchmark: PUT → pages latency at two store sizes, and a full rebuild.

    .venv/bin/python bench/render.py                       # 1,000 and 100,000; rebuild 20,000
    .venv/bin/python bench/render.py --sizes 1000 --samples 50 --rebuild 2000

For each store size the store is bulk-loaded directly (ArticleStore.load, no events), then the
real ingest and render services run as processes on a private redis-server. Each sample PUTs
one new article and waits until the article page, the first home page and the article's
section page show it; the latency of a page is the time its file was written (mtime) minus
the moment the PUT's 201 response arrived. Then a store of `--rebuild` articles is rebuilt as
`newsroom rebuild` does it (pages by `services.render.rebuild` on all cores, then every feed by
`services.feeds.rebuild`), timed, with the files it wrote counted by kind.

With `--pelican /path/to/venv/bin/pelican` (Pelican 4.12 installed in its own venv, e.g.
`python3 -m venv /tmp/pelican-venv && /tmp/pelican-venv/bin/pip install "pelican==4.12.*"
markdown`), the same articles are written as Markdown and built by Pelican with the same page
kinds (article, paginated home/section/tag/author, year/month/day archives) and the same feeds
(RSS and Atom of the site and of every section, tag and author, NEWSROOM_FEED_SIZE entries
with full content), timed in the same run.
"""

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psutil
import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from percentiles import percentile  # noqa: E402

from services.feeds.rebuild import rebuild_feeds  # noqa: E402
from services.render.rebuild import rebuild  # noqa: E402
from shared.article import Article  # noqa: E402
from shared.files import REVISIONS_DIR  # noqa: E402
from shared.settings import Settings  # noqa: E402
from shared.slugs import make_slug  # noqa: E402
from shared.store import open_store  # noqa: E402
from shared.topology import ARTICLES_STREAM, RENDER_GROUP  # noqa: E402
from shared.urls import UrlScheme  # noqa: E402
from tests.support.platform import Platform, wait_for  # noqa: E402
from tests.support.redis_server import redis_executor, url_of  # noqa: E402

SECTIONS = ["Общество", "Экономика", "Спорт", "Культура", "Наука", "Происшествия", "Политика"]
TAGS = [f"тема {n}" for n in range(60)] + ["Жас бүркіт", "Ұлы Жеңіс"]
AUTHORS = [f"Автор Номер {n}" for n in range(40)]
BODY = "<p>" + "Текст новости о событиях в Казахстане и мире. " * 12 + "</p>"


def synthetic(n: int, now: datetime, urls: UrlScheme) -> Article:
    """Article number `n`, published `n` × 17 minutes before `now`."""
    published = now - timedelta(minutes=17 * n)
    slug = f"novost-{n}"
    return Article(
        id=f"bulk-{n}",
        version=1,
        guid=f"urn:uuid:{uuid.UUID(int=n)}",
        slug=slug,
        url=urls.article_url(slug, published),
        status="published",
        created_at=published,
        modified_at=published,
        title=f"Новость номер {n}: события дня в регионах",
        summary="Краткое изложение новости для списков и поисковиков.",
        body_html=BODY,
        authors=[{"name": AUTHORS[n % len(AUTHORS)]}],
        section=SECTIONS[n % len(SECTIONS)],
        tags=[TAGS[n % len(TAGS)], TAGS[(n * 7 + 3) % len(TAGS)]],
        published_at=published,
    )


async def bulk_load(redis_url: str, count: int) -> None:
    """Fill an empty store with `count` articles, 2,000 per pipeline."""
    from redis.asyncio import Redis

    store = open_store(Settings(), Redis.from_url(redis_url))
    now = datetime.now(UTC) - timedelta(days=1)
    for start in range(0, count, 2000):
        batch = [synthetic(n, now, store.urls) for n in range(start, min(count, start + 2000))]
        await store.load(batch)
    await store.redis.delete(ARTICLES_STREAM)
    await store.redis.aclose()


def cpu_seconds() -> float:
    """User + system CPU time of this process and its finished children."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def visible(path: Path, needle: str | None) -> float | None:
    """mtime of `path` once it exists (and holds `needle`), else None."""
    try:
        if needle is not None and needle not in path.read_text(encoding="utf-8"):
            return None
        return path.stat().st_mtime
    except FileNotFoundError:
        return None


def all_visible(files: dict[str, tuple[Path, str | None]]) -> dict[str, float] | None:
    """Write times of all the pages once every one shows the article."""
    found = {kind: visible(*f) for kind, f in files.items()}
    return found if all(v is not None for v in found.values()) else None  # type: ignore[return-value]


def latencies(size: int, samples: int, workdir: Path) -> dict[str, list[float]]:
    """Milliseconds from accepted PUT to each page showing the article, per sample."""
    with redis_executor(workdir / "redis") as executor:
        url = url_of(executor)
        started = time.perf_counter()
        asyncio.run(bulk_load(url, size))
        print(f"  loaded {size:,} articles in {time.perf_counter() - started:.1f} s")
        platform = Platform(url, workdir)
        try:
            platform.start("ingest")
            platform.start("render")
            api = httpx.Client(
                base_url=f"http://127.0.0.1:{platform.ingest_port}",
                headers={"Authorization": f"Bearer {platform.token}"},
                timeout=30,
            )
            wait_for(lambda: api.get("/api/ready").status_code == 200, 60)
            wait_for(lambda: platform.blocked_readers() >= 1, 60)
            return measure(api, platform.public, samples, url)
        finally:
            platform.stop()


def idle(redis_url: str) -> bool:
    """Whether the render group has acked everything delivered to it."""
    with redis.Redis.from_url(redis_url) as client:
        return client.xpending(ARTICLES_STREAM, RENDER_GROUP)["pending"] == 0


def measure(
    api: httpx.Client, public: Path, samples: int, redis_url: str
) -> dict[str, list[float]]:
    """PUT `samples` articles one after another, timing when each page shows them; each PUT
    waits until render has finished (acked) the previous one, sitemaps included."""
    results: dict[str, list[float]] = {"article": [], "home": [], "section": []}
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
        seen = wait_for(lambda files=files: all_visible(files), timeout=30, interval=0.001)
        if n >= warmup:
            for kind, mtime in seen.items():
                results[kind].append((mtime - accepted) * 1000)
        wait_for(lambda: idle(redis_url), timeout=30, interval=0.005)
    return results


def rebuild_figures(count: int, workdir: Path) -> None:
    """Time a full rebuild of `count` articles and count the files by kind."""
    with redis_executor(workdir / "redis-rebuild") as executor:
        url = url_of(executor)
        asyncio.run(bulk_load(url, count))
        settings = Settings(REDIS_URL=url, public_dir=workdir / "rebuilt")
        redis_process = psutil.Process(executor.process.pid)
        redis_cpu = sum(redis_process.cpu_times()[:2])
        started, cpu = time.perf_counter(), cpu_seconds()
        totals = rebuild(settings)
        pages_done = time.perf_counter()
        feeds = rebuild_feeds(settings)
        finished = time.perf_counter()
        elapsed, cpu = finished - started, cpu_seconds() - cpu
        redis_cpu = sum(redis_process.cpu_times()[:2]) - redis_cpu
    kinds: Counter[str] = Counter()
    site_files = [
        p.relative_to(settings.public_dir)
        for p in settings.public_dir.rglob("*")
        if p.is_file() and REVISIONS_DIR not in p.relative_to(settings.public_dir).parts
    ]
    for path in site_files:
        kinds[kind_of(path.parts)] += 1
    html = sum(1 for p in site_files if p.suffix == ".html")
    print(
        f"  full rebuild of {count:,} articles: {elapsed:.1f} s wall (pages "
        f"{pages_done - started:.1f} s, feeds {finished - pages_done:.1f} s), {cpu:.1f} s CPU "
        f"(+ {redis_cpu:.1f} s CPU in redis-server), {totals.files_written:,} page files and "
        f"{feeds.files_changed:,} feed files written, {html:,} HTML pages"
    )
    for kind, n in sorted(kinds.items()):
        print(f"    {kind:<22} {n:>8,}")


PELICAN_CONF = """
SITENAME = "Bench"
SITEURL = "https://bench.example"
PATH = "content"
TIMEZONE = "Asia/Almaty"
DEFAULT_LANG = "ru"
DEFAULT_PAGINATION = 20
LOAD_CONTENT_CACHE = False
ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
YEAR_ARCHIVE_SAVE_AS = "{date:%Y}/index.html"
MONTH_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/index.html"
DAY_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/index.html"
CATEGORY_URL = "section/{slug}/"
CATEGORY_SAVE_AS = CATEGORY_URL + "index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
AUTHOR_URL = "author/{slug}/"
AUTHOR_SAVE_AS = AUTHOR_URL + "index.html"
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None, "author": None}
DIRECT_TEMPLATES = ["index"]
FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = FEED_SIZE
RSS_FEED_SUMMARY_ONLY = False
FEED_ALL_ATOM = "feeds/atom.xml"
FEED_ALL_RSS = "feeds/rss.xml"
CATEGORY_FEED_ATOM = "section/{slug}/atom.xml"
CATEGORY_FEED_RSS = "section/{slug}/rss.xml"
TAG_FEED_ATOM = "tag/{slug}/atom.xml"
TAG_FEED_RSS = "tag/{slug}/rss.xml"
AUTHOR_FEED_ATOM = "author/{slug}/atom.xml"
AUTHOR_FEED_RSS = "author/{slug}/rss.xml"
TRANSLATION_FEED_ATOM = None
"""


def pelican_figures(pelican: str, count: int, workdir: Path) -> None:
    """Build the same `count` articles with Pelican and time it."""
    import subprocess

    site = workdir / "pelican"
    content = site / "content"
    content.mkdir(parents=True)
    now = datetime.now(UTC) - timedelta(days=1)
    urls = UrlScheme.for_site(Settings())
    for n in range(count):
        a = synthetic(n, now, urls)
        local = urls.local(a.published_at)
        (content / f"{a.slug}.md").write_text(
            f"Title: {a.title}\nDate: {local:%Y-%m-%d %H:%M}\nSlug: {a.slug}\n"
            f"Category: {a.section}\nTags: {', '.join(a.tags)}\n"
            f"Authors: {a.authors[0].name}\nSummary: {a.summary}\n\n"
            + BODY.removeprefix("<p>").removesuffix("</p>")
            + "\n",
            encoding="utf-8",
        )
    conf = PELICAN_CONF.replace("FEED_SIZE", str(Settings().feed_size))
    (site / "pelicanconf.py").write_text(conf, encoding="utf-8")
    started, cpu = time.perf_counter(), cpu_seconds()
    subprocess.run(
        [pelican, "content", "-o", "output", "-s", "pelicanconf.py", "-q"], cwd=site, check=True
    )
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    pages = sum(1 for p in (site / "output").rglob("*.html"))
    feeds = sum(1 for p in (site / "output").rglob("*.xml") if p.name in FEED_FILES)
    print(
        f"  Pelican build of {count:,} articles: {elapsed:.1f} s wall, {cpu:.1f} s CPU, "
        f"{pages:,} HTML pages, {feeds:,} feeds"
    )


FEED_FILES = {"rss.xml", "atom.xml", "feed.json"}


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
    parser.add_argument("--pelican", help="path of a Pelican 4.12 executable to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        for size in args.sizes:
            print(f"store of {size:,} articles, {args.samples} PUTs:")
            results = latencies(size, args.samples, Path(tmp) / f"size-{size}")
            for kind, values in results.items():
                print(
                    f"  {kind:<8} p50 {statistics.median(values):7.1f} ms"
                    f"   p99 {percentile(values, 99):7.1f} ms"
                )
        if args.rebuild:
            rebuild_figures(args.rebuild, Path(tmp))
            if args.pelican:
                pelican_figures(args.pelican, args.rebuild, Path(tmp))


if __name__ == "__main__":
    main()
