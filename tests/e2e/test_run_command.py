"""The Quick start's run command, as a developer uses it: up with demo content, then Ctrl-C."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import feedparser
import httpx
import psutil
import pytest

from tests.support.platform import ROOT, wait_for
from tests.support.ports import free_port


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
    )
    site = f"http://127.0.0.1:{site_port}"
    try:
        wait_for(lambda: "Newsroom is up" in (state / "run.log").read_text(), timeout=60)
        yield process, state, site
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # the runner and every process it started
        log.close()


def test_run_command_serves_demo_content_with_the_printed_token(running):
    _process, state, site = running
    output = (state / "run.log").read_text()
    token = (state / "token").read_text().strip()
    assert f"API token: {token}" in output
    demo_count = sum(1 for line in (ROOT / "demo/articles.jsonl").open() if line.strip())
    assert f"loaded {demo_count} demo articles" in output

    # Every demo article gets its page, and the feeds parse with demo entries in them (render
    # and feeds serve the demo's events once they checked the public folder at start).
    first = json.loads((ROOT / "demo/articles.jsonl").open().readline())
    stored = httpx.get(f"{site}/api/articles/{first['id']}").json()
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
    page = wait_for(lambda: (r := httpx.get(site + url)).status_code == 200 and r.text, 1)
    assert "Әнші Қайрат выступил в Семее" in page and "Дина Ахметова" in page
    wait_for(lambda: url in httpx.get(site + "/").text, 1)

    api.put("/api/articles/run-1", json=body | {"title": "Концерт в Семее"})
    wait_for(lambda: "Концерт в Семее" in httpx.get(site + url).text, 2)

    assert api.delete("/api/articles/run-1").status_code == 200
    wait_for(lambda: httpx.get(site + url).status_code == 410, 2)  # gone, not just missing


def test_ctrl_c_stops_every_process(running):
    process, _, _ = running
    children = psutil.Process(process.pid).children(recursive=True)
    assert len(children) >= 5  # redis-server, ingest, render, feeds, site server
    process.send_signal(signal.SIGINT)
    assert process.wait(30) == 0
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
    assert "stopped" in Path(process.args[process.args.index("--state") + 1], "run.log").read_text()
