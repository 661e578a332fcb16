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

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# How much of a refused body is read and dropped, in multiples of the limit, before closing.
DRAIN_FACTOR = 10


class BodyTooLargeError(Exception):
    """The client sent more than the limit."""


class BodySizeLimit:
    """ASGI middleware answering 413 for bodies over `limit` bytes, declared or streamed,
    and 408 for bodies not received whole within `timeout` seconds."""

    def __init__(self, app: ASGIApp, limit: int, timeout: float = 30.0) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the bytes as they arrive."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        deadline = asyncio.get_running_loop().time() + self.timeout
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            drain = int(declared) <= self.limit * DRAIN_FACTOR
            await self._reject(receive if drain else None, send, 0, deadline)
            return
        seen = 0
        started = False
        complete = False

        async def counting_receive() -> Message:
            nonlocal seen, complete
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
                if seen > self.limit:
                    raise BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLargeError:
            if not started:
                await self._reject(None if complete else receive, send, seen, deadline)

    async def _reject(
        self, receive: Receive | None, send: Send, seen: int, deadline: float
    ) -> None:
        """Answer 413; then, given `receive`, drop the rest of the body (bounded) and close."""
        body = json.dumps({"error": f"request body over {self.limit} bytes"}).encode()
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
            await self._drain(receive, seen, deadline)
            await send({"type": "http.response.body", "body": b""})

    async def _drain(self, receive: Receive, seen: int, deadline: float) -> None:
        """Read and drop the body until it ends, the client leaves, it passes DRAIN_FACTOR
        times the limit or the deadline comes."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout_at(deadline):
                while seen <= self.limit * DRAIN_FACTOR:
                    message = await receive()
                    if message["type"] != "http.request" or not message.get("more_body"):
                        return
                    seen += len(message.get("body", b""))
