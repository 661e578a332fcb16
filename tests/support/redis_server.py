"""Private redis-server processes on free ports, via pytest-redis's executor."""

import shutil
from pathlib import Path

from pytest_redis.executor import RedisExecutor

from newsroom.ports import free_port
from tests.support.timing import scaled


def redis_executor(datadir: Path, *, appendonly: bool = False) -> RedisExecutor:
    """A stopped redis-server bound to a free port, keeping its files in `datadir`."""
    executable = shutil.which("redis-server")
    if executable is None:
        raise RuntimeError("redis-server is not installed; scripts/test installs it")
    datadir.mkdir(parents=True, exist_ok=True)
    return RedisExecutor(
        executable=executable,
        databases=4,
        redis_timeout=round(scaled(30)),
        loglevel="warning",
        host="127.0.0.1",
        port=free_port(),
        save="",
        appendonly="yes" if appendonly else "no",
        datadir=datadir,
    )


def url_of(executor: RedisExecutor, db: int = 0) -> str:
    """The redis:// URL of a running executor."""
    return f"redis://{executor.host}:{executor.port}/{db}"
