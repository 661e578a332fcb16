"""Fixtures: real redis-server processes started by the suite, and the platform on top."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from pytest_redis.executor import RedisExecutor

from tests.support.cluster import RedisClusterProcesses
from tests.support.platform import Platform
from tests.support.redis_server import redis_executor, url_of
from tests.support.timing import scaled

SLOW_TIMEOUT_FACTOR = 3  # slow tests (chaos, browser, process-level) get three times the time


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give each test pytest-timeout's limit: the configured `timeout`, times three for slow
    tests, scaled by the time factor; a test's own `timeout` marker wins."""
    limit = float(config.getini("timeout"))
    for item in items:
        if item.get_closest_marker("timeout") is None:
            slow = item.get_closest_marker("slow") is not None
            item.add_marker(
                pytest.mark.timeout(scaled(limit * (SLOW_TIMEOUT_FACTOR if slow else 1)))
            )


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


@pytest.fixture
def redis_cluster(tmp_path: Path) -> Iterator[RedisClusterProcesses]:
    """A fresh Redis Cluster (3 masters, 3 replicas) of private redis-server processes."""
    with RedisClusterProcesses(tmp_path / "cluster") as cluster:
        yield cluster
