"""The API's own documentation, for editors only: OpenAPI JSON and Swagger UI need a token."""

from fastapi import APIRouter, Depends
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from services.ingest.api.deps import App
from services.ingest.auth import require_token

OPENAPI_URL = "/api/openapi.json"
router = APIRouter(prefix="/api", dependencies=[Depends(require_token)])


@router.get("/openapi.json", include_in_schema=False)
async def openapi(app: App) -> JSONResponse:
    """The OpenAPI document of this API."""
    return JSONResponse(app.openapi())


@router.get("/docs", include_in_schema=False)
async def docs(app: App) -> HTMLResponse:
    """Swagger UI over the OpenAPI document."""
    return get_swagger_ui_html(openapi_url=OPENAPI_URL, title=app.title)
