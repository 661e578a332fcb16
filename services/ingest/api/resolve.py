"""What the web server answers for a site path that has no file: 301, 410 or 404."""

from typing import Annotated

from fastapi import APIRouter, Query

from services.ingest.api.deps import Store
from services.ingest.schemas import Resolved, errors

router = APIRouter(prefix="/api", tags=["site"])


@router.get("/resolve", responses=errors(422))
async def resolve(
    path: Annotated[
        str,
        Query(
            max_length=2000,
            pattern=r"^/",
            description="A site path, like `/2026/11/25/old-slug/`.",
            examples=["/2026/11/25/staryi-zagolovok/"],
        ),
    ],
    store: Store,
) -> Resolved:
    """301 and the new URL for an old article URL, 410 for an unpublished one, else 404.

    The HTTP status of this call itself is always 200.
    """
    status, location = await store.resolve(path)
    return Resolved(status=status, location=location)  # type: ignore[arg-type]
