"""A client that sends its whole body before reading the answer (urllib, requests and httpx
do) reads the 413 JSON for a body of up to ten times the limit, never a reset connection:
at ingest, through the local site server and through nginx."""

import http.client
import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from pytest_redis.executor import RedisExecutor

from shared.settings import Settings
from tests.support.nginx import Nginx
from tests.support.platform import Platform, wait_for
from tests.support.redis_server import url_of

# The limit nginx's configuration is rendered with; ingest and the site server get the same.
LIMIT = Settings().max_body_bytes
BODY = b'{"article_id": "a1", "padding": "' + b"x" * (10 * LIMIT - 40) + b'"}'


@pytest.fixture(scope="module")
def servers(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisExecutor
) -> Iterator[dict[str, int]]:
    """Ports of ingest, the site server in front of it, and nginx's public and editorial
    listeners in front of ingest."""
    workdir = tmp_path_factory.mktemp("oversized")
    platform = Platform(url_of(redis_server), workdir)
    platform.env["NEWSROOM_MAX_BODY_BYTES"] = str(LIMIT)
    platform.start("ingest")
    platform.start("site")
    nginx = Nginx(workdir / "nginx", platform.public, f"127.0.0.1:{platform.ingest_port}")
    try:
        wait_for(lambda: httpx.get(f"{platform.site_url}/api/ready").status_code == 200, 30)
        nginx.start()
        yield {
            "ingest": platform.ingest_port,
            "site": platform.site_port,
            "nginx": nginx.port,
            "nginx-editorial": nginx.editorial_port,
        }
    finally:
        nginx.stop()
        platform.stop()


def send_whole_then_read(
    port: int, head: bytes, body: bytes, pieces: int = 1, gap_s: float = 0.0
) -> tuple[int, str, bytes]:
    """Write the request head and the whole body (in `pieces`, `gap_s` apart, as over a slow
    link), and only then read the answer: its status, media type and body."""
    size = -(-len(body) // pieces)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head)
        for start in range(0, len(body), size):
            time.sleep(gap_s if start else 0.0)  # pacing the sender, not waiting for anything
            conn.sendall(body[start : start + size])  # the timeout bounds a server not reading
        answer = http.client.HTTPResponse(conn)
        answer.begin()
        media_type = (answer.getheader("content-type") or "").split(";")[0]
        return answer.status, media_type, answer.read()


def chunked(body: bytes, size: int = 0x10000) -> bytes:
    """`body` in HTTP/1.1 chunks of `size` bytes, with the last chunk."""
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


@pytest.mark.parametrize("framing", ["declared", "chunked", "slow"])
@pytest.mark.parametrize(
    ("server", "request_line"),
    [
        ("ingest", "PUT /api/articles/a1"),
        ("site", "PUT /api/articles/a1"),
        ("nginx", "POST /api/views"),
        ("nginx-editorial", "PUT /api/articles/a1"),
    ],
)
def test_a_body_ten_times_the_limit_sent_whole_reads_the_413(
    servers, server, request_line, framing
):
    length = (
        "Transfer-Encoding: chunked" if framing == "chunked" else f"Content-Length: {len(BODY)}"
    )
    head = (
        f"{request_line} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{length}\r\n\r\n"
    ).encode()
    # The slow client takes about 3 s: longer than a server reading only what has come.
    pacing = {"pieces": 16, "gap_s": 0.2} if framing == "slow" else {}

    status, media_type, body = send_whole_then_read(
        servers[server], head, chunked(BODY) if framing == "chunked" else BODY, **pacing
    )

    assert (status, media_type) == (413, "application/json")
    assert json.loads(body) == {"error": f"request body over {LIMIT} bytes"}
