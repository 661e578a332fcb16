"""Create, replace, read and unpublish articles."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Path, Response

from services.ingest.api.deps import get_store
from services.ingest.auth import require_token
from services.ingest.sanitize import clean_article
from services.ingest.schemas import ArticleId, ArticleOut
from shared.article import ArticleIn
from shared.store import (
    ArticleNotFoundError,
    ArticleStore,
    SlugTakenError,
    VersionConflictError,
)

router = APIRouter(prefix="/api/articles", tags=["articles"])
Store = Annotated[ArticleStore, Depends(get_store)]
Id = Annotated[ArticleId, Path(description="The editorial system's id of the article.")]


def _out(response: Response, article: object) -> ArticleOut:
    out = ArticleOut.model_validate(article, from_attributes=True)
    response.headers["ETag"] = f'"{out.version}"'
    return out


@router.put(
    "/{article_id}",
    dependencies=[Depends(require_token)],
    responses={201: {"model": ArticleOut, "description": "Created"}},
)
async def put_article(
    article_id: Id,
    article: Annotated[ArticleIn, Body()],
    response: Response,
    store: Store,
    if_match: Annotated[str | None, Header()] = None,
) -> ArticleOut:
    """Create the article (201) or replace it (200); the same body twice is one version."""
    expected = None
    if if_match is not None:
        try:
            expected = int(if_match.strip('W/"'))
        except ValueError:
            raise HTTPException(400, "If-Match must be an article version") from None
    try:
        result = await store.save(article_id, clean_article(article), if_match=expected)
    except VersionConflictError as e:
        raise HTTPException(412, f"version mismatch: current version is {e.current}") from None
    except SlugTakenError as e:
        raise HTTPException(409, f"slug {e} belongs to another article") from None
    response.status_code = 201 if result.created else 200
    return _out(response, result.article)


@router.get("/{article_id}", responses={404: {"description": "No such article"}})
async def get_article(article_id: Id, response: Response, store: Store) -> ArticleOut:
    """The stored article, whatever its status."""
    article = await store.get(article_id)
    if article is None:
        raise HTTPException(404, f"no article {article_id}")
    return _out(response, article)


@router.delete(
    "/{article_id}",
    dependencies=[Depends(require_token)],
    responses={404: {"description": "No such article"}},
)
async def delete_article(article_id: Id, response: Response, store: Store) -> ArticleOut:
    """Unpublish the article; it stays in the store and a later PUT republishes it."""
    try:
        article = await store.unpublish(article_id)
    except ArticleNotFoundError:
        raise HTTPException(404, f"no article {article_id}") from None
    return _out(response, article)
