"""The ingest app: wires settings, Redis, the store, routes and error handling."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from services.ingest import errors
from services.ingest.api import (
    articles,
    docs,
    health,
    media,
    metrics,
    preview,
    resolve,
    versions,
    views,
)
from services.ingest.preview_links import PreviewLinks
from services.ingest.relay_loop import run_relay
from services.ingest.request_log import RequestLog
from services.ingest.scheduler import run_scheduler
from services.ingest.schemas import ViewsParser
from services.ingest.viewlog import ViewLog
from services.ingest.views_fast import ViewsFastPath
from shared.body_limits import BodySizeLimit
from shared.cancelling import cancel_and_wait
from shared.consuming.guard import REDIS_DOWN
from shared.media_library import MediaLibrary
from shared.pages.theme import make_environment
from shared.redis_client import open_redis
from shared.settings import Settings, get_settings
from shared.store import ArticleStore, open_store
from shared.store.migration import prepare_store

log = logging.getLogger(__name__)


async def _prepare(settings: Settings, store: ArticleStore) -> None:
    """Migrate the store and check its layout before serving (LayoutMismatchError: ingest
    does not start); when Redis is away, the relay loop does it once Redis is back."""
    once = open_redis(settings, retries=0)
    try:
        await prepare_store(once, store.relay)
    except REDIS_DOWN:
        log.warning("redis unreachable at start; the store is prepared once it is back")
    finally:
        await once.aclose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """A configured ingest application."""
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = open_redis(settings)
        app.state.redis = redis
        app.state.store = open_store(settings, redis)
        await _prepare(settings, app.state.store)
        app.state.view_log = ViewLog(
            redis,
            settings.layout,
            limit=settings.views_rate_limit,
            window=settings.views_rate_window,
            ts_window=settings.views_ts_window_s,
        )
        stop = asyncio.Event()
        tasks = {
            asyncio.create_task(run_scheduler(app.state.store, stop)),
            asyncio.create_task(run_relay(app.state.store, stop)),
        }
        try:
            yield
        finally:
            stop.set()
            _, still_running = await asyncio.wait(tasks, timeout=2.0)
            await cancel_and_wait(still_running)  # a pass stuck retrying an absent Redis
            await app.state.store.slots.aclose()
            await redis.aclose()

    app = FastAPI(
        title="Newsroom ingest API",
        version="1",
        description="Editorial systems create, update and unpublish articles; the site "
        "reports page views and asks where moved pages went. Every error is JSON: "
        '`{"error": "<reason>", ...}`, with `fields` naming each bad field on 422.',
        docs_url=None,  # served by api/docs, behind the token
        openapi_url=None,
        redoc_url=None,
        lifespan=lifespan,
        # Metrics are Prometheus's (/metrics) and logs are JSON lines; FastAPI's native
        # OpenTelemetry would look for configured providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.tokens = settings.tokens  # WeakTokenError: no app with a guessable token
    app.state.site_host = urlsplit(settings.site_url).hostname or ""
    app.state.views_parser = ViewsParser(settings.views_batch_max)
    app.state.preview_links = PreviewLinks(settings.preview_secret)  # WeakTokenError if weak
    app.state.theme = make_environment(settings)
    app.state.media = MediaLibrary(settings.media_dir, settings.media_max_pixels)
    app.state.media_slots = asyncio.Semaphore(media.DECODING_AT_ONCE)
    errors.install(app)
    routes = (articles, media, preview, versions, views, resolve, health, metrics, docs)
    for module in routes:
        app.include_router(module.router)
    app.add_middleware(ViewsFastPath)  # innermost: behind the limits, proxies and the log
    app.add_middleware(
        BodySizeLimit,
        limit=settings.max_body_bytes,
        timeout=settings.body_timeout_s,
        paths={
            "/api/views": app.state.views_parser.body_limit,
            "/api/media": settings.media_max_bytes,
        },
    )
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)  # type: ignore[arg-type]
    app.add_middleware(RequestLog, quiet=frozenset({"/api/views"}))
    return app
