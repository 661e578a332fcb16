"""Where a site path that has no file went: 301 and the new URL, 410, or 404.

Editors ask `/api/resolve` (a JSON answer); nginx and the local site server pass a request
whose file is missing to `/api/resolve/redirect`, answered with that real HTTP status.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response

from services.ingest.api.deps import Store
from services.ingest.errors import error
from services.ingest.schemas import Resolved, errors

router = APIRouter(prefix="/api/resolve", tags=["site"])


@router.get("", responses=errors(422))
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


@router.get("/redirect", include_in_schema=False)  # for web servers; editors use /api/resolve
async def resolve_redirect(
    path: Annotated[str, Query(max_length=2000, description="Site path with no file: /a/b/")],
    store: Store,
) -> Response:
    """301 with Location, 410, or 404 for a site path that has no file."""
    status, location = await store.resolve(path)
    if status == 301 and location:
        return RedirectResponse(location, status_code=301)
    if status == 410:
        return error(410, f"{path} was unpublished")
    return error(404, f"nothing at {path}")
