"""Health, readiness and metrics of a consumer over HTTP, on FastStream's ASGI support.

`routes()` are the app's `asgi_routes`: `/health` (the process answers), `/ready` (Redis
answers and the site is served) and `/metrics` (Prometheus). `serving()` runs uvicorn on
NEWSROOM_METRICS_HOST (loopback by default; compose sets 0.0.0.0 so probes and Prometheus
reach it from other containers) from the process's start, without the ASGI lifespan, so
`/ready` can say why while the site is rebuilt or refused; the app's `run` drives the rest.
"""

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn
from faststream.asgi import AsgiResponse, get
from faststream.asgi.types import ASGIApp
from faststream.redis import RedisBroker
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from shared.consuming.stream_stats import export_stats
from shared.redis_client import open_redis
from shared.settings import Settings
from shared.site_keeper import SiteKeeper
from shared.topology import streams_read_by

log = logging.getLogger(__name__)


def _json(data: dict[str, str], status: int = 200) -> AsgiResponse:
    body = json.dumps(data).encode()
    return AsgiResponse(body, status, {"content-type": "application/json"})


def routes(
    broker: RedisBroker, settings: Settings, group: str, keeper: SiteKeeper | None
) -> list[tuple[str, ASGIApp]]:
    """/health, /ready, /metrics of the consumer of `group`.

    /ready answers 503 with the reason while the keeper holds the service (rebuilding the
    site, or refusing a store that looks wrong). Stream figures are read with a short timeout
    and one retry: a scrape while Redis hangs or is away answers at once, without them.
    """
    redis = open_redis(settings, socket_timeout=2, retries=1)
    streams = streams_read_by(group, settings.layout)

    @get(include_in_schema=False)
    async def health(scope: Any) -> AsgiResponse:
        return _json({"status": "ok"})

    @get(include_in_schema=False)
    async def ready(scope: Any) -> AsgiResponse:
        problem = keeper.problem if keeper is not None else None
        if problem is not None:
            return _json({"error": "site not served", "reason": problem}, 503)
        if await broker.ping(timeout=2):
            return _json({"status": "ready"})
        return _json({"error": "redis unreachable"}, 503)

    @get(include_in_schema=False)
    async def metrics(scope: Any) -> AsgiResponse:
        with contextlib.suppress(Exception):
            await export_stats(redis, streams)
        return AsgiResponse(generate_latest(REGISTRY), 200, {"content-type": CONTENT_TYPE_LATEST})

    return [("/health", health), ("/ready", ready), ("/metrics", metrics)]


def bind(host: str, port: int) -> socket.socket | None:
    """A socket bound to `host`:`port`; None (and a warning) when it is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        log.warning("metrics port %s:%s unavailable (%s); serving no /metrics", host, port, e)
        return None
    return sock


class _Server(uvicorn.Server):
    """uvicorn leaving the process's signals to the consumer (it stops the app first)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Install no signal handlers."""
        yield


@contextlib.asynccontextmanager
async def serving(app: ASGIApp, host: str, port: int) -> AsyncIterator[None]:
    """Serve `app`'s HTTP routes on `host`:`port` while the block runs (none if taken)."""
    sock = bind(host, port)
    if sock is None:
        yield
        return
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        yield
    finally:
        server.should_exit = True
        await task
