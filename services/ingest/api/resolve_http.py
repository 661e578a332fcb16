"""The web server's question for a missing file, answered with a real HTTP status.

nginx and the local site server pass a request whose file is missing here: an article's old
URL gets 301 to its current one, an unpublished article's URL 410, anything else 404.
"""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response

from services.ingest.api.deps import Store
from services.ingest.errors import error

router = APIRouter(prefix="/api/resolve", tags=["site"])


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
