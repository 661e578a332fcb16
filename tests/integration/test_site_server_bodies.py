"""The local site server's own limits on /api/ request bodies, answered in JSON like ingest's."""

import asyncio
from collections.abc import AsyncIterator

import httpx

from newsroom.siteserver import create_app


async def test_a_body_that_stops_coming_gets_408_json(tmp_path):
    app = create_app(tmp_path / "public", "http://127.0.0.1:9", body_timeout=0.5)
    stalled = asyncio.Event()  # never set: the client stops sending after its first bytes

    async def trickle() -> AsyncIterator[bytes]:
        yield b'{"article_id": '
        await stalled.wait()

    transport = httpx.ASGITransport(app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport) as c:
        answer = await asyncio.wait_for(c.post("http://s/api/views", content=trickle()), 10)

    assert answer.status_code == 408
    assert answer.json() == {"error": "request body not received in 0.5 s"}
