"""The ingest app: wires settings, Redis, the store, routes and error handling."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI

from services.ingest import errors
from services.ingest.api import articles, health, metrics, resolve_http, views
from services.ingest.limits import BodySizeLimit
from services.ingest.request_log import RequestLog
from services.ingest.scheduler import run_scheduler
from shared.redis_client import connect
from shared.settings import Settings, get_settings
from shared.store import ArticleStore
from shared.urls import UrlScheme


def create_app(settings: Settings | None = None) -> FastAPI:
    """A configured ingest application."""
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = connect(settings.redis_url)
        app.state.redis = redis
        app.state.store = ArticleStore(redis, UrlScheme(timezone=settings.timezone))
        scheduler = asyncio.create_task(run_scheduler(app.state.store))
        try:
            yield
        finally:
            scheduler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await scheduler
            await redis.aclose()

    app = FastAPI(
        title="Newsroom ingest API",
        version="1",
        description="Editorial systems create, update and unpublish articles; the site "
        "reports page views.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    errors.install(app)
    for module in (articles, views, health, metrics, resolve_http):
        app.include_router(module.router)
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestLog)
    return app
