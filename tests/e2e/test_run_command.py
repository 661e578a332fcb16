"""The Quick start's run command, as a developer uses it: up with demo content, other commands
in a second terminal, then Ctrl-C."""

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
from tests.support.terminal import run_in_terminal
from tests.support.timing import scaled

# A developer's environment: no Redis or setting of the platform's chosen.
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "NEWSROOM_"))}
NEWSROOM = [sys.executable, "-m", "newsroom.cli"]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def start_runner(state: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    """`newsroom run` with its output in `state/../run.log`; it and the site's URL."""
    site_port, ingest_port = free_port(), free_port()
    state.parent.mkdir(parents=True, exist_ok=True)
    with (state.parent / "run.log").open("wb") as log:
        process = subprocess.Popen(
            [
                *NEWSROOM,
                "run",
                "--state",
                str(state),
                "--port",
                str(site_port),
                "--ingest-port",
                str(ingest_port),
                *options,
            ],
            cwd=ROOT,
            env=CLEAN_ENV,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Started as a shell script starts a background job: with SIGINT ignored. Ctrl-C
            # (test_ctrl_c_stops_every_process) must stop it all the same.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        )
    return process, f"http://127.0.0.1:{site_port}"


def run_log(state: Path) -> str:
    """What the run command has printed so far."""
    return (state.parent / "run.log").read_text()


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    # The state folder where the Quick start puts it: `.newsroom` in the folder it runs from.
    state = tmp_path_factory.mktemp("run") / ".newsroom"
    process, site = start_runner(state)
    try:
        # The token line is the last the run command prints before it only watches.
        wait_for(lambda: "API token: " in run_log(state), timeout=60)
        yield process, state, site
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # the runner and every process it started


def second_terminal(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A `newsroom` command started, without REDIS_URL, in the folder the runner runs from."""
    return subprocess.run(
        [*NEWSROOM, *args],
        cwd=state.parent,
        env={**CLEAN_ENV, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=scaled(120),
        check=False,
    )


def test_run_command_serves_demo_content_with_the_printed_token(running):
    _process, state, site = running
    token = (state / "token").read_text().strip()
    assert stat.S_IMODE((state / "token").stat().st_mode) == 0o600
    demo_count = sum(1 for line in (ROOT / "demo/articles.jsonl").open() if line.strip())
    output = wait_for(
        lambda: (
            f"API token: {token}" in (text := run_log(state))
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
    redis_url = re.search(r"embedded redis at (\S+)", run_log(state))
    assert redis_url is not None
    ingest_port = process.args[process.args.index("--ingest-port") + 1]
    ports = {urlsplit(site).port, int(ingest_port), urlsplit(redis_url[1]).port}

    # Embedded redis, ingest, the site server (and the consumers' metrics servers, where
    # their default ports were free) listen on 127.0.0.1 and nowhere else.
    found = listening(process.pid)
    assert ports <= {port for _, port in found}
    assert {address for address, _ in found} == {"127.0.0.1"}


def embedded_redis(state: Path) -> str:
    """The URL of the runner's own redis-server, as it printed it."""
    found = re.search(r"embedded redis at (\S+)", run_log(state))
    assert found is not None
    return found[1]


def write_articles(path: Path, prefix: str, count: int = 3) -> Path:
    """A small JSON Lines archive of `count` articles `<prefix>-1`…"""
    lines = [
        json.dumps(
            {
                "id": f"{prefix}-{n}",
                "title": f"Импорт {prefix} номер {n}",
                "author": "Дина Ахметова",
                "section": "Культура",
                "summary": "Из архива.",
                "published_at": "2026-11-24T19:30:00+05:00",
                "body_html": "<p>Текст из архива.</p>",
            },
            ensure_ascii=False,
        )
        for n in range(1, count + 1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_second_terminal_talks_to_the_runners_redis_and_says_so(running):
    process, state, _ = running
    result = second_terminal(state, "stats", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        f"Redis: {embedded_redis(state)} (from .newsroom/run.json, started by newsroom run, "
        f"pid {process.pid})\n"
    )
    # The stats are the runner's: its stream holds the demo's events.
    demo_count = sum(1 for line in (ROOT / "demo/articles.jsonl").open() if line.strip())
    streams = {s["stream"]: s for s in json.loads(result.stdout)["streams"]}
    assert streams["newsroom:{store}:articles"]["length"] >= demo_count


def test_import_in_a_second_terminal_shows_its_rate(running, tmp_path):
    _, state, site = running
    # Into a file or a pipe: plain lines, the summary with the rate.
    plain = second_terminal(state, "import", str(write_articles(tmp_path / "plain.jsonl", "imp")))
    assert plain.returncode == 0, plain.stderr
    assert plain.stderr.startswith(f"Redis: {embedded_redis(state)} (from .newsroom/run.json")
    summary = r"imported 3 of 3 lines: 3 created, 0 updated, 0 unchanged, 0 rejected in "
    assert re.search(summary + r"\d+\.\d s \([\d,]+ articles/s\)$", plain.stdout, re.M)
    assert "━" not in plain.stdout

    # In a terminal: a progress bar with its rate, then the summary.
    archive = write_articles(tmp_path / "typed.jsonl", "typed")
    code, screen = run_in_terminal([*NEWSROOM, "import", str(archive)], state.parent, CLEAN_ENV)
    text = ANSI.sub("", screen)
    assert code == 0, text
    assert re.search(r"importing typed\.jsonl ━+ 3/3 [\d,]+ articles/s", text), text
    assert re.search(summary, text), text

    # Both went into the runner's store: its API has them.
    auth = {"Authorization": f"Bearer {(state / 'token').read_text().strip()}"}
    for article_id in ("imp-1", "imp-3", "typed-2"):
        assert httpx.get(f"{site}/api/articles/{article_id}", headers=auth).status_code == 200


def test_the_console_shows_short_lines_and_the_files_keep_the_json(running):
    _, state, _ = running
    first = json.loads((ROOT / "demo/articles.jsonl").open().readline())["id"]
    output = run_log(state)
    assert [line for line in output.splitlines() if line.lstrip().startswith("{")] == []
    # time, service, level, message (and the article, where the record has one)
    time = r"^\d\d:\d\d:\d\d"
    assert re.search(rf"{time} ingest info    PUT /api/articles/{first} 201$", output, re.M)
    assert re.search(rf"{time} feeds  info    .+  article={first}$", output, re.M)

    records = {
        name: [json.loads(line) for line in (state / "logs" / f"{name}.jsonl").open()]
        for name in ("ingest", "render", "feeds")
    }
    assert all(r["service"] == name for name, kept in records.items() for r in kept)
    put = next(r for r in records["ingest"] if r["msg"] == f"PUT /api/articles/{first} 201")
    assert put["status"] == 201 and put["method"] == "PUT" and "ms" in put
    assert any(r.get("article_id") == first and r.get("event_id") for r in records["feeds"])


def test_a_second_runner_on_the_same_folder_is_refused(running):
    process, state, _ = running
    ports = ["--port", str(free_port()), "--ingest-port", str(free_port())]
    result = subprocess.run(
        [*NEWSROOM, "run", "--state", str(state), *ports],
        cwd=ROOT,
        env={**CLEAN_ENV, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=scaled(60),
        check=False,
    )
    assert result.returncode == 1
    assert f"newsroom run (pid {process.pid}) already runs with {state}" in result.stdout
    assert json.loads((state / "run.json").read_text())["pid"] == process.pid


def test_ctrl_c_stops_every_process(running):
    process, state, _ = running
    children = psutil.Process(process.pid).children(recursive=True)
    assert len(children) >= 5  # redis-server, ingest, render, feeds, site server
    process.send_signal(signal.SIGINT)
    assert process.wait(scaled(30)) == 0
    _gone, alive = psutil.wait_procs(children, timeout=scaled(10))
    assert alive == []
    assert run_log(state).rstrip().endswith("stopped")  # the runner has exited: the log is whole
    assert not (state / "run.json").exists()  # other commands no longer take its Redis


def test_json_logs_shows_the_services_json_as_it_is(tmp_path):
    state = tmp_path / ".newsroom"
    process, _ = start_runner(state, "--json-logs", "--no-demo")

    def records() -> list[dict]:
        return [json.loads(line) for line in run_log(state).splitlines() if line.startswith("{")]

    try:
        wait_for(lambda: "API token: " in run_log(state), timeout=60)
        # Each service's JSON lines, as the service wrote them.
        wait_for(lambda: {"ingest", "render", "feeds"} <= {r["service"] for r in records()}, 30)
        process.send_signal(signal.SIGINT)
        assert process.wait(scaled(30)) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert any(r["msg"] == "GET /api/ready 200" and r["status"] == 200 for r in records())
    assert not (state / "logs").exists()
