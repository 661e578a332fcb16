"""Refuse request bodies over the size limit before reading them whole, or too slow to come.

uvicorn closes idle keep-alive connections (`timeout_keep_alive`) but never a client that
trickles its body: without a deadline such a client would hold its request open forever.
"""

import asyncio
import json
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


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
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(send, limit)
            return
        seen = 0
        started = False
        complete = False
        deadline = asyncio.get_running_loop().time() + self.timeout

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
                if seen > limit:
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
                await self._reject(send, limit)

    @staticmethod
    async def _reject(send: Send, limit: int) -> None:
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
        await send({"type": "http.response.body", "body": body})
