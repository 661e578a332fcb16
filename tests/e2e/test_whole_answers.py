"""Readers polling pages and feeds while they are rewritten get whole answers: each answer's
length is its Content-Length, its bytes are one version written, and one ETag never stands
for two versions (the local site server and nginx answer from one open descriptor)."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from pytest_redis.executor import RedisExecutor

from shared.files import site_path, write_atomic
from tests.support.nginx import Nginx
from tests.support.platform import Platform, wait_for
from tests.support.redis_server import url_of

PATHS = ("/", "/feeds/rss.xml", "/2026/11/24/most/")
VERSIONS = 300  # rewrites of each file
READERS = 4
MIN_ANSWERS = 600  # answers read while the files were being rewritten, at the least


def version(path: str, n: int) -> bytes:
    """The `n`th version of the file at `path`: a length of its own, over several reads."""
    head = f"<!-- {path} version {n} -->\n".encode()
    return head + bytes([97 + n % 26]) * (20_000 + 397 * n)


def rewrite(public: Path, enough_read: threading.Event) -> int:
    """Replace every file VERSIONS times (atomically, as the writers do), and go on until the
    readers have read enough; the number of rewrites of each file."""
    n = 0
    while n < VERSIONS or not enough_read.is_set():
        for path in PATHS:
            write_atomic(site_path(public, path), version(path, n % VERSIONS), sync=False)
        n += 1
    return n


def poll(
    base: str, done: threading.Event, answers: list[int], etags: dict[str, bytes]
) -> list[str]:
    """GET every path until `done`; what was wrong with each answer that was not whole."""
    wrong = []
    # Uncompressed, so that every answer carries its Content-Length.
    identity = {"Accept-Encoding": "identity"}
    with httpx.Client(base_url=base, headers=identity, timeout=30) as client:
        while not done.is_set():
            for path in PATHS:
                try:
                    answer = client.get(path)
                except httpx.HTTPError as e:
                    wrong.append(f"{path}: {e!r}")
                    continue
                body = answer.content
                n = (len(body) - len(version(path, 0))) // 397
                if answer.status_code != 200 or len(body) != int(answer.headers["content-length"]):
                    wrong.append(
                        f"{path}: {answer.status_code}, {len(body)} bytes, {answer.headers}"
                    )
                elif body != version(path, n):
                    wrong.append(f"{path}: {len(body)} bytes of no version written")
                elif etags.setdefault(answer.headers["etag"], body) != body:
                    wrong.append(f"{path}: ETag {answer.headers['etag']} for two versions")
                answers.append(1)
    return wrong


@pytest.fixture(scope="module")
def servers(
    redis_server: RedisExecutor, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, dict[str, str]]]:
    """The public folder, and the site server and nginx serving it (ingest behind both)."""
    tmp_path = tmp_path_factory.mktemp("whole")
    platform = Platform(url_of(redis_server), tmp_path)
    for path in PATHS:
        write_atomic(site_path(platform.public, path), version(path, 0))
    platform.start("ingest")
    platform.start("site")
    nginx = Nginx(tmp_path / "nginx", platform.public, f"127.0.0.1:{platform.ingest_port}")
    try:
        wait_for(lambda: httpx.get(platform.site_url + "/api/ready").status_code == 200, 30)
        nginx.start()
        yield platform.public, {"site": platform.site_url, "nginx": nginx.url}
    finally:
        nginx.stop()
        platform.stop()


@pytest.mark.slow
@pytest.mark.parametrize("server", ["site", "nginx"])
def test_files_rewritten_hundreds_of_times_are_answered_whole(servers, server):
    public, urls = servers
    done, enough_read = threading.Event(), threading.Event()
    answers: list[int] = []
    etags: dict[str, bytes] = {}
    with ThreadPoolExecutor(READERS + 1) as pool:
        readers = [pool.submit(poll, urls[server], done, answers, etags) for _ in range(READERS)]
        writer = pool.submit(rewrite, public, enough_read)
        try:
            wait_for(lambda: len(answers) >= MIN_ANSWERS or writer.done(), 120, 0.05)
            enough_read.set()
            rewrites = writer.result(timeout=120)
        finally:
            enough_read.set()
            done.set()
        wrong = [w for reader in readers for w in reader.result(timeout=60)]

    assert rewrites >= VERSIONS
    assert len(answers) >= MIN_ANSWERS
    assert wrong == []
