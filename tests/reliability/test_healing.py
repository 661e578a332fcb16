"""Consumers heal their public folder: replicas rebuild a lost one once (one under the lock,
the others wait); an older copy of the folder put back is noticed and brought up to date."""

import shutil
import signal
from collections.abc import Iterator
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


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[Platform]:
    """The platform on a redis-server of its own, for one test."""
    with redis_executor(tmp_path / "redis") as server:
        running = Platform(url_of(server), tmp_path)
        running.start_all()
        try:
            yield running
        finally:
            running.stop()


def published(platform: Platform, article_id: str, title: str) -> dict:
    """PUT an article and wait until its page and the site feed show it."""
    article = platform.api().put(f"/api/articles/{article_id}", json=ARTICLE | {"title": title})
    stored = article.json()
    wait_for(lambda: stored["guid"] in platform.get("/feeds/rss.xml").text, timeout=30)
    wait_for(lambda: platform.get(stored["url"]).status_code == 200, timeout=30)
    return stored


def wait_ready(platform: Platform, key: str) -> None:
    """Wait until a consumer answers /ready with 200 (its folder settled)."""
    url = platform.metrics_url(key) + "/ready"
    wait_for(lambda: httpx.get(url).is_success, timeout=90, interval=0.2)


def test_one_render_replica_rebuilds_a_lost_folder_and_the_other_waits(platform: Platform):
    urls = [published(platform, f"lock-{n}", f"Статья {n}")["url"] for n in range(5)]
    platform.kill("render-0", signal.SIGTERM)
    shutil.rmtree(platform.public)

    for replica in (0, 1):
        platform.start("render", replica)
    for key in ("render-0", "render-1"):
        wait_ready(platform, key)
    for url in ("/", *urls):
        assert platform.get(url).status_code == 200
    logs = [(platform.logs / f"render-{r}.log").read_text() for r in (0, 1)]
    # render-0's log holds its first run too: only the runs after the loss count.
    runs = [logs[0].split("FastStream app shut down gracefully.")[-1], logs[1]]
    assert sum(run.count("render rebuilt in") for run in runs) == 1


def test_an_older_copy_of_the_folder_put_back_is_brought_up_to_date(
    platform: Platform, tmp_path: Path
):
    published(platform, "stale-1", "Первая")
    copy = tmp_path / "copy"
    # Manifests and sidecars with it; not a writer's temporary file, which may be renamed
    # away while the copy is made (a periodic refresh of /data/*.json, say).
    shutil.copytree(platform.public, copy, ignore=shutil.ignore_patterns(".tmp-*"))
    second = published(platform, "stale-2", "Вторая")

    # Render and feeds stop; the folder is replaced by its older copy (a restored volume
    # snapshot): the second article's events are acknowledged, in no backlog any more.
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


def test_a_restart_on_a_folder_in_step_rebuilds_nothing(platform: Platform):
    for n in range(3):
        published(platform, f"step-{n}", f"Статья {n}")
    for key in ("render-0", "feeds-0"):
        platform.kill(key, signal.SIGTERM)
        (platform.logs / f"{key}.log").unlink()
    for name in ("render", "feeds"):
        platform.start(name)
    for key in ("render-0", "feeds-0"):
        wait_ready(platform, key)
        log = (platform.logs / f"{key}.log").read_text()
        assert "site ok: in step with the store" in log
        assert "rebuilding" not in log
