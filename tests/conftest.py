"""Fixtures: real redis-server processes started by the suite, and the platform on top."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from pytest_redis.executor import RedisExecutor

from tests.support.platform import Platform
from tests.support.redis_server import redis_executor, url_of


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisExecutor]:
    """One redis-server for the session's store and API tests."""
    executor = redis_executor(tmp_path_factory.mktemp("redis"))
    with executor:
        yield executor


@pytest.fixture
def redis_url(redis_server: RedisExecutor) -> Iterator[str]:
    """A flushed database on the session's server."""
    url = url_of(redis_server)
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """The whole platform on its own redis-server, shared by one test module."""
    workdir: Path = tmp_path_factory.mktemp("platform")
    executor = redis_executor(workdir / "redis")
    with executor:
        running = Platform(url_of(executor), workdir)
        try:
            running.start_all()
            yield running
        finally:
            running.stop()
