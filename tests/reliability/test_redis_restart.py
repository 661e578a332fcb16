"""Redis restarts under the real services: an empty Redis (refused, nothing deleted), then a
Redis that stays away."""

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytest_redis.executor import RedisExecutor

from tests.support.platform import ROOT, Platform, wait_for
from tests.support.redis_server import redis_executor, url_of
from tests.support.timing import scaled

ARTICLE = {
    "title": "Статья до перезапуска",
    "author": "Дежурный редактор",
    "section": "Общество",
    "published_at": "2026-11-25T10:00:00+05:00",
    "body_html": "<p>Текст</p>",
}


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Platform, RedisExecutor]]:
    """The platform on a Redis without persistence; consumers give up after 3 s without it."""
    server = redis_executor(tmp_path / "redis")
    server.start()
    platform = Platform(url_of(server), tmp_path)
    platform.env["NEWSROOM_REDIS_GIVE_UP_S"] = "3"
    try:
        platform.start_all()
        yield platform, server
    finally:
        platform.stop()
        if server.running():
            server.stop()


def newsroom(platform: Platform, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the `newsroom` command against the platform, as an operator would."""
    return subprocess.run(
        [sys.executable, "-m", "newsroom.cli", *args],
        cwd=ROOT,
        env=platform.env,
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
    )


def refusal(platform: Platform, key: str) -> dict:
    """The /ready answer of a consumer once it refuses the store. One whose group vanished under it
    exits 1 (shared.consuming.guard): it is started again first, as its supervisor would."""

    def answer() -> dict | None:
        if platform.processes[key].poll() is not None:
            assert platform.processes[key].returncode == 1
            name, replica = key.rsplit("-", 1)
            platform.start(name, int(replica))
            return None
        response = httpx.get(platform.metrics_url(key) + "/ready")
        refused = response.status_code == 503 and "refused" in response.text
        return response.json() if refused else None

    return wait_for(answer, timeout=30, interval=0.2)


def test_a_redis_that_comes_back_empty_deletes_nothing_until_a_forced_rebuild(setup, tmp_path):
    platform, server = setup
    api = platform.api()
    first = api.put("/api/articles/before", json=ARTICLE).json()
    wait_for(lambda: platform.get(first["url"]).status_code == 200, timeout=5)
    wait_for(lambda: first["guid"] in platform.get("/feeds/rss.xml").text, timeout=5)
    home = platform.get("/").content

    # Redis restarts without its data (its snapshot of the shutdown deleted): the store, the
    # streams and the groups are gone.
    server.stop()
    for snapshot in (tmp_path / "redis").glob("dump.*.rdb"):
        snapshot.unlink()
    server.start()

    # The consumers refuse the empty store, say why, and keep the site as it is, even when
    # the empty store is written to again.
    for key in ("render-0", "feeds-0"):
        ready = refusal(platform, key)
        assert ready["error"] == "site not served"
        assert ready["reason"].startswith("refused: the store is empty")
    second = wait_for(
        lambda: (
            (r := api.put("/api/articles/after", json=ARTICLE | {"title": "После"})).is_success
            and r.json()
        ),
        timeout=20,
    )
    stats = newsroom(platform, "stats", "--json")
    states = {s["service"]: s["state"] for s in json.loads(stats.stdout)["site"]}
    assert states == {"render": "refused", "feeds": "refused"}
    assert platform.get(first["url"]).status_code == 200
    assert platform.get(second["url"]).status_code == 404
    assert platform.get("/").content == home
    assert first["guid"] in platform.get("/feeds/rss.xml").text
    assert all(p.poll() is None for p in platform.processes.values())

    # Without --force the rebuild refuses too; with it, the site is the new store's, and the
    # consumers go on with it.
    refused = newsroom(platform, "rebuild", check=False)
    assert refused.returncode == 1 and "refused" in refused.stdout
    newsroom(platform, "rebuild", "--force")
    assert platform.get(first["url"]).status_code == 404  # the new store never had it
    assert platform.get(second["url"]).status_code == 200
    for key in ("render-0", "feeds-0"):
        wait_for(lambda key=key: httpx.get(platform.metrics_url(key) + "/ready").is_success, 10)
    third = api.put("/api/articles/third", json=ARTICLE | {"title": "Третья"}).json()
    wait_for(lambda: platform.get(third["url"]).status_code == 200, timeout=15)
    wait_for(lambda: third["guid"] in platform.get("/feeds/rss.xml").text, timeout=15)


def test_consumers_exit_non_zero_when_redis_stays_away(setup):
    platform, server = setup

    # Redis goes away for longer than NEWSROOM_REDIS_GIVE_UP_S: render and feeds exit with 1,
    # for their supervisor to restart them.
    server.stop()
    for key in ("render-0", "feeds-0"):
        process = platform.processes[key]
        assert process.wait(scaled(30)) == 1
