"""Redis restarts under the real services: an empty Redis, then a Redis that stays away."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_redis.executor import RedisExecutor

from tests.support.platform import Platform, wait_for
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


def test_consumers_recreate_their_groups_after_redis_comes_back_empty(setup):
    platform, server = setup
    api = platform.api()
    first = api.put("/api/articles/before", json=ARTICLE).json()
    wait_for(lambda: platform.get(first["url"]).status_code == 200, timeout=5)

    # Redis restarts without its data: the streams and the consumer groups are gone.
    server.stop()
    server.start()

    # The consumers do not stop silently: a new article still reaches its page and the feeds.
    second = wait_for(
        lambda: (
            (r := api.put("/api/articles/after", json=ARTICLE | {"title": "После"})).is_success
            and r.json()
        ),
        timeout=20,
    )
    wait_for(lambda: platform.get(second["url"]).status_code == 200, timeout=15)
    wait_for(lambda: second["guid"] in platform.get("/feeds/rss.xml").text, timeout=15)
    assert all(p.poll() is None for p in platform.processes.values())


def test_consumers_exit_non_zero_when_redis_stays_away(setup):
    platform, server = setup

    # Redis goes away for longer than NEWSROOM_REDIS_GIVE_UP_S: render and feeds exit with 1,
    # for their supervisor to restart them.
    server.stop()
    for key in ("render-0", "feeds-0"):
        process = platform.processes[key]
        assert process.wait(scaled(30)) == 1
