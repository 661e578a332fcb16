"""The Quick start's run command, as a developer uses it: up with demo content, then Ctrl-C."""

import json
import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import httpx
import psutil
import pytest

from newsroom.ports import free_port
from tests.support.listeners import listening
from tests.support.platform import ROOT, wait_for
from tests.support.timing import scaled


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    state = tmp_path_factory.mktemp("run-state")
    site_port, ingest_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "NEWSROOM_"))}
    log = (state / "run.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsroom.cli",
            "run",
            "--state",
            str(state),
            "--port",
            str(site_port),
            "--ingest-port",
            str(ingest_port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        # Started as a shell script starts a background job: with SIGINT ignored. Ctrl-C
        # (test_ctrl_c_stops_every_process) must stop it all the same.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    site = f"http://127.0.0.1:{site_port}"
    try:
        # The token line is the last the run command prints before it only watches.
        wait_for(lambda: "API token: " in (state / "run.log").read_text(), timeout=60)
        yield process, state, site
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # the runner and every process it started
        log.close()


def test_run_command_serves_demo_content_with_the_printed_token(running):
    _process, state, site = running
    token = (state / "token").read_text().strip()
    assert stat.S_IMODE((state / "token").stat().st_mode) == 0o600
    demo_count = sum(1 for line in (ROOT / "demo/articles.jsonl").open() if line.strip())
    output = wait_for(
        lambda: (
            f"API token: {token}" in (text := (state / "run.log").read_text())
            and f"loaded {demo_count} demo articles" in text
            and text
        ),
        timeout=10,
    )
    assert output.index(f"loaded {demo_count} demo articles") < output.index("Newsroom is up")

    # Every demo article gets its page, and the feeds parse with demo entries in them (render
    # and feeds serve the demo's events once they checked the public folder at start).
    first = json.loads((ROOT / "demo/articles.jsonl").open().readline())
    auth = {"Authorization": f"Bearer {token}"}
    stored = httpx.get(f"{site}/api/articles/{first['id']}", headers=auth).json()
    wait_for(lambda: first["title"] in httpx.get(site + stored["url"]).text, timeout=60)
    rss = wait_for(
        lambda: (
            len((f := feedparser.parse(httpx.get(f"{site}/feeds/rss.xml").content)).entries) >= 20
            and f
        ),
        timeout=60,
    )
    assert not rss.bozo


def test_put_update_delete_through_the_run_command(running):
    _, state, site = running
    api = httpx.Client(
        base_url=site, headers={"Authorization": f"Bearer {(state / 'token').read_text()}"}
    )
    body = {
        "title": "Әнші Қайрат выступил в Семее",
        "author": "Дина Ахметова",
        "section": "Культура",
        "tags": ["музыка"],
        "summary": "Концерт.",
        "published_at": "2026-11-24T19:30:00+05:00",
        "body_html": "<p>Зал был полон.</p>",
    }
    created = api.put("/api/articles/run-1", json=body)
    assert created.status_code == 201
    url = created.json()["url"]
    page = wait_for(lambda: (r := httpx.get(site + url)).status_code == 200 and r.text, 30)
    assert "Әнші Қайрат выступил в Семее" in page and "Дина Ахметова" in page
    wait_for(lambda: url in httpx.get(site + "/").text, 30)

    api.put("/api/articles/run-1", json=body | {"title": "Концерт в Семее"})
    wait_for(lambda: "Концерт в Семее" in httpx.get(site + url).text, 30)

    assert api.delete("/api/articles/run-1").status_code == 200
    wait_for(lambda: httpx.get(site + url).status_code == 410, 30)  # gone, not just missing


def test_every_port_the_run_command_opens_is_on_loopback(running):
    process, state, site = running
    redis_url = re.search(r"embedded redis at (\S+)", (state / "run.log").read_text())
    assert redis_url is not None
    ingest_port = process.args[process.args.index("--ingest-port") + 1]
    ports = {urlsplit(site).port, int(ingest_port), urlsplit(redis_url[1]).port}

    # Embedded redis, ingest, the site server (and the consumers' metrics servers, where
    # their default ports were free) listen on 127.0.0.1 and nowhere else.
    found = listening(process.pid)
    assert ports <= {port for _, port in found}
    assert {address for address, _ in found} == {"127.0.0.1"}


def test_ctrl_c_stops_every_process(running):
    process, _, _ = running
    children = psutil.Process(process.pid).children(recursive=True)
    assert len(children) >= 5  # redis-server, ingest, render, feeds, site server
    process.send_signal(signal.SIGINT)
    assert process.wait(scaled(30)) == 0
    _gone, alive = psutil.wait_procs(children, timeout=scaled(10))
    assert alive == []
    log = Path(process.args[process.args.index("--state") + 1], "run.log")
    assert log.read_text().rstrip().endswith("stopped")  # the runner has exited: the log is whole
