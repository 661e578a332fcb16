"""How fast `newsroom import` stores articles: an archive into a private Redis, no consumers.

Run: .venv/bin/python bench/import_archive.py [ARTICLES]   (default 5000)
"""

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsroom.embedded_redis import start_redis  # noqa: E402
from newsroom.importer import import_lines  # noqa: E402
from shared.redis_client import connect  # noqa: E402
from shared.settings import Settings  # noqa: E402
from shared.store import open_store  # noqa: E402
from tests.support.archive import write_archive  # noqa: E402


async def measure(redis_url: str, archive: Path) -> tuple[int, float]:
    redis = connect(redis_url)
    store = open_store(Settings(), redis)
    started = time.perf_counter()
    with archive.open(encoding="utf-8") as f:
        report = await import_lines(store, f)
    elapsed = time.perf_counter() - started
    await redis.aclose()
    return report.imported, elapsed


def main() -> None:
    articles = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp:
        process, url = start_redis(Path(tmp) / "redis")
        try:
            archive = write_archive(Path(tmp) / "archive.jsonl", articles, 0)
            imported, elapsed = asyncio.run(measure(url, archive.path))
        finally:
            process.terminate()
            process.wait(10)
    print(f"imported {imported} articles in {elapsed:.1f} s: {imported / elapsed:.0f} articles/s")


if __name__ == "__main__":
    main()
