"""The real platform as subprocesses: ingest, render, feeds and the site server."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx
import psutil
import redis

from newsroom.ports import free_port
from tests.support.readers import BROWSER
from tests.support.samples import PREVIEW_SECRET, TOKEN, TOKENS
from tests.support.timing import scaled

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("ingest", "render", "feeds")
T = TypeVar("T")


def wait_for(check: Callable[[], T], timeout: float = 10.0, interval: float = 0.02) -> T:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds (scaled by
    the time factor)."""
    timeout = scaled(timeout)
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (httpx.HTTPError, OSError, AssertionError) as e:
            last_error = e
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last error: {last_error!r})")


class Platform:
    """The three services and the site server running against one Redis (or a cluster, with
    `env={"NEWSROOM_REDIS_CLUSTER": "true"}`) and one public folder."""

    def __init__(self, redis_url: str, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.redis_url = redis_url
        self.public = workdir / "public"
        self.media = workdir / "media"
        self.logs = workdir / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.token = TOKEN
        self.ingest_port = free_port()
        self.site_port = free_port()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.metrics_ports: dict[str, int] = {}
        self.site_url = f"http://127.0.0.1:{self.site_port}"
        self.env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "NEWSROOM_PUBLIC_DIR": str(self.public),
            "NEWSROOM_MEDIA_DIR": str(self.media),
            "NEWSROOM_SITE_URL": "https://news.example.kz",
            "NEWSROOM_API_TOKENS": TOKENS,
            "NEWSROOM_PREVIEW_SECRET": PREVIEW_SECRET,
            "NEWSROOM_INGEST_PORT": str(self.ingest_port),
            "NEWSROOM_SITE_PORT": str(self.site_port),
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }

    def start(self, name: str, replica: int = 0) -> subprocess.Popen[bytes]:
        """Start one process: a service by name, or `site` for the site server."""
        module = "newsroom.siteserver" if name == "site" else f"services.{name}"
        key = f"{name}-{replica}"
        self.metrics_ports[key] = free_port()
        env = {
            **self.env,
            "NEWSROOM_CONSUMER": key,
            "NEWSROOM_METRICS_PORT": str(self.metrics_ports[key]),
        }
        with (self.logs / f"{key}.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", module], env=env, cwd=ROOT, stdout=log, stderr=log
            )
        self.processes[key] = process
        return process

    def start_all(self) -> None:
        """Start everything and wait until ingest and the site answer."""
        for name in (*SERVICES, "site"):
            self.start(name)
        wait_for(lambda: httpx.get(f"{self.site_url}/api/ready").status_code == 200, 30)
        wait_for(lambda: self.blocked_readers() >= 3, 30)

    def blocked_readers(self) -> int:
        """How many subscribers are reading their streams right now."""
        if self.env.get("NEWSROOM_REDIS_CLUSTER", "").lower() != "true":
            with redis.Redis.from_url(self.redis_url) as client:
                return sum(c["cmd"] == "xreadgroup" for c in client.client_list())
        with redis.RedisCluster.from_url(self.redis_url) as cluster:
            return sum(
                c["cmd"] == "xreadgroup"
                for node in cluster.get_nodes()
                for c in node.redis_connection.client_list()
            )

    def kill(self, key: str, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to a process and wait for it and its children (ingest's workers, which
        stop when it dies) to end, so that what takes its place finds its port free."""
        process = self.processes.pop(key)
        alive = process.poll() is None
        children = psutil.Process(process.pid).children(recursive=True) if alive else []
        process.send_signal(sig)
        process.wait(scaled(30))
        _, still_running = psutil.wait_procs(children, timeout=scaled(30))
        assert still_running == [], f"{key} left {still_running} running"

    def stop(self) -> None:
        """Stop every process (SIGTERM, then SIGKILL)."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(scaled(15))
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def api(self) -> httpx.Client:
        """A client of the site origin that carries the API token."""
        return httpx.Client(
            base_url=self.site_url,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=scaled(10),
        )

    def metrics_url(self, key: str) -> str:
        """Base URL of a consumer's /health, /ready and /metrics server ('render-0')."""
        return f"http://127.0.0.1:{self.metrics_ports[key]}"

    def rebuild(self) -> None:
        """Run `newsroom rebuild --jobs 1` against this platform's store and folders."""
        subprocess.run(
            [sys.executable, "-m", "newsroom.cli", "rebuild", "--jobs", "1"],
            env=self.env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=scaled(300),
        )

    def post_views(self, views: list[dict[str, str]]) -> httpx.Response:
        """POST a batch of views to ingest as a reader's browser would."""
        return httpx.post(
            f"{self.site_url}/api/views", json=views, headers=BROWSER, timeout=scaled(10)
        )

    def get(self, path: str) -> httpx.Response:
        """GET a site path as a reader would."""
        return httpx.get(self.site_url + path, timeout=scaled(10))


def newsroom(platform: Platform, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `newsroom` command as an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "newsroom.cli", *args],
        env={**platform.env, "COLUMNS": "200"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=scaled(600),
        check=False,
    )
