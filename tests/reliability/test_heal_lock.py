"""Replicas heal a lost public folder once: one rebuilds under the lock, the others wait."""

import shutil
import signal
from pathlib import Path

import httpx
import pytest

from tests.support.platform import Platform, wait_for
from tests.support.redis_server import redis_executor, url_of

pytestmark = pytest.mark.slow

ARTICLE = {
    "title": "Статья",
    "author": "Дежурный редактор",
    "section": "Общество",
    "tags": ["город"],
    "published_at": "2026-11-25T10:00:00+05:00",
    "body_html": "<p>Текст</p>",
}


def test_one_render_replica_rebuilds_a_lost_folder_and_the_other_waits(tmp_path: Path):
    with redis_executor(tmp_path / "redis") as server:
        platform = Platform(url_of(server), tmp_path)
        platform.start_all()
        try:
            api = platform.api()
            urls = [
                api.put(f"/api/articles/lock-{n}", json=ARTICLE | {"title": f"Статья {n}"}).json()[
                    "url"
                ]
                for n in range(5)
            ]
            for url in urls:
                wait_for(lambda u=url: platform.get(u).status_code == 200, timeout=30)
            platform.kill("render-0", signal.SIGTERM)
            shutil.rmtree(platform.public)

            for replica in (0, 1):
                platform.start("render", replica)
            for key in ("render-0", "render-1"):
                wait_for(
                    lambda k=key: httpx.get(platform.metrics_url(k) + "/ready").is_success,
                    timeout=90,
                    interval=0.2,
                )
            for url in ("/", *urls):
                assert platform.get(url).status_code == 200
            logs = [(platform.logs / f"render-{r}.log").read_text() for r in (0, 1)]
            # render-0's log holds its first run too: only the runs after the loss count.
            runs = [logs[0].split("FastStream app shut down gracefully.")[-1], logs[1]]
            assert sum(run.count("render rebuilt in") for run in runs) == 1
        finally:
            platform.stop()
