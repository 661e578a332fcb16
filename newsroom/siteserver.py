"""The local site server: the public folder, with /api/ and editors' /preview/ links passed to
ingest on the same origin.

It stands in for the compose setup's nginx on a developer's machine, answering a missing file
the same way: ingest's /api/resolve/redirect decides between 301, 410 and 404, and the two
errors carry the site's /410.html and /404.html.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsroom.file_response import open_file_response
from shared.body_limits import BodySizeLimit
from shared.settings import get_settings

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "host"}
# nginx's policy (deploy/nginx): same-origin everything, and Pagefind's WebAssembly for search.
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' https: data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicy:
    """Adds the site's Content-Security-Policy to every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, adding the header to the answer's start."""

        async def with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["content-security-policy"] = CSP
            await send(message)

        await self.app(scope, receive, with_policy if scope["type"] == "http" else send)


class SiteFiles(StaticFiles):
    """Static files whose missing paths are resolved by ingest: 301, 410 or 404.

    Each file is answered from one open descriptor (see newsroom.file_response): a page or
    feed replaced while it is asked for is answered whole, in one version.
    """

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        """The file as opened now (`stat_result`, taken by path, may be another version's)."""
        response = open_file_response(full_path, status_code)
        if response is None:
            raise HTTPException(404)  # removed since it was looked up
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            response.file.close()
            return NotModifiedResponse(response.headers)
        return response

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file, else what ingest says about the path; dot paths are never served."""
        if any(part.startswith(".") for part in scope["path"].split("/")):
            return JSONResponse({"error": "not found"}, status_code=404)
        try:
            response = await super().get_response(path, scope)
        except HTTPException as e:
            if e.status_code != 404:
                raise
        else:
            if response.status_code != 404:
                return response
        client: httpx.AsyncClient = scope["app"].state.client
        try:
            answer = await client.get("/api/resolve/redirect", params={"path": scope["path"]})
        except httpx.HTTPError:
            status = 404  # ingest is away: nothing can be resolved, the file is missing
        else:
            if answer.status_code == 301:
                return RedirectResponse(answer.headers["location"], status_code=301)
            status = 410 if answer.status_code == 410 else 404
        page = open_file_response(Path(str(self.directory)) / f"{status}.html", status)
        if page is not None:
            return page
        return JSONResponse({"error": "not found" if status == 404 else "gone"}, status_code=status)


def create_app(
    public_dir: Path,
    ingest_url: str,
    max_body: int = 2_000_000,
    body_timeout: float = 30.0,
    media_body: int = 20_000_000,
) -> Starlette:
    """Static files from `public_dir`; /api/ proxied to `ingest_url`.

    Like nginx, it refuses a body over `max_body` bytes (`media_body` for image uploads) with
    ingest's 413 (BodySizeLimit: the refused body is drained, so a client sending it whole
    still reads the answer) and reads a body whole before passing it on (so ingest answering
    early cannot break the upload).
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(base_url=ingest_url, timeout=30) as client:
            app.state.client = client
            yield

    async def proxy(request: Request) -> Response:
        client: httpx.AsyncClient = request.app.state.client
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["x-forwarded-for"] = request.client.host if request.client else ""
        try:
            body = await request.body()
        except HTTPException as e:  # BodySizeLimit's 408: the body did not come in time
            return JSONResponse({"error": e.detail}, e.status_code, e.headers)
        upstream = await client.send(
            client.build_request(
                request.method,
                # The path as the client sent it: decoding it (%00, %2F) would change it.
                request.scope["raw_path"].decode("latin-1"),
                params=request.query_params,
                headers=headers,
                content=body,
            ),
            stream=True,
        )
        return StreamingResponse(
            upstream.aiter_raw(),
            status_code=upstream.status_code,
            headers={k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP},
            background=BackgroundTask(upstream.aclose),
        )

    public_dir.mkdir(parents=True, exist_ok=True)
    methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
    return Starlette(
        routes=[
            Route("/api/{path:path}", proxy, methods=methods),
            Route("/preview/{path:path}", proxy, methods=["GET", "HEAD"]),
            Mount("/", SiteFiles(directory=public_dir, html=True)),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(ContentSecurityPolicy),
            Middleware(
                BodySizeLimit,
                limit=max_body,
                timeout=body_timeout,
                paths={"/api/media": media_body},
            ),
        ],
    )


def main() -> None:
    """Serve on NEWSROOM_SITE_PORT (8000), proxying to NEWSROOM_INGEST_PORT (8001)."""
    settings = get_settings()
    ingest = f"http://127.0.0.1:{settings.ingest_port}"
    app = create_app(
        settings.public_dir,
        ingest,
        settings.max_body_bytes,
        settings.body_timeout_s,
        settings.media_max_bytes,
    )
    uvicorn.run(app, host="127.0.0.1", port=settings.site_port, log_level="warning")


if __name__ == "__main__":
    main()
