"""Page views reported by the site: lean, because every page view of the site lands here."""

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from services.ingest.schemas import Accepted, ViewIn, errors
from services.ingest.viewlog import RateLimitedError, ViewLog, is_bot

router = APIRouter(prefix="/api", tags=["views"])

_VIEW_SCHEMA = ViewIn.model_json_schema()
_BODY_SCHEMA = {"oneOf": [_VIEW_SCHEMA, {"type": "array", "items": _VIEW_SCHEMA, "minItems": 1}]}


@router.post(
    "/views",
    status_code=202,
    response_class=Response,
    responses={
        202: {"model": Accepted, "description": "Taken; counted by the feeds service"},
        **errors(400, 413, 422, 429),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": _BODY_SCHEMA,
                    "example": [
                        {"article_id": "kz-2026-000123", "visitor_id": "v-42"},
                        {"article_id": "kz-2026-000124", "ts": "2026-11-25T14:05:00+05:00"},
                    ],
                }
            },
        }
    },
)
async def post_views(request: Request) -> Response:
    """Record one view or a batch (no token); answered at once.

    Views from known crawlers (by User-Agent) are recorded with `bot: true`. Each client
    address may send a limited number of requests per window; over it the answer is 429
    with `Retry-After`.
    """
    try:
        batch: list[ViewIn] = request.app.state.views_parser.parse(await request.body())
    except ValidationError as e:
        raise RequestValidationError(e.errors(include_url=False)) from None
    log: ViewLog = request.app.state.view_log
    client = request.client.host if request.client else "unknown"
    try:
        accepted = await log.append(
            batch, client, bot=is_bot(request.headers.get("user-agent", "")[:512])
        )
    except RateLimitedError as e:
        raise HTTPException(
            429, "too many view reports from this address", {"Retry-After": str(e.retry_after)}
        ) from None
    return Response(b'{"accepted":%d}' % accepted, 202, media_type="application/json")
