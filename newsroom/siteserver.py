"""The local site server: the public folder, with /api/ passed to ingest on the same origin.

It stands in for the compose setup's nginx on a developer's machine.
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "host"}


def create_app(public_dir: Path, ingest_url: str, max_body: int = 2_000_000) -> Starlette:
    """Static files from `public_dir`; /api/ proxied to `ingest_url`.

    Like nginx, it refuses a declared body over `max_body` bytes with 413 and reads a body
    whole before passing it on (so ingest answering early cannot break the upload).
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with httpx.AsyncClient(base_url=ingest_url, timeout=30) as client:
            app.state.client = client
            yield

    async def proxy(request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_body:
            return JSONResponse({"error": f"request body over {max_body} bytes"}, 413)
        client: httpx.AsyncClient = request.app.state.client
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["x-forwarded-for"] = request.client.host if request.client else ""
        upstream = await client.send(
            client.build_request(
                request.method,
                # The path as the client sent it: decoding it (%00, %2F) would change it.
                request.scope["raw_path"].decode("latin-1"),
                params=request.query_params,
                headers=headers,
                content=await request.body(),
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
            Mount("/", StaticFiles(directory=public_dir, html=True)),
        ],
        lifespan=lifespan,
    )


def main() -> None:
    """Serve on NEWSROOM_SITE_PORT (8000), proxying to NEWSROOM_INGEST_PORT (8001)."""
    public = Path(os.environ.get("NEWSROOM_PUBLIC_DIR", "public"))
    ingest = f"http://127.0.0.1:{os.environ.get('NEWSROOM_INGEST_PORT', '8001')}"
    port = int(os.environ.get("NEWSROOM_SITE_PORT", "8000"))
    max_body = int(os.environ.get("NEWSROOM_MAX_BODY_BYTES", "2000000"))
    app = create_app(public, ingest, max_body)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
