"""Every API error is a JSON body with a reason and the right status."""

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.replication import RETRY_AFTER_S, NotReplicatedError

log = logging.getLogger(__name__)


def error(status: int, reason: str, **extra: object) -> JSONResponse:
    """A JSON error response."""
    return JSONResponse({"error": reason, **extra}, status_code=status)


def _field(loc: tuple[object, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error(400, "malformed JSON", detail=str(errors[0].get("ctx", {}).get("error", "")))
    fields = [{"field": _field(tuple(e["loc"])), "reason": e["msg"]} for e in errors]
    return error(422, "validation failed", fields=fields)


async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    headers = getattr(exc, "headers", None)
    response = error(exc.status_code, str(exc.detail))
    if headers:
        response.headers.update(headers)
    return response


async def _not_replicated(_: Request, exc: NotReplicatedError) -> JSONResponse:
    """A write its master has but too few replicas acknowledged in time: repeat the request."""
    response = error(503, "write not replicated in time", detail=str(exc))
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error(
        "unhandled error",
        exc_info=exc,
        extra={"method": request.method, "path": request.url.path},
    )
    return error(500, "internal error")


def install(app: FastAPI) -> None:
    """Register the JSON error handlers on `app`."""
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(NotReplicatedError, _not_replicated)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)
