"""The ingest app: wires settings, Redis, the store, routes and error handling."""

import asyncio
import contextlib
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
from services.ingest.request_log import RequestLog
from services.ingest.scheduler import run_scheduler
from services.ingest.schemas import ViewsParser
from services.ingest.viewlog import ViewLog
from shared.body_limits import BodySizeLimit
from shared.media_library import MediaLibrary
from shared.pages.theme import make_environment
from shared.redis_client import open_redis
from shared.settings import Settings, get_settings
from shared.store import open_store


def create_app(settings: Settings | None = None) -> FastAPI:
    """A configured ingest application."""
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = open_redis(settings)
        app.state.redis = redis
        app.state.store = open_store(settings, redis)
        app.state.view_log = ViewLog(
            redis,
            limit=settings.views_rate_limit,
            window=settings.views_rate_window,
            ts_window=settings.views_ts_window_s,
        )
        stop = asyncio.Event()
        scheduler = asyncio.create_task(run_scheduler(app.state.store, stop))
        try:
            yield
        finally:
            stop.set()
            _, still_running = await asyncio.wait({scheduler}, timeout=2.0)
            for task in still_running:  # a pass stuck retrying an absent Redis
                task.cancel()
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
    app.add_middleware(RequestLog)
    return app
