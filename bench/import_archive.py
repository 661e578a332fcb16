"""`newsroom import` end to end: an archive stored, then every page and feed written.

Run: .venv/bin/python bench/import_archive.py [ARTICLES]   (default 5000)

The whole platform runs on a private redis-server (ingest, render, feeds, the site server);
the archive is imported as `newsroom import` does it (`import_lines` into the store), timed
until it is stored and until every consumer group has worked and acknowledged every event
(consumers acknowledge only once their files are written) and the last article's page exists.
The peak RSS (VmHWM) of each service is read before the platform stops.
"""

import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from procs import peak_rss_mb  # noqa: E402
from render import idle, start_ready  # noqa: E402

from newsroom.importer import import_lines  # noqa: E402
from shared.redis_client import connect  # noqa: E402
from shared.settings import Settings  # noqa: E402
from shared.store import open_store  # noqa: E402
from tests.support.archive import Archive, write_archive  # noqa: E402
from tests.support.platform import SERVICES, Platform  # noqa: E402
from tests.support.redis_server import redis_executor, url_of  # noqa: E402


async def store_archive(redis_url: str, archive: Archive) -> tuple[int, str]:
    """Import the archive; how many articles it stored and the last one's URL."""
    redis = connect(redis_url)
    store = open_store(Settings(), redis)
    with archive.path.open(encoding="utf-8") as f:
        report = await import_lines(store, f)
    article = await store.get(archive.valid_ids[-1])
    await redis.aclose()
    assert article is not None and article.url is not None
    return report.imported, article.url


ARCHIVE_SPAN = timedelta(days=6 * 365)
# How long the platform may take to catch up; past it the end-to-end figures are lower bounds.
SETTLE_LIMIT_S = 3600


def figures(articles: int, workdir: Path) -> dict[str, float]:
    """Seconds to store and to settle, articles/s end to end, peak RSS (MB) of each service,
    and whether it settled within SETTLE_LIMIT_S (1.0 or 0.0)."""
    workdir.mkdir(parents=True, exist_ok=True)
    # Six years of news up to yesterday: every article is live (none scheduled).
    step = ARCHIVE_SPAN / articles
    start = datetime.now(UTC) - timedelta(days=1) - step * articles
    archive = write_archive(workdir / "archive.jsonl", articles, 0, start=start, step=step)
    with redis_executor(workdir / "redis") as executor:
        platform = Platform(url_of(executor), workdir)
        try:
            start_ready(platform)
            started = time.perf_counter()
            imported, url = asyncio.run(store_archive(platform.redis_url, archive))
            stored = time.perf_counter()
            page = platform.public / url.strip("/") / "index.html"
            done = settle(lambda: idle(platform.redis_url) and page.exists())
            settled = time.perf_counter()
            rss = {s: peak_rss_mb(platform.processes[f"{s}-0"].pid) for s in SERVICES}
        finally:
            platform.stop()
    return {
        "stored seconds": stored - started,
        "end to end seconds": settled - started,
        "articles/s end to end": imported / (settled - started),
        **{f"{service} peak rss mb": mb for service, mb in rss.items()},
        "settled": float(done),
    }


def settle(check: Callable[[], bool]) -> bool:
    """Wait for `check` up to SETTLE_LIMIT_S; whether it came true."""
    deadline = time.monotonic() + SETTLE_LIMIT_S
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def main() -> None:
    articles = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        for name, value in figures(articles, Path(tmp)).items():
            print(f"{name:<24} {value:10,.1f}")


if __name__ == "__main__":
    main()
