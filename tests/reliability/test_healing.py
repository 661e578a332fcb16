"""Consumers heal their public folder: replicas rebuild a lost one once (one under the lock,
the others wait); an older copy of the folder put back is noticed and brought up to date."""

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


def test_an_older_copy_of_the_folder_put_back_is_brought_up_to_date(tmp_path: Path):
    with redis_executor(tmp_path / "redis") as server:
        platform = Platform(url_of(server), tmp_path)
        platform.start_all()
        try:
            api = platform.api()
            first = api.put("/api/articles/stale-1", json=ARTICLE).json()
            wait_for(lambda: first["guid"] in platform.get("/feeds/rss.xml").text, timeout=30)
            wait_for(lambda: platform.get(first["url"]).status_code == 200, timeout=30)
            copy = tmp_path / "copy"
            shutil.copytree(platform.public, copy)  # manifests and sidecars with it

            second = api.put("/api/articles/stale-2", json=ARTICLE | {"title": "Вторая"}).json()
            wait_for(lambda: second["guid"] in platform.get("/feeds/rss.xml").text, timeout=30)
            wait_for(lambda: platform.get(second["url"]).status_code == 200, timeout=30)

            # Render and feeds stop; the folder is replaced by its older copy (a restored
            # volume snapshot): the second article's events are acknowledged, in no backlog.
            for key in ("render-0", "feeds-0"):
                platform.kill(key, signal.SIGTERM)
            shutil.rmtree(platform.public)
            shutil.copytree(copy, platform.public)
            assert platform.get(second["url"]).status_code == 404

            for name in ("render", "feeds"):
                platform.start(name)
            wait_for(lambda: platform.get(second["url"]).status_code == 200, timeout=90)
            wait_for(lambda: second["guid"] in platform.get("/feeds/rss.xml").text, timeout=90)
            assert "Вторая" in platform.get("/").text
        finally:
            platform.stop()


def test_a_restart_on_a_folder_in_step_rebuilds_nothing(tmp_path: Path):
    with redis_executor(tmp_path / "redis") as server:
        platform = Platform(url_of(server), tmp_path)
        platform.start_all()
        try:
            api = platform.api()
            for n in range(3):
                article = api.put(f"/api/articles/step-{n}", json=ARTICLE).json()
            wait_for(lambda: article["guid"] in platform.get("/feeds/rss.xml").text, timeout=30)
            wait_for(lambda: platform.get(article["url"]).status_code == 200, timeout=30)
            for key in ("render-0", "feeds-0"):
                platform.kill(key, signal.SIGTERM)
                (platform.logs / f"{key}.log").unlink()
            for name in ("render", "feeds"):
                platform.start(name)
            for key in ("render-0", "feeds-0"):
                wait_for(
                    lambda k=key: httpx.get(platform.metrics_url(k) + "/ready").is_success,
                    timeout=60,
                    interval=0.2,
                )
                log = (platform.logs / f"{key}.log").read_text()
                assert "site ok: in step with the store" in log
                assert "rebuilding" not in log
        finally:
            platform.stop()
