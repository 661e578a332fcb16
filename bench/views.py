"""Throughput of POST /api/views: single views and batches of 100, with p99 latency.

Starts a private redis-server and the real ingest service (NEWSROOM_INGEST_WORKERS processes,
uvloop, httptools), drives it with wrk (Debian's `wrk`; `scripts/bench views` installs it),
then checks that the views stream holds exactly the views the server accepted. The views are
of published articles (others are dropped before the stream); the rate limit is off, as one
load generator is one address.

    .venv/bin/python bench/views.py [--seconds 10] [--connections 64] [--workers 2]
"""

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from port_for import get_port

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from redis_kinds import client as redis_client  # noqa: E402
from redis_kinds import private_redis, service_env  # noqa: E402

from shared.keyspace import Layout  # noqa: E402
from tests.support.flood import load_articles, published_articles  # noqa: E402
from tests.support.readers import BROWSER  # noqa: E402

WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "{ua}"
wrk.body = [=[{body}]=]
"""


def start_ingest(
    redis_url: str, workers: int, workdir: Path, cluster: bool = False
) -> tuple[subprocess.Popen[bytes], str]:
    port = get_port(None)
    env = {
        **os.environ,
        **service_env(cluster),
        "REDIS_URL": redis_url,
        "NEWSROOM_INGEST_PORT": str(port),
        "NEWSROOM_INGEST_WORKERS": str(workers),
        "NEWSROOM_VIEWS_RATE_LIMIT": "0",
        "NEWSROOM_API_TOKENS": f"bench:{secrets.token_urlsafe(32)}",
        "NEWSROOM_PUBLIC_DIR": str(workdir / "public"),
        "PYTHONPATH": str(ROOT),
    }
    log = (workdir / "ingest.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "services.ingest"], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/api/ready").status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"ingest did not start; see {workdir / 'ingest.log'}")


def run_wrk(url: str, body: str, seconds: int, connections: int, workdir: Path) -> dict:
    script = workdir / "post.lua"
    script.write_text(WRK_SCRIPT.format(ua=BROWSER["User-Agent"], body=body))
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            str(script),
            f"{url}/api/views",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1),
        "p99": re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else "none",
    }


STREAMS = Layout().views_streams()  # the default layout, as start_ingest runs it


def measure(seconds: int, connections: int, workers: int, cluster: bool = False) -> dict[str, dict]:
    """wrk's figures for single views and batches of 100 (plus views/s and whether the views
    stream holds what the server accepted), by name: "single", "batch100"; on one Redis or
    (`cluster`) a Redis Cluster."""
    single = json.dumps({"article_id": "bench-1", "visitor_id": "v-1"})
    batch = json.dumps(
        [{"article_id": f"bench-{n % 7}", "visitor_id": f"v-{n}"} for n in range(100)]
    )
    with (
        tempfile.TemporaryDirectory(prefix="bench-views-") as tmp,
        private_redis(Path(tmp), cluster) as redis_url,
    ):
        workdir = Path(tmp)
        load_articles(redis_url, published_articles("bench", 7), cluster)
        ingest, base = start_ingest(redis_url, workers, workdir, cluster)
        client = redis_client(redis_url, cluster)
        try:
            runs = {}
            for name, body, per_request in (("single", single, 1), ("batch100", batch, 100)):
                for stream in STREAMS:  # one key a command: the streams' slots differ
                    client.delete(stream)
                result = run_wrk(base, body, seconds, connections, workdir)
                accepted = (result["requests"] - result["non_2xx"]) * per_request
                result["views_per_s"] = result["rps"] * per_request
                result["stream_entries"] = sum(client.xlen(s) for s in STREAMS)
                # wrk may stop mid-request at the end; the stream may hold a few more.
                result["stream_matches"] = (
                    0 <= result["stream_entries"] - accepted <= (connections * per_request)
                )
                runs[name] = result
            return runs
        finally:
            client.close()
            ingest.terminate()
            ingest.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: run `scripts/bench views` (installs it from Debian)")
    runs = measure(args.seconds, args.connections, args.workers)
    print(
        f"POST /api/views, {args.workers} ingest workers, wrk -t1 -c{args.connections} "
        f"-d{args.seconds}s, {os.cpu_count()} CPUs"
    )
    for name, r in runs.items():
        print(
            f"{name:9} {r['rps']:>10,.0f} req/s {r['views_per_s']:>11,.0f} views/s  "
            f"p50 {r['p50']:>8}  p99 {r['p99']:>8}  non-2xx {r['non_2xx']}  "
            f"socket errors {r['socket_errors']}  stream entries {r['stream_entries']:,} "
            f"({'consistent' if r['stream_matches'] else 'MISMATCH'})"
        )


if __name__ == "__main__":
    main()
