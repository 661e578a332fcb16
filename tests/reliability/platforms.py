"""A platform with settings of the test's choosing, on its own redis-server."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

from tests.support.platform import Platform
from tests.support.redis_server import redis_executor, url_of


@contextlib.contextmanager
def platform_with(workdir: Path, env: dict[str, str]) -> Iterator[Platform]:
    """The whole platform running with `env` added to its environment."""
    executor = redis_executor(workdir / "redis")
    with executor:
        running = Platform(url_of(executor), workdir)
        running.env |= env
        running.start_all()
        try:
            yield running
        finally:
            running.stop()
