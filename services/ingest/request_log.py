"""One JSON log line and Prometheus samples per request answered by ingest."""

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger("ingest.requests")


class RequestLog:
    """ASGI middleware: logs method, path, status, milliseconds and the caller's token name;
    counts by route template.

    Requests to a `quiet` path (the site's page-view reports: one per page a reader opens)
    are counted but logged only when refused: a line per page view would bury the rest of the
    log, and the web server's access log has them.
    """

    def __init__(self, app: ASGIApp, quiet: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.quiet = quiet

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request and record how it was answered."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            token = scope.get("state", {}).get("token_name")  # set by auth.require_token
            HTTP_REQUESTS.labels(scope["method"], route, str(status)).inc()
            HTTP_LATENCY.labels(scope["method"], route).observe(seconds)
            if status >= 300 or scope["path"] not in self.quiet:
                log.info(
                    "%s %s %s",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "ms": round(seconds * 1000, 1),
                        **({"token": token} if token else {}),
                    },
                )
