"""The Redis a benchmark runs the platform on: one private redis-server, or a Redis Cluster of
six private redis-server processes (3 masters, 3 replicas on loopback, tests/support/cluster.py).

`private_redis(workdir, cluster)` yields the REDIS_URL; `service_env(cluster)` is what the
services need on top of it (NEWSROOM_REDIS_CLUSTER=true), `client(url, cluster)` a blocking
client of either, and `start_platform` starts every process of a Platform and waits until it
serves, on either.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import redis

from tests.support.cluster import RedisClusterProcesses
from tests.support.platform import Platform, wait_for
from tests.support.redis_server import redis_executor, url_of

CLUSTER_ENV = {"NEWSROOM_REDIS_CLUSTER": "true"}


@contextmanager
def private_redis(workdir: Path, cluster: bool) -> Iterator[str]:
    """The URL of a fresh Redis (a cluster's first node when `cluster`), stopped on exit."""
    if cluster:
        with RedisClusterProcesses(workdir / "cluster") as nodes:
            yield nodes.url
    else:
        with redis_executor(workdir / "redis") as executor:
            yield url_of(executor)


def service_env(cluster: bool) -> dict[str, str]:
    """The environment a service needs beyond REDIS_URL to use that Redis."""
    return dict(CLUSTER_ENV) if cluster else {}


def client(url: str, cluster: bool) -> redis.Redis | redis.RedisCluster:
    """A blocking client of the Redis at `url` (any node of a cluster)."""
    return redis.RedisCluster.from_url(url) if cluster else redis.Redis.from_url(url)


def platform_on(url: str, workdir: Path, cluster: bool) -> Platform:
    """A Platform (not started) whose services use the Redis at `url`."""
    platform = Platform(url, workdir)
    platform.env.update(service_env(cluster))
    return platform


def start_platform(platform: Platform, cluster: bool) -> None:
    """Start ingest, render, feeds and the site server and wait until they serve. On one Redis
    that is Platform.start_all; on a cluster, whose readers block on several nodes, it is
    ingest's and the site's /api/ready and render's and feeds' /ready."""
    if not cluster:
        platform.start_all()
        return
    for name in ("ingest", "render", "feeds", "site"):
        platform.start(name)
    wait_for(lambda: httpx.get(f"{platform.site_url}/api/ready").status_code == 200, 60)
    for key in ("render-0", "feeds-0"):
        url = f"{platform.metrics_url(key)}/ready"
        wait_for(lambda url=url: httpx.get(url).status_code == 200, timeout=600, interval=0.2)
