"""Page views reported by the site: lean, because every page view of the site lands here."""

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import Headers

from services.ingest.api.deps import Parser, Views
from services.ingest.schemas import Accepted, ViewIn, ViewsParser, errors
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
        **errors(400, 413, 415, 422, 429),
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
async def post_views(request: Request, parser: Parser, log: Views) -> Response:
    """Record one view or a batch (no token, `application/json` only); answered at once.

    Views of ids that are not published articles, and views whose `ts` is further from now
    than `NEWSROOM_VIEWS_TS_WINDOW_S`, are dropped one by one; the answer counts the views
    stored and dropped. Views from known crawlers (by User-Agent) are recorded with
    `bot: true`. Each client address (an IPv6 /64) may report a limited number of views per
    window; over it the answer is 429 with `Retry-After`.
    """
    client = request.client.host if request.client else "unknown"
    return await record(parser, log, request.headers, await request.body(), client)


async def record(
    parser: ViewsParser, log: ViewLog, headers: Headers, body: bytes, client: str
) -> Response:
    """The answer to a views request from `client`, once Redis has its views (raises
    HTTPException or RequestValidationError for the app's error handlers to answer)."""
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(415, "views must be sent as application/json")
    try:
        batch: list[ViewIn] = parser.parse(body)
    except ValidationError as e:
        raise RequestValidationError(e.errors(include_url=False)) from None
    try:
        recorded = await log.append(batch, client, bot=is_bot(headers.get("user-agent", "")[:512]))
    except RateLimitedError as e:
        raise HTTPException(
            429, "too many view reports from this address", {"Retry-After": str(e.retry_after)}
        ) from None
    body = b'{"accepted":%d,"dropped":%d}' % (recorded.stored, recorded.dropped)
    return Response(body, 202, media_type="application/json")
