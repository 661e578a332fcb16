"""POST /api/views straight to its handler, past FastAPI's routing and dependency solving.

Every page view of the site lands on this one route: in front of the router, inside the
body limit, proxy-header and request-log middlewares (so those apply as to any route), this
answers it with the route's own code (`api.views.record`) and the app's own error handlers.
"""

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from services.ingest.api.views import record

PATH = "/api/views"


class ViewsFastPath:
    """ASGI middleware answering POST /api/views; every other request goes on to `app`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.route: APIRoute | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a views report, or pass the request on."""
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        fastapi: FastAPI = scope["app"]
        scope["route"] = _route(fastapi)  # the request log's route label, as routing sets it
        request = Request(scope, receive)
        client = scope["client"][0] if scope.get("client") else "unknown"
        state = fastapi.state
        try:
            body = await request.body()
            response = await record(
                state.views_parser, state.view_log, request.headers, body, client
            )
        except Exception as exc:
            handler = _handler(fastapi, exc)
            if handler is None:
                raise  # the server-error handler answers it, as for any route
            response = await handler(request, exc)
        await response(scope, receive, send)


def _route(app: FastAPI) -> APIRoute | None:
    """The app's route of POST /api/views."""
    return next(
        (
            r
            for r in app.routes
            if isinstance(r, APIRoute) and r.path == PATH and "POST" in r.methods
        ),
        None,
    )


def _handler(app: FastAPI, exc: Exception):  # noqa: ANN202 (Starlette's handlers are untyped)
    """The app's handler of `exc`'s class or nearest base, short of Exception itself."""
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        if cls in app.exception_handlers:
            return app.exception_handlers[cls]
    return None
