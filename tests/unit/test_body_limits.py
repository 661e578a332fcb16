"""How much of a refused body BodySizeLimit reads after its 413: the rest of it, but never
more than ten times the limit nor past the body deadline."""

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.body_limits import DRAIN_FACTOR, BodySizeLimit

LIMIT = 1000
CHUNK = 100


async def read_all(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that reads the whole body before answering (as FastAPI does)."""
    while (await receive()).get("more_body"):
        pass


def client(
    chunks: int | None, ends: bool = True, declared: int | None = None
) -> tuple[Scope, Receive, list[int]]:
    """A request sending `chunks` chunks (None: without end), its last one marked as such
    unless it never `ends`; and the count of chunks read. A receive past what the client
    sent blocks, as in uvicorn."""
    read = [0]
    stalled = asyncio.Event()  # never set

    async def receive() -> Message:
        if chunks is not None and read[0] >= chunks:
            await stalled.wait()
        read[0] += 1
        more = chunks is None or read[0] < chunks or not ends
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": more}

    headers = [] if declared is None else [(b"content-length", str(declared).encode())]
    return {"type": "http", "path": "/", "headers": headers}, receive, read


async def parse_or_400(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that turns any error while reading the body into a 400 of its own, as FastAPI
    does for a body parameter."""
    try:
        await read_all(scope, receive, send)
    except Exception:
        await send({"type": "http.response.start", "status": 400, "headers": []})
        await send({"type": "http.response.body", "body": b'{"error": "bad body"}'})


async def answer(scope: Scope, receive: Receive, app: ASGIApp = read_all) -> list[Message]:
    """What BodySizeLimit sends for the request (bounded: it must end by itself)."""
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    limited = BodySizeLimit(app, limit=LIMIT, timeout=0.5)
    await asyncio.wait_for(limited(scope, receive, send), 10)
    return sent


def status_and_body(sent: list[Message]) -> tuple[int, dict[str, str]]:
    """The status and JSON body of the answer sent."""
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return sent[0]["status"], json.loads(body)


async def test_a_streamed_body_over_the_limit_is_read_to_its_end_after_the_413():
    scope, receive, read = client(chunks=50)  # 5 times the limit

    sent = await answer(scope, receive)

    assert status_and_body(sent) == (413, {"error": f"request body over {LIMIT} bytes"})
    assert read[0] == 50
    assert sent[-1].get("more_body", False) is False


async def test_a_declared_body_over_the_limit_is_read_to_its_end_after_the_413():
    scope, receive, read = client(chunks=50, declared=50 * CHUNK)

    sent = await answer(scope, receive)

    assert status_and_body(sent)[0] == 413
    assert read[0] == 50


async def test_a_declared_body_over_ten_times_the_limit_is_not_read():
    scope, receive, read = client(chunks=None, declared=DRAIN_FACTOR * LIMIT + 1)

    sent = await answer(scope, receive)

    assert status_and_body(sent)[0] == 413
    assert read[0] == 0


async def test_a_never_ending_body_is_read_to_ten_times_the_limit_then_closed():
    scope, receive, read = client(chunks=None)

    sent = await answer(scope, receive)

    assert status_and_body(sent)[0] == 413
    assert read[0] * CHUNK == DRAIN_FACTOR * LIMIT + CHUNK


async def test_a_refused_body_that_stops_coming_is_given_up_at_the_deadline():
    scope, receive, read = client(chunks=30, ends=False)

    sent = await answer(scope, receive)

    assert status_and_body(sent)[0] == 413
    assert read[0] == 30
    assert sent[-1].get("more_body", False) is False


async def test_an_app_answering_a_cut_off_body_itself_gives_way_to_the_413():
    scope, receive, read = client(chunks=50)

    sent = await answer(scope, receive, parse_or_400)

    assert status_and_body(sent) == (413, {"error": f"request body over {LIMIT} bytes"})
    assert read[0] == 50
