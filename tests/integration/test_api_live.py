"""The real ingest process (uvicorn, uvloop, httptools) against a real Redis."""

import asyncio
import socket

import httpx
import pytest

from tests.support.platform import Platform, wait_for
from tests.support.samples import BODY
from tests.support.timing import scaled

LIMIT = 100_000


@pytest.fixture
def ingest(redis_url, tmp_path):
    platform = Platform(redis_url, tmp_path)
    platform.env["NEWSROOM_MAX_BODY_BYTES"] = str(LIMIT)
    platform.env["NEWSROOM_VIEWS_BATCH_MAX"] = "50"  # views' own limit: 64 + 50 KiB
    platform.start("ingest")
    base = f"http://127.0.0.1:{platform.ingest_port}"
    wait_for(lambda: httpx.get(f"{base}/api/ready").status_code == 200, 30)
    try:
        yield platform, base
    finally:
        platform.stop()


def raw_exchange(port: int, head: bytes, body_chunks: int) -> bytes:
    """Send a request head and `body_chunks` chunks of 64 KiB, never the end; read the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=scaled(10)) as conn:
        conn.sendall(head)
        try:
            for _ in range(body_chunks):
                conn.sendall(b"10000\r\n" + b"x" * 0x10000 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may close as soon as it has answered
        return conn.recv(65536)  # the head; the server may reset the unread rest


def test_bodies_over_the_limit_are_refused_before_they_end(ingest):
    platform, _ = ingest
    chunked = raw_exchange(
        platform.ingest_port,
        b"POST /api/views HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n",
        body_chunks=3,
    )
    declared = raw_exchange(
        platform.ingest_port,
        b"PUT /api/articles/a1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {platform.token}\r\nContent-Length: 50000000\r\n\r\n".encode(),
        body_chunks=0,
    )

    for answer in (chunked, declared):
        assert answer.startswith(b"HTTP/1.1 413 ")
        assert b"content-type: application/json" in answer


async def test_ten_concurrent_puts_get_versions_one_to_ten_once_each(ingest):
    platform, base = ingest
    headers = {"Authorization": f"Bearer {platform.token}"}
    bodies = [BODY | {"summary": f"Вариант {n}"} for n in range(10)]

    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=scaled(30)) as client:
        answers = await asyncio.gather(*(client.put("/api/articles/a1", json=b) for b in bodies))
        stored = (await client.get("/api/articles/a1")).json()

    # The PUT that made version 1 created the article (201), each later one updated it (200).
    statuses = {a.json()["version"]: a.status_code for a in answers}
    assert statuses == {v: 201 if v == 1 else 200 for v in range(1, 11)}
    by_version = {a.json()["version"]: a.json()["summary"] for a in answers}
    assert stored["version"] == 10
    assert stored["summary"] == by_version[10]


def test_tokens_never_reach_the_log(ingest):
    platform, base = ingest
    wrong = httpx.put(
        f"{base}/api/articles/a1", json=BODY, headers={"Authorization": "Bearer wrong-guess-123"}
    )
    right = platform.api()
    right.base_url = base
    created = right.put("/api/articles/a1", json=BODY)
    right.put("/api/articles/a1", json={"title": 1}, headers={"If-Match": "x"})
    platform.stop()

    assert (wrong.status_code, created.status_code) == (401, 201)
    log = (platform.logs / "ingest-0.log").read_text()
    assert "live-secret-token" not in log
    assert "wrong-guess-123" not in log
