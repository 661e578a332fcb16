"""Create, replace, read, list and unpublish articles."""

import base64
import binascii
import re
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Query, Response
from fastapi.exceptions import RequestValidationError

from services.ingest.api.deps import Media, PathId, SiteHost, Store
from services.ingest.api.media import with_media
from services.ingest.auth import Caller, require_token
from services.ingest.schemas import ArticleList, ArticleOut, errors
from shared.article import ArticleIn
from shared.markup.sanitize import clean_article
from shared.store import (
    CURSOR_PATTERN,
    ArticleNotFoundError,
    SlugTakenError,
    VersionConflictError,
)

router = APIRouter(prefix="/api/articles", tags=["articles"], dependencies=[Depends(require_token)])
_CURSOR = re.compile(CURSOR_PATTERN)


def _out(response: Response, article: object) -> ArticleOut:
    out = ArticleOut.model_validate(article, from_attributes=True)
    response.headers["ETag"] = f'"{out.version}"'
    return out


def _expected_version(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise HTTPException(400, 'If-Match must be an article version, like "3"')
    return int(value)


def _encode_cursor(position: str | None) -> str | None:
    return base64.urlsafe_b64encode(position.encode()).decode() if position else None


def _decode_cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        position = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
    except (ValueError, binascii.Error, UnicodeError):
        position = ""
    if not _CURSOR.match(position):
        raise RequestValidationError(
            [{"loc": ("query", "cursor"), "msg": "not a cursor this API issued", "type": "cursor"}]
        )
    return position


@router.get("", responses=errors(401, 422))
async def list_articles(
    store: Store,
    section: Annotated[
        str | None,
        Query(max_length=100, description="Section name or slug.", examples=["Общество"]),
    ] = None,
    tag: Annotated[
        str | None, Query(max_length=100, description="Tag name or slug.", examples=["politsiya"])
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Articles per page.")] = 20,
    cursor: Annotated[
        str | None, Query(max_length=200, description="`next_cursor` of the previous page.")
    ] = None,
) -> ArticleList:
    """Articles of every status for editors, newest created first, page by page."""
    page = await store.list_for_editors(
        section=section, tag=tag, limit=limit, after=_decode_cursor(cursor)
    )
    return ArticleList(
        items=[ArticleOut.model_validate(a, from_attributes=True) for a in page.articles],
        next_cursor=_encode_cursor(page.next_after),
    )


@router.put(
    "/{article_id}",
    responses={
        201: {"model": ArticleOut, "description": "Created"},
        **errors(400, 401, 409, 412, 413, 422),
    },
)
async def put_article(
    article_id: PathId,
    article: Annotated[ArticleIn, Body()],
    response: Response,
    store: Store,
    site_host: SiteHost,
    media: Media,
    caller: Caller,
    if_match: Annotated[
        str | None,
        Header(description="Expected current version; 412 when stale.", examples=['"3"']),
    ] = None,
) -> ArticleOut:
    """Create the article (201) or replace it (200); the same body twice is one version.

    A PUT after a DELETE republishes the article. A PUT of a body from
    `GET /api/articles/{id}/versions/{version}` restores that version.
    """
    expected = _expected_version(if_match)
    clean = with_media(clean_article(article, site_host), media)
    try:
        result = await store.save(article_id, clean, if_match=expected, by=caller)
    except VersionConflictError as e:
        current = "the article does not exist" if e.current is None else f"it is {e.current}"
        raise HTTPException(412, f"version mismatch: {current}") from None
    except SlugTakenError as e:
        raise HTTPException(409, f"slug {e} belongs to another article") from None
    response.status_code = 201 if result.created else 200
    return _out(response, result.article)


@router.get("/{article_id}", responses=errors(401, 404, 422))
async def get_article(article_id: PathId, response: Response, store: Store) -> ArticleOut:
    """The stored article, whatever its status; `ETag` carries its version."""
    article = await store.get(article_id)
    if article is None:
        raise HTTPException(404, f"no article {article_id}")
    return _out(response, article)


@router.delete("/{article_id}", responses=errors(401, 404, 422))
async def delete_article(
    article_id: PathId, response: Response, store: Store, caller: Caller
) -> ArticleOut:
    """Unpublish the article; it stays in the store and a later PUT republishes it."""
    try:
        article = await store.unpublish(article_id, by=caller)
    except ArticleNotFoundError:
        raise HTTPException(404, f"no article {article_id}") from None
    return _out(response, article)
