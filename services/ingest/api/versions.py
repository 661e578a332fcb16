"""An article's history: its kept versions, and one version's content to PUT back."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path

from services.ingest.api.deps import PathId, Store
from services.ingest.auth import require_token
from services.ingest.schemas import VersionList, VersionOut, errors
from shared.article import STORED, ArticleIn
from shared.store import ArticleStore
from shared.versions import ArticleVersion

router = APIRouter(
    prefix="/api/articles/{article_id}/versions",
    tags=["versions"],
    dependencies=[Depends(require_token)],
)


async def _history(store: ArticleStore, article_id: str) -> list[ArticleVersion]:
    if await store.get(article_id) is None:
        raise HTTPException(404, f"no article {article_id}")
    return await store.versions(article_id)


@router.get("", responses=errors(401, 404, 422))
async def list_versions(article_id: PathId, store: Store) -> VersionList:
    """Who wrote each kept version, when, and which fields it changed; newest first."""
    history = await _history(store, article_id)
    return VersionList(items=[VersionOut.model_validate(v.model_dump()) for v in history])


@router.get("/{version}", responses=errors(401, 404, 422))
async def get_version(
    article_id: PathId,
    version: Annotated[int, Path(ge=1, description="A version from the list.")],
    store: Store,
) -> ArticleIn:
    """The article as it was at `version`, as a PUT body: PUT it to restore that version."""
    for kept in await _history(store, article_id):
        if kept.version == version:
            return ArticleIn.model_validate(kept.content, context=STORED)
    raise HTTPException(404, f"article {article_id} keeps no version {version}")
