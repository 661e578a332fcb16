"""The site heals itself: the run command, stopped as Ctrl-C does, finds its public folder
gone (or a new empty one) and brings back every file `newsroom rebuild` writes, with no
command typed; an emptied Redis deletes nothing."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from newsroom.demo import copy_demo_images
from newsroom.ports import free_port
from shared.keyspace import Layout
from shared.listing import HOME
from shared.site_manifest import read_manifest
from shared.topology import ARTICLES_STREAM
from tests.support.platform import ROOT, wait_for
from tests.support.public_files import DATA_FILES, NEWS_SITEMAP, differences, files_of

pytestmark = pytest.mark.slow


class RunCommand:
    """`newsroom run` (what scripts/run executes) on one state folder, started and stopped."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.site_port, self.ingest_port = free_port(), free_port()
        self.site = f"http://127.0.0.1:{self.site_port}"
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "NEWSROOM_"))
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.runs = 0

    @property
    def public(self) -> Path:
        return Path(self.env.get("NEWSROOM_PUBLIC_DIR", self.state / "public"))

    def log(self) -> str:
        return (self.state / f"run-{self.runs}.log").read_text(errors="replace")

    def start(self) -> None:
        self.runs += 1
        with (self.state / f"run-{self.runs}.log").open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "newsroom.cli",
                    "run",
                    "--state",
                    str(self.state),
                    "--port",
                    str(self.site_port),
                    "--ingest-port",
                    str(self.ingest_port),
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for(lambda: "Newsroom is up" in self.log(), timeout=120, interval=0.2)

    def redis_url(self) -> str:
        found = re.search(r"redis://127\.0\.0\.1:\d+/0", self.log())
        assert found, self.log()
        return found.group(0)

    def stop(self) -> None:
        """Ctrl-C: SIGINT to the runner, which stops everything and exits 0."""
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        assert self.process.wait(60) == 0
        self.process = None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture
def run(tmp_path: Path) -> Iterator[RunCommand]:
    command = RunCommand(tmp_path / "state")
    command.state.mkdir()
    try:
        yield command
    finally:
        command.kill()


def article_urls(redis_url: str) -> list[str]:
    """The URL of every live article in the store."""
    with redis.Redis.from_url(redis_url) as client:
        ids = [i.decode() for i in client.zrange(HOME.index, 0, -1)]
        return [json.loads(client.get(Layout().article_key(i)))["url"] for i in ids]


def rebuild_output(run: RunCommand, folder: Path) -> dict[str, bytes]:
    """What `newsroom rebuild` writes from the run's store into an empty `folder` (with the
    demo images the run command copies)."""
    copy_demo_images(folder)
    env = run.env | {
        "REDIS_URL": run.redis_url(),
        "NEWSROOM_PUBLIC_DIR": str(folder),
        "NEWSROOM_SITE_URL": run.site,
    }
    subprocess.run(
        [sys.executable, "-m", "newsroom.cli", "rebuild", "--jobs", "2"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return files_of(folder)


def healed_like(run: RunCommand, expected: dict[str, bytes], data: dict[str, bytes]) -> bool:
    """Whether the run's folder holds every file `newsroom rebuild` writes, the same, and the
    most-read data as before."""
    return not differences(expected | data, files_of(run.public))


def stopped_when_settled(run: RunCommand) -> dict[str, bytes]:
    """Wait until render and feeds applied every demo event and the site shows the demo,
    stop the run (Ctrl-C); the files it left."""
    urls = article_urls(run.redis_url())  # the demo is in the store once the run is up

    def settled() -> bool:
        with redis.Redis.from_url(run.redis_url()) as client:
            groups = client.xinfo_groups(ARTICLES_STREAM)
        files = files_of(run.public)
        pages = all(url.strip("/") + "/index.html" in files for url in urls)
        return (
            len(groups) == 2
            and all(g["lag"] == 0 and g["pending"] == 0 for g in groups)
            and pages
            and all(f in files for f in ("index.html", "feeds/rss.xml", *DATA_FILES))
        )

    wait_for(settled, timeout=120, interval=0.2)
    run.stop()
    return files_of(run.public)


def assert_heals(run: RunCommand, before: dict[str, bytes], reference: Path) -> None:
    """The run's folder comes back as `newsroom rebuild` writes it, with no command typed."""
    expected = rebuild_output(run, reference)
    urls = article_urls(run.redis_url())
    assert {"index.html", "feeds/rss.xml", "feeds/atom.xml", "feeds/feed.json"} <= set(expected)
    assert all(url.strip("/") + "/index.html" in expected for url in urls)
    data = {relative: before[relative] for relative in DATA_FILES}
    wait_for(lambda: healed_like(run, expected, data), timeout=180, interval=0.5)
    home = httpx.get(run.site + "/", timeout=10)
    assert home.status_code == 200
    assert home.content == expected["index.html"]
    for url in urls:
        assert httpx.get(run.site + url, timeout=10).status_code == 200


def test_a_deleted_public_folder_comes_back_after_a_restart(run: RunCommand, tmp_path: Path):
    run.start()
    before = stopped_when_settled(run)

    shutil.rmtree(run.public)
    run.start()
    assert_heals(run, before, tmp_path / "reference")
    assert "loaded" not in run.log()  # the store kept its articles: no demo loaded again


def test_a_new_empty_public_folder_is_filled_at_start(run: RunCommand, tmp_path: Path):
    run.start()
    before = stopped_when_settled(run)

    run.env["NEWSROOM_PUBLIC_DIR"] = str(tmp_path / "new-public")
    (tmp_path / "new-public").mkdir()
    run.start()
    assert_heals(run, before, tmp_path / "reference")


def test_an_emptied_redis_deletes_nothing(run: RunCommand):
    run.start()
    before = stopped_when_settled(run)

    shutil.rmtree(run.state / "redis")  # the store is gone; the site is not
    run.start()
    assert "no demo loaded, nothing deleted" in run.log()

    def refused() -> bool:
        stats = subprocess.run(
            [sys.executable, "-m", "newsroom.cli", "stats", "--json"],
            cwd=ROOT,
            env=run.env | {"REDIS_URL": run.redis_url()},
            capture_output=True,
            check=True,
            timeout=60,
        )
        states = json.loads(stats.stdout)["site"]
        return len(states) == 2 and all(s["state"] == "refused" for s in states)

    wait_for(refused, timeout=60, interval=0.5)
    after = files_of(run.public)
    assert set(before) - set(after) == set()
    changed = [
        f for f in before if f not in DATA_FILES and f != NEWS_SITEMAP and before[f] != after[f]
    ]
    assert changed == []
    manifest = read_manifest(run.public, "render")
    assert manifest is not None and manifest.refused is not None
