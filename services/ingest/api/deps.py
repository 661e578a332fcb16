"""What the routes take from the app, as Annotated dependencies: no route reads the app's
state itself (`services.ingest.app` puts each of these there when it builds the app)."""

import asyncio
from typing import Annotated, Any

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


def from_state(name: str) -> Any:
    """A dependency on the app's state attribute `name`."""

    async def get(request: Request) -> Any:  # async: FastAPI runs sync ones in a thread
        return getattr(request.app.state, name)

    get.__name__ = f"get_{name}"
    return Depends(get)


async def get_app(request: Request) -> FastAPI:
    """The app answering the request."""
    return request.app


async def get_base_url(request: Request) -> str:
    """The site's base URL, for the absolute URLs the API answers with."""
    return request.app.state.settings.base_url


App = Annotated[FastAPI, Depends(get_app)]
BaseUrl = Annotated[str, Depends(get_base_url)]
# The article store, and the app's Redis client.
Store = Annotated[ArticleStore, from_state("store")]
RedisClient = Annotated[Redis, from_state("redis")]
# Where reported page views go, and the validator of their request bodies.
Views = Annotated[ViewLog, from_state("view_log")]
Parser = Annotated[ViewsParser, from_state("views_parser")]
# The site's host name (links to it get no `rel`).
SiteHost = Annotated[str, from_state("site_host")]
# Where uploaded images are kept, and how many uploads this worker may decode at once.
Media = Annotated[MediaLibrary, from_state("media")]
MediaSlots = Annotated[asyncio.Semaphore, from_state("media_slots")]
# The settings the app was made with; preview links; the site's theme (previews use it).
AppSettings = Annotated[Settings, from_state("settings")]
Previews = Annotated[PreviewLinks, from_state("preview_links")]
Theme = Annotated[Environment, from_state("theme")]
# The editorial systems' tokens.
Tokens = Annotated[list[ApiToken], from_state("tokens")]
PathId = Annotated[ArticleId, Path(description="The editorial system's id of the article.")]
