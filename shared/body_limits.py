"""Refuse request bodies over the size limit before reading them whole, or too slow to come.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`) but never a client that
trickles its body: without a deadline such a client would hold its request open forever.

A refused body is still read (and dropped) after the 413, up to DRAIN_FACTOR times the limit
and within the same deadline: most HTTP clients (urllib, requests, httpx) send their whole
body before reading, and closing on unread bytes resets the connection, losing the answer.
"""

import asyncio
import contextlib
import json
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# How much of a refused body is read and dropped, in multiples of the limit, before closing.
DRAIN_FACTOR = 10


class BodyTooLargeError(Exception):
    """The client sent more than the limit."""


class BodySizeLimit:
    """ASGI middleware answering 413 for bodies over `limit` bytes (or the limit `paths`
    sets for a path), declared or streamed, and 408 for bodies not received whole within
    `timeout` seconds."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        timeout: float = 30.0,
        paths: Mapping[str, int] | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout
        self.paths = dict(paths or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the bytes as they arrive."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.paths.get(scope["path"], self.limit)
        deadline = asyncio.get_running_loop().time() + self.timeout
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            drain = int(declared) <= limit * DRAIN_FACTOR
            await self._reject(receive if drain else None, send, limit, 0, deadline)
            return
        seen = 0
        started = False
        complete = False
        too_large = False

        async def counting_receive() -> Message:
            nonlocal seen, complete, too_large
            if complete:
                return await receive()
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                # Raised as an HTTP error so that FastAPI's body reading passes it on.
                reason = f"request body not received in {self.timeout:g} s"
                raise HTTPException(408, reason, headers={"Connection": "close"}) from None
            complete = message["type"] != "http.request" or not message.get("more_body")
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                too_large = seen > limit
                if too_large:
                    raise BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # the app's own answer to a cut-off body (FastAPI: a 400) gives way
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(BodyTooLargeError):
            await self.app(scope, counting_receive, tracking_send)
        if too_large and not started:
            await self._reject(None if complete else receive, send, limit, seen, deadline)

    async def _reject(
        self, receive: Receive | None, send: Send, limit: int, seen: int, deadline: float
    ) -> None:
        """Answer 413; then, given `receive`, drop the rest of the body (bounded) and close."""
        body = json.dumps({"error": f"request body over {limit} bytes"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": receive is not None})
        if receive is not None:
            await self._drain(receive, limit * DRAIN_FACTOR, seen, deadline)
            await send({"type": "http.response.body", "body": b""})

    @staticmethod
    async def _drain(receive: Receive, most: int, seen: int, deadline: float) -> None:
        """Read and drop the body until it ends, the client leaves, it passes `most` bytes or
        the deadline comes."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout_at(deadline):
                while seen <= most:
                    message = await receive()
                    if message["type"] != "http.request" or not message.get("more_body"):
                        return
                    seen += len(message.get("body", b""))
