"""What makes a consumer service operable: metrics, event-aware JSON logs, health endpoints.

`instrument()` adds to a FastStream app, without touching its handlers: FastStream's Prometheus
middleware (latency histograms per stream and event type), log lines carrying the event id and
article id, and an HTTP server with `/health`, `/ready` and `/metrics` on
NEWSROOM_METRICS_PORT, which `serve()` runs from the process's start. Events handled and
failed by type are counted where their outcome is known, in shared.delivery.
"""

import asyncio
import contextlib
import json
import logging
import socket
import sys
from collections.abc import Callable
from typing import Any, NoReturn

import uvicorn
from faststream import FastStream
from faststream.redis import RedisBroker
from faststream.redis.prometheus import RedisPrometheusMiddleware
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shared.consumer_app import ConsumerGuard
from shared.events import DATA_FIELD
from shared.logs import setup_logging
from shared.redis_client import connect
from shared.settings import Settings, get_settings
from shared.site_keeper import SiteKeeper
from shared.stream_stats import export_stats
from shared.topology import streams_read_by

log = logging.getLogger(__name__)
_DECODER = json.JSONDecoder()


def event_fields(body: bytes | str) -> dict[str, str]:
    """Log fields of a message: type, and for a single event its event id and article id.

    Of a batch (a JSON array of whole events) only the first event is decoded: a log line
    names the batch's type, and decoding hundreds of events per line would cost more than
    handling them.
    """
    text = (body.decode(errors="replace") if isinstance(body, bytes) else body).strip()
    try:
        if text.startswith("["):
            rest = text[1:].lstrip()
            first, end = _DECODER.raw_decode(rest)
            single = rest[end:].strip() == "]"
        else:
            first, single = json.loads(text), True
    except ValueError:
        return {}
    if not isinstance(first, dict):
        return {}
    fields = {"event_type": str(first.get("type", "unknown"))}
    if single:
        fields |= {k: str(first[k]) for k in ("event_id", "article_id") if k in first}
    return fields


def event_type_of_raw(raw: Any) -> str:
    """Event type of a raw Redis stream message (a batch reports its first entry's type)."""
    data = raw.get("data") if isinstance(raw, dict) else None
    entries = data if isinstance(data, list) else [data]
    first = entries[0] if entries and isinstance(entries[0], dict) else {}
    body = first.get(DATA_FIELD.encode()) or first.get(DATA_FIELD)
    return event_fields(body).get("event_type", "unknown") if body else "unknown"


def ops_app(
    broker: RedisBroker, redis_url: str, group: str, keeper: SiteKeeper | None = None
) -> Starlette:
    """/health (the process answers), /ready (Redis answers, the site is served), /metrics.

    /ready answers 503 with the reason while the keeper holds the service (rebuilding the
    site, or refusing a store that looks wrong). Stream figures are read with a short timeout
    and one retry: a scrape while Redis hangs or is away answers at once, without them.
    """
    redis = connect(redis_url, socket_timeout=2, retries=1)
    streams = streams_read_by(group)

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def ready(_: Request) -> JSONResponse:
        problem = keeper.problem if keeper is not None else None
        if problem is not None:
            return JSONResponse({"error": "site not served", "reason": problem}, status_code=503)
        if await broker.ping(timeout=2):
            return JSONResponse({"status": "ready"})
        return JSONResponse({"error": "redis unreachable"}, status_code=503)

    async def metrics(_: Request) -> Response:
        with contextlib.suppress(Exception):
            await export_stats(redis, streams)
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return Starlette(
        routes=[Route("/health", health), Route("/ready", ready), Route("/metrics", metrics)]
    )


def _bind(host: str, port: int) -> socket.socket | None:
    """A socket bound to `host`:`port` (loopback unless NEWSROOM_METRICS_HOST says otherwise;
    compose sets 0.0.0.0 so probes and Prometheus reach it from other containers)."""
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


def instrument(app: FastStream, guard: ConsumerGuard, *, service: str) -> uvicorn.Server:
    """Set up JSON logs and metrics of a consumer service; its health/metrics server."""
    settings = get_settings()
    broker = app.broker
    assert broker is not None
    setup_logging(service, current_event=current_event(broker))
    broker.add_middleware(
        RedisPrometheusMiddleware(
            registry=REGISTRY, app_name=service, custom_labels={"event_type": event_type_of_raw}
        )
    )
    return uvicorn.Server(
        uvicorn.Config(
            ops_app(broker, settings.redis_url, guard.group, guard.keeper),
            log_config=None,
            access_log=False,
            lifespan="off",
        )
    )


def serve(
    create_app: Callable[[Settings], tuple[FastStream, ConsumerGuard]],
    *,
    service: str,
    default_port: int,
) -> NoReturn:
    """Run a consumer service until SIGTERM, instrumented; exit with its guard's code.

    The health/metrics server listens on NEWSROOM_METRICS_HOST, port NEWSROOM_METRICS_PORT
    else `default_port`,
    from the start (so /ready can say why while the site is rebuilt or refused).
    """
    app, guard = create_app(get_settings())
    server = instrument(app, guard, service=service)
    port = get_settings().metrics_port or default_port

    async def main() -> int:
        sock = _bind(get_settings().metrics_host, port)
        task = asyncio.create_task(server.serve(sockets=[sock])) if sock else None
        try:
            return await guard.run()
        finally:
            server.should_exit = True
            if task is not None:
                await task

    sys.exit(asyncio.run(main()))


def current_event(broker: RedisBroker) -> Callable[[], dict[str, str]]:
    """A function giving the log fields of the message `broker` is handling now, if any."""

    def fields() -> dict[str, str]:
        message = broker.context.get_local("message")
        return event_fields(message.body) if message is not None else {}

    return fields
