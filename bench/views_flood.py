"""A flood of junk views: Redis's keys and memory before and after, and the real views' rate.

Starts a private redis-server holding 20 published articles and the real ingest and feeds
services (views rate limit off: the load generator is one address, naming many others in
X-Forwarded-For as a trusted proxy would), sends `--junk` junk views (made-up ids and
visitors, timestamps far away) in batches that each carry 10 real views, waits until every
real view is counted and retention has run, and compares Redis with before.

    .venv/bin/python bench/views_flood.py [--junk 200000] [--batch 500] [--concurrency 8]
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.flood import FloodResult, flood_platform, run_flood  # noqa: E402


def flood(junk: int, batch: int, concurrency: int, workdir: Path) -> FloodResult:
    """One flood on a platform of its own."""
    with flood_platform(workdir) as (platform, client):
        return run_flood(platform, client, junk, batch, concurrency)


def figures(junk: int, batch: int, concurrency: int, workdir: Path) -> dict[str, float]:
    """The flood's rates and how much Redis grew (in %), for bench/all.py."""
    r = flood(junk, batch, concurrency, workdir)
    return {
        "views sent/s": (r.junk + r.real) / r.send_seconds,
        "real views counted/s": r.real_per_second,
        "Redis keys growth": (r.after.keys / r.before.keys - 1) * 100,
        "Redis memory growth": (r.after.memory / r.before.memory - 1) * 100,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--junk", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-flood-") as tmp:
        r = flood(args.junk, args.batch, args.concurrency, Path(tmp))

    print(
        f"POST /api/views flood: {r.junk:,} junk + {r.real:,} real views in batches of "
        f"{args.batch}, {args.concurrency} connections, 1 ingest worker, {os.cpu_count()} CPUs"
    )
    print(
        f"answers: {r.stored:,} stored, {r.dropped:,} dropped; sent in {r.send_seconds:.1f} s "
        f"({(r.junk + r.real) / r.send_seconds:,.0f} views/s)"
    )
    print(
        f"real views: all {r.real:,} counted {r.counted_seconds:.1f} s after the first request, "
        f"{r.counted_seconds - r.send_seconds:.2f} s after the last answer "
        f"({r.real_per_second:,.0f} real views/s during the flood)"
    )
    for name, before, after in (
        ("keys", r.before.keys, r.after.keys),
        ("memory (bytes, client buffers excluded)", r.before.memory, r.after.memory),
        ("connections", r.before.clients, r.after.clients),
    ):
        print(f"Redis {name}: before {before:,}, after {after:,} ({after / before - 1:+.1%})")


if __name__ == "__main__":
    main()
