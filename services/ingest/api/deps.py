"""What the routes take from the app, as Annotated dependencies: no route reads the app's
state itself, and a test can override any of them (`app.dependency_overrides`)."""

import asyncio
from typing import Annotated

from fastapi import Depends, FastAPI, Path, Request
from jinja2 import Environment
from redis.asyncio import Redis

from services.ingest.preview_links import PreviewLinks
from services.ingest.schemas import ViewsParser
from services.ingest.viewlog import ViewLog
from shared.api_tokens import ApiToken
from shared.article import ArticleId
from shared.media_library import MediaLibrary
from shared.settings import Settings
from shared.store import ArticleStore


def get_app(request: Request) -> FastAPI:
    """The app answering the request."""
    return request.app


def get_store(request: Request) -> ArticleStore:
    """The article store of this app."""
    return request.app.state.store


def get_redis(request: Request) -> Redis:
    """The app's Redis client."""
    return request.app.state.redis


def get_view_log(request: Request) -> ViewLog:
    """Where reported page views go."""
    return request.app.state.view_log


def get_views_parser(request: Request) -> ViewsParser:
    """The validator of views request bodies."""
    return request.app.state.views_parser


def get_site_host(request: Request) -> str:
    """The site's host name (links to it get no `rel`)."""
    return request.app.state.site_host


def get_media(request: Request) -> MediaLibrary:
    """Where uploaded images are kept."""
    return request.app.state.media


def get_media_slots(request: Request) -> asyncio.Semaphore:
    """Uploads this worker may decode at once."""
    return request.app.state.media_slots


def get_base_url(request: Request) -> str:
    """The site's base URL, for the absolute URLs the API answers with."""
    return request.app.state.settings.base_url


def get_app_settings(request: Request) -> Settings:
    """The settings the app was made with."""
    return request.app.state.settings


def get_preview_links(request: Request) -> PreviewLinks:
    """Signs and checks preview links."""
    return request.app.state.preview_links


def get_theme(request: Request) -> Environment:
    """The site's theme (previews are rendered with it)."""
    return request.app.state.theme


def get_tokens(request: Request) -> list[ApiToken]:
    """The editorial systems' tokens."""
    return request.app.state.tokens


App = Annotated[FastAPI, Depends(get_app)]
Store = Annotated[ArticleStore, Depends(get_store)]
RedisClient = Annotated[Redis, Depends(get_redis)]
Views = Annotated[ViewLog, Depends(get_view_log)]
Parser = Annotated[ViewsParser, Depends(get_views_parser)]
SiteHost = Annotated[str, Depends(get_site_host)]
Media = Annotated[MediaLibrary, Depends(get_media)]
MediaSlots = Annotated[asyncio.Semaphore, Depends(get_media_slots)]
BaseUrl = Annotated[str, Depends(get_base_url)]
AppSettings = Annotated[Settings, Depends(get_app_settings)]
Previews = Annotated[PreviewLinks, Depends(get_preview_links)]
Theme = Annotated[Environment, Depends(get_theme)]
Tokens = Annotated[list[ApiToken], Depends(get_tokens)]
PathId = Annotated[ArticleId, Path(description="The editorial system's id of the article.")]
